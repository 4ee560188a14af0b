"""Open data: the model as JSON and CSV files under ``data/``, described by a Frictionless data
package and by JSON Schemas published beside them.

The JSON files hold every field of the model with every language of each text (a text is a
map of language to Markdown); the CSV files hold one row per record for spreadsheets, lists
joined with "; " and a BOM so Excel reads Chinese as UTF-8. Everything is a function of the
content and the settings: the same content gives the same bytes (the package's date is the
newest date in the content, never the clock's).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..config import ExportSettings
from ..model import DateRange, KnowledgeProduct, Place, ProjectRecord, Text, Topic
from ..pagekinds import page_url
from ..reads import LibraryView

FOLDER = "data"
LIST_SEPARATOR = "; "
_SCHEMAS = resources.files("generator").joinpath("export", "schemas")


@dataclass(frozen=True)
class Column:
    """A CSV column: its name, Table Schema type and description, and how a record fills it."""

    name: str
    type: str
    description: str
    value: Callable[[Any], object]


# -- JSON --------------------------------------------------------------------------------------


def _text(text: Text | None) -> dict[str, str] | None:
    return None if text is None else dict(text.by_lang)


def _amount(value: float | None) -> float | int | None:
    """As the sheet gives it: whole amounts without a decimal point."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _date(value: str | DateRange | None) -> str | dict[str, str | None] | None:
    if isinstance(value, DateRange):
        return {"start": value.start, "end": value.end}
    return value


def project_data(project: ProjectRecord, languages: Sequence[str]) -> dict[str, Any]:
    """Every field of a project record; texts as maps of language to text."""
    return {
        "number": project.number,
        "title": _text(project.title),
        "language": project.language,
        "pages": _pages("project", project.number, languages),
        "countries": list(project.countries),
        "status": project.status,
        "modalities": list(project.modalities),
        "funding": [
            {
                "instrument": f.instrument,
                "approval_number": f.approval_number,
                "title": f.title,
                "status": f.status,
                "sources": [
                    {"name": s.name, "amount": _amount(s.amount), "currency": s.currency, "kind": s.kind}
                    for s in f.sources
                ],
            }
            for f in project.funding
        ],
        "strategic_agendas": list(project.strategic_agendas),
        "drivers_of_change": list(project.drivers_of_change),
        "operational_priorities": list(project.operational_priorities),
        "sectors": [
            {"sector": s.sector, "subsectors": list(s.subsectors), "share": s.share} for s in project.sectors
        ],
        "gender": project.gender,
        "description": _text(project.description),
        "rationale": _text(project.rationale),
        "impact": [_text(t) for t in project.impact],
        "outcome": [_text(t) for t in project.outcome],
        "outputs": [
            {
                "number": o.number,
                "statement": _text(o.statement),
                "indicators": [
                    {
                        "text": _text(i.text),
                        "baseline": _text(i.baseline),
                        "target": _text(i.target),
                        "status": _text(i.status),
                    }
                    for i in o.indicators
                ],
            }
            for o in project.outputs
        ],
        "location": _text(project.location),
        "places": list(project.places),
        "topics": list(project.topics),
        "safeguard_categories": dict(project.safeguard_categories),
        "safeguards": {k: _text(v) for k, v in project.safeguards.items()},
        "consultation": {k: _text(v) for k, v in project.consultation.items()},
        "business_opportunities": {k: _text(v) for k, v in project.business_opportunities.items()},
        "officer": dict(project.officer),
        "executing_agencies": [{"name": a.name, "address": a.address} for a in project.executing_agencies],
        "timetable": {k: _date(v) for k, v in project.timetable.items()},
        "links": dict(project.links),
        "source": dict(project.source),
        "extra": dict(project.extra),
    }


