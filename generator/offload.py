"""Work that ksite hands to a helper process, to run on another core while MkDocs builds.

    python -I -S offload.py write-documents PACK FOLDER PAGEFIND [ARGUMENT...]
    python -I -S offload.py hash-pages ROOT [MEMO PREFIX]
    python -I -S offload.py remove-trees FOLDER...

MkDocs renders the site on one thread for most of a build. Jobs of ksite's that are all system
calls and hashing ran on that thread too: at N = 1,000 products, a quarter of a second each for
the first two below and 2-3.5 s for the third. A thread of ksite's own did not help, since
handing the interpreter lock back and forth for every page cost the builder about as much. So a
helper process does them:

- ``write-documents`` writes Pagefind's input documents, then becomes Pagefind (see
  :func:`generator.search_pagefind.start_pagefind`). PACK is a :mod:`marshal` file of
  ``(file name, bytes)`` pairs, each written as a file of FOLDER.
- ``hash-pages`` reads lines on its standard input, each the path under ROOT of a page MkDocs
  has written, and at the end of its input writes on its standard output, as marshal data,
  ``{path: digest}`` of the files' :func:`digest` and ``{path: (ids, links)}``
  (:func:`scan_html`) of the pages whose digest differs from the one the link memo MEMO
  (:class:`generator.checklinks.LinkMemo`) holds for PREFIX + path: the pages the link check
  will look at (see :class:`generator.checklinks.PageHasher`).
- ``remove-trees`` removes the previous site once the new one is in place, after ``ksite
  build`` has returned (see :func:`generator.build.remove_in_background`).

Standard library only, and run with ``-I -S``, so it starts in milliseconds.
"""

from __future__ import annotations

import hashlib
import html
import marshal
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from typing import BinaryIO

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def command(*arguments: str) -> list[str]:
    """The command line that runs this module's ``arguments`` in a helper process."""
    return [sys.executable, "-I", "-S", os.path.abspath(__file__), *arguments]


def write_documents(pack: str, folder: str) -> int:
    """Write each document of ``pack`` into ``folder``; returns how many."""
    with open(pack, "rb") as file:
        documents: list[tuple[str, bytes]] = marshal.load(file)
    for name, data in documents:
        if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        descriptor = os.open(os.path.join(folder, name), _FLAGS, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
    return len(documents)


def digest(data: bytes) -> str:
    """The hash that tells a changed page from an unchanged one (SHA-1: change detection of
    the build's own output, not security, and the quickest of hashlib's here)."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


_TAG = re.compile(r"<(a|link|img|script|source)\b([^>]*)>", re.IGNORECASE)
_URL_ATTR = re.compile(r"""\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ID = re.compile(r"""<[a-zA-Z][^>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_A_NAME = re.compile(r"""<a\b[^>]*?\sname\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_LINK_ATTRS = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}

Scan = tuple[set[str], list[tuple[str, str, int]]]
"""The ids a page defines, and the URLs it links to as (tag, url, line)."""


def scan_html(text: str) -> Scan:
    """The ids and links of a page, found with regular expressions over the tags MkDocs and
    ksite write (quoted attributes): an order of magnitude faster than a full HTML parse."""
    ids: set[str] = set()
    links: list[tuple[str, str, int]] = []
    for pattern in (_ID, _A_NAME):
        for match in pattern.finditer(text):
            ids.add(html.unescape(match.group(1) or match.group(2) or ""))
    line, position = 1, 0
    for match in _TAG.finditer(text):
        tag = match.group(1).lower()
        for attr in _URL_ATTR.finditer(match.group(2)):
            if (tag, attr.group(1).lower()) not in _LINK_ATTRS:
                continue
            line += text.count("\n", position, match.start())
            position = match.start()
            links.append((tag, html.unescape(attr.group(2) or attr.group(3) or ""), line))
    return ids, links


def hash_pages(
    root: str, lines: BinaryIO, known: dict[str, str] | None = None, prefix: str = ""
) -> tuple[dict[str, str], dict[str, Scan]]:
    """The digest of each file under ``root`` listed in ``lines`` (UTF-8, one path per line),
    and the scan of each whose digest is not the one ``known`` holds for ``prefix`` + its
    path; files that cannot be read are left out."""
    digests: dict[str, str] = {}
    scans: dict[str, Scan] = {}
    for line in lines:
        name = line.decode("utf-8").rstrip("\n")
        try:
            with open(os.path.join(root, name), "rb") as file:
                data = file.read()
        except OSError:
            continue
        digests[name] = digest(data)
        if known is not None and known.get(prefix + name) != digests[name]:
            scans[name] = scan_html(data.decode("utf-8", errors="replace"))
    return digests, scans


def memo_digests(memo: str) -> dict[str, str]:
    """Each page's digest in the link memo at ``memo`` (the ``pages`` table of
    :class:`generator.checklinks.LinkMemo`); none when it is missing or unreadable."""
    if not os.path.isfile(memo):
        return {}
    try:
        db = sqlite3.connect(memo, timeout=60)
        try:
            return dict(db.execute("SELECT name, digest FROM pages"))
        finally:
            db.close()
    except sqlite3.Error:
        return {}


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["hash-pages"] and len(argv) in (2, 4):
        known = memo_digests(argv[2]) if len(argv) == 4 else None
        prefix = argv[3] if len(argv) == 4 else ""
        sys.stdout.buffer.write(marshal.dumps(hash_pages(argv[1], sys.stdin.buffer, known, prefix)))
        return 0
    if argv[:1] == ["remove-trees"]:
        for folder in argv[1:]:
            shutil.rmtree(folder, ignore_errors=True)
        return 0
    if argv[:1] == ["write-documents"] and len(argv) >= 4:
        pack, folder, *pagefind = argv[1:]
        write_documents(pack, folder)
        sys.stdout.flush()
        if os.name == "posix":
            os.execv(pagefind[0], pagefind)  # cancelling the build then stops Pagefind itself
        return subprocess.call(pagefind)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
