"""Incremental builds: a rendered page is reused when nothing it is made from has changed.

A page's key is a hash of what it reads: the documents it shows (the fingerprints of the files
their model values were made from, or the values themselves when made in memory), the templates
it is rendered with (and those they import), the language's interface catalogue, the site
settings and ksite's version. So a one-brief change re-renders that brief and the
pages that list it, a template change re-renders every page using that template, and deleting
the cache gives the same site byte for byte.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment

from . import __version__, marshalfile, sqlitestore
from .link import LinkedSite
from .markdown import Heading
from .render import RenderedPage
from .search import SearchEntry
from .views import BriefMeta, PdfFile

_REFERENCES = re.compile(r"""{%-?\s*(?:import|include|extends|from)\s+["']([^"']+)["']""")


def template_digest(env: Environment, name: str) -> str:
    """Hash of a template's source and of every template it imports, includes or extends."""
    seen: set[str] = set()
    digest = hashlib.sha256()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen or env.loader is None:
            continue
        seen.add(current)
        source, _, _ = env.loader.get_source(env, current)
        digest.update(current.encode() + b"\0" + source.encode())
        pending.extend(_REFERENCES.findall(source))
    return digest.hexdigest()


def dependencies(site: LinkedSite, kind: str, key: str) -> Iterator[object]:
    """The model values a page of ``kind`` shows (hashed in a canonical form)."""
    lib = site.library
    if kind == "home":
        yield from (lib.projects[n] for n in sorted(lib.projects))
        yield from (lib.products[i] for i in site.products_newest_first[:6])
        yield lib.pages.get("index")
    elif kind == "projects":
        yield from (lib.projects[n] for n in sorted(lib.projects))
    elif kind == "project":
        project = lib.projects[key]
        yield project
        yield from (lib.products[i] for i in site.products_by_project.get(key, ()))
        yield from (lib.places[s] for s in project.places)
        yield from (lib.topics[s] for s in project.topics)
    elif kind == "output":
        number, output = key.split("/")
        yield lib.projects[number]
        yield from (lib.products[i] for i in site.products_by_output.get((number, int(output)), ()))
    elif kind == "knowledge":
        yield from (lib.products[i] for i in site.products_newest_first)
        yield from (lib.projects[n] for n in sorted(lib.projects))
        yield from (lib.places[s] for s in sorted(lib.places))
        yield from (lib.topics[s] for s in sorted(lib.topics))
    elif kind == "product":
        product = lib.products[key]
        yield product
        if product.project:
            yield lib.projects.get(product.project)
        yield from (lib.places[s] for s in product.places)
        yield from (lib.topics[s] for s in product.topics)
        yield from (lib.products[i] for i in site.related(product))
    elif kind in ("places", "topics"):
        values = lib.places if kind == "places" else lib.topics
        yield from (values[s] for s in sorted(values))
    elif kind == "place":
        place = lib.places[key]
        yield place
        if place.parent:
            yield lib.places.get(place.parent)
        yield from (lib.projects[n] for n in site.projects_by_place.get(key, ()))
        yield from (lib.products[i] for i in site.products_by_place.get(key, ()))
    elif kind == "topic":
        yield lib.topics[key]
        yield from (lib.projects[n] for n in site.projects_by_topic.get(key, ()))
        yield from (lib.products[i] for i in site.products_by_topic.get(key, ()))
    elif kind == "page":
        yield lib.pages[key]
    else:  # a page kind this module does not know: never reuse it
        yield object()


STORE = "pages.sqlite3"
"""The file under a language's cache folder holding its pages (one SQLite table: thousands of
small files cost more to create than to render)."""


@dataclass
class PageCache:
    """Rendered pages on disk under ``directory``, keyed by the hash of their inputs.

    New pages are written in batches, in one transaction each; :meth:`close` writes the rest.
    """

    directory: Path | None
    salt: str
    """Hash of what every page of a language depends on (catalogue, settings, ksite version)."""
    env: Environment | None = None
    """The template environment, whose sources are part of each page's key."""
    rendered: list[str] = field(default_factory=list)
    """``lang:url`` of pages rendered in this run (cache misses), for the build report."""
    reused: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    _digests: dict[str, str] = field(default_factory=dict)
    _values: dict[int, tuple[object, str]] = field(default_factory=dict)
    _db: sqlite3.Connection | None = None
    _pending: list[tuple[str, bytes, str]] = field(default_factory=list)
    _rows: dict[str, tuple[bytes, str, str | None, str | None]] | None = None
    _keys: dict[str, str] = field(default_factory=dict)
    """Cache key of each page seen in this run, by URL (its search document is kept under it)."""
    _search: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Search entries (Pagefind document, fallback row) of the pages reused in this run, by URL."""
    _pending_search: list[tuple[str, str, str]] = field(default_factory=list)

    def key(
        self, site: LinkedSite, kind: str, page_key: str, lang: str, template: str, extra: str = ""
    ) -> str:
        """The hash naming a page's cache entry; it changes when anything the page shows (its
        :func:`dependencies` in ``site``) does."""
        templates = self._templates(template)
        digests = "".join(map(self._digest_of, dependencies(site, kind, page_key)))
        text = f"{__version__}\0{self.salt}\0{kind}\0{page_key}\0{lang}\0{templates}\0{extra}{digests}"
        return hashlib.sha256(text.encode()).hexdigest()

    def _digest_of(self, value: object) -> str:
        """A model value's digest: its fingerprint (the hash of the files it was made from),
        else the hash of the whole value, computed once per build (the same product is on many
        pages)."""
        made_from = getattr(value, "fingerprint", "")
        if made_from:
            return made_from
        known = self._values.get(id(value))
        if known is None or known[0] is not value:
            known = (value, hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest())
            self._values[id(value)] = known
        return known[1]

    def _templates(self, name: str) -> str:
        if self.env is None:
            return name
        if name not in self._digests:
            self._digests[name] = template_digest(self.env, name)
        return self._digests[name]

    def get(self, key: str) -> RenderedPage | None:
        row = self._stored().get(key)
        if row is None:
            return None
        try:
            page = _page_from_row(row[0], row[1])
        except (EOFError, ValueError, TypeError, IndexError):
            return None  # written by another version: rendered again
        self.used.add(key)
        self.reused.append(f"{page.lang}:{page.url}")
        self._keys[page.url] = key
        if row[2] is not None and row[3] is not None:
            self._search[page.url] = (row[2], row[3])
        return page

    def put(self, key: str, page: RenderedPage) -> None:
        if self.directory is None:
            return
        # The HTML in a column of its own: decoding it with the rest was most of reading a page.
        self._pending.append((key, _page_to_row(page), page.html))
        if len(self._pending) >= 1000:
            self._flush()
        self.used.add(key)
        self._keys[page.url] = key
        self.rendered.append(f"{page.lang}:{page.url}")

    def _stored(self) -> dict[str, tuple[bytes, str, str | None, str | None]]:
        """Every stored page by key, read in one query on first use (one query per page cost
        twice as much; the store holds about what the last build used)."""
        if self._rows is None:
            db = self._connect()
            self._rows = {}
            if db is not None:
                query = "SELECT key, page, html, search_html, search_row FROM pages"
                self._rows = {row[0]: row[1:] for row in db.execute(query)}
        return self._rows

    def search_entry(self, page: RenderedPage) -> SearchEntry | None:
        """The search entry kept with a reused page (same inputs, same entry)."""
        kept = self._search.get(page.url)
        return None if kept is None else SearchEntry(page.url[len(page.prefix) :], *kept)

    def keep_search_entry(self, page: RenderedPage, entry: SearchEntry) -> None:
        key = self._keys.get(page.url)
        if key is None or self.directory is None:
            return
        self._pending_search.append((entry.html, entry.row, key))

    def close(self, prune: bool = False) -> None:
        """Write the pages not yet written and close the store. With ``prune`` (once every page
        of the language was asked for), stored pages this run did not use are removed: the
        store then holds about what the next build will ask for."""
        unused = [(key,) for key in self._stored() if key not in self.used] if prune else []
        self._flush(unused)
        self._rows = None  # the reused pages hold their HTML; the rest is not needed again
        if self._db is not None:
            self._db.close()
            self._db = None

    def _flush(self, unused: list[tuple[str]] | None = None) -> None:
        db = self._connect()
        if db is None or not (self._pending or self._pending_search or unused):
            return
        with db:
            db.executemany("INSERT OR REPLACE INTO pages (key, page, html) VALUES (?, ?, ?)", self._pending)
            db.executemany(
                "UPDATE pages SET search_html = ?, search_row = ? WHERE key = ?", self._pending_search
            )
            # Freed space is reused by later pages (no VACUUM: it rewrites the file).
            db.executemany("DELETE FROM pages WHERE key = ?", unused or ())
        self._pending.clear()
        self._pending_search.clear()

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and self.directory is not None:
            self._db = sqlitestore.open_store(self.directory / STORE, _TABLE, _FORMAT)
        return self._db


_FORMAT = "ksite pages 3"
_TABLE = (
    "CREATE TABLE pages (key TEXT PRIMARY KEY, page BLOB NOT NULL, html TEXT NOT NULL,"
    " search_html TEXT, search_row TEXT)"
)
"""The store's table: the page but for its HTML (marshal data), the HTML, and (once made) the page's
search entry (:class:`generator.search.SearchEntry`)."""


@cache
def _shown_fields(cls: type) -> tuple[str, ...]:
    """A dataclass's fields that take part in equality: ``compare=False`` marks bookkeeping such
    as an origin's source positions, which change no page."""
    return tuple(f.name for f in fields(cls) if f.compare)


