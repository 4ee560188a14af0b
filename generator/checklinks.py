"""Post-build check: every internal link, anchor, image and stylesheet of the built site exists.

Runs over the HTML MkDocs wrote (so it also covers the theme's own links). External links
are collected, not fetched: CI may have no network. Pages are scanned with regular
expressions over the tags MkDocs and ksite write (quoted attributes), which is an order of
magnitude faster than a full HTML parse on sites of tens of thousands of pages; existence is
looked up in one listing of the site instead of a file-system call per link, and a link is
worked out once per folder (the theme's navigation repeats the same links on every page).
Scanning is most of the work, and a page's scan depends on its bytes only, so a
:class:`ScanMemo` (the cache's) can give back the scans of pages written before.
"""

from __future__ import annotations

import hashlib
import html
import os
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from .errors import Problem, error, warning

# Patterns that start with a literal (``id=``, ``name=``, ``<``) let the regular expression
# engine skip ahead to candidates: 20-30 times quicker than one that starts with a class.
_TAG = re.compile(r"<(a|link|img|script|source)\s([^>]*)>")
_URL_ATTR = re.compile(r"""\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ID = re.compile(r"""id=(?:"([^"]*)"|'([^']*)')""")
_NAME = re.compile(r"""name=(?:"([^"]*)"|'([^']*)')""")
_LINK_ATTRS = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}


@dataclass
class PageScan:
    """The ids a page defines and the URLs it links to, with their lines."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, int]] = field(default_factory=list)
    """(tag, url, line)"""


def scan_html(text: str) -> PageScan:
    """The ids and links of a page: ``id`` attributes of any element and ``name`` of ``<a>``,
    and the URLs of the tags in :data:`_LINK_ATTRS`, as MkDocs and ksite write them (lower
    case, quoted attributes)."""
    ids: set[str] = set()
    links: list[tuple[str, str, int]] = []
    for match in _ID.finditer(text):
        if text[match.start() - 1 : match.start()].isspace():  # not data-id=, not text
            ids.add(html.unescape(match.group(1) or match.group(2) or ""))
    for match in _NAME.finditer(text):
        start = match.start()
        if text[start - 1 : start].isspace() and _in_a_tag(text, start):
            ids.add(html.unescape(match.group(1) or match.group(2) or ""))
    line, position = 1, 0
    for match in _TAG.finditer(text):
        tag = match.group(1)
        for attr in _URL_ATTR.finditer(" " + match.group(2)):
            if (tag, attr.group(1)) not in _LINK_ATTRS:
                continue
            line += text.count("\n", position, match.start())
            position = match.start()
            links.append((tag, html.unescape(attr.group(2) or attr.group(3) or ""), line))
    return PageScan(ids, links)


def _in_a_tag(text: str, position: int) -> bool:
    opening = text.rfind("<", 0, position)
    return text.startswith("<a", opening) and text[opening + 2 : opening + 3].isspace()


def scan_page(path: Path) -> PageScan:
    return scan_html(path.read_text("utf-8", errors="replace"))


class ScanMemo(Protocol):
    """Scans of pages seen before, by the digest of their bytes (:mod:`generator.cache`)."""

    def recall(self, digest: bytes) -> PageScan | None: ...

    def remember(self, digest: bytes, scan: PageScan) -> None: ...


def _scan(path: Path, memo: ScanMemo | None, digest: bytes | None) -> tuple[PageScan, bytes | None]:
    """A page's scan and the digest of its bytes. A ``digest`` already known (a page taken
    over unchanged from the published site) spares reading the page when the memo has it."""
    if memo is None:
        return scan_page(path), None
    if digest is not None:
        scan = memo.recall(digest)
        if scan is not None:
            return scan, digest
    raw = path.read_bytes()
    digest = hashlib.blake2b(raw, digest_size=16).digest()
    scan = memo.recall(digest)
    if scan is None:
        scan = scan_html(raw.decode("utf-8", errors="replace"))
        memo.remember(digest, scan)
    return scan, digest


@dataclass(frozen=True)
class SiteLinks:
    """Every file of a built site and the external URLs of each of its HTML pages."""

    files: frozenset[str]
    external: dict[str, tuple[str, ...]]
    digests: dict[str, bytes] = field(default_factory=dict)
    """The digest of each page's bytes, where a memo was used (see :func:`check_site`)."""
    linked: frozenset[str] | None = None
    """Every file a link of the site points at, for a site whose links were checked (it may
    hold a few more, see :func:`check_site`); None when they were not."""
    base_path: str = "/"

    def external_links(self) -> Iterator[tuple[str, str]]:
        """(page, url) for every link that leaves the site."""
        for page, urls in self.external.items():
            for url in urls:
                yield page, url


@dataclass(frozen=True)
class LastCheck:
    """What the check of the published site saw, which it passed: its files, the files its
    links point at, the path it was served under and the digest of each page."""

    files: frozenset[str]
    linked: frozenset[str]
    base_path: str
    pages: Mapping[str, bytes]


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


def list_links(
    site_dir: Path, memo: ScanMemo | None = None, known: Mapping[str, bytes] | None = None
) -> SiteLinks:
    """Every file of the site and the external URLs of each page, checking nothing (for a build
    run with ``--no-link-check``, which still reports and may fetch its external links, and
    for ``ksite serve``); the memo and ``known`` digests spare scans as in :func:`check_site`."""
    files, _ = _listing(site_dir)
    known = known or {}
    external: dict[str, tuple[str, ...]] = {}
    digests: dict[str, bytes] = {}
    for name in sorted(f for f in files if f.endswith(".html")):
        scan, digest = _scan(site_dir / name, memo, known.get(name))
        external[name] = tuple(_external(scan.links))
        if digest is not None:
            digests[name] = digest
    return SiteLinks(files, external, digests)  # no listing: no check passed


