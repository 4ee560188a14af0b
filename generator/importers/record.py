"""From a data sheet's entries to a project record (a plain dict in schema order).

Each target field has one reader, chosen by the label table's ``field``. Readers never
guess: a value they cannot read is kept under ``extra`` with a warning at its line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import Problem, error, warning
from ..schemas import load_schema
from . import funding, vocab
from .entries import Entry, Line
from .labels import VOCABULARIES, Kind
from .values import (
    parse_date,
    parse_date_range,
    parse_sector_line,
    split_agency,
    split_statements,
    strip_numbering,
)

if TYPE_CHECKING:  # the reader pulls in BeautifulSoup; merging records does not need it
    from .pds_text import Sheet

_NUMBER = re.compile(r"(?<![\d-])(\d{5}-\d{3})(?![\d-])")


@dataclass
class _Build:
    """The record being built and the problems found while building it."""

    sheet: Sheet
    path: str
    data: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, str | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    modality_rows: list[str] = field(default_factory=list)
    """Instruments of the rows of a table whose first column is the modality of assistance."""

    def warn(self, where: Line | Entry, message: str) -> None:
        self.problems.append(warning(self.path, where.line, where.column, message))

    def put(self, dotted: str, value: Any) -> None:
        target = self.data
        *parents, last = dotted.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value

    def keep_extra(self, entry: Entry, key: str, why: str) -> None:
        text = markdown(entry, self.sheet.wrapped)
        if key in self.extra:
            key = f"{key} ({sum(1 for k in self.extra if k.startswith(key)) + 1})"
        self.extra[key] = text
        self.warn(entry, f"{why}; kept under extra as '{key}'")


def markdown(entry: Entry, wrapped: bool) -> str | None:
    """The entry's text as Markdown: paragraphs apart; lines a PDF wrapped joined back."""
    paragraphs: list[list[str]] = [[]]
    for ln in entry.lines:
        if ln.text:
            paragraphs[-1].append(ln.text.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    glue = " " if wrapped else "\n\n"
    text = "\n\n".join(glue.join(p) for p in paragraphs if p).strip()
    return None if text in ("", "-") else text


def _units(entry: Entry, wrapped: bool) -> list[str]:
    text = markdown(entry, wrapped)
    return [u.strip() for u in text.split("\n\n")] if text else []


def _scalar(b: _Build, e: Entry) -> str | None:
    text = " ".join(ln.text.strip() for ln in e.values)
    return None if text in ("", "-") else text


def _read_text(b: _Build, e: Entry, key: str) -> None:
    b.put(key, markdown(e, b.sheet.wrapped))


def _read_scalar(b: _Build, e: Entry, key: str) -> None:
    b.put(key, _scalar(b, e))


def _read_title(b: _Build, e: Entry, key: str) -> None:
    """The schema requires a title, so a name printed empty is an empty string, never a guess."""
    title = _scalar(b, e)
    if title is None:
        b.warn(e, "'Project Name' has no value; title left empty")
    b.put(key, title or "")


_LABELLED_NUMBER = re.compile(r"\b(\d{5}-\d{2,3})\b")
"""A number the Project Number label gives: older pages print two-digit sequences (45923-01)."""


def _read_number(b: _Build, e: Entry, key: str) -> None:
    if not e.text.strip():
        b.warn(e, "'Project Number' has no value; the number is taken from elsewhere")
        return
    m = _LABELLED_NUMBER.search(e.text)
    if m is None:
        b.keep_extra(e, e.label, f"'{e.text}' is not a project number (such as 54037-001)")
        return
    b.put("number", m.group(1))


def _list_items(b: _Build, e: Entry, key: str) -> list[str]:
    choices = VOCABULARIES.get(key, ())
    items: list[str] = []
    for ln in e.values:
        text = ln.text.strip()
        if key == "operational_priorities":
            items.extend(p.strip() for p in re.split(r"\s+(?=OP\d+:)", text) if p.strip())
        elif key in ("strategic_agendas", "drivers_of_change"):
            items.extend(vocab.split_run_together(text, choices))
        elif choices:
            items.extend(vocab.split_by_vocabulary(text, choices) or [text])
        else:
            items.append(text)
    if items and choices and _is_cut(b, e):
        last = items[-1].lower()
        if any(c.lower().startswith(last) and c.lower() != last for c in choices):
            b.warn(e.values[-1], f"'{items[-1]}' is cut off where the text ends; left out")
            items.pop()
    return [vocab.repair_vocabulary(i, choices) or i for i in items]


def _read_list(b: _Build, e: Entry, key: str) -> None:
    if key == "extra":
        b.extra[e.label] = "\n".join(ln.text for ln in e.values) or None
        b.warn(e, f"label '{e.label}' has no field in the project record; kept under extra")
        return
    b.put(key, _list_items(b, e, key))


def _read_gender(b: _Build, e: Entry, key: str) -> None:
    value = _scalar(b, e)
    if value is not None:
        known = vocab.repair_vocabulary(value, vocab.GENDER)
        if known is not None and known != value and known.lower() != value.lower():
            b.warn(e.values[0], f"repaired gender category '{value}' -> '{known}'")
            value = known
    b.put(key, value)


def _read_statements(b: _Build, e: Entry, key: str) -> None:
    statements: list[str] = []
    for unit in _units(e, b.sheet.wrapped):
        statements.extend(strip_numbering(s) for s in split_statements(unit))
    statements = [s for s in statements if s]
    if key == "outputs":
        b.put(key, [{"number": i, "statement": s} for i, s in enumerate(statements, start=1)])
    else:
        b.put(key, statements)


def _read_sectors(b: _Build, e: Entry, key: str) -> None:
    lines: list[tuple[str, Line]] = []
    for ln in e.values:
        text = ln.text.strip()
        if text.startswith("/") and lines:
            lines[-1] = (f"{lines[-1][0]} {text}", lines[-1][1])
        else:
            lines.append((text, ln))
    sectors: list[dict[str, Any]] = []
    for text, where in lines:
        gender = vocab.repair_vocabulary(text, vocab.GENDER)
        if gender is not None and "gender" not in b.data:
            b.warn(
                where,
                f"'{text}' after '{e.label}' is a gender category printed without its label; read as gender",
            )
            b.put("gender", gender)
            continue
        for found in parse_sector_line(text):
            if not found.sector:
                b.warn(e, f"sector line '{text}' names no sector; kept under extra")
                b.extra[f"{e.label} ({text})"] = text
                continue
            item: dict[str, Any] = {"sector": found.sector}
            if found.subsectors:
                item["subsectors"] = list(found.subsectors)
            sectors.append(item)
    b.put("sectors", sectors)


def _read_date(b: _Build, e: Entry, key: str) -> None:
    value = _scalar(b, e)
    if value is None:
        b.put(key, None)
        return
    if key.endswith("fact_finding"):
        found = parse_date_range(value)
        if found is not None:
            b.put(key, {"start": found[0], **({"end": found[1]} if found[1] else {})})
            return
    else:
        iso = parse_date(value)
        if iso is not None:
            b.put(key, iso)
            return
    b.keep_extra(e, e.label, f"'{value}' is not a date the importer reads")


def _read_url(b: _Build, e: Entry, key: str) -> None:
    value = _scalar(b, e)
    if value is not None and not re.match(r"^https?://\S+$", value):
        b.keep_extra(e, e.label, f"'{value}' is not a web address")
        return
    if value is not None:
        b.put(key, value)


_ORG_END = re.compile(
    r"(?:Department|Bureau|Commission|Ministry|Government|Office|Agency|Company|Corporation|Ltd\.?|"
    r"Committee|Authority|Bank|Cent(?:er|re)|Institute|University|Administration|Council|Board|Unit|"
    r"Municipality)$"
)


def _read_agencies(b: _Build, e: Entry, key: str) -> None:
    """Agencies with addresses: a name line (or name and address on one line), then address lines."""
    agencies: list[dict[str, Any]] = []
    for ln in e.values:
        text = ln.text.strip()
        name, address = split_agency(text)
        current = agencies[-1] if agencies else None
        if current is None:
            agencies.append({"name": name, "address": address})
        elif current["address"] is None:
            current["address"] = text
        elif (address is not None and _ORG_END.search(name)) or (
            _ORG_END.search(text) and not re.search(r"\d", text)
        ):
            agencies.append({"name": name, "address": address})
        else:
            joined = current["address"]
            current["address"] = f"{joined}{'' if joined.endswith(',') else ','} {text}"
    b.put(key, agencies)


def _read_funding(b: _Build, e: Entry, key: str) -> None:
    lines = list(e.values)
    if key == "funding_table":
        header, rows = (lines[0].text, lines[1:]) if lines and "Amount" in lines[0].text else ("", lines)
        found, issues = funding.parse_financing_table(header, rows)
    elif key in ("funding_rows", "funding_types"):
        found, issues = funding.parse_private_rows(lines)
    else:
        found, issues = funding.parse_source_of_funding(lines)
    for issue in issues:
        b.warn(issue.line, issue.message)
        if "not understood" in issue.message:
            b.extra[f"{e.label} ({issue.line.text.strip()})"] = issue.line.text.strip()
    b.data.setdefault("funding", []).extend(found)
    if key != "funding":
        # The first column of these tables is the modality; the old table's rows without an
        # approval number (Counterpart, cofinancing) are sources, not modalities.
        b.modality_rows.extend(
            f["instrument"] for f in found if key != "funding_table" or f["approval_number"] is not None
        )


def _read_section(b: _Build, e: Entry, key: str) -> None:
    if e.values:
        b.keep_extra(
            e, e.label, f"heading '{e.label}' is followed by text that belongs to none of its fields"
        )


def _read_extra(b: _Build, e: Entry, key: str) -> None:
    b.extra[e.label] = markdown(e, b.sheet.wrapped)
    b.warn(e, f"label '{e.label}' has no field in the project record; kept under extra")


_Reader = Callable[[_Build, Entry, str], None]

_READERS: dict[str, _Reader] = {
    "title": _read_title,
    "number": _read_number,
    "gender": _read_gender,
    "impact": _read_statements,
    "outcome": _read_statements,
    "outputs": _read_statements,
    "sectors": _read_sectors,
    "executing_agencies": _read_agencies,
    "funding": _read_funding,
    "funding_table": _read_funding,
    "funding_rows": _read_funding,
    "funding_types": _read_funding,
}
"""Readers by target field; other fields are read by their kind (see :func:`_reader_for`)."""


def _reader_for(e: Entry) -> tuple[_Reader, str]:
    assert e.spec is not None
    key = e.spec.field
    if key in _READERS:
        return _READERS[key], key
    if e.spec.kind is Kind.SECTION:
        return _read_section, key
    if key.startswith(("timetable.", "source.date_generated")):
        return _read_date, key
    if key.startswith("links."):
        return _read_url, key
    if e.spec.kind is Kind.LIST:
        return _read_list, key
    if key == "extra":
        return _read_extra, key
    if e.spec.kind is Kind.NARRATIVE:
        return _read_text, key
    return _read_scalar, key


def _is_cut(b: _Build, e: Entry) -> bool:
    return not b.sheet.complete and bool(e.values) and e.values[-1].line == b.sheet.last_line


def build_record(
    sheet: Sheet, path: str, file_name: str | None, number: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The project record of one data sheet, and warnings (or errors) about it. ``number`` is
    the project number given on the command line, for a sheet that prints none."""
    b = _Build(sheet, path)
    b.problems.extend(sheet.notes)
    known = 0
    for i, e in enumerate(sheet.entries):
        if sheet.details_page and i == 0 and e.spec is None and not e.label:
            b.put("description", markdown(e, sheet.wrapped))
            continue
        if e.spec is None:
            if e.label:
                b.keep_extra(e, e.label, f"unknown label '{e.label}'")
            else:
                key = f"(text without a label{f' after {e.after}' if e.after else ''})"
                b.keep_extra(e, key, "text without a label")
            continue
        known += 1 if e.spec.field else 0
        reader, key = _reader_for(e)
        reader(b, e, key)
        if _is_cut(b, e) and e.spec.kind in (Kind.NARRATIVE, Kind.BLOCK):
            b.warn(e.values[-1], f"the text ends inside '{e.label}'; its value may be cut short")
    if "number" not in b.data and known < 3 and not sheet.details_page and number is None:
        return {}, [
            error(
                path,
                1,
                1,
                "not a project data sheet: none of its labels (Project Name, "
                "Project Number, Country, ...) were found",
            )
        ]
    _old_sectors(b)
    _project_details(b)
    _modalities_from_rows(b)
    _number(b, number, file_name)
    _fallbacks(b)
    _source(b, file_name)
    if b.extra:
        b.data["extra"] = b.extra
    if "number" not in b.data:
        b.problems.append(error(path, 1, 1, "no project number found (a 'Project Number' such as 54037-001)"))
    return order_like_schema(b.data), b.problems


def _old_sectors(b: _Build) -> None:
    sector = b.data.pop("sector", None)
    subsector = b.data.pop("subsector", None)
    if "sectors" in b.data or (sector is None and subsector is None):
        return
    if sector is None:
        b.data["sectors"] = []
        return
    item: dict[str, Any] = {"sector": sector}
    if subsector:
        item["subsectors"] = [subsector]
    b.data["sectors"] = [item]


def _get(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _same(table: Any, details: tuple[str, ...] | str) -> bool:
    """The block agrees with the table: the same text, or for lists nothing the table lacks
    (the block may show fewer countries or only the sector names)."""
    if isinstance(details, str):
        return " ".join(str(table).split()).lower() == " ".join(details.split()).lower()
    have = {" ".join(str(v).split()).lower() for v in table}
    return all(" ".join(v.split()).lower() in have for v in details)


def _project_details(b: _Build) -> None:
    """The "Project Details" block as a second source: it fills what the data sheet's table
    does not give (or gives empty); where both give a value the table wins, and a different
    value in the block is a warning."""
    for d in b.sheet.details:
        value: Any = d.value
        if d.field == "timetable.approval":
            value = parse_date(str(d.value))
            if value is None:
                b.warn(d.where, f"Project Details: '{d.value}' is not a date the importer reads; ignored")
                continue
        table = _get(b.data, d.field)
        if d.field == "sectors" and table:
            table = [s["sector"] for s in table]
        if table in (None, [], ""):
            if d.field == "sectors":
                b.put("sectors", [{"sector": name} for name in value])
            else:
                b.put(d.field, list(value) if isinstance(value, tuple) else value)
            continue
        shown = value if isinstance(value, str) else ", ".join(value)
        if not _same(table, value):
            told = table if isinstance(table, str) else ", ".join(str(t) for t in table)
            b.warn(
                d.where,
                f"Project Details gives {d.field} '{shown}' but the data sheet gives '{told}'; "
                "the data sheet's value is kept",
            )


def _modalities_from_rows(b: _Build) -> None:
    """Sheets without a modality label (the old Financing table, private-sector rows) name each
    row's modality of assistance in its first column: those, once each, in order."""
    if b.data.get("modalities") or not b.modality_rows:
        return
    names = [
        n
        for n in dict.fromkeys(b.modality_rows)
        if n in vocab.INSTRUMENTS or re.fullmatch(r"[A-Z][a-z]+(?: [A-Za-z][a-z]+)*", n)
    ]
    if names:
        b.data["modalities"] = names


def _number(b: _Build, given: str | None, file_name: str | None) -> None:
    """The number from ``--number``, else, when the sheet gives none, from the page header, the
    source URL, the Project Page link or the file name, in that order, with a warning."""
    found = b.data.get("number")
    if given is not None:
        if found is not None and found != given:
            b.problems.append(
                warning(b.path, 1, 1, f"the data sheet gives number {found}; {given} from --number is used")
            )
        b.data["number"] = given
        return
    if found is not None:
        return
    places = (
        ("the page header", b.sheet.chrome_number),
        ("the source URL", b.sheet.url),
        ("the Project Page link", b.data.get("links", {}).get("project_page")),
        ("the file name", file_name),
    )
    for how, where in places:
        m = _NUMBER.search(where or "")
        if m:
            b.data["number"] = m.group(1)
            b.problems.append(
                warning(
                    b.path,
                    1,
                    1,
                    f"the data sheet gives no project number; {m.group(1)} taken from {how}",
                )
            )
            return


def _fallbacks(b: _Build) -> None:
    if "title" in b.data:
        return
    first_funding = next((f for f in b.data.get("funding", []) if f.get("title")), None)
    if b.sheet.heading:
        b.data["title"] = b.sheet.heading
        how = "the page heading"
    elif first_funding is not None:
        b.data["title"] = first_funding["title"]
        how = f"the title of {first_funding['instrument']} {first_funding['approval_number'] or ''}".rstrip()
    else:
        b.data["title"] = ""
        how = ""
    where = f"; title taken from {how}" if how else "; title left empty"
    b.problems.append(warning(b.path, 1, 1, f"no Project Name in the data sheet{where}"))


def _source(b: _Build, file_name: str | None) -> None:
    date_generated = b.data.pop("source", {}).get("date_generated")
    source: dict[str, Any] = {}
    if file_name:
        source["file"] = file_name
    url = b.sheet.url or b.data.get("links", {}).get("project_page")
    if url:
        source["url"] = url
    source["layout"] = b.sheet.layout
    if date_generated is not None or "Date Generated" in (e.label for e in b.sheet.entries):
        source["date_generated"] = date_generated
    source["incomplete"] = not b.sheet.complete
    if b.sheet.details_page:
        b.problems.append(
            warning(
                b.path,
                1,
                1,
                "a 'Project Data Sheet (PDS): Details' page has no label table: only the number, "
                "title and narrative are imported (source.incomplete: true)",
            )
        )
    elif not b.sheet.complete:
        b.problems.append(
            warning(
                b.path,
                b.sheet.last_line or 1,
                1,
                "the text stops before the end of the "
                "data sheet; fields after this point are absent (source.incomplete: true)",
            )
        )
    b.data["source"] = source
    b.data.setdefault("language", "en")


def order_like_schema(data: dict[str, Any], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """``data`` with keys in the order the schema lists its properties (nested objects too)."""
    schema = schema if schema is not None else load_schema("project")
    props: dict[str, Any] = schema.get("properties", {})
    order = list(props)
    out: dict[str, Any] = {}
    for key in sorted(data, key=lambda k: order.index(k) if k in order else len(order)):
        value = data[key]
        sub = props.get(key, {})
        if isinstance(value, dict) and "properties" in sub:
            value = order_like_schema(value, sub)
        elif isinstance(value, list) and "properties" in sub.get("items", {}):
            value = [order_like_schema(v, sub["items"]) if isinstance(v, dict) else v for v in value]
        out[key] = value
    return out
