"""The labels of ADB project data sheets, as data: which text names which record field.

Every layout (tab-separated text, page text, saved HTML) is cut into labelled entries
with this one table, so a new label variant is one line here rather than a code change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from . import vocab


class Kind(Enum):
    """How a field's value is laid out, which decides what lines may continue it."""

    SCALAR = "scalar"
    """One short value, on the label's line or the line right after it."""
    LIST = "list"
    """Several short values, one per line (or run together on one line)."""
    NARRATIVE = "narrative"
    """Markdown text running until the next label; blank lines separate paragraphs."""
    BLOCK = "block"
    """Structured rows (funding, sectors, agencies) running until the next label."""
    SECTION = "section"
    """A heading such as Timetable that groups the labels after it and holds no value."""


@dataclass(frozen=True, slots=True)
class LabelSpec:
    """One label of a data sheet and the record field it fills."""

    texts: tuple[str, ...]
    """Spellings of the label across layouts, as printed (matched case-sensitively)."""
    field: str
    """Target: a dotted record path (``officer.name``), or ``extra`` for labels kept verbatim."""
    kind: Kind
    guard: Callable[[str], bool] | None = None
    """When set, text after the label must pass it for a line to count as this label; it
    keeps one-word labels (Status, Gender, Impact) from firing inside running text."""
    section: str | None = None
    """Only a label while inside this section (``categories``)."""
    opens: str | None = None
    """The section this label starts."""


def _capitalised(value: str) -> bool:
    return not value or value[0].isupper() or value[0].isdigit() or value[0] in "(\"'"


def _status(value: str) -> bool:
    return not value or any(value.startswith(s) for s in vocab.STATUSES)


def _gender(value: str) -> bool:
    return not value or "gender" in value.lower() or vocab.repair_vocabulary(value, vocab.GENDER) is not None


def _category(value: str) -> bool:
    return (
        not value
        or re.fullmatch(r"(?:[ABC]|FI|FI-[ABC]|B/C|A/B|None|-|Not applicable)\s*", value) is not None
    )


def _approval_numbers(value: str) -> bool:
    """``7202/2098`` or ``7356/2875``: not the column header ``Approval Number Facility Fund ...``."""
    return not value or re.fullmatch(r"[A-Z]{0,3}[0-9][0-9A-Z/ -]*", value) is not None


def _date_like(value: str) -> bool:
    return (
        not value
        or value.strip() == "-"
        or re.match(r"\d{1,2} [A-Z][a-z]{2,8} \d{4}|\d{4}-\d\d-\d\d", value) is not None
    )


S, L, N, B, H = Kind.SCALAR, Kind.LIST, Kind.NARRATIVE, Kind.BLOCK, Kind.SECTION