def _external(links: Iterable[tuple[str, str, int]]) -> dict[str, None]:
    """The distinct URLs among ``links`` that leave the site, in order."""
    return {url: None for _, url, _ in links if _leaves_site(url)}


def _leaves_site(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def check_site(
    site_dir: Path,
    base_path: str = "/",
    memo: ScanMemo | None = None,
    known: Mapping[str, bytes] | None = None,
    last: LastCheck | None = None,
) -> tuple[list[Problem], SiteLinks]:
    """Broken internal links and anchors, each named with its page and line; with the site's
    links (and, with a memo, each page's digest).

    ``base_path`` is the path of ``site_url`` (``/ta-54037/``): root-absolute links under it
    point into the site, as MkDocs writes them on 404.html. With a ``memo``, pages whose bytes
    it has seen are not scanned again, and pages whose digest is ``known`` are not even read.

    With the ``last`` check that passed, a page's links are not worked out again when they
    cannot have broken: the page has the same bytes, no file any link pointed at is gone (files
    added break no link: Pagefind's bundles change their hashed names on every edit), every page
    that changed still has the same ids (the anchors the others may point at) and the base path
    is the same. Otherwise every link is checked. The files linked from pages not checked again
    are carried over from the last check, so the set may keep a file no link points at any
    more: that only makes a later check look again."""
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    files, folders = _listing(site_dir)
    names = sorted(f for f in files if f.endswith(".html"))
    known = known or {}
    scans: dict[str, PageScan] = {}
    digests: dict[str, bytes] = {}
    for name in names:
        scans[name], digest = _scan(site_dir / name, memo, known.get(name))
        if digest is not None:
            digests[name] = digest

    settled: set[str] = set()
    if (
        memo is not None
        and last is not None
        and last.base_path == base_path
        and not (last.files - files) & last.linked
    ):
        settled = _settled(names, scans, digests, memo, last)
    linked: set[str] = set(last.linked) if settled and last is not None else set()

    def ids_of(page: str) -> set[str]:
        return scans[page].ids if page in scans else set()

    problems: list[Problem] = []
    external: dict[str, tuple[str, ...]] = {}
    verdicts: dict[tuple[str, str, str], tuple[str | None, str | None]] = {}
    for page in names:
        if page in settled:
            external[page] = tuple(_external(scans[page].links))
            continue
        folder = posixpath.dirname(page)
        found: dict[str, None] = {}
        for tag, url, line in scans[page].links:
            key = (_base_of(page, folder, url), tag, url)
            judged = verdicts.get(key)
            if judged is None:
                judged = verdicts[key] = _check_link(page, tag, url, base_path, files, folders, ids_of)
            verdict, target = judged
            if verdict is not None:
                problems.append(error(f"site/{page}", line, 1, verdict))
            elif target is not None:
                linked.add(target)
            elif _leaves_site(url):
                found[url] = None
        external[page] = tuple(found)
    return problems, SiteLinks(files, external, digests, frozenset(linked), base_path)


def _settled(
    names: list[str],
    scans: Mapping[str, PageScan],
    digests: Mapping[str, bytes],
    memo: ScanMemo | None,
    last: LastCheck,
) -> set[str]:
    """The pages whose links need no new verdict (see :func:`check_site`), or none."""
    changed = [name for name in names if digests.get(name) != last.pages.get(name)]
    for name in changed:
        before = last.pages.get(name)
        scan = memo.recall(before) if memo is not None and before is not None else None
        if scan is None or scan.ids != scans[name].ids:
            return set()
    return set(names).difference(changed)


def _base_of(page: str, folder: str, url: str) -> str:
    """What a link's verdict depends on besides the URL: the page itself for a link within it,
    else the folder its leading ``../`` climb to. The theme repeats the same links on every
    page of a depth (``../../index.html``), so pages of one parent share their verdicts."""
    if url[:1] in ("", "#", "?"):
        return page
    climbs = 0
    while url.startswith("../", climbs * 3):
        climbs += 1
    if climbs == 0:
        return folder
    parts = folder.split("/") if folder else []
    return "/".join(parts[:-climbs]) if climbs <= len(parts) else folder


def _check_link(
    page: str,
    tag: str,
    url: str,
    base_path: str,
    files: frozenset[str],
    folders: frozenset[str],
    ids_of: Callable[[str], set[str]],
) -> tuple[str | None, str | None]:
    """What is wrong with a link of ``page`` (None when it is good or leaves the site) and the
    file of the site it points at."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None, None
    target_path = unquote(parts.path)
    if target_path == "":
        target = page
    else:
        if target_path.startswith("/"):
            if not target_path.startswith(base_path):
                return f"link '{url}' points outside the site", None
            target = posixpath.normpath(target_path[len(base_path) :] or ".")
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), target_path))
        if target == ".":
            target = ""
        if target.startswith(".."):
            return f"link '{url}' points outside the site", None
        if target in folders or target_path.endswith("/") or target == "":
            target = posixpath.join(target, "index.html") if target else "index.html"
        if target not in files:
            return f"broken link '{url}': {target} does not exist", None
    fragment = unquote(parts.fragment)
    if fragment and tag == "a" and target.endswith(".html") and fragment not in ids_of(target):
        return f"broken anchor '{url}': no id '{fragment}' in {target}", None
    return None, target
