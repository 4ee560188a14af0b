"""Parsed content files kept between builds, so a rebuild parses only the files that changed.

Parsing YAML (with every key's and value's position) is most of what loading costs; a file
whose path and bytes are the same as last time parses to the same document. ``ksite build``
keeps each cleanly parsed file in ``.ksite-cache/parsed.marshal``; ``ksite check`` reads that
file but never writes it.

The file is :mod:`marshal` data: plain values only (strings, numbers, tuples, dicts, sets), read
back without running any code, unlike pickle, and quicker to read than JSON. It is tied to the
ksite and Python versions and to the schemas' text; a file of other versions, or one that
cannot be read, counts as empty.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from . import __version__, marshalfile
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
"""Written first in the file; any other value and the file is ignored."""

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
        data = marshalfile.read(path)
        if isinstance(data, tuple) and len(data) == 2 and data[0] == FORMAT and isinstance(data[1], dict):
            return cls(entries=data[1])
        return cls()

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
        """Write this run's documents when they differ from what was read, leaving out those
        that failed their schema; the file is replaced in one step, so no reader sees half."""
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
        marshalfile.write(path, (FORMAT, kept))
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
