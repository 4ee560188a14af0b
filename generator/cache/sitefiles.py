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

With the records go the digest of the inputs the published site was built from and of the
site's tree (every file's name, inode, size and time): while both are the same, the site is up
to date and :func:`published_outcome` gives back what its build reported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..checklinks import LastCheck, SiteLinks
from . import store

_FORMAT = "ksite site files 3"
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
    _check: tuple[frozenset[str], frozenset[str], str] = (frozenset(), frozenset(), "")
    """The last check's files, files linked and base path."""
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
        return LastCheck(*self._check, pages)

    def record(
        self,
        made: Mapping[str, str],
        links: SiteLinks,
        inputs: str | None = None,
        outcome: bytes = b"",
    ) -> None:
        """After the new site is published: keep ``made`` (file name → key) with each file's
        identity as it now lies in ``site_dir`` and its digest where known (pages made by no
        key too, such as 404.html, for :meth:`last_check`), and what its link check saw; files
        of the old site are forgotten. With ``inputs`` (:func:`generator.cache.inputs.inputs_digest`),
        also the build's ``outcome``, given back while neither the inputs nor the tree change."""
        digests = links.digests
        state, stats = site_state(self.site_dir)
        checked = (links.files, links.linked, links.base_path) if links.linked is not None else None
        rows = []
        for name, key in {**dict.fromkeys(digests, ""), **made}.items():
            info = stats.get(name)
            if info is not None:
                rows.append((name, key, info.st_ino, info.st_size, info.st_mtime_ns, digests.get(name)))
        db = store.open_store(self.path, _TABLE, f"{_FORMAT} {self.salt}")
        try:
            with db:
                db.execute("DELETE FROM files")
                db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", rows)
                store.set_meta(db, "check", _pack(checked) if checked else None)
                store.set_meta(db, "inputs", inputs)
                store.set_meta(db, "state", state)
                store.set_meta(db, "outcome", outcome)
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
            checked = store.meta(db, "check")
            if isinstance(checked, bytes):
                self._check = _unpack(checked)
            query = "SELECT name, key, inode, size, mtime, digest FROM files"
            return {name: tuple(rest) for name, *rest in db.execute(query)}
        except sqlite3.DatabaseError:
            return {}
        finally:
            db.close()


def _pack(check: tuple[frozenset[str], frozenset[str], str]) -> bytes:
    files, linked, base_path = check
    return zlib.compress("\0".join([base_path, "\n".join(sorted(files)), "\n".join(sorted(linked))]).encode())


def _unpack(packed: bytes) -> tuple[frozenset[str], frozenset[str], str]:
    base_path, files, linked = zlib.decompress(packed).decode().split("\0")
    return frozenset(files.split("\n")) - {""}, frozenset(linked.split("\n")) - {""}, base_path


def published_outcome(path: Path, salt: str, site_dir: Path, inputs: str) -> bytes | None:
    """What the build of the published site reported, if it was built from ``inputs`` and its
    tree is still the one that build wrote (nothing added, removed, replaced or edited)."""
    db = store.read_store(path, f"{_FORMAT} {salt}")
    if db is None:
        return None
    try:
        kept_inputs, state, outcome = (store.meta(db, name) for name in ("inputs", "state", "outcome"))
    except sqlite3.DatabaseError:
        return None
    finally:
        db.close()
    if kept_inputs != inputs or not isinstance(state, bytes) or not isinstance(outcome, bytes):
        return None
    try:
        now, _ = site_state(site_dir)
    except OSError:
        return None
    return outcome if now == state else None


def site_state(site_dir: Path) -> tuple[bytes, dict[str, os.stat_result]]:
    """The digest of a site's tree (each folder's and file's name, each file's inode, mode, size
    and modification time) and each file's status by name."""
    digest = hashlib.blake2b(digest_size=20)
    stats: dict[str, os.stat_result] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    digest.update(f"{name}/\0".encode())
                    walk(entry.path, name + "/")
                else:
                    info = stats[name] = entry.stat(follow_symlinks=False)
                    digest.update(
                        f"{name}\0{info.st_ino}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}\0".encode()
                    )

    walk(str(site_dir), "")
    return digest.digest(), stats
