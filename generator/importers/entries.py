"""Cutting a data sheet into labelled entries, whatever its layout.

Two cutters share one label table (:mod:`.labels`): :func:`entries_from_lines` for page
text where a label and its value share a line or the value follows on the next lines, and
:func:`entries_from_rows` for cells (tab-separated text, HTML table rows) where the layout
itself says which text is a label. Both keep each value line's source position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import vocab
from .labels import VOCABULARIES, Kind, LabelSpec, match_label, specs_named


@dataclass(frozen=True, slots=True)
class Line:
    """A line of value text and where it starts in the source (line and column from 1)."""

    text: str
    line: int
    column: int = 1


@dataclass(frozen=True, slots=True)
class Entry:
    """A label and its value lines; an empty Line separates paragraphs."""

    label: str
    """The label as printed; empty for text no label introduced."""
    spec: LabelSpec | None
    """None for a label the importer does not know, or for unlabeled text."""
    lines: tuple[Line, ...]
    line: int
    column: int
    after: str = ""
    """For unlabeled text: the label of the entry it follows."""

    @property
    def values(self) -> list[Line]:
        return [ln for ln in self.lines if ln.text]

    @property
    def text(self) -> str:
        return " ".join(ln.text for ln in self.values)


@dataclass
class _Builder:
    label: str
    spec: LabelSpec | None
    line: int
    column: int
    after: str = ""
    lines: list[Line] = field(default_factory=list)

    def add(self, line: Line) -> None:
        if line.text or (self.lines and self.lines[-1].text):
            self.lines.append(line)

    def build(self) -> Entry:
        lines = list(self.lines)
        while lines and not lines[-1].text:
            lines.pop()
        return Entry(self.label, self.spec, tuple(lines), self.line, self.column, self.after)


def _target(spec: LabelSpec, label: str) -> str:
    return f"extra:{label}" if spec.field == "extra" else spec.field


_BULLET = re.compile(r"^[•\u2022]\s*")
_SECTOR_LINE = re.compile(r" [-/] |^/ |^[^.]{1,90}$")


@dataclass
class _Cutter:
    """State of one pass over the lines: the entry being built, the section, what was seen."""

    joined_lines: bool = False
    """The source wraps long values over lines (PDF conversion): continue scalars."""
    entries: list[Entry] = field(default_factory=list)
    current: _Builder | None = None
    section: str | None = None
    seen: set[str] = field(default_factory=set)

    def finish(self) -> None:
        if self.current is not None:
            self.entries.append(self.current.build())
            self.current = None

    def start(self, label: str, spec: LabelSpec | None, line: int, column: int, after: str = "") -> None:
        self.finish()
        if spec is not None:
            if spec.kind is Kind.SECTION:
                self.section = spec.opens
            elif spec.section is None:
                self.section = None
            if spec.field:
                self.seen.add(_target(spec, label))
        self.current = _Builder(label, spec, line, column, after)

    def accepts_label(self, spec: LabelSpec, label: str, whole_line: str) -> bool:
        if spec.field and spec.kind is not Kind.SECTION and _target(spec, label) in self.seen:
            return False
        cur = self.current
        if (
            cur is not None
            and cur.spec is not None
            and cur.spec.kind is Kind.LIST
            and any(ln.text for ln in cur.lines)
        ):
            choices = VOCABULARIES.get(cur.spec.field)
            if choices and vocab.repair_vocabulary(whole_line, choices) is not None:
                return False
        return True

    def continues(self, text: str, blank_before: bool) -> bool:
        cur = self.current
        if cur is None:
            return False
        spec = cur.spec
        if spec is None:
            return True
        has_value = any(ln.text for ln in cur.lines)
        if spec.kind is Kind.SCALAR:
            return not blank_before and (not has_value or self.joined_lines)
        if spec.kind is Kind.LIST:
            if not blank_before:
                return True
            choices = VOCABULARIES.get(spec.field)
            if choices and vocab.repair_vocabulary(text, choices) is not None:
                return True
            return spec.field == "operational_priorities" and re.match(r"OP\d", text) is not None
        if spec.field == "sectors":
            return _SECTOR_LINE.search(text) is not None
        return True


def entries_from_lines(lines: list[Line], *, joined_lines: bool = False) -> list[Entry]:
    """Entries of page text: a known label opens a line, its value follows on that line
    and on the lines after it that the field's kind allows."""
    cut = _Cutter(joined_lines=joined_lines)
    blank_before = False
    for ln in lines:
        text = ln.text.strip()
        if not text:
            blank_before = True
            if cut.current is not None:
                cut.current.add(Line("", ln.line))
            continue
        indent = len(ln.text) - len(ln.text.lstrip())
        bullet = _BULLET.match(text)
        if bullet is not None and cut.current is not None:
            # A bulleted line is a value of the open entry: an item of a list, or a Markdown
            # list item in running text.
            indent += bullet.end()
            text = text[bullet.end() :]
            if cut.current.spec is not None and cut.current.spec.kind is Kind.NARRATIVE:
                text = f"- {text}"
                indent -= 2
            cut.current.add(Line(text, ln.line, ln.column + indent))
            blank_before = False
            continue
        m = match_label(text, cut.section)
        if m is not None and cut.accepts_label(m.spec, m.text, text):
            cut.start(m.text, m.spec, ln.line, ln.column + indent)
            if m.value:
                assert cut.current is not None
                cut.current.add(Line(m.value, ln.line, ln.column + indent + m.value_column - 1))
        elif cut.continues(text, blank_before):
            assert cut.current is not None
            cut.current.add(Line(text, ln.line, ln.column + indent))
        else:
            after = cut.current.label if cut.current is not None else ""
            cut.start("", None, ln.line, ln.column + indent, after)
            assert cut.current is not None
            cut.current.add(Line(text, ln.line, ln.column + indent))
        blank_before = False
    cut.finish()
    return cut.entries


