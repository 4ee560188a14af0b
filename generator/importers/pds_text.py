"""From the text of a data sheet to its entries: chrome, layout, repairs, truncation.

The order is fixed: find where the data sheet starts (the page header before it is chrome),
drop disclaimers and page furniture, repair encoding damage line by line, undo PDF label
wrapping, then cut the lines into entries with the layout's cutter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..errors import Problem, warning
from . import vocab
from .entries import Entry, Line, Row, entries_from_lines, entries_from_rows
from .labels import ANCHORS, is_label_prefix, match_label, specs_named, wrapped_label
from .pds_html import HTML_HINT, fragment_lines, looks_like_html_page, read_page
from .repair import repair_text


@dataclass(frozen=True, slots=True)
class Sheet:
    """A data sheet cut into entries, with what the page around it said."""

    entries: tuple[Entry, ...]
    layout: str
    """text-tab, new, print-old, web2023, other or html."""
    complete: bool
    """False when the text stops before the data sheet's end (no Date Generated, no closing disclaimer)."""
    url: str | None
    """From a ``# source: URL`` header line, when the text has one."""
    heading: str
    """The page heading (``Country: Project name``) or title element, chrome kept for fallbacks."""
    chrome_number: str | None
    """A project number the page chrome shows (``Sovereign Project | 39265-012``)."""
    last_line: int
    """Line number of the last line of data sheet text."""
    wrapped: bool
    """Long values are wrapped over several lines (text converted from PDF): lines join with spaces."""
    notes: tuple[Problem, ...]
    details: tuple[Detail, ...] = ()
    """What the page's "Project Details" block says (officer, country, sector...): a second source."""
    details_page: bool = False
    """A "Project Data Sheet (PDS): Details" page: heading and narrative, no label table."""


@dataclass(frozen=True, slots=True)
class Detail:
    """One value of the "Project Details" block, named by the record field it would fill."""

    field: str
    """``officer.name``, ``officer.department``, ``countries``, ``modalities``, ``sectors`` or
    ``timetable.approval``."""
    value: str | tuple[str, ...]
    where: Line


_CHROME = re.compile(
    r"^(?:In preparing any country program or strategy|Project Data Sheets \(PDS\) contain summary"
    r"|For more information about the safeguard categories|The Public Communications Policy \(PCP\)"
    r"|The Accountability Mechanism provides|(?:Sovereign|Nonsovereign|Non-sovereign)(?: \(\w+\))? Project \|"
    r"|(?:Vous [êe]tes sur la page|Page) ?\d+ ?(?:sur|of|/) ?\d+|Latest Project Documents$|fbpx )"
)
_END = re.compile(
    r"^(?:ADB provides the information contained in this project data sheet|This page was generated from)"
)
_NUMBER = re.compile(r"\b(\d{5}-\d{3})\b")
_HEADER_COMMENT = re.compile(r"^#\s*(\w[\w-]*)\s*:\s*(.*)$")