LABELS: tuple[LabelSpec, ...] = (
    LabelSpec(("Project Name",), "title", S),
    LabelSpec(("Project Number", "Project/Program Number"), "number", S),
    LabelSpec(("Country / Economy", "Country/Economy"), "countries", L),
    LabelSpec(("Country",), "countries", L, _capitalised),
    LabelSpec(("Borrower / Company", "Borrower/Equity Investment Name"), "borrower", S),
    LabelSpec(("Project Status",), "status", S),
    LabelSpec(("Status",), "status", S, _status),
    LabelSpec(("Project Type / Modality of Assistance",), "modalities", L),
    LabelSpec(("Source of Funding / Amount",), "funding", B),
    LabelSpec(("Type/Modality of Assistance",), "funding_table", B),
    LabelSpec(("Type or Modality of Assistance",), "funding_rows", B),
    LabelSpec(("Type of ADB Assistance / Amount",), "funding_types", B),
    LabelSpec(("Strategic Agendas",), "strategic_agendas", L),
    LabelSpec(("Drivers of Change",), "drivers_of_change", L),
    LabelSpec(("Operational Priorities",), "operational_priorities", L),
    LabelSpec(("Sector / Subsector", "Sector and/or Subsector Classification"), "sectors", B),
    LabelSpec(("Sector",), "sector", S, _capitalised),
    LabelSpec(("Subsector",), "subsector", S, _capitalised),
    LabelSpec(
        (
            "Gender Equity and Mainstreaming Categories",
            "Gender Mainstreaming Categories",
            "Gender Equity and Mainstreaming",
        ),
        "gender",
        S,
    ),
    LabelSpec(("Gender",), "gender", S, _gender),
    LabelSpec(("Description",), "description", N, _capitalised),
    LabelSpec(
        (
            "Project Rationale and Linkage to Country/Regional Strategy",
            "Linkage to Country/Regional Strategy",
        ),
        "rationale",
        N,
    ),
    LabelSpec(("Impact",), "impact", N, _capitalised),
    LabelSpec(("Description of Outcome", "Outcome"), "outcome", N, _capitalised),
    LabelSpec(("Description of Project Outputs", "Outputs"), "outputs", N, _capitalised),
    LabelSpec(("Project Outcome", "Implementation Progress"), "", H),
    LabelSpec(("Geographical Location",), "location", N),
    LabelSpec(("Location",), "location", N, _capitalised),
    LabelSpec(("Safeguard Categories",), "", H, opens="categories"),
    LabelSpec(("Environment",), "safeguards.categories.environment", S, _category, section="categories"),
    LabelSpec(
        ("Involuntary Resettlement",),
        "safeguards.categories.involuntary_resettlement",
        S,
        _category,
        section="categories",
    ),
    LabelSpec(
        ("Indigenous Peoples",),
        "safeguards.categories.indigenous_peoples",
        S,
        _category,
        section="categories",
    ),
    LabelSpec(
        ("Summary of Environmental and Social Aspects", "Summary of Environmental and Social Issues"),
        "safeguards.summary",
        N,
    ),
    LabelSpec(("Environmental Aspects",), "safeguards.environmental_aspects", N),
    LabelSpec(("Involuntary Resettlement",), "safeguards.involuntary_resettlement", N),
    LabelSpec(("Indigenous Peoples",), "safeguards.indigenous_peoples", N),
    LabelSpec(
        (
            "Stakeholder Communication, Participation, and Consultation",
            "Stakeholder Communication, Participation and Consultation",
        ),
        "",
        H,
    ),
    LabelSpec(("During Project Design",), "consultation.during_design", N),
    LabelSpec(("During Project Implementation",), "consultation.during_implementation", N),
    LabelSpec(("Business Opportunities",), "", H),
    LabelSpec(("Consulting Services",), "business_opportunities.consulting_services", N),
    LabelSpec(("Procurement",), "business_opportunities.procurement", N, _capitalised),
    LabelSpec(("Responsible ADB Officer",), "officer.name", S),
    LabelSpec(("Responsible ADB Department",), "officer.department", S),
    LabelSpec(("Responsible ADB Division",), "officer.division", S),
    LabelSpec(("Executing Agencies", "Executing Agency"), "executing_agencies", B),
    LabelSpec(("Timetable",), "", H),
    LabelSpec(("Concept Clearance",), "timetable.concept_clearance", S),
    LabelSpec(("Fact Finding",), "timetable.fact_finding", S),
    LabelSpec(("MRM", "Management Review Meeting"), "timetable.mrm", S, _date_like),
    LabelSpec(("Approval",), "timetable.approval", S, _date_like),
    LabelSpec(("Last Review Mission",), "timetable.last_review_mission", S),
    LabelSpec(("Last PDS Update", "PDS Updated as of"), "timetable.last_pds_update", S),
    LabelSpec(("Project Page",), "links.project_page", S),
    LabelSpec(("Request for Information",), "links.request_for_information", S),
    LabelSpec(("Date Generated",), "source.date_generated", S),
    LabelSpec(("Financing",), "", H, lambda v: not v),
    # Labels the schema has no field for: kept under `extra`, with a warning.
    LabelSpec(("PDS Creation Date",), "extra", S),
    LabelSpec(("Thematic Classification",), "extra", L),
    LabelSpec(("Progress Toward Outcome",), "extra", N),
    LabelSpec(("Status of Implementation Progress (Outputs, Activities, and Issues)",), "extra", N),
    LabelSpec(("Implementing Agencies", "Implementing Agency"), "extra", N),
    LabelSpec(("Project Sponsor(s)", "Project Sponsors"), "extra", N),
    # Private-sector fields: each its own entry under `extra` (not run into the description).
    LabelSpec(("Objectives and Scope",), "extra", N),
    LabelSpec(("Status of Development Objectives",), "extra", N),
    LabelSpec(("Status of Operation/Construction",), "extra", N),
    LabelSpec(("Approval Number",), "extra", S, _approval_numbers),
    LabelSpec(("Milestones",), "extra", N),
)

ANCHORS = (
    "Project Name",
    "Project Number",
    "Project/Program Number",
    "PDS Creation Date",
    "PDS Updated as of",
)
"""Labels one of which opens the data sheet proper; what comes before them is page chrome."""

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "strategic_agendas": vocab.STRATEGIC_AGENDAS,
    "drivers_of_change": vocab.DRIVERS,
    "modalities": vocab.MODALITIES,
    "countries": vocab.COUNTRIES,
}
"""Closed value lists used to split values that a layout ran together on one line."""

_BY_TEXT: list[tuple[str, LabelSpec]] = sorted(
    ((text, spec) for spec in LABELS for text in spec.texts), key=lambda pair: -len(pair[0])
)


@dataclass(frozen=True, slots=True)
class LabelMatch:
    """A label found at the start of a line, and the value text after it."""

    spec: LabelSpec
    text: str
    value: str
    value_column: int
    """Column (from 1) where the value starts in the line."""


def specs_named(text: str, section: str | None) -> list[LabelSpec]:
    """The specs spelled exactly ``text``, those of the current section first."""
    found = [spec for t, spec in _BY_TEXT if t == text and (spec.section is None or spec.section == section)]
    return sorted(found, key=lambda spec: spec.section is None)


def match_label(line: str, section: str | None) -> LabelMatch | None:
    """The longest label that opens ``line`` and whose guard accepts the rest."""
    for text, spec in _BY_TEXT:
        if spec.section is not None and spec.section != section:
            continue
        if not line.startswith(text):
            continue
        rest = line[len(text) :]
        if rest and rest[0] not in " :\t":
            continue
        value = rest.lstrip(" :\t")
        if spec.guard is not None and not spec.guard(value.strip()):
            continue
        column = len(line) - len(value) + 1
        return LabelMatch(spec, text, value.strip(), column)
    return None


def is_label_prefix(text: str) -> bool:
    """True when ``text`` is the beginning of a label but not a label: a line cut off mid-label."""
    stripped = text.strip()
    return bool(stripped) and any(t.startswith(stripped) and t != stripped for t, _ in _BY_TEXT)


def wrapped_label(line: str, following: str) -> tuple[str, str] | None:
    """A label split over two lines by a PDF converter: ``Source of Funding / TA ...`` then
    ``Amount``. Returns the whole label and the value found on the first line."""
    tail = following.strip()
    if not tail:
        return None
    for text, _ in _BY_TEXT:
        if not text.endswith(" " + tail):
            continue
        head = text[: -len(tail) - 1]
        if len(head.split()) >= 2 and line.startswith(head + " ") and not line.startswith(text):
            return text, line[len(head) + 1 :].strip()
    return None
