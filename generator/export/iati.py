"""IATI: one ``iati-activity`` (IATI Standard 2.03) per project record, in ``data/iati-activities.xml``.

Only what the data sheet (or an editor, in a field made for it) says is published: amounts
as the sheet gives them, a DAC sector only where the site's table names one, percentages
only where editors set shares or there is one sector. What cannot be said without guessing
is left out and reported as a warning at the record's line (:func:`iati_problems`), so
``ksite check`` shows it. Every code is from the IATI 2.03 codelists (the tests hold them
to ``shared/iati-2.03/codelists``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

from ..config import ExportSettings
from ..errors import Problem, Severity
from ..model import DateRange, ProjectRecord, Text
from ..pagekinds import page_url
from ..reads import LibraryView

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ACTIVITY_STATUS = {
    "Proposed": "1",  # Pipeline/identification
    "Approved": "2",  # Implementation
    "Active": "2",
    "Closed": "4",  # Closed
    "Dropped / Terminated": "5",  # Cancelled
    "Dropped": "5",
    "Terminated": "5",
    "Cancelled": "5",
}
"""The data sheet's project status to the ActivityStatus codelist."""

AID_TYPES = {"Technical Assistance": "D02"}
"""Modalities that say which aid type the activity is (AidType, vocabulary 1): a TA is D02,
"other technical assistance". Loans and grants say nothing about it, so give none."""

COUNTRIES = {
    "Afghanistan": "AF",
    "Armenia": "AM",
    "Azerbaijan": "AZ",
    "Bangladesh": "BD",
    "Bhutan": "BT",
    "Cambodia": "KH",
    "China": "CN",
    "China, People's Republic of": "CN",
    "People's Republic of China": "CN",
    "Cook Islands": "CK",
    "Fiji": "FJ",
    "Georgia": "GE",
    "India": "IN",
    "Indonesia": "ID",
    "Kazakhstan": "KZ",
    "Kiribati": "KI",
    "Kyrgyz Republic": "KG",
    "Lao People's Democratic Republic": "LA",
    "Malaysia": "MY",
    "Maldives": "MV",
    "Marshall Islands": "MH",
    "Micronesia, Federated States of": "FM",
    "Mongolia": "MN",
    "Myanmar": "MM",
    "Nauru": "NR",
    "Nepal": "NP",
    "Niue": "NU",
    "Pakistan": "PK",
    "Palau": "PW",
    "Papua New Guinea": "PG",
    "Philippines": "PH",
    "Samoa": "WS",
    "Solomon Islands": "SB",
    "Sri Lanka": "LK",
    "Tajikistan": "TJ",
    "Thailand": "TH",
    "Timor-Leste": "TL",
    "Tonga": "TO",
    "Turkmenistan": "TM",
    "Tuvalu": "TV",
    "Uzbekistan": "UZ",
    "Vanuatu": "VU",
    "Viet Nam": "VN",
}
"""Country names as ADB's data sheets write them, to ISO 3166-1 codes (the Country codelist)."""

_FORBIDDEN = re.compile(r"[/&|?]")
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
"""A space left where a Chinese text broke its line (Chinese puts none between words)."""


def identifier(settings: ExportSettings, project: ProjectRecord) -> str:
    """The activity's IATI identifier: the reporting organisation's, a hyphen, the project number."""
    return f"{settings.iati_org_ref}-{project.number}"


def start_date(project: ProjectRecord) -> tuple[str, str] | None:
    """``(ActivityDateType, date)``: approval as the actual start (2), else the planned start
    editors set (1). A fact-finding mission is not a start, nor is concept clearance."""
    approval = project.timetable.get("approval")
    if isinstance(approval, str):
        return "2", approval
    planned = project.timetable.get("planned_start")
    if isinstance(planned, str):
        return "1", planned
    return None


def last_updated(project: ProjectRecord) -> str | None:
    """The newest date of something that happened to the record (a planned date is not one)."""
    dates = [v for k, v in project.timetable.items() if isinstance(v, str) and k != "planned_start"]
    dates += [v.end or v.start for v in project.timetable.values() if isinstance(v, DateRange)]
    generated = project.source.get("date_generated")
    if isinstance(generated, str):
        dates.append(generated)
    return max(dates, default=None)


