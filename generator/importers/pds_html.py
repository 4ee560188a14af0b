"""HTML in data sheets: a saved PDS page, and HTML remnants inside a text cell.

Parsed with BeautifulSoup (the standard library's parser, so no C extension is needed);
paragraphs become Markdown paragraphs, links Markdown links, nested table rows one line each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from .entries import Line, Row

_BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "dl", "dt", "dd"}
_SPACE = re.compile(r"[ \t\r\n\u00a0]+")
HTML_HINT = re.compile(r"<\s*(?:p|table|br|ul|ol|li|div|span|a|strong|em|b|i|tr|td)\b[^>]*>", re.IGNORECASE)


def _inline(node: Tag | NavigableString) -> str:
    if isinstance(node, NavigableString):
        return str(node)
    name = node.name
    inner = "".join(_inline(child) for child in node.children if isinstance(child, Tag | NavigableString))
    if name == "br":
        return "\n"
    href = node.get("href")
    if name == "a" and isinstance(href, str) and inner.strip() and inner.strip() != href.strip():
        return f"[{inner.strip()}]({href.strip()})"
    if name in ("strong", "b") and inner.strip():
        return f"**{inner.strip()}**"
    if name in ("em", "i") and inner.strip():
        return f"*{inner.strip()}*"
    return inner


def _blocks(node: Tag) -> list[str]:
    """Paragraph texts of ``node``: one per block element, table rows as their cells joined."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = "".join(pending)
        pending.clear()
        for part in text.split("\n"):
            cleaned = _SPACE.sub(" ", part).strip()
            if cleaned:
                out.append(cleaned)

    for child in node.children:
        if isinstance(child, Tag) and child.name in ("script", "style"):
            continue
        if isinstance(child, Tag) and child.name == "tr":
            flush()
            cells = [
                _SPACE.sub(" ", _inline(td)).strip() for td in child.find_all(["td", "th"], recursive=False)
            ]
            line = " ".join(c for c in cells if c)
            if line:
                out.append(line)
        elif isinstance(child, Tag) and child.name in _BLOCKS:
            flush()
            inner = _blocks(child)
            if child.name == "li":
                inner = [f"- {inner[0]}", *inner[1:]] if inner else []
            if child.name in ("p", "ul", "ol") and inner:
                out.append("")
                out.extend(inner)
                out.append("")
            else:
                out.extend(inner)
        elif isinstance(child, Tag | NavigableString):
            pending.append(_inline(child))
    flush()
    return out


def _to_lines(texts: list[str], line: int, column: int) -> list[Line]:
    lines: list[Line] = []
    for text in texts:
        if text or (lines and lines[-1].text):
            lines.append(Line(text, line, column))
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def fragment_lines(html: str, line: int, column: int) -> list[Line]:
    """Lines of an HTML fragment found inside a text cell; paragraphs separated by empty lines."""
    soup = BeautifulSoup(html, "html.parser")
    return _to_lines(_blocks(soup), line, column)


def looks_like_html_page(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head


def _pos(tag: Tag) -> tuple[int, int]:
    line = getattr(tag, "sourceline", None) or 1
    col = getattr(tag, "sourcepos", None) or 0
    return int(line), int(col) + 1


def _cell_lines(cells: list[Tag]) -> list[Line]:
    lines: list[Line] = []
    for cell in cells:
        line, col = _pos(cell)
        if lines:
            lines.append(Line("", line, col))
        lines.extend(_to_lines(_blocks(cell), line, col))
    return lines


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """What a saved PDS page holds for the importer."""

    rows: tuple[Row, ...]
    """Label rows: table rows, ``dt``/``dd`` pairs, Drupal field labels, in source order."""
    text: tuple[str, ...]
    """The page's text lines in reading order, for pages without label rows."""
    title: str
    """The ``title`` element, which on adb.org names the project number and name."""
    heading: str
    """The first ``h1``."""


def read_page(html: str) -> HtmlPage:
    """Parse a saved PDS page."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "style", "noscript"]):
        tag.decompose()
    rows: list[Row] = []
    for tr in soup.find_all("tr"):
        if tr.find_parent(["td", "th"]) is not None:
            continue
        cells = tr.find_all(["th", "td"], recursive=False)
        if not cells:
            continue
        line, col = _pos(tr)
        first = _SPACE.sub(" ", cells[0].get_text(" ")).strip()
        rows.append(Row(first, tuple(_cell_lines(cells[1:])), line, col, has_cells=len(cells) > 1))
    pairs = [(dt, dt.find_next_sibling("dd")) for dt in soup.find_all("dt")]
    pairs += [(lab, lab.find_next_sibling()) for lab in soup.select(".field-label, .views-label")]
    for label, value in pairs:
        line, col = _pos(label)
        first = _SPACE.sub(" ", label.get_text(" ")).strip()
        rows.append(Row(first, tuple(_cell_lines([value] if isinstance(value, Tag) else [])), line, col))
    rows.sort(key=lambda r: (r.line, r.column))
    body = soup.body if soup.body is not None else soup
    title = _SPACE.sub(" ", soup.title.get_text(" ")).strip() if soup.title is not None else ""
    h1 = soup.find("h1")
    heading = _SPACE.sub(" ", h1.get_text(" ")).strip() if isinstance(h1, Tag) else ""
    return HtmlPage(tuple(rows), tuple(_blocks(body)), title, heading)
