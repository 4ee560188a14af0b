"""The files of the last published site, each with the key it was made from.

A build writes a new site into an empty staging folder and swaps it in whole. A file whose
key is the same as last time (a page the theme would wrap from the same inputs, a search bundle
of the same documents) is taken over from the published site by a hard link instead of being
made again: the MkDocs adapter skips the page, Pagefind is not run. At N = 1,000 the theme
took 8-9 s of a one-brief rebuild of 5,000 pages to write 21 of them anew.

A file is taken only while it is still the very file recorded here (same inode, size and
modification time): a site edited, rebuilt by plain ``mkdocs build`` or replaced by hand is
never trusted. Only files that nothing in the build writes are linked, so a link never lets the
new build write into the old site; the swap and the failure path of :func:`generator.build.build`
are unchanged. Where hard links are not possible the file is simply made again.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..checklinks import LastCheck
from . import store

_FORMAT = "ksite site files 2"
_TABLE = (
    "CREATE TABLE files (name TEXT PRIMARY KEY, key TEXT NOT NULL,"
    " inode INTEGER NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL, digest BLOB)"
)
Row = tuple[str, int, int, int, bytes | None]
"""A published file's key, inode, size, modification time (ns), and the digest of its bytes
where the link check computed it."""


@dataclass
class SiteFiles:
    """The published site's files by name (``/``-separated, relative to the site's root)."""

    path: Path
    """The SQLite file."""
    site_dir: Path
    staging: Path
    """The folder the new site is written into."""
    salt: str
    """ksite's code, libraries and the site's settings: a store of another salt is emptied."""
    compiled_templates: Path
    """Where the shell keeps the theme's compiled templates (Jinja checks each against its
    source): compiling Material's 88 templates took 0.6 s of every MkDocs run."""
    _rows: dict[str, Row] | None = None
    _listing: bytes = b""
    taken: list[str] = field(default_factory=list)
    _folders: set[str] = field(default_factory=set)
    """Folders of the staging folder made so far (a site has a folder per page: asking the
    file system again for each took 3 s of a rebuild at N = 1,000)."""

    def take(self, name: str, key: str) -> bool:
        """Link the published file ``name`` into the staging folder if it was made from ``key``
        and is untouched since; False (and nothing done) otherwise."""
        row = self.load().get(name)
        return row is not None and row[0] == key and self._intact(name, row) and self._link(name)

    def take_folder(self, folder: str, key: str) -> bool:
        """Link every published file under ``folder`` if all were made from ``key`` and are
        untouched (a search bundle is taken whole or not at all)."""
        inside = {name: row for name, row in self.load().items() if name.startswith(folder + "/")}
        if not inside or any(row[0] != key or not self._intact(name, row) for name, row in inside.items()):
            return False
        linked = [name for name in inside if self._link(name)]
        if len(linked) == len(inside):
            return True
        for name in linked:
            self.taken.remove(name)
        # A partial bundle is worse than none: Pagefind writes it afresh, into a folder that
        # must not exist.
        shutil.rmtree(self.staging / folder, ignore_errors=True)
        return False

    def digests(self) -> dict[str, bytes]:
        """The digest of each file taken over, as recorded when it was published (the link
        check then need not read it)."""
        rows = self.load()
        return {name: digest for name in self.taken if (digest := rows[name][4]) is not None}

    def last_check(self) -> LastCheck:
        """What the link check of the published site saw (it passed)."""
        rows = self.load()
        pages = {name: row[4] for name, row in rows.items() if row[4] is not None}
        return LastCheck(self._listing, pages)

    def record(self, made: Mapping[str, str], digests: Mapping[str, bytes], listing: bytes) -> None:
        """After the new site is published: keep ``made`` (file name → key) with each file's
        identity as it now lies in ``site_dir`` and its digest where known (pages made by no
        key too, such as 404.html, for :meth:`last_check`), and the digest of its listing; files
        of the old site are forgotten."""
        rows = []
        for name, key in {**dict.fromkeys(digests, ""), **made}.items():
            try:
                info = os.stat(self.site_dir / name)
            except OSError:
                continue
            rows.append((name, key, info.st_ino, info.st_size, info.st_mtime_ns, digests.get(name)))
        db = store.open_store(self.path, _TABLE, f"{_FORMAT} {self.salt}")
        try:
            with db:
                db.execute("DELETE FROM files")
                db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", rows)
                store.set_meta(db, "listing", listing)
        finally:
            db.close()

    def load(self) -> dict[str, Row]:
        """The records, read from the store on first use."""
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def _intact(self, name: str, row: Row) -> bool:
        try:
            info = os.stat(os.path.join(self.site_dir, name))
        except OSError:
            return False
        return (info.st_ino, info.st_size, info.st_mtime_ns) == row[1:4]

    def _link(self, name: str) -> bool:
        target = os.path.join(self.staging, name)
        folder = os.path.dirname(target)
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            os.link(os.path.join(self.site_dir, name), target)
        except OSError:
            return False
        self.taken.append(name)
        return True

    def _read(self) -> dict[str, Row]:
        db = store.read_store(self.path, f"{_FORMAT} {self.salt}")
        if db is None:
            return {}
        try:
            listing = store.meta(db, "listing")
            self._listing = listing if isinstance(listing, bytes) else b""
            query = "SELECT name, key, inode, size, mtime, digest FROM files"
            return {name: tuple(rest) for name, *rest in db.execute(query)}
        except sqlite3.DatabaseError:
            return {}
        finally:
            db.close()