def product_data(product: KnowledgeProduct, languages: Sequence[str]) -> dict[str, Any]:
    """Every field of a knowledge product; title, summary, authors and body by language."""
    versions = {product.language: None, **{lang: t for lang, t in product.translations.items()}}
    title, summary, authors, body = {}, {}, {}, {}
    for lang, translation in versions.items():
        title[lang] = translation.title if translation else product.title
        summary[lang] = translation.summary if translation else product.summary
        authors[lang] = [
            {"name": a.name, "family": a.family, "given": a.given}
            for a in (translation.authors if translation else product.authors)
        ]
        body[lang] = (translation.body if translation else product.body).source
    return {
        "id": product.id,
        "type": product.type,
        "title": title,
        "summary": summary,
        "authors": authors,
        "date": product.date,
        "updated": product.updated,
        "language": product.language,
        "pages": _pages("product", product.id, languages),
        "project": product.project,
        "outputs": list(product.outputs),
        "places": list(product.places),
        "topics": list(product.topics),
        "example": product.example,
        "machine_translated": product.machine_translated,
        "attachments": [{"title": a.title, "file": f"media/{a.file}"} for a in product.attachments],
        "translations": {
            lang: {"translated_from": t.translated_from, "machine_translated": t.machine_translated}
            for lang, t in product.translations.items()
        },
        "body": body,
    }


def place_data(place: Place, languages: Sequence[str]) -> dict[str, Any]:
    return {
        "slug": place.slug,
        "name": _text(place.name),
        "kind": place.kind,
        "parent": place.parent,
        "description": _text(place.description),
        "pages": _pages("place", place.slug, languages),
    }


def topic_data(topic: Topic, languages: Sequence[str]) -> dict[str, Any]:
    return {
        "slug": topic.slug,
        "name": _text(topic.name),
        "description": _text(topic.description),
        "pages": _pages("topic", topic.slug, languages),
    }


def _pages(kind: str, key: str, languages: Sequence[str]) -> dict[str, str]:
    """The record's page in each language, relative to the site's root."""
    return {lang: page_url(kind, key, "" if i == 0 else f"{lang}/") for i, lang in enumerate(languages)}