def dac_codes(settings: ExportSettings, project: ProjectRecord) -> list[tuple[str, float | None]]:
    """The DAC codes the site's table gives the record's sectors, each once, with the sum of
    their shares (None where a share is unknown)."""
    table = dict(settings.dac_sectors)
    codes: dict[str, float | None] = {}
    for sector in project.sectors:
        code = table.get(sector.sector)
        if code is None:
            continue
        if code in codes:
            before = codes[code]
            codes[code] = None if before is None or sector.share is None else before + sector.share
        else:
            codes[code] = sector.share
    return list(codes.items())


def iati_problems(library: LibraryView, settings: ExportSettings) -> list[Problem]:
    """Warnings, at the record's line, for what the IATI file must leave out rather than guess."""
    problems = []
    table = dict(settings.dac_sectors)
    for number in sorted(library.projects):
        project = library.projects[number]
        origin = project.origin

        def warn(where: tuple[str | int, ...], message: str) -> None:
            problems.append(Problem(origin.at(*where), message, Severity.WARNING))  # noqa: B023

        if start_date(project) is None:
            warn(
                ("timetable",) if "timetable" in project.present else ("number",),
                f"IATI: project {number} has no start date (no approval date yet), so it is left out of "
                "the IATI file; add timetable.planned_start if a start is planned (a fact-finding "
                "mission is not a start)",
            )
        if len(project.sectors) > 1 and all(s.share is None for s in project.sectors):
            warn(
                ("sectors",),
                f"IATI: project {number} has {len(project.sectors)} sectors and no shares, so the "
                "IATI file gives no sector percentages; add a share (per cent) to each sector",
            )
        for i, sector in enumerate(project.sectors):
            if sector.sector not in table:
                warn(
                    ("sectors", i, "sector"),
                    f"IATI: sector '{sector.sector}' has no DAC code in the site's table, so the "
                    "activity has no DAC sector; map it under iati: sectors: in mkdocs.yml",
                )
        for i, country in enumerate(project.countries):
            if country not in COUNTRIES:
                warn(
                    ("countries", i),
                    f"IATI: country '{country}' has no ISO 3166 code in ksite's table, so it is left "
                    "out of the IATI file; write it as ADB's data sheets do",
                )
        if len(project.countries) > 1:
            warn(
                ("countries",),
                f"IATI: project {number} has {len(project.countries)} countries and no shares, so the "
                "IATI file gives no country percentages",
            )
    return problems


# -- the XML -----------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attributes.items()})


def _narratives(parent: ET.Element, texts: Iterable[tuple[str, str]]) -> None:
    for lang, text in texts:
        _sub(parent, "narrative", **{XML_LANG: lang}).text = text


def _in_languages(text: Text, languages: Sequence[str]) -> list[tuple[str, str]]:
    """The text in each site language it has, as plain text (narratives are not Markdown)."""
    ordered = [lang for lang in languages if lang in text.by_lang]
    ordered += [lang for lang in text.by_lang if lang not in ordered]
    from ..markdown import plain_text  # here: ksite check reads the warnings without a parser

    return [(lang, _CJK_GAP.sub("", plain_text(text.by_lang[lang]))) for lang in ordered]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def activity(
    settings: ExportSettings, project: ProjectRecord, languages: Sequence[str], site_url: str
) -> ET.Element:
    """One project record as an ``iati-activity``, its elements in the schema's order."""
    element = ET.Element("iati-activity", {XML_LANG: project.language})
    updated = last_updated(project)
    if updated is not None:
        element.set("last-updated-datetime", f"{updated}T00:00:00Z")
    _sub(element, "iati-identifier").text = identifier(settings, project)
    reporting = _sub(element, "reporting-org", ref=settings.iati_org_ref, type=settings.iati_org_type)
    _narratives(reporting, [("en", settings.iati_org_name)])
    _narratives(_sub(element, "title"), _in_languages(project.title, languages))
    if project.description is not None:
        _narratives(_sub(element, "description", type="1"), _in_languages(project.description, languages))
    funding = _sub(
        element, "participating-org", role="1", ref=settings.iati_org_ref, type=settings.iati_org_type
    )
    _narratives(funding, [("en", settings.iati_org_name)])
    for agency in project.executing_agencies:
        _narratives(_sub(element, "participating-org", role="4"), [(project.language, agency.name)])
    status = ACTIVITY_STATUS.get(project.status or "")
    if status is not None:
        _sub(element, "activity-status", code=status)
    start = start_date(project)
    if start is not None:
        _sub(element, "activity-date", type=start[0], iso_date=start[1])
    for country in project.countries:
        if country in COUNTRIES:
            _sub(element, "recipient-country", code=COUNTRIES[country])
    one = len(project.sectors) == 1
    for sector in project.sectors:
        share = 100.0 if one else sector.share
        attributes = {"vocabulary": "99", "code": _slug(sector.sector)}
        if share is not None:
            attributes["percentage"] = _number(share)
        _narratives(_sub(element, "sector", **attributes), [(project.language, sector.sector)])
    codes = dac_codes(settings, project)
    mapped_all = all(s.sector in dict(settings.dac_sectors) for s in project.sectors)
    for code, share in codes:
        attributes = {"vocabulary": "1", "code": code}
        if len(codes) == 1 and mapped_all:
            attributes["percentage"] = "100"
        elif share is not None and mapped_all:
            attributes["percentage"] = _number(share)
        _sub(element, "sector", **attributes)
    aid_types = dict.fromkeys(AID_TYPES[m] for m in project.modalities if m in AID_TYPES)
    for code in list(aid_types)[:1]:  # one per vocabulary (rule 107.1.2)
        _sub(element, "default-aid-type", code=code, vocabulary="1")
    if start is not None and start[0] == "2":
        _commitments(element, settings, project, start[1])
    _document_links(element, project, languages, site_url)
    return element


