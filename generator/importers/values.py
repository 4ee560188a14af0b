"""Typed values from data sheet text: money, dates, statements, sectors, agencies.

Each function reads one value and returns None when the text is not what it expects, so
the caller can keep the text and warn instead of storing a wrong number or date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from . import vocab


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in whole units of a currency."""

    amount: int | float
    currency: str


_CURRENCY = r"(?P<cur>US\$|USD|\$|[A-Z]{3}(?=\s*[0-9]))"
_NUMBER = r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
_SCALE = r"(?:\s*(?P<scale>(?i:million|billion|thousand|mn|bn))\b)?"
MONEY = re.compile(_CURRENCY + r"\s*" + _NUMBER + _SCALE)
MONEY_AT_END = re.compile(r"(?P<before>.*?)\s*" + _CURRENCY + r"\s*" + _NUMBER + _SCALE + r"\s*$")
_SCALES = {
    "thousand": 1000,
    "million": 1_000_000,
    "mn": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}


def whole(value: Decimal) -> int | float:
    """An int when the amount is whole (it nearly always is), else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def parse_number(text: str, scale: int = 1) -> int | float | None:
    """``500,000.00`` -> 500000; ``87,000`` with scale 1000 -> 87000000."""
    try:
        value = Decimal(text.replace(",", "").strip()) * scale
    except InvalidOperation:
        return None
    return whole(value)


def currency_code(symbol: str) -> str:
    upper = symbol.upper()
    return "USD" if upper in ("US$", "$", "USD") else upper


def money_from_match(m: re.Match[str]) -> Money | None:
    scale = _SCALES.get((m.group("scale") or "").lower(), 1)
    amount = parse_number(m.group("num"), scale)
    if amount is None:
        return None
    return Money(amount, currency_code(m.group("cur")))


def parse_money(text: str) -> Money | None:
    """``US$ 1.40 million`` -> Money(1400000, "USD")."""
    m = MONEY.search(text)
    return money_from_match(m) if m else None


_DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d %b. %Y")


def parse_date(text: str) -> str | None:
    """An ISO date from ``14 Sep 2020``, ``16 September 2020`` or ISO; None otherwise."""
    cleaned = re.sub(r"\s+", " ", text.strip().rstrip("."))
    cleaned = re.sub(r"\bSept\b", "Sep", cleaned)
    for fmt in _DATE_FORMATS:
        try:
            found: date = datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        return found.isoformat()
    return None


def parse_date_range(text: str) -> tuple[str, str | None] | None:
    """``14 Sep 2020 to 15 Sep 2020`` -> both dates; a single date -> (date, None)."""
    parts = re.split(r"\s+(?:to|-|–|until)\s+", text.strip())
    if len(parts) == 2:
        start, end = parse_date(parts[0]), parse_date(parts[1])
        if start and end:
            return start, end
        return None
    single = parse_date(text)
    return (single, None) if single else None


_PARTICIPLES = frozenset(
    (
        "accelerated",
        "achieved",
        "adopted",
        "advanced",
        "analysed",
        "analyzed",
        "applied",
        "approved",
        "assessed",
        "broadened",
        "built",
        "completed",
        "conducted",
        "consolidated",
        "constructed",
        "created",
        "deepened",
        "delivered",
        "demonstrated",
        "designed",
        "developed",
        "disseminated",
        "documented",
        "drafted",
        "enabled",
        "enhanced",
        "ensured",
        "established",
        "expanded",
        "financed",
        "formulated",
        "generated",
        "harmonized",
        "identified",
        "implemented",
        "improved",
        "increased",
        "installed",
        "institutionalised",
        "institutionalized",
        "integrated",
        "introduced",
        "launched",
        "mainstreamed",
        "maintained",
        "mobilised",
        "mobilized",
        "modernized",
        "operationalized",
        "organised",
        "organized",
        "piloted",
        "prepared",
        "produced",
        "promoted",
        "proposed",
        "protected",
        "provided",
        "published",
        "raised",
        "recommended",
        "reduced",
        "reformed",
        "rehabilitated",
        "replicated",
        "restored",
        "reviewed",
        "scaled",
        "secured",
        "shared",
        "strengthened",
        "submitted",
        "supported",
        "sustained",
        "tested",
        "trained",
        "transformed",
        "undertaken",
        "upgraded",
    )
)
_STATEMENT_BREAK = re.compile(r"(?<=[a-z]) (?=[A-Z])")


def split_statements(text: str) -> list[str]:
    """Results statements run together on one line, cut after each closing past participle.

    ADB results statements end in a participle ("... strategy proposed"), so a lower-case
    participle followed by a capitalised word is where one statement ends and the next starts.
    """
    pieces: list[str] = []
    start = 0
    for m in _STATEMENT_BREAK.finditer(text):
        word = text[: m.start()].rsplit(" ", 1)[-1]
        if word in _PARTICIPLES and len(text[start : m.start()].split()) >= 3:
            pieces.append(text[start : m.start()].strip())
            start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


_OUTPUT_NUMBER = re.compile(r"^(?:Output\s*)?(\d{1,2})\s*[.:)]\s+|^[-•*]\s+", re.IGNORECASE)


def strip_numbering(statement: str) -> str:
    """``Output 1: Roads built`` and ``1. Roads built`` -> ``Roads built``."""
    return _OUTPUT_NUMBER.sub("", statement, count=1).strip()


@dataclass(frozen=True, slots=True)
class SectorEntry:
    sector: str
    subsectors: tuple[str, ...]


def _sector_starts(text: str) -> list[int]:
    starts = {0}
    for name in vocab.SECTORS:
        for m in re.finditer(re.escape(name) + r"(?= [-/] )", text):
            if m.start() > 0 and text[m.start() - 1] == " ":
                starts.add(m.start())
    return sorted(starts)


def parse_sector_line(text: str) -> list[SectorEntry]:
    """``Transport / Urban roads - Urban public transport`` and ``Transport - Urban roads``;
    several sectors run together on one line are cut where a known sector name begins."""
    text = re.sub(r"\s+", " ", text.strip())
    starts = _sector_starts(text)
    entries: list[SectorEntry] = []
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        part = text[begin:end].strip()
        if part.endswith("/") and part != "/":
            # ``Agriculture, natural resources and rural development /``: no subsector printed.
            sector, subs = part[:-1].strip(), []
        elif " / " in part:
            sector, rest = part.split(" / ", 1)
            subs = [s.strip() for s in rest.split(" - ")]
        elif part.startswith("/ "):
            sector, subs = "", [s.strip() for s in part[2:].split(" - ")]
        else:
            sector, *subs = [s.strip() for s in part.split(" - ")]
        entries.append(SectorEntry(sector.strip(), tuple(s for s in subs if s)))
    return entries


_ADDRESS_START = re.compile(
    r"\s(?=(?:No\.|Number\s+\d|Room\s|Rm\.?\s|Floor\s|\d+(?:st|nd|rd|th)?\s+Floor|Bldg|Building\s|"
    r"P\.?\s?O\.?\s?Box|Block\s|Unit\s+\d|\d+[A-Za-z]?,?\s+[A-Z]|#\s?\d))"
)


def split_agency(text: str) -> tuple[str, str | None]:
    """``Heilongjiang Provincial Finance Department No. 146 Jianshe Street, ...`` -> the name
    and the address, cut where an address begins (a street number, ``No.``, ``Room``...)."""
    text = text.strip()
    for m in _ADDRESS_START.finditer(text):
        if len(text[: m.start()].split()) >= 2:
            return text[: m.start()].strip().rstrip(","), text[m.end() :].strip()
    return text, None
