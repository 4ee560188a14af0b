"""Validate stage: schema checks phrased for editors, at the offending key or value, and the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import Problem
from generator.load import RawDocument, parse_markdown, parse_yaml_file
from generator.model import Library
from generator.schemas import inlined, is_valid_for, load_schema, validator_for
from generator.validate import validate_documents
from generator.yamlsource import coerce_by_schema

PROJECT = "content/projects/54037-001.yaml"
BRIEF = "content/knowledge/a-brief.md"
MINIMAL_PROJECT = "number: 54037-001\ntitle: T\n"
MINIMAL_BRIEF = "---\nid: a-brief\ntype: report\ntitle: A brief\ndate: 2021-03-01\n---\nText\n"


def raw(path: str, text: str) -> RawDocument:
    kind = {"projects": "project", "knowledge": "knowledge", "places": "place"}.get(
        path.split("/")[1], "topics"
    )
    doc, problems = (parse_markdown if path.endswith(".md") else parse_yaml_file)(text, path, kind)
    assert problems == [] and doc is not None
    return doc


def validate(*files: tuple[str, str]) -> tuple[Library, list[str]]:
    library, problems = validate_documents([raw(path, text) for path, text in files])
    return library, [str(p) for p in sorted(problems)]


def errors_of_project(text: str) -> list[str]:
    return validate((PROJECT, text))[1]


def test_minimal_documents_build_the_model() -> None:
    library, problems = validate((PROJECT, MINIMAL_PROJECT), (BRIEF, MINIMAL_BRIEF))
    assert problems == []
    project = library.projects["54037-001"]
    assert project.title.original == "T"
    assert project.language == "en"
    brief = library.products["a-brief"]
    assert (brief.date, brief.type, brief.body.source, brief.body.first_line) == (
        "2021-03-01",
        "report",
        "Text\n",
        7,
    )


def test_no_country_is_the_string_no() -> None:
    library, problems = validate((PROJECT, MINIMAL_PROJECT + "countries: [no, Norway]\n"))
    assert problems == []
    assert library.projects["54037-001"].countries == ("no", "Norway")


def test_numbers_and_booleans_are_converted_only_where_the_schema_asks() -> None:
    text = (
        MINIMAL_PROJECT
        + "status: 1.10\ngender: 0777\n"
        + "outputs:\n  - number: 2\n    statement: 1.10\n"
        + "funding:\n  - sources:\n      - name: TASF\n        amount: 400000\n"
        + "      - name: B\n        amount: 1.5\n"
        + "source:\n  incomplete: true\n  date_generated: 2020-09-16\n"
    )
    library, problems = validate((PROJECT, text))
    assert problems == []
    project = library.projects["54037-001"]
    assert (project.status, project.gender) == ("1.10", "0777")
    assert project.outputs[0].number == 2
    assert project.outputs[0].statement.original == "1.10"
    assert [s.amount for s in project.funding[0].sources] == [400000, 1.5]
    assert project.source == {"incomplete": True, "date_generated": "2020-09-16"}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "outputs:\n  - number: '1'\n    statement: s\n",
            "4:13: error: outputs[0].number must be a whole number, not '1'",
        ),
        (
            "outputs:\n  - number: 0777\n    statement: s\n",
            "4:13: error: outputs[0].number must be a whole number, "
            "not '0777' (write digits only, without units or thousands separators)",
        ),
        (
            "outputs:\n  - number: 0\n    statement: s\n",
            "4:13: error: outputs[0].number must be at least 1, not 0",
        ),
        (
            "funding:\n  - sources:\n      - name: X\n        amount: 400,000\n",
            "6:17: error: funding[0].sources[0].amount must be a number or empty, not '400,000' "
            "(write digits only, without units or thousands separators)",
        ),
        (
            "source:\n  incomplete: no\n",
            "4:15: error: source.incomplete must be true or false, not 'no' (write true or false)",
        ),
        (
            "source:\n  incomplete: yes\n",
            "4:15: error: source.incomplete must be true or false, not 'yes' (write true or false)",
        ),
        (
            "timetable:\n  approval: 2020-9-1\n",
            "4:13: error: timetable.approval is '2020-9-1', which is not a date in the form YYYY-MM-DD",
        ),
        ("status: [a]\n", "3:9: error: status must be text or empty, not a list"),
        (
            "countries: []\nlinks:\n  project_page: www.adb.org\n",
            "5:17: error: links.project_page is 'www.adb.org', which is not a web address starting with "
            "http:// or https://",
        ),
        (
            "language: English\n",
            "3:11: error: language is 'English', which is not a language code such as en or zh",
        ),
        (
            "places: [Harbin]\n",
            "3:10: error: places[0] is 'Harbin', which is not a slug (lower-case letters, digits and single "
            "hyphens)",
        ),
        ("countries: ['']\n", "3:13: error: countries[0] must not be empty"),
        (
            "description: [a]\n",
            "3:14: error: description must be text, or a map of language to text such as {en: ..., zh: ...}",
        ),
    ],
)
def test_schema_errors_are_phrased_at_the_value(extra: str, expected: str) -> None:
    assert errors_of_project(MINIMAL_PROJECT + extra) == [f"{PROJECT}:{expected}"]


def test_text_in_a_wrong_form_points_at_the_value() -> None:
    assert errors_of_project("number: 54037-001\ntitle: {en: T, english: X}\n") == [
        f"{PROJECT}:2:8: error: title must be text, or a map of language to text such as {{en: ..., zh: ...}}"
    ]


def test_missing_required_field_points_at_the_mapping() -> None:
    assert errors_of_project("# comment\n\nnumber: 54037-001\n") == [
        f"{PROJECT}:3:1: error: missing required field 'title'; add it"
    ]
    text = MINIMAL_PROJECT + "outputs:\n  - number: 1\n    statement: s\n  - number: 2\n"
    assert errors_of_project(text) == [
        f"{PROJECT}:6:5: error: missing required field 'outputs[1].statement'; add it"
    ]


def test_missing_required_front_matter_field_points_into_the_md_file() -> None:
    _, problems = validate((BRIEF, "---\nid: a-brief\ntitle: A\ndate: 2021-03-01\n---\n"))
    assert problems == [f"{BRIEF}:2:1: error: missing required field 'type'; add it"]


def test_unknown_field_points_at_the_key() -> None:
    assert errors_of_project(MINIMAL_PROJECT + "outputs:\n  - number: 1\n    statment: s\n") == [
        f"{PROJECT}:4:5: error: missing required field 'outputs[0].statement'; add it",
        f"{PROJECT}:5:5: error: unknown field 'outputs[0].statment'; remove it or fix its spelling "
        "(allowed here: indicators, number, statement)",
    ]
    _, problems = validate((BRIEF, MINIMAL_BRIEF.replace("date:", "tags: [a]\ndate:")))
    allowed = ", ".join(sorted(load_schema("knowledge")["properties"]))
    assert allowed.startswith("attachments, authors, date, example, id, ")
    assert problems == [
        f"{BRIEF}:5:1: error: unknown field 'tags'; remove it or fix its spelling (allowed here: {allowed})"
    ]


def test_enum_error() -> None:
    _, problems = validate((BRIEF, MINIMAL_BRIEF.replace("type: report", "type: brief")))
    assert problems == [
        f"{BRIEF}:3:7: error: type is 'brief', which is not one of: research-brief, policy-note, report, "
        "event, "
        "dataset, presentation"
    ]


def test_every_problem_of_every_file_is_reported() -> None:
    _, problems = validate(
        (PROJECT, "number: 54037-001\n"),
        (BRIEF, MINIMAL_BRIEF.replace("type: report", "type: brief").replace("2021-03-01", "2021")),
        ("content/places/harbin.yaml", "kind: town\n"),
    )
    assert problems == [
        f"{BRIEF}:3:7: error: type is 'brief', which is not one of: research-brief, policy-note, report, "
        "event, "
        "dataset, presentation",
        f"{BRIEF}:5:7: error: date is '2021', which is not a date in the form YYYY-MM-DD",
        "content/places/harbin.yaml:1:1: error: missing required field 'name'; add it",
        "content/places/harbin.yaml:1:7: error: kind is 'town', which is not one of: country, province, "
        "prefecture, "
        "city, county, district, region, other",
        f"{PROJECT}:1:1: error: missing required field 'title'; add it",
    ]


def test_duplicate_project_number_is_an_error_at_both_files() -> None:
    other = "content/projects/54037-002.yaml"
    library, problems = validate((PROJECT, MINIMAL_PROJECT), (other, "title: U\nnumber: 54037-001\n"))
    assert problems == [
        f"{PROJECT}:1:9: error: duplicate project number '54037-001', also used by {other}; each must be "
        "unique",
        f"{other}:2:9: error: duplicate project number '54037-001', also used by {PROJECT}; each must be "
        "unique",
        f"{other}:2:9: error: number '54037-001' does not match the file name '54037-002'; "
        "rename the file or change the number",
    ]
    assert library.projects["54037-001"].title.original == "T"


def test_duplicate_product_id_is_an_error_at_both_files() -> None:
    other = "content/knowledge/b-brief.md"
    _, problems = validate((BRIEF, MINIMAL_BRIEF), (other, MINIMAL_BRIEF))
    assert problems == [
        f"{BRIEF}:2:5: error: duplicate knowledge product id 'a-brief', also used by {other}; each must be "
        "unique",
        f"{other}:2:5: error: duplicate knowledge product id 'a-brief', also used by {BRIEF}; each must be "
        "unique",
        f"{other}:2:5: error: id 'a-brief' does not match the file name 'b-brief'; rename the file or "
        "change the id",
    ]


def test_topics_and_places() -> None:
    topics = "innovation:\n  name: {en: Innovation, zh: 创新}\nbad_slug:\n  name: X\n  title: Y\n"
    _, problems = validate(("content/topics.yaml", topics))
    assert problems == [
        "content/topics.yaml:3:1: error: the name 'bad_slug' is not a slug "
        "(lower-case letters, digits and single hyphens)",
        "content/topics.yaml:5:3: error: unknown field 'bad_slug.title'; remove it or fix its spelling "
        "(allowed here: description, name)",
    ]
    library, problems = validate(
        ("content/topics.yaml", "innovation:\n  name: {en: Innovation, zh: 创新}\n"),
        ("content/places/harbin.yaml", "name: {en: Harbin, zh: 哈尔滨}\nkind: city\nparent: heilongjiang\n"),
    )
    assert problems == []
    assert library.topics["innovation"].name.pick("zh") == ("创新", "zh")
    place = library.places["harbin"]
    assert (place.kind, place.parent, place.name.pick("fr")) == ("city", "heilongjiang", ("Harbin", "en"))


# --- translations ---------------------------------------------------------------------------

ZH = "content/knowledge/a-brief.zh.md"


def test_translation_is_attached_to_its_original() -> None:
    library, problems = validate(
        (BRIEF, MINIMAL_BRIEF), (ZH, "---\ntitle: 简报\ntranslated_from: 2021-03-01\n---\n正文\n")
    )
    assert problems == []
    translation = library.products["a-brief"].translations["zh"]
    assert (translation.title, translation.translated_from, translation.body.source) == (
        "简报",
        "2021-03-01",
        "正文\n",
    )


def test_translation_problems() -> None:
    _, problems = validate((ZH, "---\ntitle: 简报\n---\n"))
    assert problems == [
        f"{ZH}:1:1: error: translation of 'a-brief', but there is no a-brief.md beside it; "
        "add the original or rename this file"
    ]
    _, problems = validate((BRIEF, MINIMAL_BRIEF), (ZH, "---\ntitle: 简报\ntype: event\n---\n"))
    assert problems == [
        f"{ZH}:3:7: error: 'type' differs from the original {BRIEF} ('report'); "
        "a translation takes 'type' from its original, so remove it here"
    ]
    _, problems = validate(
        (BRIEF, MINIMAL_BRIEF), ("content/knowledge/a-brief.en.md", "---\ntitle: B\n---\n")
    )
    assert problems == [
        "content/knowledge/a-brief.en.md:1:1: error: 'a-brief' is already in 'en'; a translation must be in "
        "another language"
    ]


def test_problem_values_sort_by_position() -> None:
    _, problems = validate_documents([raw(PROJECT, "title: [x]\n")])
    assert all(isinstance(p, Problem) for p in problems)
    assert [(p.pos.line, p.pos.column) for p in sorted(problems)] == [(1, 1), (1, 8)]


def _mutations(data: object, where: tuple[object, ...] = ()) -> list[tuple[tuple[object, ...], object]]:
    """Every path of a document with a value of each JSON kind put in its place."""
    odd: list[object] = [None, "", "text", 7, 1.5, True, [], ["x"], {}, {"en": "x"}, {"xx-toolongtag": "x"}]
    found = [(where, value) for value in odd]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_mutations(value, (*where, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_mutations(value, (*where, index)))
    return found


def _replaced(data: object, where: tuple[object, ...], value: object) -> object:
    if not where:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)  # type: ignore[call-overload]
    copy[where[0]] = _replaced(copy[where[0]], where[1:], value)
    return copy


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("content/projects/54037-001.yaml", "project"),
        ("content/knowledge/smes-and-green-industries.md", "knowledge"),
        ("content/places/heilongjiang.yaml", "place"),
        ("content/topics.yaml", "topics"),
    ],
)
def test_fast_schema_check_agrees_with_jsonschema(path: str, schema: str) -> None:
    """The compiled yes/no check (alternatives merged for speed) accepts exactly what the
    reference validator accepts, for the bundled document and every one-value mutation of it."""
    root = Path(__file__).resolve().parent.parent
    doc = raw(path, (root / path).read_text("utf-8"))
    data = coerce_by_schema(doc.yaml, inlined(schema)).data
    fast, reference = is_valid_for(schema), validator_for(schema)
    cases = _mutations(data)
    assert len(cases) > 30
    disagreements = [
        (where, value)
        for where, value in cases
        if fast(mutated := _replaced(data, where, value)) != reference.is_valid(mutated)
    ]
    assert disagreements == []
    assert fast(data)
