"""Validate stage: raw documents to the immutable model, every problem collected.

The JSON Schemas decide types: a first pass finds where a plain YAML scalar must be a
number or boolean, :func:`coerce_to_schema` converts it, a second pass reports what is
still wrong in words an editor can act on, at the line of the offending key or value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import Problem, error
from .load import RawDocument
from .model import (
    Agency,
    Attachment,
    Author,
    DateRange,
    Funding,
    FundingSource,
    Indicator,
    KnowledgeProduct,
    Library,
    Markdown,
    Origin,
    Output,
    Page,
    Place,
    ProjectRecord,
    Sector,
    Text,
    Topic,
    Translation,
)
from .schemas import definition, inlined, is_valid_for, validator_for
from .yamlsource import YamlDocument, coerce_by_schema, coerce_to_schema

if TYPE_CHECKING:
    from jsonschema import ValidationError

SCHEMA_OF_KIND = {"project": "project", "knowledge": "knowledge", "place": "place", "topics": "topics"}
TRANSLATABLE_FRONT_MATTER = {"title", "summary", "authors", "translated_from", "machine_translated"}
DEFAULT_LANGUAGE = "en"


def validate_documents(
    documents: Iterable[RawDocument],
    default_language: str = DEFAULT_LANGUAGE,
    unreadable: Iterable[tuple[str, str]] = (),
) -> tuple[Library, list[Problem]]:
    """Check every document against its schema and build the :class:`Library`.

    ``unreadable`` names (kind, stem) of files that failed to load: like documents that fail
    the schema, they count as existing for references, so one mistake gives one error.
    """
    problems: list[Problem] = []
    projects: dict[str, ProjectRecord] = {}
    products: dict[str, KnowledgeProduct] = {}
    translations: list[RawDocument] = []
    places: dict[str, Place] = {}
    topics: dict[str, Topic] = {}
    pages: dict[str, Page] = {}
    claimed: dict[tuple[str, str], list[tuple[RawDocument, str]]] = {}
    failed: dict[str, set[str]] = {}
    for kind, stem in unreadable:
        failed.setdefault(kind, set()).add(stem)
    page_translations: list[RawDocument] = []

    for doc in documents:
        if doc.kind == "page":
            if doc.lang is None:
                page = _page(doc)
                pages[page.slug] = page
            else:
                page_translations.append(doc)
            continue
        if doc.kind == "knowledge" and doc.lang is not None:
            translations.append(doc)
            continue
        checked, schema_problems = schema_check(doc.yaml, SCHEMA_OF_KIND[doc.kind])
        problems.extend(schema_problems)
        if schema_problems:
            failed.setdefault(doc.kind, set()).add(doc.stem)
            continue
        data = checked.data
        origin = Origin(doc.path, doc.yaml.values)
        if doc.kind == "project":
            record = _project(data, origin, default_language)
            problems.extend(_check_shares(record))
            claimed.setdefault(("project number", record.number), []).append((doc, "number"))
            _check_name(doc, record.number, "number", problems)
            projects.setdefault(record.number, record)
        elif doc.kind == "knowledge":
            assert doc.body is not None
            product = _product(data, origin, doc.body, default_language)
            claimed.setdefault(("knowledge product id", product.id), []).append((doc, "id"))
            _check_name(doc, product.id, "id", problems)
            products.setdefault(product.id, product)
        elif doc.kind == "place":
            places[doc.stem] = Place(
                slug=doc.stem,
                name=_text(data["name"], default_language),
                kind=data["kind"],
                origin=origin,
                parent=data.get("parent"),
                description=_maybe_text(data.get("description"), default_language),
            )
        elif doc.kind == "topics":
            for slug, entry in data.items():
                topics[slug] = Topic(
                    slug=slug,
                    name=_text(entry["name"], default_language),
                    origin=Origin(
                        doc.path,
                        {
                            **{k[1:]: v for k, v in doc.yaml.values.items() if k[:1] == (slug,)},
                            (): doc.yaml.position((slug,), key=True),
                        },
                    ),
                    description=_maybe_text(entry.get("description"), default_language),
                )

    for (what, value), owners in claimed.items():
        if len(owners) > 1:
            for doc, field_name in owners:
                others = ", ".join(o.path for o, _ in owners if o is not doc)
                problems.append(
                    doc.yaml.error_at(
                        (field_name,),
                        f"duplicate {what} '{value}', also used by {others}; each must be unique",
                    )
                )

    for doc in translations:
        problems.extend(_attach_translation(doc, products))
    for doc in page_translations:
        problems.extend(_attach_page_translation(doc, pages))

    library = Library(
        projects=projects,
        products=products,
        places=places,
        topics=topics,
        pages=pages,
        failed={kind: frozenset(names) for kind, names in failed.items()},
    )
    return library, problems


def schema_check(
    doc: YamlDocument, schema_name: str, *, required: bool = True
) -> tuple[YamlDocument, list[Problem]]:
    """The document with its plain scalars typed by the schema, and each remaining error
    phrased for an editor; ``doc`` is left as it is."""
    doc = coerce_by_schema(doc, inlined(schema_name, required=required))
    if is_valid_for(schema_name, required=required)(doc.data):
        return doc, []
    validator = validator_for(schema_name, required=required)
    errors = list(validator.iter_errors(doc.data))
    coerced = coerce_to_schema(doc, errors) if errors else None
    if coerced is not None:
        doc = coerced
        errors = list(validator.iter_errors(doc.data))
    return doc, [_phrase(doc, e) for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))]


def _field_name(where: Iterable[Any]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the document"


def _phrase(doc: YamlDocument, err: ValidationError) -> Problem:
    # jsonschema types these as "value or Unset"; within an error they are always set.
    wanted: Any = err.validator_value
    schema: Any = err.schema
    validator: Any = err.validator
    where = tuple(err.absolute_path)
    name = _field_name(where)
    value = err.instance
    if validator == "required":
        missing = [f for f in wanted if not isinstance(value, dict) or f not in value]
        field_path = _field_name(where + (missing[0],)) if missing else name
        return doc.error_at(where, f"missing required field '{field_path}'; add it")
    if "propertyNames" in err.absolute_schema_path and isinstance(value, str):
        # The value checked is a key (such as a topic slug); point at that key.
        what = _PATTERN_WORDS.get(wanted, err.message) if validator == "pattern" else err.message
        return doc.error_at(where + (value,), f"the name '{value}' {what}", key=True)
    if validator == "additionalProperties" and isinstance(value, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in value if k not in allowed]
        key = extra[0] if extra else ""
        hint = f" (allowed here: {', '.join(allowed)})" if allowed else ""
        return doc.error_at(
            where + (key,),
            f"unknown field '{_field_name(where + (key,))}'; remove it or fix its spelling{hint}",
            key=True,
        )
    if validator == "type":
        expected = wanted if isinstance(wanted, list) else [wanted]
        words = " or ".join(_TYPE_WORDS.get(t, str(t)) for t in expected)
        hint = ""
        if isinstance(value, str) and where in doc.plain and ("number" in expected or "integer" in expected):
            hint = " (write digits only, without units or thousands separators)"
        elif isinstance(value, str) and "boolean" in expected:
            hint = " (write true or false)"
        return doc.error_at(where, f"{name} must be {words}, not {_show(value)}{hint}")
    if validator == "enum":
        options = ", ".join(str(v) for v in wanted)
        return doc.error_at(where, f"{name} is {_show(value)}, which is not one of: {options}")
    if validator == "pattern":
        what = _PATTERN_WORDS.get(wanted, f"must match {wanted}")
        return doc.error_at(where, f"{name} is {_show(value)}, which {what}")
    if validator == "oneOf":
        text_forms = definition("common", "text")["oneOf"]
        if wanted == text_forms or any(s.get("oneOf") == text_forms for s in wanted):
            return doc.error_at(
                where, f"{name} must be text, or a map of language to text such as {{en: ..., zh: ...}}"
            )
        best = min(err.context or [err], key=lambda e: len(list(e.relative_path)), default=err)
        if best is not err and best.validator != "type":
            return _phrase(doc, best)
        return doc.error_at(where, f"{name} is {_show(value)}, which has the wrong form: {err.message}")
    if validator in ("minLength", "minItems", "minProperties"):
        return doc.error_at(where, f"{name} must not be empty")
    if validator == "minimum":
        return doc.error_at(where, f"{name} must be at least {wanted}, not {_show(value)}")
    if validator == "exclusiveMinimum":
        return doc.error_at(where, f"{name} must be more than {wanted}, not {_show(value)}")
    if validator == "maximum":
        return doc.error_at(where, f"{name} must be at most {wanted}, not {_show(value)}")
    return doc.error_at(where, f"{name}: {err.message}")


_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}
_PATTERN_WORDS = {
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$": "is not a date in the form YYYY-MM-DD",
    "^[a-z0-9]+(-[a-z0-9]+)*$": "is not a slug (lower-case letters, digits and single hyphens)",
    "^[0-9]{5}-[0-9]{2,3}$": "is not a project number such as 54037-001",
    "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$": "is not a language code such as en or zh",
    "^(https?://|mailto:)[^\\s]+$": "is not a web address starting with http:// or https://",
}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) < 60 else repr(value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return repr(value)


def _check_shares(record: ProjectRecord) -> list[Problem]:
    """Sector shares are all given or none, and add up to 100: a share is never inferred."""
    shares = [s.share for s in record.sectors]
    given = [share for share in shares if share is not None]
    if not given:
        return []
    if len(given) < len(shares):
        missing = shares.index(None)
        return [
            Problem(
                record.origin.at("sectors", missing),
                f"sectors[{missing}] has no share while other sectors have one; "
                "give every sector a share (adding up to 100) or none",
            )
        ]
    if abs(sum(given) - 100) > 1e-6:
        return [
            Problem(
                record.origin.at("sectors"),
                f"the sectors' shares add up to {sum(given):g}, not 100; correct them so they do",
            )
        ]
    return []


def _check_name(doc: RawDocument, value: str, field_name: str, problems: list[Problem]) -> None:
    if doc.stem != value:
        problems.append(
            doc.yaml.error_at(
                (field_name,),
                f"{field_name} '{value}' does not match the file name '{doc.stem}'; "
                f"rename the file or change the {field_name}",
            )
        )


def _text(value: Any, default: str) -> Text:
    if isinstance(value, str):
        return Text({default: value}, default)
    return Text(dict(value), default if default in value else next(iter(value)))


def _maybe_text(value: Any, default: str) -> Text | None:
    return None if value is None else _text(value, default)


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value or ())


def _authors(value: Any) -> tuple[Author, ...]:
    """Names as written stay whole; a person given as ``{family, given}`` is shown in the
    order of the family name's script (family first in Chinese, Japanese and Korean)."""
    authors = []
    for item in value or ():
        if isinstance(item, str):
            authors.append(Author(item))
        else:
            family, given = item["family"], item["given"]
            shown = f"{family}{given}" if _east_asian(family) else f"{given} {family}"
            authors.append(Author(shown, family, given))
    return tuple(authors)


