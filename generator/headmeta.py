"""Head metadata for citation tools and search engines: Highwire Press and Dublin Core tags and
schema.org JSON-LD, made from a product's :class:`~generator.citation.CitationRecord` (or a
project record) and written by the ``head.html`` template.

Google Scholar reads the Highwire tags; Zotero's generic translator reads them and Dublin Core
to decide the item type (``citation_technical_report_institution`` makes a report, ``DC.type``
agrees). Tags that must hold an absolute URL are left out when ``site_url`` is not set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .citation import CitationRecord
from .model import ProjectRecord


@dataclass(frozen=True)
class HeadView:
    """What ``head.html`` writes: ``<meta name content>`` pairs in order and one JSON-LD object."""

    meta: tuple[tuple[str, str], ...] = ()
    jsonld: dict[str, Any] | None = None


def product_head(record: CitationRecord) -> HeadView:
    """Highwire, Dublin Core and JSON-LD of one product page."""
    return HeadView(_highwire(record) + _dublin_core(record), product_jsonld(record))


def _highwire(record: CitationRecord) -> tuple[tuple[str, str], ...]:
    tags = [("citation_title", record.title)]
    tags += [("citation_author", name.inverted) for name in record.authors]
    tags.append(("citation_publication_date", record.date.replace("-", "/")))
    if record.cited.report:
        tags.append(("citation_technical_report_institution", record.publisher))
        if record.number:
            tags.append(("citation_technical_report_number", record.number))
    else:
        tags.append(("citation_publisher", record.publisher))
    if record.pdf_url:
        tags.append(("citation_pdf_url", record.pdf_url))
    if record.url:
        tags.append(("citation_abstract_html_url", record.url))
    tags.append(("citation_language", record.language))
    if record.keywords:
        tags.append(("citation_keywords", "; ".join(record.keywords)))
    return tuple(tags)


def _dublin_core(record: CitationRecord) -> tuple[tuple[str, str], ...]:
    tags = [("DC.title", record.title)]
    tags += [("DC.creator", name.inverted) for name in record.authors]
    tags += [
        ("DC.date", record.date),
        ("DC.type", record.cited.dc),
        ("DC.language", record.language),
        ("DC.publisher", record.publisher),
    ]
    if record.url:
        tags.append(("DC.identifier", record.url))
    return tuple(tags)


def product_jsonld(record: CitationRecord) -> dict[str, Any]:
    """schema.org description of a product; an event is described as the event itself (an
    ``Event`` has an organizer and a location rather than authors and a publisher)."""
    kind = record.cited.schema
    node: dict[str, Any] = {"@context": "https://schema.org", "@type": kind, "name": record.title}
    if record.url:
        node["url"] = record.url
    if record.summary:
        node["description"] = record.summary
    node["inLanguage"] = record.language
    publisher = {"@type": "Organization", "name": record.publisher}
    topics = [{"@type": "DefinedTerm", "name": k} for k in record.keywords]
    places = [{"@type": "Place", "name": p} for p in record.places]
    if kind == "Event":
        node["startDate"] = record.date
        node["organizer"] = publisher
        if places:
            node["location"] = places
        if topics:
            node["about"] = topics
        return node
    node["author"] = [_jsonld_name(name) for name in record.authors]
    node["publisher"] = publisher
    node["datePublished"] = record.date
    if record.updated and record.updated != record.date:
        node["dateModified"] = record.updated
    if record.keywords:
        node["keywords"] = list(record.keywords)
    if places or topics:
        node["about"] = places + topics
    if record.project_url:
        node["isPartOf"] = {"@id": record.project_url}
    if record.number and kind == "Report":
        node["reportNumber"] = record.number
    if record.pdf_url:
        node["encoding"] = {
            "@type": "MediaObject",
            "contentUrl": record.pdf_url,
            "encodingFormat": "application/pdf",
        }
    return node


def _jsonld_name(name: Any) -> Any:
    """A person whose names the record splits; otherwise the name as text (schema.org accepts
    text where it expects a Person or an Organization, and a name kept whole may be either)."""
    if name.is_person:
        return {
            "@type": "Person",
            "name": f"{name.given} {name.family}",
            "familyName": name.family,
            "givenName": name.given,
        }
    return name.literal


def project_head(project: ProjectRecord, title: str, description: str, url: str) -> HeadView:
    """A project sheet: a schema.org ``Project`` with its funders and, per funding source with
    an amount, a ``MonetaryGrant`` of that amount (as the data sheet gives it, never summed)."""
    node: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Project",
        "name": title,
        "identifier": project.number,
    }
    if url:
        node["@id"] = url
        node["url"] = url
    if description:
        node["description"] = description
    funders = {s.name: {"@type": "Organization", "name": s.name} for f in project.funding for s in f.sources}
    if funders:
        node["funder"] = list(funders.values())
    grants = []
    for funding in project.funding:
        for source in funding.sources:
            if source.amount is None or not source.currency:
                continue
            grant: dict[str, Any] = {
                "@type": "MonetaryGrant",
                "funder": funders[source.name],
                "amount": {"@type": "MonetaryAmount", "value": source.amount, "currency": source.currency},
            }
            if funding.title:
                grant["name"] = funding.title
            if funding.approval_number:
                grant["identifier"] = funding.approval_number
            grants.append(grant)
    if grants:
        node["funding"] = grants
    return HeadView((), node)