def read_sheet(text: str, path: str) -> Sheet:
    """Entries and page facts of one data sheet given as text or as a saved HTML page."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if looks_like_html_page(text):
        return _read_html(text, path)
    raw = text.split("\n")
    url: str | None = None
    first = 0
    while first < len(raw) and _HEADER_COMMENT.match(raw[first]):
        key, value = _HEADER_COMMENT.match(raw[first]).groups()  # type: ignore[union-attr]
        if key.lower() in ("source", "url") and value.startswith("http"):
            url = value.strip()
        first += 1
    lines = [Line(t, n) for n, t in enumerate(raw[first:], start=first + 1)]
    tabbed = (
        sum(1 for ln in lines if "\t" in ln.text and specs_named(ln.text.split("\t")[0].strip(), None)) >= 3
    )
    anchor = _body_start(lines, tabbed)
    details_page: tuple[str, str, int] | None = None
    if anchor is None:
        details_page = _details_page(lines)
    if details_page is not None:
        start = details_page[2]
    elif anchor is None:
        start = 0
    else:
        start = anchor if tabbed else _labels_before(lines, anchor)
    chrome = [ln.text.strip() for ln in lines[:start] if ln.text.strip()]
    details = _project_details(lines[:start])
    body, complete = _body(lines[start:])
    notes: list[Problem] = []
    joined = piped = False
    if not tabbed:
        body, joined = _unwrap_labels(body)
        piped = _is_piped(body)
        body = _pipe_cells(body)
    complete = complete or any(ln.text.startswith("Date Generated") for ln in body)
    if not complete:
        body = _drop_cut_label(body, path, notes)
    cut = entries_from_rows(_tab_rows(body)) if tabbed else entries_from_lines(body, joined_lines=joined)
    layout = "text-tab" if tabbed else _layout(body, chrome, joined, piped)
    last = max((ln.line for ln in body if ln.text.strip()), default=0)
    entries = _repaired(cut, path, notes)
    heading, number = _heading(chrome), _chrome_number(chrome)
    if details_page is not None:
        number, heading, layout, complete = details_page[0], details_page[1], "other", False
    return Sheet(
        tuple(entries),
        layout,
        complete,
        url,
        heading,
        number,
        last,
        joined,
        tuple(notes),
        details,
        details_page is not None,
    )


def _body_start(lines: list[Line], tabbed: bool) -> int | None:
    for i, ln in enumerate(lines):
        head = ln.text.split("\t")[0].strip() if tabbed else ln.text.strip()
        if any(head == a or head.startswith(a + " ") or head.startswith(a + ":") for a in ANCHORS):
            return i
    return None


def _labels_before(lines: list[Line], anchor: int) -> int:
    """The data sheet may open with labels before its anchor (``Country Thailand`` and
    ``Location ...`` above ``Project Number``): labelled lines right above it belong to it."""
    start = anchor
    while start > 0:
        text = lines[start - 1].text.strip()
        m = match_label(text, None) if text and not _CHROME.match(text) else None
        if m is None or not m.value or not m.spec.field:
            break
        start -= 1
    return start


_DETAILS_PAGE = re.compile(r"^Project Data Sheet \(PDS\)\s*:\s*Details$")
_NUMBERED_HEADING = re.compile(r"^(?:fbpx )?(\d{5}-\d{2,3})\s*:\s*(.+?)(?: \| Asian Development Bank)?$")


def _details_page(lines: list[Line]) -> tuple[str, str, int] | None:
    """A "Project Data Sheet (PDS): Details" page headed ``<number>: <name>``: the number, the
    name and the index of the line after the "Details" line, where its narrative starts."""
    for i, ln in enumerate(lines):
        if not _DETAILS_PAGE.match(ln.text.strip()):
            continue
        for before in reversed(lines[:i]):
            m = _NUMBERED_HEADING.match(before.text.strip())
            if m:
                return m.group(1), m.group(2).strip(), i + 1
        return None
    return None


_BULLET = re.compile(r"^(?:[•\u2022\-*]\s*)+|\s+-$")
_DETAIL_KEYS = {
    "Project Officer": "officer",
    "Country/Economy": "countries",
    "Country / Economy": "countries",
    "Country": "countries",
    "Modality": "modalities",
    "Sector": "sectors",
    "Sectors": "sectors",
    "Approval Date": "timetable.approval",
}
_REQUEST = re.compile(r"\s*Request for information\s*$")


def _project_details(lines: list[Line]) -> tuple[Detail, ...]:
    """The "Project Details" block of newer pages (bullets, or ``-`` separators, or the officer
    and department on one line), read into the record fields it names."""
    at = next(
        (i for i, ln in enumerate(lines) if _BULLET.sub("", ln.text.strip()) == "Project Details"), None
    )
    if at is None:
        return ()
    items: list[tuple[str, Line, list[Line]]] = []
    for ln in lines[at + 1 :]:
        raw = ln.text.strip()
        text = _BULLET.sub("", raw).strip()
        if not raw:
            if items:
                break
            continue
        if not text or _CHROME.match(text):
            continue
        column = ln.column + ln.text.find(text) if text in ln.text else ln.column
        key = _DETAIL_KEYS.get(text)
        if key is not None:
            items.append((key, Line(text, ln.line, column), []))
        elif items:
            items[-1][2].append(Line(text, ln.line, column))
    out: list[Detail] = []
    for key, _where, values in items:
        texts = [_REQUEST.sub("", v.text).strip() for v in values]
        kept = [(t, v) for t, v in zip(texts, values, strict=True) if t]
        if not kept:
            continue
        if key == "officer":
            name, department = kept[0][0], kept[1][0] if len(kept) > 1 else None
            if department is None:
                name, department = vocab.split_department(name)
            out.append(Detail("officer.name", name, kept[0][1]))
            if department:
                out.append(Detail("officer.department", department, kept[-1][1]))
        elif key == "timetable.approval":
            out.append(Detail(key, kept[0][0], kept[0][1]))
        elif key == "sectors":
            names = tuple(t.split(" / ")[0].split(" - ")[0].strip() for t, _ in kept)
            out.append(Detail(key, names, kept[0][1]))
        else:
            out.append(Detail(key, tuple(t for t, _ in kept), kept[0][1]))
    return tuple(out)


def _body(lines: list[Line]) -> tuple[list[Line], bool]:
    body: list[Line] = []
    for ln in lines:
        stripped = ln.text.strip()
        if _END.match(stripped):
            return body, True
        if _CHROME.match(stripped):
            continue
        body.append(ln)
    return body, False


def _repaired(entries: list[Entry], path: str, notes: list[Problem]) -> list[Entry]:
    """Entries with encoding damage repaired in their values, each repair noted at its place."""
    whole = " ".join(ln.text for e in entries for ln in e.lines).lower()
    ligatures = any(re.search(rf"\b{re.escape(form)}\b", whole) for form in vocab.LIGATURE_CERTAIN)
    out: list[Entry] = []
    for entry in entries:
        lines: list[Line] = []
        for ln in entry.lines:
            fixed, found = repair_text(ln.text, ligatures=ligatures)
            notes.extend(warning(path, ln.line, ln.column + n.column - 1, n.message) for n in found)
            lines.append(Line(fixed, ln.line, ln.column))
        out.append(replace(entry, lines=tuple(lines)))
    return out


def _unwrap_labels(lines: list[Line]) -> tuple[list[Line], bool]:
    """Join labels a PDF converter wrapped: ``Source of Funding / TA 7858-PRC: ...`` + ``Amount``."""
    out: list[Line] = []
    joined = False
    skip: set[int] = set()
    for i, ln in enumerate(lines):
        if i in skip:
            continue
        text = ln.text.strip()
        following = next((j for j in range(i + 1, min(i + 3, len(lines))) if lines[j].text.strip()), None)
        found = wrapped_label(text, lines[following].text) if following is not None else None
        if found is not None and following is not None:
            label, value = found
            out.append(Line(f"{label} {value}".strip(), ln.line, ln.column))
            skip.add(following)
            joined = True
            continue
        out.append(ln)
    return out, joined


def _pipe_cells(lines: list[Line]) -> list[Line]:
    """Rows written ``Label | value | |`` and ``|||| continuation``: cells joined by spaces."""
    if not _is_piped(lines):
        return lines
    out: list[Line] = []
    for ln in lines:
        if "|" not in ln.text:
            out.append(ln)
            continue
        cells = [c.strip() for c in ln.text.split("|")]
        column = ln.column + len(ln.text) - len(ln.text.lstrip(" |"))
        out.append(Line(" ".join(c for c in cells if c), ln.line, column))
    return out


def _drop_cut_label(lines: list[Line], path: str, notes: list[Problem]) -> list[Line]:
    """A text cut mid-label ends in ``Gende`` or ``Source of Funding``: not a value of anything."""
    for i in range(len(lines) - 1, -1, -1):
        text = lines[i].text.split("\t")[0].strip()
        if not text:
            continue
        if is_label_prefix(text) and match_label(text, None) is None:
            notes.append(
                warning(
                    path,
                    lines[i].line,
                    lines[i].column,
                    f"the text ends in '{text}', the start of a label; ignored",
                )
            )
            return lines[:i]
        return lines
    return lines


def _tab_rows(lines: list[Line]) -> list[Row]:
    rows: list[Row] = []
    for ln in lines:
        if not ln.text.strip():
            continue
        cells = ln.text.split("\t")
        if len(cells) == 1:
            rows.append(Row(cells[0], (), ln.line, ln.column, has_cells=False))
            continue
        column = ln.column + len(cells[0]) + 1
        values: list[Line] = []
        for cell in cells[1:]:
            if cell.strip() and HTML_HINT.search(cell):
                values = fragment_lines(cell, ln.line, column)
                break
            column += len(cell) + 1
        else:
            joined = " ".join(c.strip() for c in cells[1:] if c.strip())
            offset = ln.text.find(joined.split(" ")[0]) + 1 if joined else 1
            values = [Line(joined, ln.line, offset)] if joined else []
        rows.append(Row(cells[0], tuple(values), ln.line, ln.column))
    return rows


def _is_piped(lines: list[Line]) -> bool:
    return sum(1 for ln in lines if " | " in ln.text or ln.text.lstrip().startswith("||")) >= 2


_OWN_LINE = ("Project Name", "Project Number", "Project Status")


def _labels_on_own_lines(lines: list[Line]) -> bool:
    """Labels printed alone with their value on the next line (``Project Name`` / the name)."""
    texts = [ln.text.strip() for ln in lines if ln.text.strip()]
    return any(
        text in _OWN_LINE and match_label(following, None) is None
        for text, following in zip(texts, texts[1:], strict=False)
    )


def _layout(lines: list[Line], chrome: list[str], joined: bool, piped: bool) -> str:
    text = "\n".join(ln.text for ln in lines)
    if re.search(r"^(?:PDS Creation Date|Project/Program Number|Type/Modality of Assistance)", text, re.M):
        return "print-old"
    if (
        joined
        or re.search(
            r"^\s*(?:Type or Modality of Assistance|Borrower / Company|Type of ADB Assistance)", text, re.M
        )
        or any(c.startswith(("Nonsovereign", "Non-sovereign")) for c in chrome)
    ):
        return "other"
    if piped or re.search(r"^Operational Priorities", text, re.M) or _labels_on_own_lines(lines):
        return "web2023"
    return "new"


def _heading(chrome: list[str]) -> str:
    for text in chrome:
        m = re.match(r"^(?:fbpx )?\d{5}-\d{3}: (.+?) \| Asian Development Bank$", text)
        if m:
            return m.group(1)
    for text in chrome:
        m = re.match(r"^([A-Z][^:|]{1,60}?)\s*:\s*(.{8,})$", text)
        if m and (m.group(1) in vocab.COUNTRIES or m.group(1).endswith("Regional")):
            return m.group(2).strip()
    return ""


def _chrome_number(chrome: list[str]) -> str | None:
    for text in chrome:
        if "Project |" in text or text.startswith("fbpx"):
            m = _NUMBER.search(text)
            if m:
                return m.group(1)
    return None


def _read_html(html: str, path: str) -> Sheet:
    page = read_page(html)
    notes: list[Problem] = []
    entries = entries_from_rows(list(page.rows))
    known = [e for e in entries if e.spec is not None and e.spec.field]
    layout = "html"
    if len(known) < 3:
        lines = [Line(t, 0) for t in page.text]
        start = _body_start(lines, False) or 0
        body, _ = _body(lines[start:])
        entries = entries_from_lines(body)
    entries = _repaired(entries, path, notes)
    heading = page.heading.split(":", 1)[1].strip() if ":" in page.heading else page.heading
    m = re.match(r"^(?:fbpx )?\d{5}-\d{3}: (.+?) \| Asian Development Bank$", page.title)
    number = _NUMBER.search(page.title)
    return Sheet(
        tuple(entries),
        layout,
        True,
        None,
        m.group(1) if m else heading,
        number.group(1) if number else None,
        0,
        False,
        tuple(notes),
    )
