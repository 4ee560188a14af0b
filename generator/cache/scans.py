"""The link check's scans of pages, by the digest of each page's bytes.

Finding the ids and links of 10,000 pages is most of the link check (8-14 s of a rebuild at
N = 1,000 on this project's machine, against 1-2 s with the scans kept); a page's scan depends
on its bytes only, so scans are kept by digest, and a rebuild scans only the pages that came
out different. One SQLite file; a store of another ksite code digest is emptied.
"""

from __future__ import annotations

import marshal
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..checklinks import PageScan
from . import store

_FORMAT = "ksite scans 1"
_TABLE = "CREATE TABLE scans (digest BLOB PRIMARY KEY, scan BLOB NOT NULL)"


@dataclass
class ScanStore:
    """A :class:`generator.checklinks.ScanMemo` in a SQLite file."""

    path: Path
    salt: str
    _rows: dict[bytes, bytes] | None = None
    _used: set[bytes] = field(default_factory=set)
    _new: dict[bytes, bytes] = field(default_factory=dict)

    def recall(self, digest: bytes) -> PageScan | None:
        if self._rows is None:
            self._rows = self._read()
        blob = self._rows.get(digest)
        if blob is None:
            return None
        try:
            ids, links = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        self._used.add(digest)
        return PageScan(set(ids), links)

    def remember(self, digest: bytes, scan: PageScan) -> None:
        self._new[digest] = marshal.dumps((tuple(scan.ids), scan.links))
        self._used.add(digest)

    def close(self) -> None:
        """Keep the scans of this build's pages, drop the others."""
        rows = self._rows if self._rows is not None else {}
        unused = [(digest,) for digest in rows if digest not in self._used]
        if not (self._new or unused):
            return
        db = store.open_store(self.path, _TABLE, f"{_FORMAT} {self.salt}")
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO scans VALUES (?, ?)", self._new.items())
                db.executemany("DELETE FROM scans WHERE digest = ?", unused)
        finally:
            db.close()
        self._new.clear()

    def _read(self) -> dict[bytes, bytes]:
        db = store.read_store(self.path, f"{_FORMAT} {self.salt}")
        if db is None:
            return {}
        try:
            return dict(db.execute("SELECT digest, scan FROM scans"))
        except sqlite3.DatabaseError:
            return {}
        finally:
            db.close()
