"""SQLite files for ksite's caches: a rebuild rewrites only the rows that changed.

The page store and the link check's scans keep thousands of entries of which a rebuild changes
a handful: as tables, a rebuild writes a few rows (written as one file each, the earlier parse
cache and link memo cost 15 MB of writes per rebuild at N = 1,000). Every store names its
format in a ``meta`` table: a file of another format is emptied, a damaged file is started
afresh. A cache is only saved work, so neither is ever an error.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_META = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB)"


def open_store(path: Path, table: str, store_format: str) -> sqlite3.Connection:
    """The store at ``path`` for reading and writing, with ``table`` (a CREATE TABLE statement
    for a table other than ``meta``) and ``store_format`` in its meta table; created when
    missing, emptied when of another format, started afresh when damaged.

    Written ahead-of-log with ``synchronous=NORMAL``: a commit then waits for no disk flush
    (30-40 ms each in the default mode), and a crash loses at most the last rows written, never
    the store's consistency. Where the file system cannot do that, SQLite stays in its default
    mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        db = sqlite3.connect(path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            if _format(db) != store_format:
                with db:
                    query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    for (name,) in db.execute(query).fetchall():
                        db.execute('DROP TABLE "{}"'.format(name.replace('"', '""')))
                    db.execute(_META)
                    db.execute(table)
                    db.execute("INSERT INTO meta VALUES ('format', ?)", (store_format,))
            return db
        except sqlite3.DatabaseError:
            db.close()
            if attempt == 2:
                raise
            # SQLite drops a log that does not belong to the file it sits beside.
            path.unlink(missing_ok=True)
    raise AssertionError("unreachable")


def read_store(path: Path, store_format: str) -> sqlite3.Connection | None:
    """The store at ``path`` for reading only (``ksite check`` writes no cache): None when it is
    missing, unreadable or of another format."""
    if not path.is_file():
        return None
    db = None
    try:
        db = sqlite3.connect(path, timeout=60)
        if _format(db) == store_format:
            return db
    except sqlite3.DatabaseError:
        pass
    if db is not None:
        db.close()
    return None


def meta(db: sqlite3.Connection, name: str) -> object:
    """A value of the meta table, or None."""
    row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return None if row is None else row[0]


def set_meta(db: sqlite3.Connection, name: str, value: object) -> None:
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))


def _format(db: sqlite3.Connection) -> object:
    """The store's format, or None for a new file or one of an older layout."""
    try:
        return meta(db, "format")
    except sqlite3.OperationalError:  # no meta table
        return None
