"""HTML in data sheets: a saved PDS page, and HTML remnants inside a text cell.

Parsed with BeautifulSoup (the standard library's parser, so no C extension is needed);
paragraphs become Markdown paragraphs, links Markdown links, nested table rows one line each.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

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
    if name == "a" and node.get("href") and inner.strip():
        return f"[{inner.strip()}]({node.get('href')})"
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
            cells = [_SPACE.sub(" ", _inline(td)).strip() for td in child.find_all(["td", "th"], recursive=False)]
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


def page_rows(html: str) -> tuple[list[Row], list[str]]:
    """Label rows of a saved PDS page (table rows, ``dt``/``dd`` pairs, Drupal field
    labels) and, as fallback or chrome, the page's text lines in reading order."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "style", "noscript"]):
        tag.decompose()
    rows: list[Row] = []
    for tr in soup.find_all("tr"):
        if tr.find_parent("td") is not None or tr.find_parent("th") is not None:
            continue
        cells = tr.find_all(["th", "td"], recursive=False)
        if not cells:
            continue
        line, col = _pos(tr)
        first = _SPACE.sub(" ", cells[0].get_text(" ")).strip()
        rows.append(Row(first, tuple(_cell_lines(cells[1:])), line, col, has_cells=len(cells) > 1))
    for dt in soup.find_all("dt"):
        dd = dt.find_next_sibling("dd")
        line, col = _pos(dt)
        first = _SPACE.sub(" ", dt.get_text(" ")).strip()
        rows.append(Row(first, tuple(_cell_lines([dd] if isinstance(dd, Tag) else [])), line, col))
    for label in soup.select(".field-label, .views-label"):
        value = label.find_next_sibling()
        line, col = _pos(label)
        first = _SPACE.sub(" ", label.get_text(" ")).strip()
        rows.append(Row(first, tuple(_cell_lines([value] if isinstance(value, Tag) else [])), line, col))
    rows.sort(key=lambda r: (r.line, r.column))
    body = soup.body if soup.body is not None else soup
    text_lines = _blocks(body)
    title = soup.title.get_text(" ").strip() if soup.title is not None else ""
    heading = soup.find("h1")
    chrome = [title] if title else []
    if isinstance(heading, Tag):
        chrome.append(_SPACE.sub(" ", heading.get_text(" ")).strip())
    return rows, chrome + ["\f"] + text_lines
