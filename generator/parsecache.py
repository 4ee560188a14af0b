"""Parsed content files kept between builds, so a rebuild parses only the files that changed.

Parsing YAML (with every key's and value's position) is most of what loading costs; a file
whose path and bytes are the same as last time parses to the same document. ``ksite build``
keeps each cleanly parsed file in ``.ksite-cache/parsed.sqlite3``, a row per file, and rewrites
only the rows of files that changed; ``ksite check`` reads it but never writes it.

Each document is :mod:`marshal` data: plain values only (strings, numbers, tuples, dicts, sets),
read back without running any code, unlike pickle, and quicker to read than JSON. The store is
tied to the ksite and Python versions and to the schemas' text; one of other versions, or one
that cannot be read, counts as empty.
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
import sys
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import __version__, sqlitestore
from .load import RawDocument
from .model import Markdown
from .yamlsource import REJECTED, Path_, YamlDocument


def _schemas_digest() -> str:
    """The schemas' text: a document marked valid was valid against these."""
    folder = resources.files("generator").joinpath("schemas")
    texts = sorted((f.name, f.read_bytes()) for f in folder.iterdir() if f.name.endswith(".json"))
    return hashlib.blake2b(repr(texts).encode(), digest_size=8).hexdigest()


FORMAT = (
    f"ksite {__version__} parsed 3 python {sys.version_info[0]}.{sys.version_info[1]} "
    f"schemas {_schemas_digest()}"
)
"""The store's format (see :mod:`generator.sqlitestore`); any other and the store is ignored."""

_TABLE = "CREATE TABLE parsed (path TEXT PRIMARY KEY, digest TEXT NOT NULL, document BLOB NOT NULL)"

_Entry = tuple[str, bytes]
"""(digest of the file's path and bytes, the document as marshal bytes)"""


@dataclass
class ParseCache:
    """Documents parsed by an earlier build, by display path; see the module's docstring."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    loaded: dict[str, tuple[RawDocument, _Entry | None, str | None]] = field(default_factory=dict)
    """This run's documents, with the entry each was read from (None: parsed in this run) and
    the schema state it was read with."""

    @classmethod
    def read(cls, path: Path) -> ParseCache:
        """The cache in ``path``; empty when it is missing, unreadable or of other versions."""
        db = sqlitestore.read_store(path, FORMAT)
        if db is None:
            return cls()
        try:
            return cls(entries={row[0]: row[1:] for row in db.execute("SELECT * FROM parsed")})
        except sqlite3.DatabaseError:
            return cls()
        finally:
            db.close()

    def get(self, shown: str, digest: str) -> RawDocument | None:
        """The document parsed from this very file last time, or None."""
        entry = self.entries.get(shown)
        if entry is None or entry[0] != digest:
            return None
        try:
            kind, stem, lang, data, plain, body, positions, checked = marshal.loads(entry[1])
            tables = _Positions(positions)
            yaml = YamlDocument(shown, data, _LazyTable(tables, 0), _LazyTable(tables, 1), plain, checked)
            document = RawDocument(
                kind=kind,
                path=shown,
                stem=stem,
                yaml=yaml,
                body=None if body is None else Markdown(body[0], shown, body[1], body[2]),
                lang=lang,
                digest=digest,
            )
        except (EOFError, ValueError, TypeError, IndexError):
            return None  # a damaged entry is parsed again
        self.loaded[shown] = (document, entry, checked)
        return document

    def put(self, document: RawDocument) -> None:
        """Keep a freshly parsed document (one that parsed without any problem). It is written
        by :meth:`save`, after validation, with its data as validation left it (coerced to the
        schema's types, and marked valid, which spares the next run the schema check)."""
        self.loaded[document.path] = (document, None, None)

    def save(self, path: Path) -> bool:
        """Write the documents of this run that differ from what was read, and forget files
        that are gone or failed their schema; in one transaction, so no reader sees half."""
        kept: dict[str, _Entry] = {}
        for shown, (document, entry, checked) in self.loaded.items():
            if document.yaml.checked == REJECTED:
                continue
            if entry is not None and checked == document.yaml.checked:
                kept[shown] = entry
            elif (encoded := _encode(document)) is not None:
                kept[shown] = (document.digest, encoded)
        if kept == self.entries:
            return False
        db = sqlitestore.open_store(path, _TABLE, FORMAT)
        try:
            with db:
                if not self.entries:  # nothing was read: the store may hold another's rows
                    db.execute("DELETE FROM parsed")
                gone = [(shown,) for shown in self.entries if shown not in kept]
                db.executemany("DELETE FROM parsed WHERE path = ?", gone)
                changed = [(k, *v) for k, v in kept.items() if self.entries.get(k) != v]
                db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?, ?)", changed)
        finally:
            db.close()
        self.entries = kept
        return True


def _encode(document: RawDocument) -> bytes | None:
    body = document.body
    yaml = document.yaml
    try:
        return marshal.dumps(
            (
                document.kind,
                document.stem,
                document.lang,
                yaml.data,
                yaml.plain,
                None if body is None else (body.source, body.first_line, body.indent),
                marshal.dumps((dict(yaml.values), dict(yaml.keys))),
                yaml.checked,
            )
        )
    except ValueError:
        return None  # a value marshal cannot hold: this file is parsed every time


class _Positions:
    """The two position tables of a cached document, decoded together on first use: a valid
    file's positions are read only to place a message, so most builds never decode them."""

    __slots__ = ("raw", "tables")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.tables: tuple[dict[Path_, tuple[int, int]], ...] | None = None

    def table(self, which: int) -> dict[Path_, tuple[int, int]]:
        if self.tables is None:
            try:
                values, keys = marshal.loads(self.raw)
                self.tables = (dict(values), dict(keys))
            except (EOFError, ValueError, TypeError):
                self.tables = ({}, {})  # a damaged entry: messages fall back to line 1
        return self.tables[which]


class _LazyTable(MutableMapping[Path_, tuple[int, int]]):
    """:attr:`YamlDocument.values` or ``.keys`` of a cached document (see :class:`_Positions`)."""

    __slots__ = ("_positions", "_which")

    def __init__(self, positions: _Positions, which: int) -> None:
        self._positions, self._which = positions, which

    def __getitem__(self, key: Path_) -> tuple[int, int]:
        return self._positions.table(self._which)[key]

    def __setitem__(self, key: Path_, value: tuple[int, int]) -> None:
        self._positions.table(self._which)[key] = value

    def __delitem__(self, key: Path_) -> None:
        del self._positions.table(self._which)[key]

    def __contains__(self, key: object) -> bool:
        return key in self._positions.table(self._which)

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._positions.table(self._which))

    def __len__(self) -> int:
        return len(self._positions.table(self._which))

    def __repr__(self) -> str:
        return repr(self._positions.table(self._which))