def _east_asian(name: str) -> bool:
    return any(unicodedata.east_asian_width(ch) == "W" for ch in name)


def _present(data: dict[str, Any], prefix: str = "") -> frozenset[str]:
    names: set[str] = set()
    for key, value in data.items():
        names.add(prefix + key)
        if isinstance(value, dict) and key not in ("title", "description", "rationale", "location", "extra"):
            names |= _present(value, f"{prefix}{key}.")
    return frozenset(names)


def _project(data: dict[str, Any], origin: Origin, site_default: str) -> ProjectRecord:
    lang = data.get("language", site_default)

    def texts(key: str, section: dict[str, Any]) -> dict[str, Text | None]:
        return {k: _maybe_text(v, lang) for k, v in section.items() if k != key}

    safeguards = dict(data.get("safeguards") or {})
    return ProjectRecord(
        number=data["number"],
        title=_text(data["title"], lang),
        language=lang,
        origin=origin,
        countries=_tuple(data.get("countries")),
        status=data.get("status"),
        modalities=_tuple(data.get("modalities")),
        funding=tuple(
            Funding(
                instrument=f.get("instrument"),
                approval_number=f.get("approval_number"),
                title=f.get("title"),
                status=f.get("status"),
                sources=tuple(FundingSource(**s) for s in f.get("sources", ())),
            )
            for f in data.get("funding", ())
        ),
        strategic_agendas=_tuple(data.get("strategic_agendas")),
        drivers_of_change=_tuple(data.get("drivers_of_change")),
        operational_priorities=_tuple(data.get("operational_priorities")),
        sectors=tuple(
            Sector(s["sector"], _tuple(s.get("subsectors")), s.get("share")) for s in data.get("sectors", ())
        ),
        gender=data.get("gender"),
        description=_maybe_text(data.get("description"), lang),
        rationale=_maybe_text(data.get("rationale"), lang),
        impact=tuple(_text(t, lang) for t in data.get("impact", ())),
        outcome=tuple(_text(t, lang) for t in data.get("outcome", ())),
        outputs=tuple(
            Output(
                number=o["number"],
                statement=_text(o["statement"], lang),
                indicators=tuple(
                    Indicator(
                        text=_text(i["text"], lang),
                        baseline=_maybe_text(i.get("baseline"), lang),
                        target=_maybe_text(i.get("target"), lang),
                        status=_maybe_text(i.get("status"), lang),
                    )
                    for i in o.get("indicators", ())
                ),
            )
            for o in data.get("outputs", ())
        ),
        location=_maybe_text(data.get("location"), lang),
        places=_tuple(data.get("places")),
        topics=_tuple(data.get("topics")),
        safeguard_categories=dict(safeguards.get("categories") or {}),
        safeguards=texts("categories", safeguards),
        consultation=texts("", dict(data.get("consultation") or {})),
        business_opportunities=texts("", dict(data.get("business_opportunities") or {})),
        officer=dict(data.get("officer") or {}),
        executing_agencies=tuple(
            Agency(a["name"], a.get("address")) for a in data.get("executing_agencies", ())
        ),
        timetable={
            k: (DateRange(v["start"], v.get("end")) if isinstance(v, dict) else v)
            for k, v in (data.get("timetable") or {}).items()
        },
        links=dict(data.get("links") or {}),
        source=dict(data.get("source") or {}),
        extra=dict(data.get("extra") or {}),
        present=_present(data),
    )


