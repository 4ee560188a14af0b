"""Citations of knowledge products: the record, the files beside each page (parsed with
bibtexparser, pybtex, rispy and jsonschema), the formatted citations (golden files), and the head
metadata (parsed with BeautifulSoup; JSON-LD checked against the schema.org vocabulary; the item
type Zotero's generic translator would pick).

Regenerate the golden citations after an intended change with
``KSITE_UPDATE_GOLDEN=1 pytest tests/test_citations.py`` and review ``git diff tests/golden``.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pybtex.database
import pytest
import rispy
from bs4 import BeautifulSoup

from generator.check import load_site
from generator.citation import CITED_TYPES, STYLES, bibtex, citation_record, csl_json, formatted, ris
from generator.config import load_config
from generator.export import language_files
from generator.i18n import load_catalogue
from generator.link import LinkedSite

from .builtsite import REPO, built_config, built_site, copy_project

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden" / "citations"
SITE_URL = "https://ksite.example.org/ta-54037/"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, LinkedSite]:
    config = copy_project(tmp_path_factory.mktemp("cite") / "project", site_url=SITE_URL)
    site, problems = load_site(config)
    assert problems == []
    return config, site


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, LinkedSite]:
    """The bundled content with one brief's authors as a Chinese name kept whole, a person whose
    names are split, and an organisation, and a report number (test data, not a claim)."""
    config = copy_project(tmp_path_factory.mktemp("named") / "project", site_url=SITE_URL)
    path = config.content_dir / "knowledge" / "planning-beyond-2020.md"
    text = path.read_text("utf-8").replace(
        "authors:\n  - ksite example content\n",
        "number: Test Report 7\nauthors:\n  - 李世民\n  - {family: Wang, given: Fang Li}\n"
        "  - ksite example content\n",
    )
    path.write_text(text, "utf-8")
    site, problems = load_site(config)
    assert problems == []
    return config, site


def record_of(config: Any, site: LinkedSite, product_id: str, lang: str, **kw: Any) -> Any:
    catalogue = load_catalogue(lang, config.templates_dir / "i18n", fallback=config.default_language)
    prefix = "" if lang == config.default_language else f"{lang}/"
    options = {"publisher": config.publisher_in(lang), "site_url": config.site_url, "lang_prefix": prefix}
    return citation_record(site, catalogue, product_id, **(options | kw))


def test_every_product_type_has_its_citation_types() -> None:
    schema = json.loads((REPO / "generator" / "schemas" / "knowledge.schema.json").read_text("utf-8"))
    assert set(schema["properties"]["type"]["enum"]) == set(CITED_TYPES)


def test_bundled_content_has_every_product_type(bundled: tuple[Any, LinkedSite]) -> None:
    """The golden files below then cover every type in both languages."""
    _, site = bundled
    assert {p.type for p in site.library.products.values()} == set(CITED_TYPES)


# -- the files ----------------------------------------------------------------------------------


def test_csl_json_of_every_product_is_valid(bundled: tuple[Any, LinkedSite]) -> None:
    config, site = bundled
    schema = json.loads((FIXTURES / "csl" / "csl-data.json").read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    for lang in config.languages:
        files = language_files(config, site, lang)
        for product_id, product in site.library.products.items():
            data = json.loads(files[f"knowledge/{product_id}/{product_id}.csl.json"])
            validator.validate(data)
            (item,) = data
            assert item["type"] == CITED_TYPES[product.type].csl
            assert item["issued"] == {"date-parts": [[int(x) for x in product.date.split("-")]]}
            prefix = "" if lang == "en" else "zh/"
            assert item["URL"] == f"{SITE_URL}{prefix}knowledge/{product_id}/"


def test_literal_and_split_names(named: tuple[Any, LinkedSite]) -> None:
    config, site = named
    record = record_of(config, site, "planning-beyond-2020", "en")
    item = json.loads(csl_json(record))[0]
    assert item["author"] == [
        {"literal": "李世民"},
        {"family": "Wang", "given": "Fang Li"},
        {"literal": "ksite example content"},
    ]
    assert item["number"] == "Test Report 7"
    apa = formatted(record, "apa")
    assert apa.startswith("李世民, Wang, F. L., &amp; ksite example content. (2021).")
    assert "(Report Test Report 7)" in apa


def test_bibtex_keeps_literal_names_whole(named: tuple[Any, LinkedSite]) -> None:
    config, site = named
    text = bibtex(record_of(config, site, "planning-beyond-2020", "en")).decode("utf-8")
    assert "author = {{李世民} and Wang, Fang Li and {ksite example content}}" in text
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.entry_type == "techreport"
    assert entry["number"] == "Test Report 7"
    assert entry["institution"] == f"{{{config.site_name}}}"
    persons = pybtex.database.parse_string(text, "bibtex").entries["planning-beyond-2020"].persons["author"]
    assert [(p.last_names, p.first_names + p.middle_names) for p in persons] == [
        (["{李世民}"], []),
        (["Wang"], ["Fang", "Li"]),
        (["{ksite example content}"], []),
    ]


def test_braces_in_the_content_make_a_valid_bibtex_file(named: tuple[Any, LinkedSite]) -> None:
    """A brace in a title or name is a character of the content, not BibTeX's grouping: an
    unmatched one must neither break the file nor the build."""
    config, site = named
    record = replace(
        record_of(config, site, "planning-beyond-2020", "en"), title="Costs of {sic", publisher="Office} of"
    )
    text = bibtex(record).decode("utf-8")
    entry = pybtex.database.parse_string(text, "bibtex").entries["planning-beyond-2020"]
    assert entry.fields["title"] == "{Costs of \\textbraceleft{}sic}"
    assert entry.fields["institution"] == "{Office\\textbraceright{} of}"
    assert bibtexparser.parse_string(text).failed_blocks == []


def test_ris_names_people_family_first(named: tuple[Any, LinkedSite]) -> None:
    config, site = named
    (entry,) = rispy.loads(ris(record_of(config, site, "planning-beyond-2020", "en")).decode("utf-8"))
    assert entry["type_of_reference"] == "RPRT"
    assert entry["authors"] == ["李世民", "Wang, Fang Li", "ksite example content"]
    assert entry["number"] == "Test Report 7"
    # The Chinese page cites its translation, which names its own authors.
    (entry,) = rispy.loads(ris(record_of(config, site, "planning-beyond-2020", "zh")).decode("utf-8"))
    assert entry["authors"] == ["ksite 示例内容"]
    assert entry["title"] == "2020年以后的绿色经济多元化规划"
    assert entry["language"] == "zh"
    assert entry["urls"] == [f"{SITE_URL}zh/knowledge/planning-beyond-2020/"]


def test_publisher_is_the_author_of_a_product_without_authors(
    tmp_path: Path, bundled: tuple[Any, LinkedSite]
) -> None:
    config = copy_project(tmp_path / "project")
    yml = config.config_file.read_text("utf-8")
    config.config_file.write_text(
        yml.replace(
            "      languages: [en, zh]\n",
            "      languages: [en, zh]\n      publisher: {en: Example Publisher, zh: 示例出版者}\n",
        ),
        "utf-8",
    )
    path = config.content_dir / "knowledge" / "smes-and-green-industries.md"
    path.write_text(path.read_text("utf-8").replace("authors:\n  - ksite example content\n", ""), "utf-8")
    path = config.content_dir / "knowledge" / "smes-and-green-industries.zh.md"
    path.write_text(path.read_text("utf-8").replace("authors:\n  - ksite 示例内容\n", ""), "utf-8")
    config = load_config(config.config_file)
    site, problems = load_site(config)
    assert problems == []
    for lang, publisher in (("en", "Example Publisher"), ("zh", "示例出版者")):
        record = record_of(config, site, "smes-and-green-industries", lang)
        (entry,) = rispy.loads(ris(record).decode("utf-8"))
        assert entry["authors"] == [publisher]
        assert entry["publisher"] == publisher
        assert record.url == ""  # no site_url in this copy: no absolute URL anywhere
        assert "URL" not in json.loads(csl_json(record))[0]


# -- formatted citations: golden files -----------------------------------------------------------


def golden_cases() -> list[tuple[str, str]]:
    products = sorted(p.stem for p in (REPO / "content" / "knowledge").glob("*.md") if p.stem.count(".") == 0)
    return [(product, lang) for product in products for lang in ("en", "zh")]


@pytest.mark.parametrize(("product_id", "lang"), golden_cases())
def test_formatted_citations_match_golden(
    bundled: tuple[Any, LinkedSite], product_id: str, lang: str
) -> None:
    config, site = bundled
    record = record_of(config, site, product_id, lang)
    text = "".join(f"{style}: {formatted(record, style)}\n" for style in STYLES)
    path = GOLDEN / f"{record.type}.{product_id}.{lang}.txt"
    if os.environ.get("KSITE_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    assert path.exists(), f"no golden file {path.name}; run with KSITE_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text("utf-8")


# -- the built site -------------------------------------------------------------------------------


def zotero_item_type(meta: list[tuple[str, str]]) -> str:
    """The item type Zotero's generic translator picks from a page's meta tags, as its source
    says (zotero/translators, ``Embedded Metadata.js`` ``init`` and ``RDF.js`` ``detectType``),
    reduced to the tags that can appear here: a Highwire type tag wins, then RDF's order
    (og:type before DC.type), then the Highwire guess from ``citation_title``, then "webpage"."""
    hw_type = hw_guess = None
    for name, _ in meta:
        short = name[name.rfind("citation_") :] if "citation_" in name else ""
        hw_type = {
            "citation_journal_title": "journalArticle",
            "citation_technical_report_institution": "report",
            "citation_conference_title": "conferencePaper",
            "citation_conference": "conferencePaper",
            "citation_book_title": "bookSection",
            "citation_inbook_title": "bookSection",
            "citation_dissertation_institution": "thesis",
        }.get(short, hw_type)
        if short in ("citation_title", "citation_series_title"):
            hw_guess = hw_guess or "journalArticle"
    if hw_type:
        return hw_type
    values = dict((name.lower().replace(":", "."), value) for name, value in meta)
    og = {"website": "webpage", "book": "book", "video.movie": "videoRecording"}.get(
        values.get("og.type", "")
    )
    dc_value = values.get("dc.type", "")
    zotero_types = {"report", "dataset", "presentation", "journalArticle", "webpage", "book", "thesis"}
    dc_table = {
        "report": "report",
        "dataset": "dataset",
        "article": "journalArticle",
        "workingpaper": "report",
    }
    dc = dc_value if dc_value in zotero_types else dc_table.get(dc_value.lower().replace(" ", ""))
    return og or dc or hw_guess or "webpage"


@cache
def product_pages() -> list[tuple[str, str, BeautifulSoup]]:
    site = built_site()
    pages = []
    for product in sorted((REPO / "content" / "knowledge").glob("*.md")):
        if product.stem.count("."):
            continue
        for prefix in ("", "zh/"):
            html = (site / prefix / "knowledge" / product.stem / "index.html").read_text("utf-8")
            pages.append((product.stem, prefix, BeautifulSoup(html, "html.parser")))
    return pages


def meta_of(soup: BeautifulSoup) -> list[tuple[str, str]]:
    return [
        (m["name"], m["content"]) for m in soup.head.find_all("meta") if m.get("name") and m.get("content")
    ]


@pytest.mark.slow
def test_product_pages_carry_highwire_and_dublin_core() -> None:
    config = built_config()
    for product_id, prefix, soup in product_pages():
        meta = meta_of(soup)
        names = [name for name, _ in meta]
        tags = dict(meta)
        assert names.count("citation_title") == 1 and names.count("DC.title") == 1
        assert names.count("citation_author") >= 1
        assert tags["citation_publication_date"].count("/") == 2
        pdf = tags["citation_pdf_url"]
        assert pdf == f"{SITE_URL}{prefix}knowledge/{product_id}/{product_id}.pdf"
        assert (built_site() / prefix / "knowledge" / product_id / f"{product_id}.pdf").is_file()
        assert tags["DC.identifier"] == f"{SITE_URL}{prefix}knowledge/{product_id}/"
        assert tags["citation_language"] == tags["DC.language"]
        assert tags[
            "citation_technical_report_institution"
            if "citation_technical_report_institution" in tags
            else "citation_publisher"
        ] == config.publisher_in(prefix.rstrip("/") or "en")


@pytest.mark.slow
def test_zotero_saves_briefs_notes_and_reports_as_reports() -> None:
    config = built_config()
    site, _ = load_site(config)
    expected = {"report": "report", "research-brief": "report", "policy-note": "report"}
    expected |= {"dataset": "dataset", "presentation": "presentation"}
    for product_id, _prefix, soup in product_pages():
        product_type = site.library.products[product_id].type
        meta = meta_of(soup)
        og_type = soup.head.find("meta", property="og:type")
        # The Open Graph tags are the other half of issue 17: products get og:type "article".
        meta.append(("og:type", og_type["content"] if og_type else "article"))
        tags = dict(meta)
        if product_type in expected:
            assert zotero_item_type(meta) == expected[product_type], (product_id, tags.get("DC.type"))
        if CITED_TYPES[product_type].report:
            assert tags["citation_technical_report_institution"] == config.publisher_in(
                "zh" if _prefix else "en"
            )


@cache
def vocabulary() -> dict[str, dict[str, Any]]:
    with gzip.open(FIXTURES / "schemaorg" / "schemaorg-current-https.jsonld.gz", "rt", encoding="utf-8") as f:
        graph = json.load(f)["@graph"]
    return {node["@id"]: node for node in graph}


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    return [v["@id"] for v in (value if isinstance(value, list) else [value])]


def ancestors(term: str) -> set[str]:
    seen, todo = set(), [term]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(_ids(vocabulary()[current].get("rdfs:subClassOf")))
    return seen


def is_class(term: str) -> bool:
    node = vocabulary().get(term)
    kinds = node.get("@type") if node else None
    return node is not None and ("rdfs:Class" in (kinds if isinstance(kinds, list) else [kinds]))


def check_node(node: dict[str, Any], where: str) -> int:
    """Every type a class of the vocabulary, every property one whose domain includes the node's
    type (or a supertype) and whose range includes each typed value's type; text is accepted
    for any property, as schema.org's data model allows. Returns the properties checked."""
    kind = f"schema:{node['@type']}"
    assert is_class(kind), f"{where}: {kind} is not a schema.org type"
    checked = 0
    for key, value in node.items():
        if key.startswith("@"):
            continue
        prop = vocabulary().get(f"schema:{key}")
        assert prop is not None and prop["@type"] == "rdf:Property", f"{where}: {key} is not a property"
        domain = set(_ids(prop.get("schema:domainIncludes")))
        assert ancestors(kind) & domain, f"{where}: {key} does not apply to {kind}"
        ranges = set(_ids(prop.get("schema:rangeIncludes")))
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "@type" in item:
                assert ancestors(f"schema:{item['@type']}") & ranges, (
                    f"{where}: {key} cannot hold {item['@type']}"
                )
                checked += check_node(item, f"{where}.{key}")
            elif isinstance(item, dict):
                assert set(item) == {"@id"} and item["@id"].startswith(SITE_URL), f"{where}: {key}"
            elif isinstance(item, int | float):
                assert {"schema:Number", "schema:MonetaryAmount"} & ranges, f"{where}: {key} is a number"
        checked += 1
    return checked


