"""Search stage: what each page contributes to the site's search, per language.

Search does not crawl the finished pages: every page gets a :class:`SearchDocument` built from
the model, holding only the fields worth finding it by, each with a weight. So page chrome
(navigation, labels, the citation block, "Not given in the data sheet") never enters the index,
and a record page is found by its title, number, description, outputs, places and topics rather
than by the forty labels every project sheet shares.

Two indexes are written from the same documents:

- the Pagefind bundle (``pagefind/``, see :mod:`generator.search_pagefind`): chunked, so a
  browser fetches only the pieces its query needs; it takes :func:`document_html`;
- a compact fallback (``search/ksite-fallback.js``, :func:`fallback_script`): title, result
  line, a short excerpt and the key words of every page, loaded by a ``<script>`` tag, for a
  copy of the site opened from disk (``file://``), where Pagefind's ``fetch`` cannot work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from .i18n import Catalogue
from .markdown import plain_text
from .model import Text
from .pagekinds import KIND
from .reads import SiteView

if TYPE_CHECKING:
    from .render import RenderedPage

WEIGHTS = {
    "title": 10.0,
    "number": 10.0,
    "tags": 4.0,
    "summary": 3.0,
    "outputs": 2.0,
    "facts": 2.0,
    "body": 1.0,
}
"""Pagefind weights (0–10, body text is 1) of each kind of field: what a page is called and
numbered outranks what it is tagged with, which outranks what it says."""

_ORDER = {"summary": 0, "body": 1, "outputs": 2, "facts": 3, "tags": 4, "number": 5}
"""Where each kind of field goes in the document Pagefind indexes (see :func:`document_html`)."""

EXCERPT_CHARS = 160
"""Length of the excerpt shown under a result of the fallback search."""
FALLBACK_VERSION = 1
"""Format of the fallback index (``assets/ksite/ksite-search.js`` reads it)."""
KEYWORD_CHARS = 400
"""How much of a page's text the fallback index keeps for matching, besides its title."""


@dataclass(frozen=True)
class SearchField:
    """One searchable text of a page and its weight (a key of :data:`WEIGHTS`)."""

    text: str
    weight: str


@dataclass(frozen=True)
class SearchDocument:
    """What search knows about one page."""

    url: str
    """Page URL relative to its language's root, e.g. ``knowledge/x/`` (``""`` for home)."""
    lang: str
    title: str
    kind: str
    """The page kind (``product``, ``project``, ``output``, ``place``, ``topic``, ...)."""
    result_line: str
    """What a result shows under its title: type and date, or kind and number."""
    excerpt: str
    """A short description for results of the fallback search."""
    fields: tuple[SearchField, ...]

    def text_of(self, *weights: str) -> str:
        return " ".join(f.text for f in self.fields if f.weight in weights)


@dataclass(frozen=True)
class SearchEntry:
    """What the two indexes take from one page, ready to write: Pagefind's document and the
    fallback index's row (as JSON). The page store keeps it with the page."""

    url: str
    html: str
    """:func:`document_html` of the page's document."""
    row: str
    """:func:`fallback_row` of the page's document, as compact JSON."""

    @classmethod
    def of(cls, doc: SearchDocument) -> SearchEntry:
        return cls(doc.url, document_html(doc), _json(fallback_row(doc)))


def search_documents(
    site: SiteView, catalogue: Catalogue, pages: Iterable[RenderedPage]
) -> list[SearchDocument]:
    """One document per page, in the pages' order."""
    builder = _Builder(site, catalogue)
    return [builder.document(page) for page in pages]


def search_entry(site: SiteView, catalogue: Catalogue, page: RenderedPage) -> SearchEntry:
    """The page's entry for both indexes; the render stage makes it with the page, reading the
    site through the same recorder, so a kept page's entry is kept with it."""
    return SearchEntry.of(_Builder(site, catalogue).document(page))


