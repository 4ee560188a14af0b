"""The page store: rendered pages kept between builds, with what each one read.

A page is kept with the reads its view builders made (:mod:`generator.reads`) and a digest
of their answers. The next build asks the same questions of its own site; when every answer
is the same, and the store's salt (ksite's code and libraries, the templates, the settings,
the interface catalogue) is too, the kept page is what rendering would give, byte for byte.
Nothing lists by hand what a page depends on, so a new field or page kind cannot leave a page
stale. One SQLite file per language (thousands of small files cost more to create than to
render); a store of another salt is emptied, a damaged one started afresh.
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
from collections.abc import Set
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..link import LinkedSite
from ..markdown import Heading
from ..reads import Read, answer
from ..render import RenderedPage
from ..search import SearchEntry
from ..views import BriefMeta, PdfFile
from . import store
from .keys import value_digest

_FORMAT = "ksite pages 5"
_TABLE = (
    "CREATE TABLE pages (kind TEXT, key TEXT, variant TEXT, reads BLOB NOT NULL, digest BLOB NOT NULL,"
    " page BLOB NOT NULL, html TEXT NOT NULL, search_html TEXT, search_row TEXT,"
    " PRIMARY KEY (kind, key, variant))"
)
"""A row per page: what it read (marshal data) and the digest of the answers, the page but
for its HTML (marshal data), its HTML, and its search entry."""

_Row = tuple[bytes, bytes, bytes, str, str | None, str | None]


@dataclass
class Answers:
    """Digests of the answers a site gives to reads, each worked out once per build (the same
    product is read by many pages, in every language)."""

    site: LinkedSite
    _known: dict[Read, bytes] = field(default_factory=dict)

    def digest(self, reads: tuple[Read, ...]) -> bytes:
        known = self._known
        combined = hashlib.blake2b(digest_size=16)
        for read in reads:
            found = known.get(read)
            if found is None:
                found = known[read] = value_digest(answer(self.site, read))
            combined.update(found)
        return combined.digest()


@dataclass
class PageStore:
    """One language's kept pages (see the module's docstring); a :class:`generator.render.PageMemo`."""

    path: Path
    salt: str
    """Everything every page of the language depends on beside its reads."""
    answers: Answers
    rendered: list[str] = field(default_factory=list)
    """``lang:url`` of the pages rendered in this build, for the build report."""
    reused: list[str] = field(default_factory=list)
    _db: sqlite3.Connection | None = None
    _rows: dict[tuple[str, str, str], _Row] | None = None
    _used: set[tuple[str, str, str]] = field(default_factory=set)
    _pending: list[tuple[object, ...]] = field(default_factory=list)

    def recall(self, kind: str, key: str, variant: str) -> RenderedPage | None:
        row = self._stored().get((kind, key, variant))
        if row is None:
            return None
        try:
            reads = marshal.loads(row[0])
            if self.answers.digest(reads) != row[1]:
                return None
            page = _page_from_row(row[2], row[3], row[4], row[5])
        except (EOFError, ValueError, TypeError, IndexError, KeyError):
            return None  # unreadable, or a read this ksite cannot answer: rendered again
        self._used.add((kind, key, variant))
        self.reused.append(f"{page.lang}:{page.url}")
        return page

    def remember(self, page: RenderedPage, variant: str, reads: Set[Read]) -> None:
        ordered = tuple(sorted(reads, key=repr))
        entry = page.search
        self._pending.append(
            (
                page.kind,
                page.key,
                variant,
                marshal.dumps(ordered),
                self.answers.digest(ordered),
                _page_to_row(page),
                page.html,
                None if entry is None else entry.html,
                None if entry is None else entry.row,
            )
        )
        self._used.add((page.kind, page.key, variant))
        self.rendered.append(f"{page.lang}:{page.url}")
        if len(self._pending) >= 1000:
            self._flush([])

    def close(self, prune: bool) -> None:
        """Write what is pending; with ``prune`` (every page of the language was asked for),
        drop the pages this build did not use, so the store holds what the next one asks for."""
        unused: list[tuple[str, str, str]] = []
        if prune:
            built = {(kind, key) for kind, key, _ in self._used}
            with_pdfs = any(variant for _, _, variant in self._used)
            unused = [name for name in self._stored() if self._stale(name, built, with_pdfs)]
        self._flush(unused)
        self._rows = None
        if self._db is not None:
            self._db.close()
            self._db = None

    def _stale(self, name: tuple[str, str, str], built: set[tuple[str, str]], with_pdfs: bool) -> bool:
        """A kept page this build did not use, and that no build of the other kind will: one
        whose page is gone (not in ``built``), or an older variant of a page this build made the
        same way. A build with PDF briefs and one without (``ksite serve``, ``--no-pdf``) keep
        each their variant of a product's page."""
        if name in self._used:
            return False
        kind, key, variant = name
        return (kind, key) not in built or bool(variant) == with_pdfs

    def _stored(self) -> dict[tuple[str, str, str], _Row]:
        """Every kept page, read in one query on first use (a query per page cost twice as much)."""
        if self._rows is None:
            query = "SELECT kind, key, variant, reads, digest, page, html, search_html, search_row FROM pages"
            self._rows = {(r[0], r[1], r[2]): r[3:] for r in self._connect().execute(query)}
        return self._rows

    def _flush(self, unused: list[tuple[str, str, str]]) -> None:
        if not (self._pending or unused):
            return
        db = self._connect()
        with db:
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self._pending)
            db.executemany("DELETE FROM pages WHERE kind = ? AND key = ? AND variant = ?", unused)
        self._pending.clear()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = store.open_store(self.path, _TABLE, f"{_FORMAT} {self.salt}")
        return self._db


def _page_to_row(page: RenderedPage) -> bytes:
    """A page but for its HTML and search entry, as a marshal tuple of plain values."""
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
            page.head,
        )
    )


def _page_from_row(row: bytes, html: str, search_html: str | None, search_row: str | None) -> RenderedPage:
    url, title, lang, kind, key, toc, description, source, alternates, prefix, brief, pdf, head = (
        marshal.loads(row)
    )
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
        search=(
            None
            if search_html is None or search_row is None
            else SearchEntry(url[len(prefix) :], search_html, search_row)
        ),
        head=head,
    )
