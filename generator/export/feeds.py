"""Atom 1.0 feed of the knowledge products, one per language (``feed.xml`` at its root).

Written with lxml rather than a feed library: feedgen, the usual one, cannot mark the language
of one entry (``xml:lang``), which an untranslated product in the Chinese feed needs, and it
stamps the clock on whatever is not given a date. Every date here comes from the content, so
two builds of the same content give the same bytes.
"""

from __future__ import annotations

from lxml import etree

from ..config import ProjectConfig
from ..i18n import load_catalogue
from ..link import LinkedSite
from ..model import Author, KnowledgeProduct
from ..pagekinds import absolute_url, page_url

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED = "feed.xml"
"""The feed's path in each language's tree."""
ATOM_TYPE = "application/atom+xml"
HTML_TYPE = "text/html"


def atom_feed(config: ProjectConfig, site: LinkedSite, lang: str) -> dict[str, bytes]:
    """``feed.xml`` of ``lang``: every knowledge product, newest first, as that language's
    pages show it. Nothing without ``site_url`` (an Atom id and its links must be absolute)
    or without products (a feed's ``updated`` would have no date to come from)."""
    products = [site.library.products[pid] for pid in site.products_newest_first]
    if not config.site_url or not products:
        return {}
    catalogue = load_catalogue(lang, config.templates_dir / "i18n", fallback=config.default_language)
    prefix = config.prefix(lang)

    def absolute(url: str) -> str:
        return absolute_url(config.site_url, url)

    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set(XML_LANG, lang)
    _child(feed, "id", absolute(prefix + FEED))
    _child(feed, "title", config.name_in(lang))
    _child(feed, "updated", _timestamp(max(product.updated for product in products)))
    _link(feed, "self", absolute(prefix + FEED), ATOM_TYPE)
    _link(feed, "alternate", absolute(page_url("knowledge", lang_prefix=prefix)), HTML_TYPE, lang)
    for other in config.languages:
        if other != lang:
            _link(feed, "alternate", absolute(config.prefix(other) + FEED), ATOM_TYPE, other)
    _child(feed, "generator", "ksite")
    if any(not _shown(product, lang)[2] for product in products):
        # Atom requires an author for every entry; the site speaks for a product without one.
        _child(_child(feed, "author"), "name", config.name_in(lang))

    schemes = {
        vocabulary: absolute(page_url(vocabulary, lang_prefix=prefix))
        for vocabulary in ("knowledge", "places", "topics")
    }
    for product in products:
        title, summary, authors, shown_in = _shown(product, lang)
        entry = _child(feed, "entry")
        if shown_in != lang:
            entry.set(XML_LANG, shown_in)
        _child(entry, "id", absolute(page_url("product", product.id, prefix)))
        _child(entry, "title", title)
        _child(entry, "updated", _timestamp(product.updated))
        _child(entry, "published", _timestamp(product.date))
        for name in authors:
            _child(_child(entry, "author"), "name", name)
        if summary:
            _child(entry, "summary", summary)
        _category(entry, product.type, schemes["knowledge"], catalogue.term("type", product.type))
        for slug in product.places:
            _category(entry, slug, schemes["places"], site.library.places[slug].name.pick(lang)[0])
        for slug in product.topics:
            _category(entry, slug, schemes["topics"], site.library.topics[slug].name.pick(lang)[0])
        for other in config.languages:
            url = absolute(page_url("product", product.id, config.prefix(other)))
            _link(entry, "alternate", url, HTML_TYPE, other)
    return {FEED: etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)}


def _shown(product: KnowledgeProduct, lang: str) -> tuple[str, str, tuple[str, ...], str]:
    """A product's title, summary and authors as the ``lang`` pages show them, and the
    language they are really in (the original's when there is no translation)."""
    translation = product.translations.get(lang)
    if translation is not None:
        return translation.title, translation.summary or "", _names(translation.authors), lang
    return product.title, product.summary or "", _names(product.authors), product.language


def _names(authors: tuple[Author, ...]) -> tuple[str, ...]:
    """Authors as the page shows them."""
    return tuple(author.name for author in authors)


def _timestamp(date: str) -> str:
    """A content date (``2020-09-16``) as the RFC 3339 date-time Atom requires."""
    return f"{date}T00:00:00Z"


def _child(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}")
    if text is not None:
        element.text = text
    return element


def _link(parent: etree._Element, rel: str, href: str, media_type: str, hreflang: str = "") -> None:
    link = _child(parent, "link")
    link.set("rel", rel)
    link.set("type", media_type)
    if hreflang:
        link.set("hreflang", hreflang)
    link.set("href", href)


def _category(entry: etree._Element, term: str, scheme: str, label: str) -> None:
    category = _child(entry, "category")
    category.set("term", term)
    category.set("scheme", scheme)
    category.set("label", label)
