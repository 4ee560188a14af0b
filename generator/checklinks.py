"""Post-build check: every internal link, anchor, image and stylesheet of the built site exists.

Runs over the HTML MkDocs wrote (so it also covers the theme's own links). External links
are collected, not fetched: CI may have no network.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem, error

_LINK_ATTRS = {("a", "href"), ("link", "href"), ("img", "src"), ("script", "src"), ("source", "src")}


@dataclass
class _PageScan:
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, int]] = field(default_factory=list)
    """(tag, url, line)"""


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = _PageScan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.scan.ids.add(value)
            if (tag, name) in _LINK_ATTRS:
                self.scan.links.append((tag, value, self.getpos()[0]))


def scan_page(path: Path) -> _PageScan:
    scanner = _Scanner()
    scanner.feed(path.read_text("utf-8", errors="replace"))
    return scanner.scan


def external_links(site_dir: Path) -> Iterator[tuple[str, str]]:
    """(page, url) for every link that leaves the site."""
    for page in sorted(site_dir.rglob("*.html")):
        for _, url, _ in scan_page(page).links:
            if urlsplit(url).scheme in ("http", "https"):
                yield page.relative_to(site_dir).as_posix(), url


def check_site_links(site_dir: Path, base_path: str = "/") -> list[Problem]:
    """Broken internal links and anchors, each named with its page and line.

    ``base_path`` is the path of ``site_url`` (``/ta-54037/``): root-absolute links under it
    point into the site, as MkDocs writes them on 404.html.
    """
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    pages = {p.relative_to(site_dir).as_posix(): scan_page(p) for p in sorted(site_dir.rglob("*.html"))}
    problems: list[Problem] = []
    for page, scan in pages.items():
        for tag, url, line in scan.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            target_path = unquote(parts.path)
            if target_path == "":
                target = page
            else:
                base = posixpath.dirname(page)
                if target_path.startswith("/"):
                    if not target_path.startswith(base_path):
                        problems.append(
                            error(f"site/{page}", line, 1, f"link '{url}' points outside the site")
                        )
                        continue
                    target = posixpath.normpath(target_path[len(base_path) :] or ".")
                else:
                    target = posixpath.normpath(posixpath.join(base, target_path))
                if target == ".":
                    target = ""
                if target.startswith(".."):
                    problems.append(error(f"site/{page}", line, 1, f"link '{url}' points outside the site"))
                    continue
                candidate = site_dir / target
                if candidate.is_dir() or target_path.endswith("/") or target == "":
                    target = posixpath.join(target, "index.html") if target else "index.html"
                elif not candidate.exists():
                    problems.append(
                        error(f"site/{page}", line, 1, f"broken link '{url}': {target} does not exist")
                    )
                    continue
            if not (site_dir / target).exists():
                problems.append(
                    error(f"site/{page}", line, 1, f"broken link '{url}': {target} does not exist")
                )
                continue
            fragment = unquote(parts.fragment)
            if fragment and tag == "a" and target.endswith(".html"):
                ids = pages[target].ids if target in pages else set()
                if fragment not in ids:
                    problems.append(
                        error(
                            f"site/{page}", line, 1, f"broken anchor '{url}': no id '{fragment}' in {target}"
                        )
                    )
    return problems
