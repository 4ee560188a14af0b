"""Post-build check: every internal link, anchor, image and stylesheet of the built site exists.

Runs over the HTML MkDocs wrote (so it also covers the theme's own links). External links
are collected, not fetched: CI may have no network. Pages are scanned with regular
expressions over the tags MkDocs and ksite write (quoted attributes), which is an order of
magnitude faster than a full HTML parse on sites of tens of thousands of pages; existence is
looked up in one listing of the site instead of a file-system call per link.
"""

from __future__ import annotations

import html
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


def scan_site(site_dir: Path) -> SiteScan:
    files = frozenset(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file())
    pages = {name: scan_page(site_dir / name) for name in sorted(files) if name.endswith(".html")}
    return SiteScan(files, frozenset(posixpath.dirname(f) for f in files), pages)


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


def check_site_links(site_dir: Path, base_path: str = "/", scan: SiteScan | None = None) -> list[Problem]:
    """Broken internal links and anchors, each named with its page and line.

    ``base_path`` is the path of ``site_url`` (``/ta-54037/``): root-absolute links under it
    point into the site, as MkDocs writes them on 404.html.
    """
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    site = scan or scan_site(site_dir)
    problems: list[Problem] = []
    for page, page_scan in site.pages.items():
        for tag, url, line in page_scan.links:
            problem = _check_link(page, tag, url, base_path, site.files, site.folders, site.pages)
            if problem:
                problems.append(error(f"site/{page}", line, 1, problem))
    return problems


def _check_link(
    page: str,
    tag: str,
    url: str,
    base_path: str,
    files: frozenset[str],
    folders: frozenset[str],
    pages: dict[str, PageScan],
) -> str | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    target_path = unquote(parts.path)
    if target_path == "":
        target = page
    else:
        if target_path.startswith("/"):
            if not target_path.startswith(base_path):
                return f"link '{url}' points outside the site"
            target = posixpath.normpath(target_path[len(base_path) :] or ".")
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), target_path))
        if target == ".":
            target = ""
        if target.startswith(".."):
            return f"link '{url}' points outside the site"
        if target in folders or target_path.endswith("/") or target == "":
            target = posixpath.join(target, "index.html") if target else "index.html"
        if target not in files:
            return f"broken link '{url}': {target} does not exist"
    fragment = unquote(parts.fragment)
    if fragment and tag == "a" and target.endswith(".html") and fragment not in pages[target].ids:
        return f"broken anchor '{url}': no id '{fragment}' in {target}"
    return None
