"""Write a language's Pagefind bundle from its search documents.

Pagefind (the ``pagefind[extended]`` package, which ships its binary; the extended build
segments Chinese into words at build time, once per language) splits the index into chunks that a
browser fetches as a query needs them, so the first search stays light however large the site
is. ksite hands it one synthetic HTML document per page (:func:`generator.search.document_html`)
rather than letting it crawl the site, so page chrome never reaches the index.

The documents are written flat into a temporary folder (each carries its page's URL as
metadata) and the binary indexes that folder in one run, in the background while MkDocs builds
(:func:`start_pagefind`). (The package's Python API talks to the binary one document at a time
and polls every 100 ms: half a minute for 300 pages.)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .search import SearchEntry

BUNDLE_DIR = "pagefind"
"""Where the bundle goes, under the root of the language's tree."""
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
)
"""Pagefind's own search interfaces: ksite shows results in Material's search box instead
(``pagefind-highlight.js`` stays: it marks the searched words on the page a result opens)."""


class SearchIndexError(RuntimeError):
    """Pagefind could not be run, or failed."""


def pagefind_binary() -> Path:
    """The Pagefind executable that the ``pagefind`` package finds (extended build first).

    The extended build's own package is asked first, unless ``PAGEFIND_BINARY_PATH`` names
    another binary: the ``pagefind`` package's lookup imports asyncio, a tenth of a second of
    every build."""
    if not os.environ.get("PAGEFIND_BINARY_PATH"):
        try:
            from pagefind_bin_extended import get_executable as extended_build

            return Path(extended_build())
        except (ImportError, OSError):
            pass  # not installed that way: the package's full lookup below
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError(_MISSING) from exc
    binary = get_executable()
    if binary is None:
        raise SearchIndexError(_MISSING)
    return binary


_MISSING = "Pagefind is not installed; install ksite's dependencies (pip install 'pagefind[extended]')"


def start_pagefind(entries: Sequence[SearchEntry], lang: str, bundle: Path) -> PagefindRun:
    """Write the documents and start Pagefind on them in the background, indexing into
    ``bundle`` (a folder it creates).

    ``ksite build`` starts it as soon as the pages are rendered and collects it after MkDocs
    has written the site: Pagefind (a separate, compiled process) indexes while MkDocs renders
    the theme around each page, on another core. The documents go to a temporary folder
    (in memory when there is room, see :func:`_scratch_dir`), removed when Pagefind is done.
    """
    binary = pagefind_binary()
    documents = [(document_name(entry.url), entry.html.encode("utf-8")) for entry in entries]
    size = sum(len(html) for _, html in documents)
    tmp = Path(tempfile.mkdtemp(prefix="ksite-pagefind-", dir=_scratch_dir(size)))
    try:
        source = tmp / "documents"
        source.mkdir()
        write_documents(documents, source)
        if bundle.exists():
            shutil.rmtree(bundle)
        pagefind = [str(binary), "--site", str(source), "--output-path", str(bundle.resolve())]
        # Its messages go to a file: a pipe nobody reads until the end could fill and stall it.
        with (tmp / "messages.txt").open("w") as messages:
            process = subprocess.Popen(
                [*pagefind, "--force-language", lang, "--silent"],
                stdout=messages,
                stderr=subprocess.STDOUT,
                cwd=tmp,
            )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PagefindRun(process, tmp, bundle)


SHARD_SIZE = 2000
"""Documents per bundle, about (each document's bundle is chosen by a hash of its URL).
Pagefind holds a bundle in memory while it writes it (about 60 MB per 1,000 documents) and has
no incremental mode: a change to one document makes its whole bundle again (0.7 ms a
document). A language of more documents is split into bundles; the browser merges them
(``mergeIndex``)."""
SHARDS_FILE = "ksite-shards.json"
"""In the first bundle: the folders of the others, relative to the language's root."""


@dataclass(frozen=True)
class Bundle:
    """One Pagefind bundle of a language: its folder (relative to the language's root), its
    documents, and the key they make (the same key, the same bundle)."""

    folder: str
    entries: tuple[SearchEntry, ...]
    key: str
    shards: tuple[str, ...] = ()
    """For the first bundle: the other bundles' folders (written into its :data:`SHARDS_FILE`)."""