def _canonical(value: object) -> str:
    """A text form of a model value that is the same in every process (``repr`` of a set
    depends on the hash seed, so sets and mappings are written sorted)."""
    if isinstance(value, str):
        return repr(value)
    if is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{name}={_canonical(getattr(value, name))}" for name in _shown_fields(type(value)))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, Mapping):
        return "{" + ",".join(sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return repr(value)


def _page_to_row(page: RenderedPage) -> bytes:
    """A page but for its HTML, as a marshal tuple of plain values (see :func:`_page_from_row`;
    JSON took three times as long to read back)."""
    brief = page.brief
    pdf = page.pdf
    return marshal.dumps(
        (
            page.url,
            page.title,
            page.lang,
            page.kind,
            page.key,
            tuple((h.level, h.id, h.text) for h in page.toc),
            page.description,
            page.source,
            page.alternates,
            page.prefix,
            None if brief is None else tuple(getattr(brief, f.name) for f in fields(BriefMeta)),
            None if pdf is None else (pdf.name, pdf.size, str(pdf.path)),
        )
    )


def _page_from_row(row: bytes, html: str) -> RenderedPage:
    url, title, lang, kind, key, toc, description, source, alternates, prefix, brief, pdf = marshal.loads(row)
    return RenderedPage(
        url=url,
        title=title,
        html=html,
        lang=lang,
        kind=kind,
        key=key,
        toc=tuple(Heading(*h) for h in toc) if toc else (),
        description=description,
        source=source,
        alternates=alternates,
        prefix=prefix,
        brief=None if brief is None else BriefMeta(*brief),
        pdf=None if pdf is None else PdfFile(pdf[0], pdf[1], Path(pdf[2])),
    )


RELATED = "related.marshal"
"""Beside the languages' page stores: the related lists of the last build and what they were
worked out from (:meth:`generator.link.LinkedSite.related_inputs`)."""


def load_related(site: LinkedSite, directory: Path) -> str:
    """Give ``site`` the related lists kept in ``directory`` when they were worked out from the
    same inputs (ranking them is most of what the page keys of products cost); returns the
    inputs' hash, for :func:`save_related`."""
    inputs = site.related_inputs()
    kept = marshalfile.read(directory / RELATED)  # none kept, or unreadable: worked out again
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == inputs and isinstance(kept[1], dict):
        site.add_related_lists(kept[1])
    return inputs


def save_related(site: LinkedSite, directory: Path, inputs: str) -> None:
    marshalfile.write(directory / RELATED, (inputs, site.related_lists()))
