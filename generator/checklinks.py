"""Post-build check: every internal link, anchor, image and stylesheet of the built site exists.

Runs over the HTML MkDocs wrote (so it also covers the theme's own links). External links
are collected, not fetched: CI may have no network. Pages are scanned with regular
expressions over the tags MkDocs and ksite write (quoted attributes), which is an order of
magnitude faster than a full HTML parse on sites of tens of thousands of pages; existence is
looked up in one listing of the site instead of a file-system call per link.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import posixpath
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from . import offload, sqlitestore
from .errors import Problem, error, warning


@dataclass
class PageScan:
    """The ids a page defines and the URLs it links to, with their lines."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, int]] = field(default_factory=list)
    """(tag, url, line)"""


def scan_html(text: str) -> PageScan:
    ids, links = offload.scan_html(text)
    return PageScan(ids, links)


def scan_page(path: Path) -> PageScan:
    return scan_html(path.read_text("utf-8", errors="replace"))


page_digest = offload.digest
"""See :func:`generator.offload.digest`."""


class PageHasher:
    """Hashes the pages of a site with :func:`page_digest` as the site's writer finishes them,
    for the link check (which then reads only the pages that changed), and scans the pages
    that differ from the link memo's (those the check will look at).

    A helper process (:mod:`generator.offload`) reads each file back and hashes it on another
    core; the writer's share is a line written to a pipe per page. (Hashing each page's text on
    the writer's thread took 0.4 s of a rebuild at N = 1,000; a thread did no better.) If the
    helper fails, pages come without digests and the link check reads them all.
    """

    def __init__(self, root: Path, memo: Path | None = None, prefix: str = "") -> None:
        """``memo``: the link memo, whose digests the helper reads (for ``prefix`` + each path)
        to tell which pages to scan; without one, no page is scanned."""
        arguments = ("hash-pages", str(root)) + (() if memo is None else (str(memo), prefix))
        self._process = subprocess.Popen(
            offload.command(*arguments),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def add(self, names: Iterable[str]) -> None:
        """Hash the pages written as ``names`` (paths under the root). A name with a newline
        cannot travel as a line: the link check reads that page itself."""
        lines = "".join(f"{name}\n" for name in names if "\n" not in name)
        if self._process.stdin is None or not lines:
            return
        with contextlib.suppress(OSError):  # the helper is gone: finish() gives nothing
            self._process.stdin.write(lines.encode())

    def finish(self) -> tuple[dict[str, str], dict[str, PageScan]]:
        """Every page's digest, and the scans of the pages that differ from the memo's, once
        all are done (the hasher takes no more pages after); nothing if the helper failed."""
        try:
            out, _ = self._process.communicate()
            digests, scans = marshal.loads(out) if self._process.returncode == 0 else ({}, {})
            return (
                {k: v for k, v in digests.items() if isinstance(k, str) and isinstance(v, str)},
                {k: PageScan(set(ids), list(links)) for k, (ids, links) in scans.items() if k in digests},
            )
        except (OSError, ValueError, EOFError, TypeError, AttributeError):
            return {}, {}

    def cancel(self) -> None:
        """Stop the helper (the build failed)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()


def _ids_digest(ids: set[str]) -> str:
    return hashlib.sha1("\0".join(sorted(ids)).encode(), usedforsecurity=False).hexdigest()


class PageLinks(NamedTuple):
    """What the link check keeps of one page once its links were all found good (a row of
    the memo's store)."""

    digest: str
    """:func:`page_digest` of the page's bytes."""
    ids: str
    """Hash of the ids it defines (links into it with a #fragment depend on them)."""
    targets_blob: bytes
    """The files of the site it links to, and the pages it links to with a #fragment, as
    marshal data: read only when files are gone or ids changed (see :meth:`targets`)."""
    external: tuple[str, ...]
    """Distinct URLs it links to outside the site (http, https)."""

    @classmethod
    def make(
        cls, digest: str, ids: str, targets: Iterable[str], anchored: Iterable[str], external: Iterable[str]
    ) -> PageLinks:
        return cls(digest, ids, marshal.dumps((tuple(targets), tuple(anchored))), tuple(external))

    def targets(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(files it links to, pages it links to with a #fragment)."""
        targets, anchored = marshal.loads(self.targets_blob)
        return targets, anchored


@dataclass(frozen=True)
class SiteLinks:
    """Every file of a built site and the links of each of its HTML pages."""

    files: frozenset[str]
    pages: dict[str, PageLinks]

    def external_links(self) -> Iterator[tuple[str, str]]:
        """(page, url) for every link that leaves the site."""
        for page, links in self.pages.items():
            for url in links.external:
                yield page, url


def _listing(site_dir: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Every file under ``site_dir`` as a relative POSIX path, and every folder holding files
    (``""`` for the top). A walk of its own over scandir: os.walk stats every folder again to
    rule out links, and a site has a folder per page."""
    found: list[str] = []
    folders: list[str] = []
    pending = [(str(site_dir), "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    found.append(prefix + entry.name)
        folders.append(prefix[:-1])
    return frozenset(found), frozenset(folders)


@dataclass(frozen=True)
class LinkMemo:
    """The last successful link check of a site, so that a rebuild checks only the pages that
    changed and those whose targets changed (``.ksite-cache/links.sqlite3``).

    A page whose bytes are the same, whose targets all still exist and whose anchored targets
    define the same ids as then, has the same links as then, and they were all good. The store
    has a row per page (a rebuild rewrites the rows of the pages it checked) and the site's
    file list; its values are plain strings and :mod:`marshal` data: no code runs on reading.
    """

    base_path: str
    files: frozenset[str]
    """Every file of the site then (what is gone since is what a page may now miss)."""
    pages: dict[str, PageLinks]

    @classmethod
    def load(cls, path: Path, base_path: str) -> LinkMemo | None:
        db = sqlitestore.read_store(path, _MEMO_FORMAT)
        if db is None:
            return None  # missing or unreadable: check everything
        try:
            if sqlitestore.meta(db, "base_path") != base_path:
                return None
            files = marshal.loads(sqlitestore.meta(db, "files"))  # type: ignore[arg-type]
            pages = {
                name: PageLinks(digest, ids, targets, marshal.loads(external) if external else ())
                for name, digest, ids, targets, external in db.execute("SELECT * FROM pages")
            }
            return cls(base_path, frozenset(files), pages)
        except (sqlite3.DatabaseError, EOFError, ValueError, TypeError):
            return None
        finally:
            db.close()

    def save(self, path: Path, previous: LinkMemo | None) -> None:
        """Write this memo where ``previous`` (None: nothing usable) was read from, rewriting
        only the pages that differ from it."""
        db = sqlitestore.open_store(path, _MEMO_TABLE, _MEMO_FORMAT)
        try:
            with db:
                before = previous.pages if previous is not None else {}
                if previous is None:
                    db.execute("DELETE FROM pages")
                gone = [(name,) for name in before if name not in self.pages]
                db.executemany("DELETE FROM pages WHERE name = ?", gone)
                db.executemany(
                    "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?)",
                    [
                        (name, *links[:3], marshal.dumps(links.external) if links.external else None)
                        for name, links in self.pages.items()
                        if before.get(name) != links
                    ],
                )
                if previous is None or previous.files != self.files:
                    sqlitestore.set_meta(db, "files", marshal.dumps(self.files))
                sqlitestore.set_meta(db, "base_path", self.base_path)
        finally:
            db.close()


_MEMO_FORMAT = f"ksite links 5 python {sys.version_info[0]}.{sys.version_info[1]}"
_MEMO_TABLE = (
    "CREATE TABLE pages (name TEXT PRIMARY KEY, digest TEXT NOT NULL, ids TEXT NOT NULL,"
    " targets BLOB NOT NULL, external BLOB)"
)


def check_external_links(
    site_dir: Path, timeout: float = 10.0, only_hosts: set[str] | None = None, links: SiteLinks | None = None
) -> list[Problem]:
    """Fetch every external URL once (HEAD, then GET); a failure is a warning on each page
    that links to it. Only on request (``--check-external``): CI may have no network.
    ``only_hosts`` limits the check to those hosts (tests use it to stay on 127.0.0.1)."""
    import urllib.error
    import urllib.request

    where: dict[str, list[str]] = {}
    for page, url in (links or list_links(site_dir)).external_links():
        if only_hosts is None or urlsplit(url).hostname in only_hosts:
            where.setdefault(url, []).append(page)
    problems: list[Problem] = []
    for url, pages in sorted(where.items()):
        failure = None
        for method in ("HEAD", "GET"):
            request = urllib.request.Request(url, method=method, headers={"User-Agent": "ksite link check"})
            try:
                with urllib.request.urlopen(request, timeout=timeout):
                    failure = None
                    break
            except urllib.error.HTTPError as exc:
                failure = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                failure = f"unreachable ({getattr(exc, 'reason', exc)})"
        if failure:
            for page in sorted(set(pages)):
                problems.append(warning(f"site/{page}", 0, 0, f"external link {url}: {failure}"))
    return problems


def list_links(site_dir: Path) -> SiteLinks:
    """Every file of the site and the external URLs of each page, checking nothing (for a build
    run with ``--no-link-check``, which still reports and may fetch its external links)."""
    files, _ = _listing(site_dir)
    pages = {
        name: PageLinks.make("", "", (), (), _external(scan_page(site_dir / name).links))
        for name in sorted(files)
        if name.endswith(".html")
    }
    return SiteLinks(files, pages)


def _external(links: Iterable[tuple[str, str, int]]) -> dict[str, None]:
    """The distinct URLs among ``links`` that leave the site, in order."""
    return {url: None for _, url, _ in links if _leaves_site(url)}


def _leaves_site(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def check_site(
    site_dir: Path,
    base_path: str = "/",
    memo: Path | None = None,
    digests: Mapping[str, str] | None = None,
    scans: Mapping[str, PageScan] | None = None,
) -> tuple[list[Problem], SiteLinks, int]:
    """Broken internal links and anchors, each named with its page and line; with the site's
    links and how many pages were checked.

    ``base_path`` is the path of ``site_url`` (``/ta-54037/``): root-absolute links under it
    point into the site, as MkDocs writes them on 404.html. With ``memo`` (a file), only pages
    that changed since the last successful check there, or whose targets changed, are checked,
    and the file is updated when no link is broken. ``digests`` are :func:`page_digest` values
    the site's writer already knows (the MkDocs adapter has each page hashed once it is
    written), by path, and ``scans`` the :func:`scan_html` of pages already scanned; other
    pages are read."""
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    known = LinkMemo.load(memo, base_path) if memo is not None else None
    previous = known.pages if known is not None else {}
    files, folders = _listing(site_dir)
    names = sorted(f for f in files if f.endswith(".html"))
    scanned: dict[str, PageScan] = dict(scans or {})

    def scan(name: str) -> PageScan:
        if name not in scanned:
            scanned[name] = scan_page(site_dir / name)
        return scanned[name]

    digest_of: dict[str, str] = {}
    for name in names:
        digest = digests.get(name) if digests is not None else None
        if digest is None:
            raw = (site_dir / name).read_bytes()
            digest = page_digest(raw) if memo is not None else ""  # without a memo, never compared
            if name not in scanned and (name not in previous or previous[name].digest != digest):
                scanned[name] = scan_html(raw.decode("utf-8", errors="replace"))
        digest_of[name] = digest
    changed = [n for n in names if n not in previous or previous[n].digest != digest_of[n]]
    new_ids = {n for n in changed if n not in previous or previous[n].ids != _ids_digest(scan(n).ids)}
    # Files gone since the last check (pages, styles, images, PDFs): who linked to them is due.
    gone = known.files - files if known is not None else frozenset()
    due = set(changed)
    if gone or new_ids:
        for name in names:
            if name in due or (seen := previous.get(name)) is None:
                continue
            linked, anchors = seen.targets()
            if any(t in gone for t in linked) or any(t in new_ids for t in anchors):
                due.add(name)
    problems: list[Problem] = []
    pages: dict[str, PageLinks] = {}

    def ids_of(page: str) -> set[str]:
        return scan(page).ids

    for page in sorted(due):
        targets: dict[str, None] = {}
        anchored: dict[str, None] = {}
        external: dict[str, None] = {}
        page_scan = scan(page)
        for tag, url, line in page_scan.links:
            problem, target, fragment = _check_link(page, tag, url, base_path, files, folders, ids_of)
            if problem:
                problems.append(error(f"site/{page}", line, 1, problem))
            if target is not None:
                targets[target] = None
                if fragment:
                    anchored[target] = None
            elif _leaves_site(url):
                external[url] = None
        ids = _ids_digest(page_scan.ids)
        pages[page] = PageLinks.make(digest_of[page], ids, targets, anchored, external)
    for name in names:
        if name not in pages:
            pages[name] = previous[name]
    site = SiteLinks(files, pages)
    if memo is not None and not problems and (due or known is None or gone):
        LinkMemo(base_path, files, pages).save(memo, known)
    return problems, site, len(due)


def _check_link(
    page: str,
    tag: str,
    url: str,
    base_path: str,
    files: frozenset[str],
    folders: frozenset[str],
    ids_of: Callable[[str], set[str]],
) -> tuple[str | None, str | None, bool]:
    """(problem or None, the file the link points to or None when it leaves the site, whether
    it names an anchor in that page)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None, None, False
    target_path = unquote(parts.path)
    if target_path == "":
        target = page
    else:
        if target_path.startswith("/"):
            if not target_path.startswith(base_path):
                return f"link '{url}' points outside the site", None, False
            target = posixpath.normpath(target_path[len(base_path) :] or ".")
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), target_path))
        if target == ".":
            target = ""
        if target.startswith(".."):
            return f"link '{url}' points outside the site", None, False
        if target in folders or target_path.endswith("/") or target == "":
            target = posixpath.join(target, "index.html") if target else "index.html"
        if target not in files:
            return f"broken link '{url}': {target} does not exist", target, False
    fragment = unquote(parts.fragment)
    anchored = bool(fragment) and tag == "a" and target.endswith(".html")
    if anchored and fragment not in ids_of(target):
        return f"broken anchor '{url}': no id '{fragment}' in {target}", target, True
    return None, target, anchored