def plan_bundles(entries: Sequence[SearchEntry], lang: str, size: int | None = None) -> list[Bundle]:
    """The bundles of a language: ``pagefind/``, then ``pagefind-2/``... when it has more than
    ``size`` documents. A document's bundle depends only on its URL and their number, so an
    edit makes one bundle again."""
    count = max(1, -(-len(entries) // (size or SHARD_SIZE)))
    groups: list[list[SearchEntry]] = [[] for _ in range(count)]
    for entry in entries:
        groups[_bucket(entry.url, count)].append(entry)
    folders = [BUNDLE_DIR] + [f"{BUNDLE_DIR}-{number}" for number in range(2, count + 1)]
    bundles = []
    for number, (folder, group) in enumerate(zip(folders, groups, strict=True)):
        digest = hashlib.blake2b(f"{lang}\0{count}\0{number}".encode(), digest_size=20)
        for entry in group:
            digest.update(b"\0" + entry.url.encode() + b"\0" + entry.html.encode())
        others = tuple(f"{f}/" for f in folders[1:]) if number == 0 else ()
        bundles.append(Bundle(folder, tuple(group), digest.hexdigest(), others))
    return bundles


def _bucket(url: str, count: int) -> int:
    if count == 1:
        return 0
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "big") % count


class Indexing:
    """Pagefind over some bundles of a language, one after another in a background thread
    (one bundle in memory at a time), each into ``scratch/<folder>``."""

    def __init__(self, bundles: Sequence[Bundle], lang: str, scratch: Path) -> None:
        self.bundles, self.lang, self.scratch = list(bundles), lang, scratch
        self._run: PagefindRun | None = None
        self._stopped = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._index_all, name=f"pagefind {lang}", daemon=True)
        self._thread.start()

    def _index_all(self) -> None:
        try:
            for bundle in self.bundles:
                if self._stopped:
                    return
                target = self.scratch / bundle.folder
                self._run = start_pagefind(bundle.entries, self.lang, target)
                if self._stopped:  # cancelled while the documents were being written
                    self._run.cancel()
                    return
                self._run.finish()
                self._run = None
                if bundle.folder == BUNDLE_DIR:
                    (target / SHARDS_FILE).write_text(json.dumps(list(bundle.shards)), "utf-8")
        except BaseException as exc:  # noqa: BLE001 - raised again by finish()
            self._error = exc

    def finish(self) -> list[tuple[str, Path]]:
        """Wait for every bundle; returns each bundle's folder and where it was written."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return [(bundle.folder, self.scratch / bundle.folder) for bundle in self.bundles]

    def cancel(self) -> None:
        self._stopped = True
        run = self._run
        if run is not None and run.process.poll() is None:
            run.process.kill()
        self._thread.join()


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def write_documents(documents: Sequence[tuple[str, bytes]], folder: Path) -> int:
    """Write each ``(file name, bytes)`` into ``folder`` (plain names only); returns how many.
    Plain descriptor calls: a buffered file object per document cost twice as much."""
    for name, data in documents:
        if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        descriptor = os.open(folder / name, _FLAGS, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
    return len(documents)


def document_name(url: str) -> str:
    """The file a page's document is written to: all in one folder (a folder per page, as the
    site has, doubled the cost of writing and removing them), named by a hash of the page's
    URL. The URL itself is the document's ``path`` metadata (:func:`generator.search.document_html`)."""
    return hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:20] + ".html"


def _scratch_dir(size: int) -> str | None:
    """Where the documents for Pagefind are written: memory-backed ``/dev/shm`` when it has room
    (creating thousands of small files on disk took longer than indexing them), else the usual
    temporary folder. An explicit ``TMPDIR`` always wins."""
    shm = "/dev/shm"
    if "TMPDIR" in os.environ or not os.path.isdir(shm) or not os.access(shm, os.W_OK):
        return None
    try:
        free = shutil.disk_usage(shm).free
    except OSError:
        return None
    # Small files take a page each in tmpfs: count generously, and leave room for others.
    return shm if free > 4 * size + 256 * 1024 * 1024 else None


@dataclass
class PagefindRun:
    """A Pagefind run in progress; :meth:`finish` or :meth:`cancel` it exactly once."""

    process: subprocess.Popen[bytes]
    tmp: Path
    """The documents Pagefind reads, removed when it is done."""
    target: Path
    """The bundle Pagefind writes (``<site>/pagefind``)."""

    def finish(self) -> Path:
        """Wait for Pagefind; returns the bundle's folder."""
        try:
            if self.process.wait() != 0:
                messages = (self.tmp / "messages.txt").read_text("utf-8", errors="replace").strip()
                raise SearchIndexError(f"Pagefind failed ({self.process.returncode}): {messages}")
            for name in UNUSED:
                (self.target / name).unlink(missing_ok=True)
            return self.target
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def cancel(self) -> None:
        """Stop Pagefind (the build failed) and remove its documents."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)
