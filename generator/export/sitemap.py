"""``sitemap.xml`` per language and ``robots.txt`` at the site's root.

The sitemap is made from the site map of :mod:`generator.pagekinds` (every page of every kind
exists in every language), not from MkDocs' list of the pages it wrote: that list names each
page ``.../index.html`` while the hreflang alternates name ``.../``, and search engines took
them for two pages. Here every URL comes from :func:`generator.pagekinds.absolute_url`, the
same as the pages' canonical links, alternates, feeds and share cards.

Each language has its own sitemap at its root, since a sitemap may list only URLs below its
own folder; ``robots.txt`` names them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from ..config import ProjectConfig
from ..link import LinkedSite
from ..pagekinds import PAGE_KINDS, absolute_url

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
SITEMAP = "sitemap.xml"
MAX_URLS = 50_000
"""The sitemap protocol's limit of URLs per file; a language with more gets a sitemap index."""


@dataclass(frozen=True)
class SitemapEntry:
    """One page in a sitemap."""

    loc: str
    """The page's absolute URL."""
    lastmod: str
    """The date it last changed (``YYYY-MM-DD``), or "" when the content does not say."""
    alternates: tuple[tuple[str, str], ...]
    """(hreflang, absolute URL) of the page in every language, then ``x-default``."""


def sitemap(config: ProjectConfig, site: LinkedSite, lang: str) -> dict[str, bytes]:
    """``sitemap.xml`` of ``lang``: every page with its absolute URL, its date where the
    content gives one, and hreflang alternates for every language and ``x-default`` (the
    default language's page). Nothing without ``site_url``: sitemap URLs must be absolute."""
    if not config.site_url:
        return {}
    return sitemap_files(config, list(sitemap_entries(config, site, lang)), lang)


def sitemap_files(
    config: ProjectConfig, entries: list[SitemapEntry], lang: str, limit: int = MAX_URLS
) -> dict[str, bytes]:
    """``sitemap.xml`` with ``entries``; past ``limit`` entries, ``sitemap.xml`` is an index of
    ``sitemap-1.xml``, ``sitemap-2.xml``… of at most ``limit`` each."""
    if len(entries) <= limit:
        return {SITEMAP: _document(_urlset(entries))}
    files: dict[str, bytes] = {}
    index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for number, start in enumerate(range(0, len(entries), limit), start=1):
        name = f"sitemap-{number}.xml"
        files[name] = _document(_urlset(entries[start : start + limit]))
        location = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(location, f"{{{SITEMAP_NS}}}loc").text = absolute_url(
            config.site_url, config.prefix(lang) + name
        )
    files[SITEMAP] = _document(index)
    return files


def robots(config: ProjectConfig, site: LinkedSite, lang: str) -> dict[str, bytes]:
    """``robots.txt`` at the site's root: everything may be crawled; with ``site_url`` it names
    each language's sitemap. Crawlers read it only at a host's root: a site published in a
    sub-folder should copy its ``Sitemap:`` lines into the host's own."""
    if lang != config.default_language:
        return {}
    lines = ["User-agent: *", "Disallow:"]
    if config.site_url:
        lines.append("")
        lines += [
            f"Sitemap: {absolute_url(config.site_url, config.prefix(x) + SITEMAP)}" for x in config.languages
        ]
    return {"robots.txt": ("\n".join(lines) + "\n").encode("utf-8")}


def sitemap_entries(config: ProjectConfig, site: LinkedSite, lang: str) -> Iterator[SitemapEntry]:
    """Every page of ``lang`` in the site map's order (``site_url`` must be set)."""
    hreflangs = [(other, config.prefix(other)) for other in config.languages]
    hreflangs.append(("x-default", config.prefix(config.default_language)))
    for kind in PAGE_KINDS:
        for key in kind.keys(site):
            path = kind.url_of(key)
            yield SitemapEntry(
                absolute_url(config.site_url, config.prefix(lang) + path),
                _lastmod(site, kind.name, key),
                tuple(
                    (hreflang, absolute_url(config.site_url, prefix + path)) for hreflang, prefix in hreflangs
                ),
            )


def _lastmod(site: LinkedSite, kind: str, key: str) -> str:
    """The date a page last changed, where the content says: a product's last revision, a
    project sheet's last data sheet update. Other pages have none rather than the build's."""
    if kind == "product":
        return site.library.products[key].updated
    if kind == "project":
        last = site.library.projects[key].timetable.get("last_pds_update")
        return last if isinstance(last, str) else ""
    return ""


def _urlset(entries: list[SitemapEntry]) -> etree._Element:
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    for entry in entries:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = entry.loc
        if entry.lastmod:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = entry.lastmod
        for hreflang, href in entry.alternates:
            link = etree.SubElement(url, f"{{{XHTML_NS}}}link")
            link.set("rel", "alternate")
            link.set("hreflang", hreflang)
            link.set("href", href)
    return urlset


def _document(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
