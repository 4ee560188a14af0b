"""Funding rows in their three shapes.

- ``Source of Funding / Amount``: a header line per instrument (``TA 7431-REG: title``)
  followed by ``Fund US$ 1.40 million`` lines; supplementary and cofinancing headers.
- The old Financing table, whose columns run together (``Loan2207Ordinary capital
  resources100,000``), amounts in thousands, with Counterpart and TOTAL rows.
- Private-sector rows: ``7455/3304 Loan USD 150.00 million Approved``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import vocab
from .entries import Line
from .values import MONEY, MONEY_AT_END, currency_code, money_from_match, parse_number


@dataclass(frozen=True, slots=True)
class Issue:
    """Something about a funding line the caller should warn about."""

    line: Line
    message: str


@dataclass
class _Group:
    instrument: str
    approval_number: str | None
    title: str | None = None
    status: str | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)

    def as_record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"instrument": self.instrument, "approval_number": self.approval_number}
        if self.title is not None:
            out["title"] = self.title
        if self.status is not None:
            out["status"] = self.status
        out["sources"] = self.sources
        return out


_HEADER = re.compile(
    r"^(?P<instrument>TA|Loan|Grant|Technical Assistance|Equity|Guarantee|B-Loan|Debt Security|Lending|"
    r"[A-Z][A-Za-z-]+(?: [A-Z][A-Za-z-]+){0,3})"
    r"(?:\s+(?P<approval>[0-9]{3,5}(?:-[A-Z]{3})?))?\s*:\s*(?P<title>.*)$"
)
_KIND_SUFFIX = re.compile(
    r"\s*\((?:(?:\d+(?:st|nd|rd|th)|Second|Third|Additional) )?"
    r"(Supplementary|Cofinancing|Co-financing)\)\s*$",
    re.IGNORECASE,
)
_ONLY_MONEY = re.compile(r"^\s*" + MONEY.pattern + r"\s*$")
_COLUMN_HEADER = re.compile(r"^(?:Source|Fund|Source of Funding)\s+Amount$", re.IGNORECASE)
"""The ``Source Amount`` column header newer pages print under each instrument line."""


def _kind(word: str) -> str:
    return "supplementary" if word.lower().startswith("supp") else "cofinancing"


def _not_understood(ln: Line) -> Issue:
    return Issue(ln, f"funding line '{ln.text.strip()}' not understood; kept under extra")


def parse_source_of_funding(lines: list[Line]) -> tuple[list[dict[str, Any]], list[Issue]]:
    """Funding entries from ``Source of Funding / Amount`` lines; repeated rows are read once."""
    groups: dict[tuple[str, str], _Group] = {}
    issues: list[Issue] = []
    current: _Group | None = None
    header_text = ""
    kind: str | None = None
    seen: set[tuple[str, str]] = set()
    pending_name: Line | None = None
    after_header = False
    for ln in lines:
        text = ln.text.strip()
        if not text or _COLUMN_HEADER.match(text):
            continue
        money_only = _ONLY_MONEY.match(text)
        source = MONEY_AT_END.match(text)
        header = _HEADER.match(text) if not source else None
        if header:
            title = header.group("title").strip()
            suffix = _KIND_SUFFIX.search(title)
            kind = _kind(suffix.group(1)) if suffix else None
            base = title[: suffix.start()].strip() if suffix else title
            approval = header.group("approval")
            key = (header.group("instrument"), approval or base)
            if key not in groups:
                groups[key] = _Group(header.group("instrument"), approval, base or None)
            if pending_name is not None:
                issues.append(_not_understood(pending_name))
            current, header_text, after_header, pending_name = groups[key], text, True, None
            continue
        if re.fullmatch(r"Cofinancing:?|Co-financing:?", text, re.IGNORECASE):
            kind = "cofinancing"
            continue
        if money_only and pending_name is not None:
            name, money = pending_name.text, money_from_match(money_only)
        elif source and source.group("before").strip():
            name, money = source.group("before").strip(), money_from_match(source)
        else:
            if after_header and current is not None and current.title is not None:
                suffix = _KIND_SUFFIX.search(text)
                if suffix:
                    kind = _kind(suffix.group(1))
                header_text = f"{header_text} {text}"
                if not suffix or text[: suffix.start()].strip():
                    current.title = f"{current.title} {text[: suffix.start()] if suffix else text}".strip()
                continue
            if pending_name is not None:
                issues.append(_not_understood(pending_name))
            pending_name = ln
            continue
        pending_name, after_header = None, False
        if (header_text, text) in seen:
            continue
        seen.add((header_text, text))
        if current is None:
            issues.append(
                Issue(ln, f"funding line '{text}' comes before any instrument line; kept without one")
            )
            current = groups.setdefault(("", ""), _Group("", None))
        entry: dict[str, Any] = {"name": name}
        if money is not None:
            entry["amount"] = money.amount
            entry["currency"] = money.currency
        if kind is not None:
            entry["kind"] = kind
        current.sources.append(entry)
    if pending_name is not None:
        issues.append(_not_understood(pending_name))
    return [g.as_record() for g in groups.values()], issues


_TABLE_ROW = re.compile(
    r"^(?P<instrument>[A-Za-z][A-Za-z .-]*?)\s*(?P<approval>[0-9]{3,5}(?:-[A-Z]{3})?)\s*"
    r"(?P<source>[A-Za-z].*?)\s*"
    r"(?P<amount>[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?)$"
)
_NAMED_ROW = re.compile(r"^(?P<name>[A-Za-z][^0-9]*?)\s*(?P<amount>[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?)$")
_TOTAL = re.compile(r"^TOTAL\b\s*(?P<cur>US\$|USD|\$|[A-Z]{3})?\s*(?P<amount>[0-9][0-9,.]*)", re.IGNORECASE)


def parse_financing_table(header: str, lines: list[Line]) -> tuple[list[dict[str, Any]], list[Issue]]:
    """Funding entries from the old Financing table; ``header`` is the column header text,
    whose ``Approved Amount (thousand)`` sets the scale of every amount."""
    scale = 1000 if "thousand" in header.lower() else 1_000_000 if "million" in header.lower() else 1
    groups: dict[tuple[str, str | None], _Group] = {}
    issues: list[Issue] = []
    total: tuple[Line, int | float, str] | None = None
    counted = 0.0
    rows: list[tuple[tuple[str, str | None], dict[str, Any]]] = []
    for ln in _table_rows(lines):
        text = ln.text.strip()
        if (m := _TOTAL.match(text)) is not None:
            amount = parse_number(m.group("amount"), scale)
            if amount is not None:
                total = (ln, amount, currency_code(m.group("cur") or "USD"))
            continue
        if (m := _TABLE_ROW.match(text)) is not None:
            key = (m.group("instrument").strip(), m.group("approval"))
            row = {"name": m.group("source").strip(), "amount": parse_number(m.group("amount"), scale)}
        elif (m := _NAMED_ROW.match(text)) is not None:
            name = m.group("name").strip()
            key = (name, None)
            row = {"name": name, "amount": parse_number(m.group("amount"), scale)}
            if name.lower().startswith("counterpart"):
                row["kind"] = "counterpart"
            elif "cofinanc" in name.lower():
                row["kind"] = "cofinancing"
        else:
            issues.append(Issue(ln, f"financing table row '{text}' not understood; kept under extra"))
            continue
        counted += float(row["amount"] or 0)
        rows.append((key, row))
    currency = total[2] if total else "USD"
    for key, row in rows:
        row["currency"] = currency
        groups.setdefault(key, _Group(key[0], key[1])).sources.append(row)
    if total is not None and abs(counted - float(total[1])) > 0.5:
        issues.append(
            Issue(
                total[0], f"the rows add up to {counted:,.0f} but TOTAL says {total[1]:,}; check the amounts"
            )
        )
    return [g.as_record() for g in groups.values()], issues


_ROW_END = re.compile(r"[0-9]$")


def _table_rows(lines: list[Line]) -> list[Line]:
    """Rows of the old Financing table, a row wrapped over lines (``PS7210Political Risk
    Guarantee`` / ``(Fully Disbursed)`` / ``50,000``) joined back: a row ends in its amount."""
    rows: list[Line] = []
    pending: list[Line] = []
    for ln in lines:
        text = ln.text.strip()
        if not text:
            continue
        pending.append(ln)
        if _ROW_END.search(text):
            first = pending[0]
            rows.append(Line(" ".join(p.text.strip() for p in pending), first.line, first.column))
            pending = []
    if pending:
        first = pending[0]
        rows.append(Line(" ".join(p.text.strip() for p in pending), first.line, first.column))
    return rows


_PRIVATE_ROW = re.compile(
    r"^(?:(?P<approval>(?=[0-9A-Z/-]*[0-9])[0-9A-Z][0-9A-Z/-]*)\s+)?(?P<before>.*?)\s*"
    r"(?P<money>" + MONEY.pattern + r")\s*(?P<status>[A-Z][A-Za-z]+(?: ?/ ?[A-Z][A-Za-z]+)?)?\s*$"
)
_ROWS_HEADER = re.compile(r"^(?:Approval Number\b.*\bAmount\b.*|Type\b.*\bAmount(?: Status)?)$")
"""The column header line some pages print above the rows (``Approval Number Facility Fund ...``)."""


def _instrument(before: str) -> tuple[str, str | None]:
    """``Loan Ordinary capital resources`` -> (``Loan``, ``Ordinary capital resources``): the
    instrument is the longest known one the text opens with, the rest names the fund."""
    for name in sorted(vocab.INSTRUMENTS, key=len, reverse=True):
        if before == name or before.startswith(name + " "):
            rest = before[len(name) :].strip()
            return name, rest or None
    return before, None


def parse_private_rows(lines: list[Line]) -> tuple[list[dict[str, Any]], list[Issue]]:
    """Funding entries from private-sector ``Type or Modality of Assistance`` rows
    (``1234-001 Loan Ordinary capital resources USD 50.00 million Closed``, ``45 B-Loan Complementary
    Loan USD 75.00 million Closed``) and the older ``Type of ADB Assistance / Amount`` rows
    (``Private Sector Loan US$25.20 million``). Every row gives one entry; a row that names no
    fund has its source named after its instrument (Loan, Equity...)."""
    out: list[dict[str, Any]] = []
    issues: list[Issue] = []
    for ln in lines:
        text = re.sub(r"\s+", " ", ln.text.strip())
        if not text or _ROWS_HEADER.match(text):
            continue
        m = _PRIVATE_ROW.match(text)
        money = money_from_match(MONEY.search(m.group("money"))) if m else None  # type: ignore[arg-type]
        before = m.group("before").strip() if m else ""
        if m is None or money is None or not before:
            issues.append(Issue(ln, f"assistance row '{text}' not understood; kept under extra"))
            continue
        instrument, fund = _instrument(before)
        group = _Group(instrument, m.group("approval"), status=m.group("status"))
        group.sources.append({"name": fund or instrument, "amount": money.amount, "currency": money.currency})
        out.append(group.as_record())
    return out, issues
