"""Faceted lists: the knowledge catalogue and the project list, with their filters.

The page is the complete list, server-rendered; each item carries its facet values as
``data-facet-<key>`` attributes (values joined by ``|``). A compact JSON (facets, value labels
in the page's language, interface text) is written into the page itself, so the filters work
from ``file://`` without ``fetch``; ``assets/ksite/ksite-facets.js`` builds the filter form from
it, counts, hides and keeps the state in the URL. Without JavaScript the list is simply complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .model import KnowledgeProduct, ProjectRecord
from .reads import SiteView
from .views import Pager, ProductCard

SEPARATOR = "|"
"""Joins the values of one facet in a data attribute; no value may contain it."""


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    title: str = ""
    """A longer description (an output's statement), shown as a tooltip."""


@dataclass(frozen=True)
class Facet:
    key: str
    """Name of the facet in the URL query and in ``data-facet-<key>``."""
    label: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class FacetedItem:
    """One entry of the list and its values per facet."""

    values: tuple[tuple[str, tuple[str, ...]], ...]
    card: ProductCard | None = None
    project: dict[str, object] | None = None
    """A project's summary row (``Renderer._project_summary``) on the project list."""

    @property
    def attributes(self) -> Markup:
        """The ``data-facet-*`` attributes of the item's element."""
        # escape() and one join: Markup.format per attribute was most of a 1,000-item list's time.
        parts = "".join(f' data-facet-{escape(key)}="{escape(SEPARATOR.join(v))}"' for key, v in self.values)
        return Markup(" data-ksite-item" + parts)


@dataclass(frozen=True)
class FacetedList:
    facets: tuple[Facet, ...]
    items: tuple[FacetedItem, ...]
    labels: dict[str, str]

    @property
    def json(self) -> Markup:
        """The facets and interface text for the script, safe inside ``<script>``."""
        data = {
            "facets": [
                {
                    "key": f.key,
                    "label": f.label,
                    "values": [
                        [v.value, v.label, v.title] if v.title else [v.value, v.label] for v in f.values
                    ],
                }
                for f in self.facets
            ],
            "labels": self.labels,
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _labels(pager: Pager) -> dict[str, str]:
    label = pager.catalogue.label
    return {
        key: label(name)
        for key, name in (
            ("filters", "filters"),
            ("text", "filter_text"),
            ("clear", "filter_clear"),
            ("shown", "filter_shown"),
            ("none", "filter_none"),
        )
    }


def _check(values: Iterable[str]) -> tuple[str, ...]:
    result = tuple(dict.fromkeys(values))
    for value in result:
        if SEPARATOR in value:
            raise ValueError(f"a facet value may not contain '{SEPARATOR}': {value!r}")
    return result


def _facet(key: str, label: str, values: dict[str, FacetValue], order: Sequence[str] | None = None) -> Facet:
    keys = list(order) if order is not None else sorted(values, key=lambda v: values[v].label.casefold())
    return Facet(key, label, tuple(values[k] for k in keys if k in values))


def knowledge_list(pager: Pager, site: SiteView, cards: Sequence[ProductCard]) -> FacetedList:
    """The catalogue of every knowledge product, newest first (``cards``, in the order of
    ``site.products_newest_first``), with its seven facets."""
    lib = site.library
    label = pager.catalogue.label
    several_projects = len({p.project for p in lib.products.values() if p.project}) > 1
    found: dict[str, dict[str, FacetValue]] = {k: {} for k in _KNOWLEDGE_FACETS}
    items = []
    for product_id, card in zip(site.products_newest_first, cards, strict=True):
        product = lib.products[product_id]
        values = _product_values(product)
        for key, keys in values:
            for value in keys:
                if value not in found[key]:
                    found[key][value] = _product_value_label(pager, site, key, value, several_projects)
        items.append(FacetedItem(values=values, card=card))
    type_order = list(pager.catalogue.vocabulary.get("type", {})) + sorted(found["type"])
    facets = (
        _facet("type", label("type"), found["type"], list(dict.fromkeys(type_order))),
        _facet("place", label("filter_place"), found["place"]),
        _facet("topic", label("filter_topic"), found["topic"]),
        _facet("year", label("filter_year"), found["year"], sorted(found["year"], reverse=True)),
        _facet("language", label("filter_language"), found["language"], sorted(found["language"])),
        _facet("project", label("project"), found["project"], sorted(found["project"])),
        _facet("output", label("output"), found["output"], _output_order(found["output"])),
    )
    return FacetedList(facets, tuple(items), _labels(pager))


_KNOWLEDGE_FACETS = ("type", "place", "topic", "year", "language", "project", "output")


def _product_values(product: KnowledgeProduct) -> tuple[tuple[str, tuple[str, ...]], ...]:
    languages = [product.language, *sorted(product.translations)]
    outputs = [f"{product.project}/{n}" for n in product.outputs] if product.project else []
    return (
        ("type", _check([product.type])),
        ("place", _check(product.places)),
        ("topic", _check(product.topics)),
        ("year", _check([product.year])),
        ("language", _check(languages)),
        ("project", _check([product.project] if product.project else [])),
        ("output", _check(outputs)),
    )


def _product_value_label(pager: Pager, site: SiteView, key: str, value: str, several: bool) -> FacetValue:
    lib = site.library
    if key == "type":
        return FacetValue(value, pager.catalogue.term("type", value))
    if key == "place":
        return FacetValue(value, pager.place_link(value).title)
    if key == "topic":
        return FacetValue(value, pager.topic_link(value).title)
    if key == "language":
        return FacetValue(value, pager.catalogue.term("language", value))
    if key == "project":
        project = lib.projects.get(value)
        return FacetValue(value, value, pager.plain(project.title)[0] if project else "")
    if key == "output":
        number, _, output_number = value.partition("/")
        project = lib.projects.get(number)
        output = project.output(int(output_number)) if project else None
        text = f"{pager.catalogue.label('output')} {output_number}" + (f" ({number})" if several else "")
        return FacetValue(value, text, pager.plain(output.statement)[0] if output else "")
    return FacetValue(value, value)


def _output_order(values: dict[str, FacetValue]) -> list[str]:
    def key(value: str) -> tuple[str, int]:
        number, _, output = value.partition("/")
        return number, int(output)

    return sorted(values, key=key)


def projects_list(pager: Pager, site: SiteView, summaries: Sequence[dict[str, object]]) -> FacetedList:
    """The list of projects (rows as ``Renderer._project_summary`` makes them) with four facets."""
    lib = site.library
    term = pager.catalogue.term
    label = pager.catalogue.label
    found: dict[str, dict[str, FacetValue]] = {"status": {}, "modality": {}, "sector": {}, "country": {}}
    items = []
    for summary in summaries:
        project: ProjectRecord = lib.projects[str(summary["number"])]
        values = (
            ("status", _check([project.status] if project.status else [])),
            ("modality", _check(project.modalities)),
            ("sector", _check(s.sector for s in project.sectors)),
            ("country", _check(project.countries)),
        )
        vocabulary = {"status": "status", "modality": "modality", "sector": "sector", "country": "countries"}
        for key, keys in values:
            for value in keys:
                found[key].setdefault(value, FacetValue(value, term(vocabulary[key], value)))
        items.append(FacetedItem(values=values, project=summary))
    status_order = list(pager.catalogue.vocabulary.get("status", {})) + sorted(found["status"])
    facets = (
        _facet("status", label("status"), found["status"], list(dict.fromkeys(status_order))),
        _facet("modality", label("modality"), found["modality"]),
        _facet("sector", label("filter_sector"), found["sector"]),
        _facet("country", label("country"), found["country"]),
    )
    return FacetedList(facets, tuple(items), _labels(pager))
