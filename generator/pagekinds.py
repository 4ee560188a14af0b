"""The kinds of page the site has, declared once.

Each :class:`PageKind` says where its pages live, which template renders them, which view
builder of :class:`generator.render.Renderer` and which search document builder of
:mod:`generator.search` make them, which pages of the kind exist, and whether they are printed
as PDF briefs. The link stage takes URLs from here, the render stage its order and builders,
search its documents, and the page cache its page identities; a new kind of page is one more
row (and its builder and template). ``tests/test_pagekinds.py`` holds every row to builders
and templates that exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .link import LinkedSite


@dataclass(frozen=True)
class PageKind:
    name: str
    url: str
    """The site-relative URL, directory style, with ``{key}`` for the page's key (an output's
    key is ``<project>/<number>``, its URL pattern names both parts)."""
    template: str
    """The packaged template (``generator/templates/``), overridable by the site's."""
    view: str
    """The method of :class:`generator.render.Renderer` that builds a page from its key."""
    search: str | None
    """The method of ``generator.search._Builder`` that makes the page's search fields; None:
    the page is found by its title only (the lists)."""
    keys: Callable[[LinkedSite], Iterable[str]]
    """The keys of the pages of this kind, in the site's order."""
    pdf: bool = False
    """Printed as a PDF brief (see :mod:`generator.pdf`)."""

    def url_of(self, key: str = "") -> str:
        if "{project}" in self.url:
            project, _, number = key.partition("/")
            return self.url.format(project=project, number=number)
        return self.url.format(key=key)


def _one(site: LinkedSite) -> Iterable[str]:
    return ("",)


def _projects(site: LinkedSite) -> Iterable[str]:
    return sorted(site.library.projects)


def _outputs(site: LinkedSite) -> Iterable[str]:
    projects = site.library.projects
    return [f"{n}/{o.number}" for n in sorted(projects) for o in projects[n].outputs]


def _products(site: LinkedSite) -> Iterable[str]:
    return sorted(site.library.products)


def _places(site: LinkedSite) -> Iterable[str]:
    return sorted(site.library.places)


def _topics(site: LinkedSite) -> Iterable[str]:
    return sorted(site.library.topics)


def _free_pages(site: LinkedSite) -> Iterable[str]:
    return [slug for slug in sorted(site.library.pages) if slug != "index"]  # index: the home's text


PAGE_KINDS: tuple[PageKind, ...] = (
    # name, URL pattern, template, view builder, search fields, which pages exist
    PageKind("home", "", "home.html", "home", "home", _one),
    PageKind("projects", "projects/", "projects.html", "projects_index", None, _one),
    PageKind("project", "projects/{key}/", "project.html", "project", "project", _projects, pdf=True),
    PageKind("output", "projects/{project}/outputs/{number}/", "output.html", "output", "output", _outputs),
    PageKind("knowledge", "knowledge/", "knowledge.html", "knowledge_index", None, _one),
    PageKind("product", "knowledge/{key}/", "product.html", "product", "product", _products, pdf=True),
    PageKind("places", "places/", "places.html", "places_index", None, _one),
    PageKind("place", "places/{key}/", "place.html", "place", "place", _places),
    PageKind("topics", "topics/", "topics.html", "topics_index", None, _one),
    PageKind("topic", "topics/{key}/", "topic.html", "topic", "topic", _topics),
    PageKind("data", "data/", "data.html", "data_index", None, _one),
    PageKind("page", "{key}/", "page.html", "free_page", "free_page", _free_pages),
)
"""Every kind, in the order the site's pages are rendered."""

KIND = {kind.name: kind for kind in PAGE_KINDS}


def page_url(kind: str, key: str = "", lang_prefix: str = "") -> str:
    """The site-relative URL (directory style, no leading slash) of a page of the site map."""
    return lang_prefix + KIND[kind].url_of(key)


def absolute_url(site_url: str, url: str) -> str:
    """The absolute URL of a site-relative URL, or "" when ``site_url`` is not set.

    Always the directory form (``.../knowledge/<id>/``), whatever ``use_directory_urls`` says:
    absolute URLs are for a site on a web server, where it serves ``index.html``; it is the
    form printed briefs and citations carry, and canonical links, hreflang alternates, the
    sitemap, feeds and share cards must all name one form or search engines see two pages.
    """
    return f"{site_url.rstrip('/')}/{url}" if site_url else ""