@pytest.mark.slow
def test_json_ld_uses_the_schema_org_vocabulary() -> None:
    site = built_site()
    pages = [(f"{prefix}knowledge/{pid}", soup) for pid, prefix, soup in product_pages()]
    for prefix in ("", "zh/"):
        html = (site / prefix / "projects" / "54037-001" / "index.html").read_text("utf-8")
        pages.append((f"{prefix}projects/54037-001", BeautifulSoup(html, "html.parser")))
    seen_types = set()
    for where, soup in pages:
        (script,) = soup.head.find_all("script", type="application/ld+json")
        data = json.loads(script.string)
        assert data.pop("@context") == "https://schema.org"
        assert check_node(data, where) >= 5
        seen_types.add(data["@type"])
    assert seen_types == {
        "Report",
        "ScholarlyArticle",
        "Dataset",
        "Event",
        "PresentationDigitalDocument",
        "Project",
    }


@pytest.mark.slow
def test_cite_this_links_files_that_parse() -> None:
    site = built_site()
    for product_id, prefix, soup in product_pages():
        block = soup.select_one(".ksite-citation")
        assert block is not None
        assert len(block.find_all("blockquote")) == len(STYLES)
        links = [a["href"] for a in block.find_all("a")]
        assert links == [f"{product_id}.bib", f"{product_id}.ris", f"{product_id}.csl.json"]
        folder = site / prefix / "knowledge" / product_id
        assert bibtexparser.parse_string((folder / links[0]).read_text("utf-8")).failed_blocks == []
        assert len(rispy.loads((folder / links[1]).read_text("utf-8"))) == 1
        assert json.loads((folder / links[2]).read_text("utf-8"))[0]["id"] == product_id