def _product(data: dict[str, Any], origin: Origin, body: Markdown, site_default: str) -> KnowledgeProduct:
    return KnowledgeProduct(
        id=data["id"],
        type=data["type"],
        title=data["title"],
        date=data["date"],
        language=data.get("language", site_default),
        body=body,
        origin=origin,
        summary=data.get("summary"),
        authors=_authors(data.get("authors")),
        number=data.get("number"),
        project=data.get("project"),
        outputs=_tuple(data.get("outputs")),
        places=_tuple(data.get("places")),
        topics=_tuple(data.get("topics")),
        example=bool(data.get("example", False)),
        machine_translated=bool(data.get("machine_translated", False)),
        attachments=tuple(Attachment(a["title"], a["file"]) for a in data.get("attachments", ())),
        updated=data.get("updated", data["date"]),
    )


def _attach_translation(doc: RawDocument, products: dict[str, KnowledgeProduct]) -> list[Problem]:
    """Validate ``<id>.<lang>.md`` and add it to its original; shared fields must agree."""
    checked, problems = schema_check(doc.yaml, "knowledge", required=False)
    if problems:
        return problems
    data = checked.data
    original = products.get(doc.stem)
    if original is None:
        return [
            error(
                doc.path,
                1,
                1,
                f"translation of '{doc.stem}', but there is no {doc.stem}.md beside it; "
                "add the original or rename this file",
            )
        ]
    assert doc.lang is not None and doc.body is not None
    if doc.lang == original.language:
        return [
            error(
                doc.path,
                1,
                1,
                f"'{doc.stem}' is already in '{doc.lang}'; a translation must be in another language",
            )
        ]
    for key, value in data.items():
        if key in TRANSLATABLE_FRONT_MATTER:
            continue
        mine = value if key not in ("outputs", "places", "topics") else tuple(value)
        theirs = getattr(original, key, None)
        if key == "example":
            theirs = original.example
        if mine != theirs:
            problems.append(
                doc.yaml.error_at(
                    (key,),
                    f"'{key}' differs from the original {original.origin.path} ({_show(theirs)}); "
                    f"a translation takes '{key}' from its original, so remove it here",
                )
            )
    if problems:
        return problems
    translation = Translation(
        lang=doc.lang,
        title=data.get("title", original.title),
        summary=data.get("summary", original.summary),
        authors=_authors(data.get("authors")) or original.authors,
        body=doc.body,
        origin=Origin(doc.path, doc.yaml.values),
        translated_from=data.get("translated_from"),
        machine_translated=bool(data.get("machine_translated", False)),
    )
    merged = dict(original.translations)
    merged[doc.lang] = translation
    products[doc.stem] = replace(original, translations=merged)
    return []


def _attach_page_translation(doc: RawDocument, pages: dict[str, Page]) -> list[Problem]:
    original = pages.get(doc.stem)
    if original is None:
        return [
            error(
                doc.path, 1, 1, f"translation of page '{doc.stem}', but there is no {doc.stem}.md beside it"
            )
        ]
    assert doc.lang is not None and doc.body is not None
    title = str(doc.yaml.data.get("title") or original.title)
    pages[doc.stem] = replace(
        original,
        translations={**original.translations, doc.lang: (title, doc.body)},
    )
    return []


def _page(doc: RawDocument) -> Page:
    assert doc.body is not None
    data = doc.yaml.data
    title = data.get("title") or doc.stem.replace("-", " ").capitalize()
    return Page(
        slug=doc.stem,
        title=str(title),
        body=doc.body,
        origin=Origin(doc.path, doc.yaml.values),
    )