def _commitments(
    element: ET.Element, settings: ExportSettings, project: ProjectRecord, approval: str
) -> None:
    """A commitment (transaction type 2) at approval for each source the sheet gives an amount."""
    for funding in project.funding:
        for source in funding.sources:
            if source.amount is None or source.currency is None:
                continue
            transaction = _sub(element, "transaction")
            _sub(transaction, "transaction-type", code="2")
            _sub(transaction, "transaction-date", iso_date=approval)
            value = _sub(transaction, "value", currency=source.currency, value_date=approval)
            value.text = _number(source.amount)
            _narratives(_sub(transaction, "description"), [("en", source.name)])
            if source.kind in (None, "financing", "supplementary"):
                provider = _sub(transaction, "provider-org", ref=settings.iati_org_ref)
                _narratives(provider, [("en", settings.iati_org_name)])


def _document_links(
    element: ET.Element, project: ProjectRecord, languages: Sequence[str], site_url: str
) -> None:
    """The project's page in each language and its PDF brief (absolute: only with ``site_url``),
    and the bank's own project page from the sheet."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    titles = _in_languages(project.title, languages)
    if base:
        for i, lang in enumerate(languages):
            url = base + page_url("project", project.number, "" if i == 0 else f"{lang}/")
            _document(element, url, "text/html", "A12", titles, lang)
        pdf = f"{base}{page_url('project', project.number)}{project.number}.pdf"
        _document(element, pdf, "application/pdf", "A02", titles, project.language)
    bank_page = project.links.get("project_page")
    if bank_page:
        _document(element, bank_page, "text/html", "A12", titles, project.language)


def _document(
    element: ET.Element, url: str, fmt: str, category: str, titles: list[tuple[str, str]], lang: str
) -> None:
    link = _sub(element, "document-link", url=url, format=fmt)
    _narratives(_sub(link, "title"), titles)
    _sub(link, "category", code=category)
    _sub(link, "language", code=lang)


def iati_activities(
    settings: ExportSettings, library: LibraryView, languages: Sequence[str], site_url: str
) -> bytes:
    """The IATI activity file of every project record that can be published, in project-number
    order; empty when there is none (the schema wants at least one activity)."""
    root = ET.Element("iati-activities", {"version": VERSION})
    projects = [library.projects[n] for n in sorted(library.projects)]
    dates = [d for d in (last_updated(p) for p in projects) if d is not None]
    if dates:
        root.set("generated-datetime", f"{max(dates)}T00:00:00Z")
    for project in projects:
        if _FORBIDDEN.search(identifier(settings, project)) or start_date(project) is None:
            continue  # the schema requires a date; without one the activity is left out, with a warning
        root.append(activity(settings, project, languages, site_url))
    if len(root) == 0:
        return b""
    ET.indent(root, space=" ")
    made: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return made + b"\n"
