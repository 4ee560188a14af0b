"""Post-build check: every internal link, anchor, image and stylesheet of the built site exists.

Runs over the HTML MkDocs wrote (so it also covers the theme's own links). External links
are collected, not fetched: CI may have no network. Pages are scanned with regular
expressions over the tags MkDocs and ksite write (quoted attributes), which is an order of
magnitude faster than a full HTML parse on sites of tens of thousands of pages; existence is
looked up in one listing of the site instead of a file-system call per link.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem, error, warning

_TAG = re.compile(r"<(a|link|img|script|source)\b([^>]*)>", re.IGNORECASE)
_URL_ATTR = re.compile(r"""\s(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ID = re.compile(r"""<[a-zA-Z][^>]*?\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_A_NAME = re.compile(r"""<a\b[^>]*?\sname\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_LINK_ATTRS = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}


@dataclass
class PageScan:
    """The ids a page defines and the URLs it links to, with their lines."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, int]] = field(default_factory=list)
    """(tag, url, line)"""


def scan_html(text: str) -> PageScan:
    scan = PageScan()
    for pattern in (_ID, _A_NAME):
        for match in pattern.finditer(text):
            scan.ids.add(html.unescape(match.group(1) or match.group(2) or ""))
    line, position = 1, 0
    for match in _TAG.finditer(text):
        tag = match.group(1).lower()
        for attr in _URL_ATTR.finditer(match.group(2)):
            if (tag, attr.group(1).lower()) not in _LINK_ATTRS:
                continue
            line += text.count("\n", position, match.start())
            position = match.start()
            scan.links.append((tag, html.unescape(attr.group(2) or attr.group(3) or ""), line))
    return scan


def scan_page(path: Path) -> PageScan:
    return scan_html(path.read_text("utf-8", errors="replace"))


@dataclass(frozen=True)
class SiteScan:
    """Every file of a built site and the links and ids of its HTML pages, read once for both
    the internal link check and the list of external links."""

    files: frozenset[str]
    folders: frozenset[str]
    pages: dict[str, PageScan]
    digests: dict[str, str] = field(default_factory=dict)
    """Hash of each HTML page's bytes."""


def scan_site(site_dir: Path, known: LinkMemo | None = None) -> SiteScan:
    """List the site and scan its pages; pages whose bytes are those ``known`` saw are not
    scanned again."""
    files = _listing(site_dir)
    pages: dict[str, PageScan] = {}
    digests: dict[str, str] = {}
    for name in sorted(files):
        if not name.endswith(".html"):
            continue
        raw = (site_dir / name).read_bytes()
        digests[name] = hashlib.blake2b(raw, digest_size=16).hexdigest()
        seen = known.pages.get(name) if known else None
        if seen is not None and seen.digest == digests[name]:
            pages[name] = seen.scan
        else:
            pages[name] = scan_html(raw.decode("utf-8", errors="replace"))
    return SiteScan(files, frozenset(posixpath.dirname(f) for f in files), pages, digests)


def _listing(site_dir: Path) -> frozenset[str]:
    """Every file under ``site_dir`` as a relative POSIX path (os.walk: twice as fast as rglob)."""
    found: list[str] = []
    for folder, _, names in os.walk(site_dir):
        relative = Path(folder).relative_to(site_dir).as_posix()
        prefix = "" if relative == "." else relative + "/"
        found.extend(prefix + name for name in names)
    return frozenset(found)


@dataclass(frozen=True)
class CheckedPage:
    """What the last successful link check knew of one page."""

    digest: str
    scan: PageScan
    targets: frozenset[str]
    """Files its links point to."""
    anchored: frozenset[str]
    """Pages it links to with a #fragment (their ids matter)."""


@dataclass(frozen=True)
class LinkMemo:
    """The last successful link check of a site, so that a rebuild checks only the pages that
    changed and those whose targets changed (``.ksite-cache/links.json``).

    A page whose bytes are the same, whose targets all still exist and whose anchored targets
    have the same ids as then, has the same links as then, and they were all good.
    """

    base_path: str
    pages: dict[str, CheckedPage]

    @classmethod
    def load(cls, path: Path, base_path: str) -> LinkMemo | None:
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("version") != _MEMO_VERSION or data.get("base_path") != base_path:
                return None
            pages = {
                name: CheckedPage(
                    entry["digest"],
                    PageScan(set(entry["ids"]), [(t, u, n) for t, u, n in entry["links"]]),
                    frozenset(entry["targets"]),
                    frozenset(entry["anchored"]),
                )
                for name, entry in data["pages"].items()
            }
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or unreadable: check everything
        return cls(base_path, pages)

    def save(self, path: Path) -> None:
        data = {
            "version": _MEMO_VERSION,
            "base_path": self.base_path,
            "pages": {
                name: {
                    "digest": page.digest,
                    "ids": sorted(page.scan.ids),
                    "links": page.scan.links,
                    "targets": sorted(page.targets),
                    "anchored": sorted(page.anchored),
                }
                for name, page in sorted(self.pages.items())
            },
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        tmp.replace(path)


_MEMO_VERSION = 1


def external_links(site_dir: Path, scan: SiteScan | None = None) -> Iterator[tuple[str, str]]:
    """(page, url) for every link that leaves the site."""
    for page, page_scan in (scan or scan_site(site_dir)).pages.items():
        for _, url, _ in page_scan.links:
            if urlsplit(url).scheme in ("http", "https"):
                yield page, url


def check_external_links(
    site_dir: Path, timeout: float = 10.0, only_hosts: set[str] | None = None, scan: SiteScan | None = None
) -> list[Problem]:
    """Fetch every external URL once (HEAD, then GET); a failure is a warning on each page
    that links to it. Only on request (``--check-external``): CI may have no network.
    ``only_hosts`` limits the check to those hosts (tests use it to stay on 127.0.0.1)."""
    import urllib.error
    import urllib.request

    where: dict[str, list[str]] = {}
    for page, url in external_links(site_dir, scan):
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


def check_site_links(
    site_dir: Path, base_path: str = "/", scan: SiteScan | None = None, memo: Path | None = None
) -> list[Problem]:
    """Broken internal links and anchors, each named with its page and line.

    ``base_path`` is the path of ``site_url`` (``/ta-54037/``): root-absolute links under it
    point into the site, as MkDocs writes them on 404.html. With ``memo`` (a file), only pages
    that changed since the last successful check there, or whose targets changed, are checked,
    and the file is updated when no link is broken.
    """
    return check_site(site_dir, base_path, scan, memo)[0]


def check_site(
    site_dir: Path, base_path: str = "/", scan: SiteScan | None = None, memo: Path | None = None
) -> tuple[list[Problem], SiteScan, int]:
    """:func:`check_site_links`, also returning the scan and how many pages were checked."""
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    known = LinkMemo.load(memo, base_path) if memo is not None else None
    site = scan or scan_site(site_dir, known)
    if known is None:
        due = set(site.pages)
    else:
        # Targets any page linked to last time that are gone now (pages, styles, images, PDFs).
        removed = {t for page in known.pages.values() for t in page.targets if t not in site.files}
        new_ids = {
            name
            for name, page in site.pages.items()
            if name not in known.pages or known.pages[name].scan.ids != page.ids
        }
        due = {
            name
            for name in site.pages
            if (seen := known.pages.get(name)) is None
            or seen.digest != site.digests.get(name)
            or seen.targets & removed
            or seen.anchored & new_ids
        }
    problems: list[Problem] = []
    checked: dict[str, CheckedPage] = {}
    for page in sorted(due):
        targets: set[str] = set()
        anchored: set[str] = set()
        for tag, url, line in site.pages[page].links:
            problem, target, fragment = _check_link(
                page, tag, url, base_path, site.files, site.folders, site.pages
            )
            if problem:
                problems.append(error(f"site/{page}", line, 1, problem))
            if target is not None:
                targets.add(target)
                if fragment:
                    anchored.add(target)
        checked[page] = CheckedPage(
            site.digests.get(page, ""), site.pages[page], frozenset(targets), frozenset(anchored)
        )
    if memo is not None and not problems and site.digests and (due or known is None):
        previous = known.pages if known is not None else {}
        kept = {name: previous[name] for name in site.pages if name not in checked}
        LinkMemo(base_path, {**kept, **checked}).save(memo)
    return problems, site, len(due)


def _check_link(
    page: str,
    tag: str,
    url: str,
    base_path: str,
    files: frozenset[str],
    folders: frozenset[str],
    pages: dict[str, PageScan],
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
    if anchored and fragment not in pages[target].ids:
        return f"broken anchor '{url}': no id '{fragment}' in {target}", target, True
    return None, target, anchored
