"""Links as they are printed on paper: each followed by the URL a reader can type.

The web page keeps relative links (they work from ``file://`` and under any host). For print,
every link that leaves the page gets a ``data-print-url`` attribute with the URL to print: the
address of an external link, or, when ``site_url`` is set, the absolute address of an internal
one. The print stylesheets show it after the link text (``attr(data-print-url)``), and the PDF
brief also makes the link itself point there. A link whose text already is its URL, and a link
within the page (``#...``), get nothing.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from markupsafe import Markup

_LINK = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<text>.*?)</a>", re.DOTALL)
_HREF = re.compile(r'\shref="(?P<href>[^"]*)"')
_TAGS = re.compile(r"<[^>]+>")
_EXTERNAL = ("http://", "https://")
_LINK_OPEN = re.compile(r"<a\b(?P<attrs>[^>]*)>")
_ATTR = re.compile(r'\s(?P<name>href|data-print-url)="(?P<value>[^"]*)"')


def print_url(href: str, page_url: str) -> str:
    """The URL to print for ``href`` on the page at absolute ``page_url`` ("" if unknown)."""
    if not href or href.startswith("#") or href.startswith(("mailto:", "tel:")):
        return ""
    if href.startswith(_EXTERNAL):
        return href
    if not page_url:
        return ""
    url = urljoin(page_url, href)
    # On paper the clean address reads better; a web server serves index.html for it.
    path, hash_, fragment = url.partition("#")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path + hash_ + fragment


def with_print_urls(html: str, page_url: str) -> str:
    """``html`` with ``data-print-url`` on every link that leaves the page (see the module)."""

    def mark(match: re.Match[str]) -> str:
        attrs = match["attrs"]
        href = _HREF.search(attrs)
        if href is None or "data-print-url=" in attrs:
            return match[0]
        url = print_url(Markup(href["href"]).unescape(), page_url)
        text = Markup(_TAGS.sub("", match["text"])).unescape().strip()
        if not url or text in (url, url.rstrip("/")):
            return match[0]
        attribute = Markup(' data-print-url="{}"').format(url)
        return f"<a{attrs}{attribute}>{match['text']}</a>"

    return _LINK.sub(mark, html)


def links_for_pdf(html: str) -> str:
    """Links of the page as a PDF needs them: absolute where the page knows the absolute URL
    (``data-print-url``), kept within the document for ``#...``, and no link otherwise (a
    relative URL means nothing in a PDF sent by e-mail)."""

    def fix(match: re.Match[str]) -> str:
        attrs = {m["name"]: m["value"] for m in _ATTR.finditer(match["attrs"])}
        href = attrs.get("href")
        if href is None or href.startswith("#") or href.startswith(("http://", "https://", "mailto:")):
            return match[0]
        rest = _ATTR.sub(lambda m: m[0] if m["name"] == "data-print-url" else "", match["attrs"])
        target = attrs.get("data-print-url")
        return f'<a href="{target}"{rest}>' if target else f"<a{rest}>"

    return _LINK_OPEN.sub(fix, html)