def _json(items: list[dict[str, Any]]) -> bytes:
    return (json.dumps(items, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# -- CSV ---------------------------------------------------------------------------------------


def _joined(values: Iterable[object]) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values if v is not None)


def _in(lang: str, pick: Callable[[Any], Text | None]) -> Callable[[Any], object]:
    """A text field in one language, empty where it has no text in that language."""

    def value(record: Any) -> object:
        text = pick(record)
        return text.by_lang.get(lang) if text is not None else None

    return value


def _texts_in(lang: str, pick: Callable[[Any], Iterable[Text]]) -> Callable[[Any], object]:
    return lambda record: _joined(t.by_lang.get(lang) for t in pick(record))


def project_columns(languages: Sequence[str]) -> list[Column]:
    per_language: list[Column] = []
    for lang in languages:
        per_language += [
            Column(f"title_{lang}", "string", f"Title ({lang})", _in(lang, lambda p: p.title)),
            Column(
                f"description_{lang}", "string", f"Description ({lang})", _in(lang, lambda p: p.description)
            ),
            Column(f"impact_{lang}", "string", f"Impact ({lang})", _texts_in(lang, lambda p: p.impact)),
            Column(f"outcome_{lang}", "string", f"Outcome ({lang})", _texts_in(lang, lambda p: p.outcome)),
            Column(
                f"outputs_{lang}",
                "string",
                f"Output statements ({lang}), in the order of their numbers",
                _texts_in(lang, lambda p: (o.statement for o in p.outputs)),
            ),
            Column(f"location_{lang}", "string", f"Location ({lang})", _in(lang, lambda p: p.location)),
        ]

    def sources(p: ProjectRecord) -> list[Any]:
        return [s for f in p.funding for s in f.sources]

    def timetable(key: str) -> Callable[[ProjectRecord], object]:
        def value(p: ProjectRecord) -> object:
            date = p.timetable.get(key)
            return date.start if isinstance(date, DateRange) else date

        return value

    return [
        Column("number", "string", "Project number", lambda p: p.number),
        *per_language,
        Column("language", "string", "Language of the record's own texts", lambda p: p.language),
        Column("countries", "string", "Countries", lambda p: _joined(p.countries)),
        Column("status", "string", "Status as the data sheet gives it", lambda p: p.status),
        Column("modalities", "string", "Type / modality of assistance", lambda p: _joined(p.modalities)),
        Column(
            "instruments", "string", "Funding instruments", lambda p: _joined(f.instrument for f in p.funding)
        ),
        Column(
            "funding_sources", "string", "Sources of funding", lambda p: _joined(s.name for s in sources(p))
        ),
        Column(
            "funding_amounts",
            "string",
            "Amount of each source, in whole units of its currency, in the order of the sources",
            lambda p: _joined("" if s.amount is None else _amount(s.amount) for s in sources(p)),
        ),
        Column(
            "funding_currencies",
            "string",
            "Currency of each source (ISO 4217)",
            lambda p: _joined(s.currency or "" for s in sources(p)),
        ),
        Column("strategic_agendas", "string", "Strategic agendas", lambda p: _joined(p.strategic_agendas)),
        Column("drivers_of_change", "string", "Drivers of change", lambda p: _joined(p.drivers_of_change)),
        Column(
            "operational_priorities",
            "string",
            "Operational priorities",
            lambda p: _joined(p.operational_priorities),
        ),
        Column("sectors", "string", "Sectors", lambda p: _joined(s.sector for s in p.sectors)),
        Column(
            "subsectors",
            "string",
            "Subsectors",
            lambda p: _joined(x for s in p.sectors for x in s.subsectors),
        ),
        Column("gender", "string", "Gender equity and mainstreaming", lambda p: p.gender),
        Column("places", "string", "Places (slugs of places.json)", lambda p: _joined(p.places)),
        Column("topics", "string", "Topics (slugs of topics.json)", lambda p: _joined(p.topics)),
        Column("officer", "string", "Responsible officer", lambda p: p.officer.get("name")),
        Column(
            "executing_agencies",
            "string",
            "Executing agencies",
            lambda p: _joined(a.name for a in p.executing_agencies),
        ),
        Column("concept_clearance", "date", "Concept clearance", timetable("concept_clearance")),
        Column("fact_finding", "date", "Start of fact finding", timetable("fact_finding")),
        Column("approval", "date", "Approval", timetable("approval")),
        Column("planned_start", "date", "Planned start (set by editors)", timetable("planned_start")),
        Column("last_pds_update", "date", "Last update of the data sheet", timetable("last_pds_update")),
        Column("project_page", "string", "The bank's project page", lambda p: p.links.get("project_page")),
    ]


def product_columns(languages: Sequence[str]) -> list[Column]:
    def version(lang: str, pick: Callable[[Any], object]) -> Callable[[KnowledgeProduct], object]:
        def value(product: KnowledgeProduct) -> object:
            if lang == product.language:
                return pick(product)
            translation = product.translations.get(lang)
            return pick(translation) if translation is not None else None

        return value

    per_language: list[Column] = []
    for lang in languages:
        per_language += [
            Column(f"title_{lang}", "string", f"Title ({lang})", version(lang, lambda x: x.title)),
            Column(f"summary_{lang}", "string", f"Summary ({lang})", version(lang, lambda x: x.summary)),
            Column(
                f"authors_{lang}", "string", f"Authors ({lang})", version(lang, lambda x: _joined(x.authors))
            ),
        ]
    return [
        Column("id", "string", "Identifier (the page is knowledge/<id>/)", lambda k: k.id),
        Column("type", "string", "Type of product", lambda k: k.type),
        *per_language,
        Column("date", "date", "Date of publication", lambda k: k.date),
        Column("updated", "date", "Date of the last substantive revision", lambda k: k.updated),
        Column("language", "string", "Language of the original", lambda k: k.language),
        Column(
            "translations", "string", "Languages it is translated into", lambda k: _joined(k.translations)
        ),
        Column("project", "string", "Project number", lambda k: k.project),
        Column("outputs", "string", "Numbers of the project's outputs", lambda k: _joined(k.outputs)),
        Column("places", "string", "Places (slugs of places.json)", lambda k: _joined(k.places)),
        Column("topics", "string", "Topics (slugs of topics.json)", lambda k: _joined(k.topics)),
        Column("example", "boolean", "Example content, not a publication", lambda k: k.example),
    ]


def _csv(columns: Sequence[Column], records: Iterable[Any]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(c.name for c in columns)
    for record in records:
        row = []
        for column in columns:
            value = column.value(record)
            row.append(
                "" if value is None else ("true" if value is True else "false" if value is False else value)
            )
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def _table_schema(columns: Sequence[Column], key: str) -> dict[str, Any]:
    return {
        "fields": [{"name": c.name, "type": c.type, "description": c.description} for c in columns],
        "primaryKey": [key],
        "missingValues": [""],
    }


# -- the package -------------------------------------------------------------------------------


def newest_date(library: LibraryView) -> str:
    """The newest date in the content: what the data is "as of" (the build's date too)."""
    dates = []
    for product in library.products.values():
        dates += [product.date, product.updated]
    for project in library.projects.values():
        dates += [v for k, v in project.timetable.items() if isinstance(v, str) and k != "planned_start"]
        dates += [v.end or v.start for v in project.timetable.values() if isinstance(v, DateRange)]
        generated = project.source.get("date_generated")
        if isinstance(generated, str):
            dates.append(generated)
    return max(dates, default="2000-01-01")


def schema_file(name: str) -> bytes:
    """A packaged JSON Schema of the published JSON (``generator/export/schemas/``)."""
    return _SCHEMAS.joinpath(name).read_bytes()


def open_data_files(
    settings: ExportSettings,
    library: LibraryView,
    languages: Sequence[str],
    extra: Mapping[str, bytes] = {},
) -> dict[str, bytes]:
    """Every file of ``data/`` but the package, then ``datapackage.json`` describing them and
    the ``extra`` files (the IATI file) as well."""
    projects = [library.projects[n] for n in sorted(library.projects)]
    products = [library.products[i] for i in sorted(library.products)]
    pcols, kcols = project_columns(languages), product_columns(languages)
    files = {
        "projects.json": _json([project_data(p, languages) for p in projects]),
        "knowledge.json": _json([product_data(k, languages) for k in products]),
        "places.json": _json([place_data(library.places[s], languages) for s in sorted(library.places)]),
        "topics.json": _json([topic_data(library.topics[s], languages) for s in sorted(library.topics)]),
        "projects.csv": _csv(pcols, projects),
        "knowledge.csv": _csv(kcols, products),
    }
    for name in ("projects", "knowledge", "places", "topics"):
        files[f"{name}.schema.json"] = schema_file(f"{name}.schema.json")
    files.update(extra)
    tables = {"projects.csv": _table_schema(pcols, "number"), "knowledge.csv": _table_schema(kcols, "id")}
    package = _package(settings, files, tables, newest_date(library))
    files["datapackage.json"] = (json.dumps(package, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return {f"{FOLDER}/{name}": data for name, data in files.items()}


DESCRIPTIONS = {
    "projects.json": "Project records: every field, texts in every language",
    "knowledge.json": "Knowledge products: every field, title, summary, authors and text by language",
    "places.json": "Places with their names in every language",
    "topics.json": "The topic vocabulary with its names in every language",
    "projects.csv": "Project records, one row per project",
    "knowledge.csv": "Knowledge products, one row per product",
    "iati-activities.xml": "IATI 2.03 activity file, one activity per project",
}


def _package(
    settings: ExportSettings,
    files: Mapping[str, bytes],
    tables: Mapping[str, dict[str, Any]],
    as_of: str,
) -> dict[str, Any]:
    licence = {"name": settings.licence, "title": settings.licence_title, "path": settings.licence_url}
    resources_ = []
    for name, data in files.items():
        if name.endswith(".schema.json"):
            continue
        stem, _, extension = name.partition(".")
        resource: dict[str, Any] = {
            "name": f"{stem}-{extension}",
            "path": name,
            "title": DESCRIPTIONS.get(name, name),
            "format": extension,
            "mediatype": _MEDIA_TYPES[extension],
            "encoding": "utf-8-sig" if extension == "csv" else "utf-8",
            "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "licenses": [licence],
        }
        if name in tables:
            resource |= {"type": "table", "profile": "tabular-data-resource", "schema": tables[name]}
            resource["dialect"] = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
        else:
            resource["type"] = "json" if extension == "json" else "file"
        if f"{stem}.schema.json" in files and extension == "json":
            resource["jsonSchema"] = f"{stem}.schema.json"
        resources_.append(resource)
    return {
        "name": "ksite-open-data",
        "title": settings.title,
        "created": f"{as_of}T00:00:00Z",
        "licenses": [licence],
        "resources": resources_,
    }


_MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "xml": "application/xml"}