@dataclass(frozen=True, slots=True)
class Row:
    """One row of cells: a first cell that may be a label, and the value lines after it."""

    first: str
    values: tuple[Line, ...]
    line: int
    column: int = 1
    has_cells: bool = True
    """False for a line with no cell separator, whose text may still be a bare label."""


_LABEL_LIKE = re.compile(r"^[A-Z][A-Za-z/(),&' -]{1,78}[A-Za-z)]:?$")


def entries_from_rows(rows: list[Row]) -> list[Entry]:
    """Entries of a layout made of cells: a first cell is a label when the table knows it,
    and an unknown label when it looks like one and nothing is open that could take it."""
    cut = _Cutter()
    for row in rows:
        first = row.first.strip().rstrip(":").strip()
        spec = _row_spec(first, cut)
        if spec is None and not row.has_cells:
            m = match_label(first, cut.section)
            if m is not None and not m.value and cut.accepts_label(m.spec, m.text, first):
                spec = m.spec
        if spec is not None:
            cut.start(first, spec, row.line, row.column)
            for value in row.values:
                assert cut.current is not None
                cut.current.add(value)
            continue
        cur = cut.current
        open_block = cur is not None and cur.spec is not None and cur.spec.kind in (Kind.BLOCK, Kind.LIST)
        cur_has_value = cur is not None and any(ln.text for ln in cur.lines)
        text_line = Line(
            " ".join(p for p in [first, *(v.text for v in row.values)] if p), row.line, row.column
        )
        if not first and cur is not None and (cur_has_value or open_block):
            for value in row.values:
                cur.add(value)
        elif first and row.values and not open_block and _LABEL_LIKE.match(first):
            cut.start(first, None, row.line, row.column)
            for value in row.values:
                assert cut.current is not None
                cut.current.add(value)
        elif cur is not None and (
            open_block or (cur_has_value and cur.spec is not None and cur.spec.kind is Kind.NARRATIVE)
        ):
            cur.add(text_line)
        elif text_line.text:
            cut.start("", None, row.line, row.column, cur.label if cur is not None else "")
            assert cut.current is not None
            cut.current.add(text_line)
    cut.finish()
    return cut.entries


def _row_spec(first: str, cut: _Cutter) -> LabelSpec | None:
    for spec in specs_named(first, cut.section):
        if cut.accepts_label(spec, first, first):
            return spec
    return None