def document_html(doc: SearchDocument) -> str:
    """The page as Pagefind should index it: only its fields, weighted, with metadata.

    Result metadata sits in ignored elements, so it is shown with a result but not matched
    twice; the title is both the ``title`` metadata and the highest-weighted text.
    """
    parts = [
        f'<html lang="{escape(doc.lang)}"><head><meta charset="utf-8"><title>{escape(doc.title)}</title>'
        "</head><body><main data-pagefind-body>"
    ]
    # What a page says comes first and what it is called last: Pagefind's excerpt shows the
    # words around a match, and a result already shows its title and result line.
    order = sorted((f for f in doc.fields if f.weight != "title" and f.text), key=lambda f: _ORDER[f.weight])
    for field in order:
        parts.append(f'<p data-pagefind-weight="{WEIGHTS[field.weight]}">{escape(field.text)}</p>')
    parts.append(f'<h1 data-pagefind-weight="{WEIGHTS["title"]}">{escape(doc.title)}</h1>')
    parts.append(f'<p data-pagefind-ignore data-pagefind-meta="kind">{escape(doc.kind)}</p>')
    # The page's URL travels as metadata: the documents are written flat, under names of their
    # own (see generator.search_pagefind), so Pagefind's URL of a document is not the page's.
    parts.append(f'<p data-pagefind-ignore data-pagefind-meta="path">{escape(doc.url or "./")}</p>')
    parts.append(f'<p data-pagefind-ignore data-pagefind-meta="line">{escape(doc.result_line)}</p>')
    parts.append("</main></body></html>")
    return "".join(parts)


def fallback_row(doc: SearchDocument) -> list[str]:
    """A page in the compact index for ``file://``: ``[url, title, result line, excerpt, key
    words]``."""
    words = doc.text_of("number", "tags", "summary", "outputs", "facts")
    if len(words) < KEYWORD_CHARS:
        words = (words + " " + doc.text_of("body")).strip()
    return [doc.url, doc.title, doc.result_line, doc.excerpt, _clip(words, KEYWORD_CHARS)]


def fallback_script(entries: Iterable[SearchEntry]) -> str:
    """The fallback index as a script (a ``<script>`` tag loads it where ``fetch`` cannot): the
    JSON ``{"version": FALLBACK_VERSION, "docs": [row, ...]}`` (rows by :func:`fallback_row`),
    joined from the entries' rows without decoding them."""
    rows = ",".join(entry.row for entry in entries)
    return f'window.ksiteSearchFallback={{"version":{FALLBACK_VERSION},"docs":[{rows}]}};\n'


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut) + "…"


_Parts = tuple[str, str, str, tuple[SearchField, ...]]
"""What each kind of page gives: title, result line, excerpt, fields."""


@dataclass
class _Builder:
    site: SiteView
    catalogue: Catalogue

    @property
    def lang(self) -> str:
        return self.catalogue.lang

    def pick(self, value: Text | None) -> str:
        return "" if value is None else value.pick(self.lang)[0]

    def md(self, value: Text | None) -> str:
        return plain_text(self.pick(value)) if value is not None else ""

    def place_names(self, slugs: Iterable[str]) -> list[str]:
        places = self.site.library.places
        return [self.pick(places[s].name) for s in slugs if s in places]

    def topic_names(self, slugs: Iterable[str]) -> list[str]:
        topics = self.site.library.topics
        return [self.pick(topics[s].name) for s in slugs if s in topics]

    def document(self, page: RenderedPage) -> SearchDocument:
        url = page.url[len(page.prefix) :]
        method = KIND[page.kind].search
        if method is None:  # the lists (projects, knowledge, places, topics): found by title only
            return SearchDocument(
                url, self.lang, page.title, page.kind, self.catalogue.label("search_kind_list"), "", ()
            )
        title, line, excerpt, fields = getattr(self, method)(page)
        fields = (SearchField(title, "title"), *(f for f in fields if f.text))
        return SearchDocument(url, self.lang, title, page.kind, line, _clip(excerpt, EXCERPT_CHARS), fields)

    def product(self, page: RenderedPage) -> _Parts:
        product = self.site.library.products[page.key]
        translation = product.translations.get(self.lang)
        title = translation.title if translation else product.title
        summary = (translation.summary if translation else product.summary) or ""
        body = translation.body if translation else product.body
        authors = translation.authors if translation else product.authors
        type_label = self.catalogue.term("type", product.type)
        date = self.catalogue.date(product.date)
        project = self.site.library.projects.get(product.project) if product.project else None
        outputs = []
        if project is not None:
            for number in product.outputs:
                output = project.output(number)
                if output is not None:
                    outputs.append(f"{self.catalogue.label('output')} {number}: {self.md(output.statement)}")
        fields = (
            # The project number is what the product belongs to, not its own number.
            SearchField(product.project or "", "tags"),
            SearchField(
                " ".join(self.place_names(product.places) + self.topic_names(product.topics)), "tags"
            ),
            SearchField(summary, "summary"),
            SearchField(f"{type_label} {date}", "facts"),
            SearchField(" ".join(outputs), "outputs"),
            SearchField("; ".join(a.name for a in authors), "body"),
            SearchField(plain_text(body.source), "body"),
        )
        return title, f"{type_label} · {date}", summary, fields

    def project(self, page: RenderedPage) -> _Parts:
        project = self.site.library.projects[page.key]
        title = self.pick(project.title)
        status = self.catalogue.term("status", project.status)
        outputs = [
            f"{self.catalogue.label('output')} {o.number}: {self.md(o.statement)}" for o in project.outputs
        ]
        description = self.md(project.description)
        kind = self.catalogue.label("project")
        fields = (
            SearchField(project.number, "number"),
            SearchField(
                " ".join(self.place_names(project.places) + self.topic_names(project.topics)), "tags"
            ),
            SearchField(description, "summary"),
            SearchField(" ".join(outputs), "outputs"),
            SearchField(
                " ".join(
                    [status, *(self.catalogue.term("countries", c) for c in project.countries)]
                    + [self.catalogue.term("sector", s.sector) for s in project.sectors]
                ),
                "facts",
            ),
        )
        line = " · ".join(x for x in (kind, project.number, status) if x)
        return title, line, description, fields

    def output(self, page: RenderedPage) -> _Parts:
        number, _, output_number = page.key.partition("/")
        project = self.site.library.projects[number]
        output = project.output(int(output_number))
        assert output is not None
        statement = self.md(output.statement)
        label = f"{self.catalogue.label('output')} {output.number}"
        indicators = " ".join(self.md(i.text) for i in output.indicators)
        fields = (
            SearchField(f"{number} {self.pick(project.title)}", "tags"),
            SearchField(indicators, "body"),
        )
        return f"{label}: {statement}", f"{label} · {number}", statement, fields

    def place(self, page: RenderedPage) -> _Parts:
        place = self.site.library.places[page.key]
        kind = self.catalogue.term("place_kind", place.kind)
        parent = self.place_names([place.parent] if place.parent else [])
        description = self.md(place.description)
        fields = (SearchField(" ".join([kind, *parent]), "facts"), SearchField(description, "summary"))
        line = " · ".join([kind, *parent])
        return self.pick(place.name), line, description, fields

    def topic(self, page: RenderedPage) -> _Parts:
        topic = self.site.library.topics[page.key]
        description = self.md(topic.description)
        return (
            self.pick(topic.name),
            self.catalogue.label("search_kind_topic"),
            description,
            (SearchField(description, "summary"),),
        )

    def free_page(self, page: RenderedPage) -> _Parts:
        source = self.site.library.pages[page.key]
        title, body = source.translations.get(self.lang, (source.title, source.body))
        text = plain_text(body.source)
        return title, self.catalogue.label("search_kind_page"), text, (SearchField(text, "body"),)

    def home(self, page: RenderedPage) -> _Parts:
        source = self.site.library.pages.get("index")
        text = ""
        if source is not None:
            text = plain_text(source.translations.get(self.lang, (source.title, source.body))[1].source)
        return page.title, self.catalogue.label("search_kind_page"), text, (SearchField(text, "body"),)
