"""Link stage: every cross-reference names something that exists, at the line that names it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.link import LinkedSite, link_library, page_url, relative_url
from generator.load import parse_markdown, parse_yaml_file
from generator.validate import validate_documents

PROJECT = "content/projects/54037-001.yaml"
PROJECT_TEXT = """\
number: 54037-001
title: T
outputs:
  - number: 1
    statement: Strategy.
  - number: 2
    statement: Policies.
places: [heilongjiang]
topics: [innovation]
"""
TOPICS = ("content/topics.yaml", "innovation:\n  name: Innovation\nskills:\n  name: Skills\n")
PLACE = ("content/places/heilongjiang.yaml", "name: Heilongjiang\nkind: province\n")


def brief(slug: str, date: str = "2021-03-01", extra: str = "", body: str = "Text\n") -> tuple[str, str]:
    return (
        f"content/knowledge/{slug}.md",
        f"---\nid: {slug}\ntype: report\ntitle: {slug}\ndate: {date}\n{extra}---\n{body}",
    )


def link(*files: tuple[str, str], base: bool = True) -> tuple[LinkedSite, list[str]]:
    if base:
        files = ((PROJECT, PROJECT_TEXT), TOPICS, PLACE, *files)
    documents = []
    for path, text in files:
        kind = {"projects": "project", "knowledge": "knowledge", "places": "place", "pages": "page"}.get(
            path.split("/")[1], "topics"
        )
        doc, problems = (parse_markdown if path.endswith(".md") else parse_yaml_file)(text, path, kind)
        assert problems == [] and doc is not None
        documents.append(doc)
    library, problems = validate_documents(documents)
    assert problems == []
    site, link_problems = link_library(library)
    return site, [str(p) for p in sorted(link_problems)]


def test_valid_references_link_cleanly() -> None:
    extra = "project: 54037-001\noutputs: [1, 2]\nplaces: [heilongjiang]\ntopics: [innovation]\n"
    body = "[p](project:54037-001) [o](project:54037-001/outputs/2) [k](knowledge:b) [t](topic:skills)\n"
    _, problems = link(brief("a", extra=extra, body=body), brief("b"))
    assert problems == []


def test_product_front_matter_references_must_exist() -> None:
    extra = "project: 54037-009\nplaces: [heilongjiang, harbin]\ntopics: [climate]\n"
    _, problems = link(brief("a", extra=extra))
    path = "content/knowledge/a.md"
    assert problems == [
        f"{path}:6:10: error: unknown project '54037-009'; it must exist as content/projects/<number>.yaml",
        f"{path}:7:24: error: unknown place 'harbin'; it must exist as content/places/<slug>.yaml",
        f"{path}:8:10: error: unknown topic 'climate'; it must exist as an entry of content/topics.yaml",
    ]


def test_outputs_must_belong_to_the_project() -> None:
    _, problems = link(
        brief("a", extra="project: 54037-001\noutputs: [2, 3]\n"), brief("b", extra="outputs: [1]\n")
    )
    assert problems == [
        "content/knowledge/a.md:7:14: error: project 54037-001 has no output 3 (its outputs: 1, 2)",
        "content/knowledge/b.md:6:10: error: outputs are given but no project; add the project they belong "
        "to",
    ]


def test_project_and_place_references() -> None:
    project = PROJECT_TEXT.replace("places: [heilongjiang]", "places: [heilongjiang, daqing]")
    project = project.replace("topics: [innovation]", "topics:\n  - innovation\n  - jobs")
    harbin = ("content/places/harbin.yaml", "name: Harbin\nkind: city\nparent: heilongjang\n")
    _, problems = link((PROJECT, project), TOPICS, PLACE, harbin, base=False)
    assert problems == [
        "content/places/harbin.yaml:3:9: error: unknown place 'heilongjang'; it must exist as "
        "content/places/<slug>.yaml",
        f"{PROJECT}:8:24: error: unknown place 'daqing'; it must exist as content/places/<slug>.yaml",
        f"{PROJECT}:11:5: error: unknown topic 'jobs'; it must exist as an entry of content/topics.yaml",
    ]


def test_duplicate_output_numbers_are_errors_at_every_use() -> None:
    project = PROJECT_TEXT.replace("  - number: 2", "  - number: 1")
    _, problems = link((PROJECT, project), TOPICS, PLACE, base=False)
    assert problems == [
        f"{PROJECT}:4:13: error: output number 1 is used more than once in this project (also at line 6); "
        "number outputs 1, 2, 3...",
        f"{PROJECT}:6:13: error: output number 1 is used more than once in this project (also at line 4); "
        "number outputs 1, 2, 3...",
    ]


def test_dangling_markdown_references_in_bodies() -> None:
    body = (
        "\n## Findings\n\nSee [x](knowledge:nope) and\n"
        "[o](project:54037-001/outputs/7), [q](project:54037-001/annex).\n"
    )
    translation = ("content/knowledge/a.zh.md", "---\ntitle: 甲\n---\n\n见[项目](project:54037-999)。\n")
    page = ("content/pages/about.md", "---\ntitle: About\n---\n[t](topic:nope)\n")
    _, problems = link(brief("a", body=body), translation, page)
    assert problems == [
        "content/knowledge/a.md:10:9: error: link to knowledge:nope, which does not exist; check the "
        "knowledge product id",
        "content/knowledge/a.md:11:5: error: link to project:54037-001/outputs/7, which does not exist; "
        "project 54037-001 has no output 7 (its outputs: 1, 2)",
        "content/knowledge/a.md:11:39: error: link to project:54037-001/annex, which does not exist; "
        "after the project number only /outputs/<number> may follow (its outputs: 1, 2)",
        "content/knowledge/a.zh.md:5:7: error: link to project:54037-999, which does not exist; check the "
        "project number",
        "content/pages/about.md:4:5: error: link to topic:nope, which does not exist; check the topic slug",
    ]


def test_dangling_references_in_record_texts_point_at_their_line() -> None:
    project = PROJECT_TEXT.replace("Policies.", "Policies, see [b](knowledge:b1).") + (
        "impact:\n  - Jobs [k](knowledge:b2).\n"
        "description: |\n  First.\n\n  Then [k](knowledge:b3).\n"
        "safeguards:\n  summary:\n    en: >-\n      Folded [k](knowledge:b4)\n      text.\n"
    )
    place = (
        "content/places/heilongjiang.yaml",
        "name: H\nkind: province\ndescription: |\n  See [k](knowledge:b5).\n",
    )
    topics = ("content/topics.yaml", "innovation:\n  name: I\n  description: See [k](knowledge:b6).\n")
    _, problems = link((PROJECT, project), topics, place, base=False)
    expected = [
        "content/places/heilongjiang.yaml:4:11: error: link to knowledge:b5",
        f"{PROJECT}:7:34: error: link to knowledge:b1",
        f"{PROJECT}:11:14: error: link to knowledge:b2",
        f"{PROJECT}:15:12: error: link to knowledge:b3",
        f"{PROJECT}:19:18: error: link to knowledge:b4",
        "content/topics.yaml:3:24: error: link to knowledge:b6",
    ]
    assert [p.split(",")[0] for p in problems] == expected


def test_resolve() -> None:
    site, _ = link(brief("a"))
    assert site.resolve("project", "54037-001") == "projects/54037-001/"
    assert site.resolve("project", "54037-001/outputs/2") == "projects/54037-001/outputs/2/"
    assert site.resolve("project", "54037-001/outputs/3") is None
    assert site.resolve("project", "54037-001/outputs/x") is None
    assert site.resolve("knowledge", "a") == "knowledge/a/"
    assert site.resolve("place", "heilongjiang") == "places/heilongjiang/"
    assert site.resolve("topic", "innovation") == "topics/innovation/"
    assert site.resolve("topic", "nope") is None
    assert site.resolve("http", "x") is None


@pytest.mark.parametrize(
    ("target", "current", "expected"),
    [
        ("projects/54037-001/", "knowledge/a/", "../../projects/54037-001/"),
        ("projects/54037-001/outputs/2/", "projects/54037-001/", "outputs/2/"),
        ("", "knowledge/a/", "../../"),
        ("knowledge/a/", "knowledge/a/", "./"),
        ("knowledge/", "", "knowledge/"),
        ("zh/knowledge/a/#findings", "zh/", "knowledge/a/#findings"),
    ],
)
def test_relative_url(target: str, current: str, expected: str) -> None:
    assert relative_url(target, current) == expected


def test_page_urls() -> None:
    assert page_url("output", "54037-001/2", "zh/") == "zh/projects/54037-001/outputs/2/"
    assert page_url("home") == ""
    assert page_url("page", "about") == "about/"


def test_indexes_and_related() -> None:
    site, problems = link(
        brief("old", "2020-01-01", "project: 54037-001\noutputs: [1]\n"),
        brief("new", "2022-05-01", "project: 54037-001\noutputs: [1]\ntopics: [innovation]\n"),
        brief("mid", "2021-01-01", "places: [heilongjiang]\ntopics: [innovation]\n"),
        brief("same-day", "2021-01-01", "topics: [innovation]\n"),
    )
    assert problems == []
    assert site.products_newest_first == ("new", "mid", "same-day", "old")
    assert site.products_by_project == {"54037-001": ("new", "old")}
    assert site.products_by_output == {("54037-001", 1): ("new", "old")}
    assert site.products_by_topic["innovation"] == ("new", "mid", "same-day")
    assert site.projects_by_place == {"heilongjiang": ("54037-001",)}
    # Sharing an output (3) beats sharing a topic (1); ties go newest first.
    assert site.related(site.library.products["new"]) == ["old", "mid", "same-day"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2020-01-01", "2021-01-01", "2021-06-01", "2022-01-01"]),
            st.sets(st.sampled_from([1, 2])),
            st.booleans(),
            st.sets(st.sampled_from(["innovation", "skills"])),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_related_is_the_full_ranking_cut_short(specs: list[tuple[str, set[int], bool, set[str]]]) -> None:
    """related() sorts only the top score levels; it must equal sorting every candidate by
    (score, newest first) and taking the first few, for every limit."""
    files = []
    for i, (date, outputs, placed, topics) in enumerate(specs):
        extra = f"project: 54037-001\noutputs: {sorted(outputs)}\n" if outputs else ""
        extra += "places: [heilongjiang]\n" if placed else ""
        extra += f"topics: {sorted(topics)}\n" if topics else ""
        files.append(brief(f"p{i}", date, extra))
    site, _ = link(*files)
    rank = {pid: i for i, pid in enumerate(site.products_newest_first)}
    products = site.library.products
    for product in products.values():
        scores = {}
        for other in products.values():
            if other.id == product.id:
                continue
            score = 3 * len(set(product.outputs) & set(other.outputs)) * (product.project == other.project)
            score += 2 * len(set(product.places) & set(other.places))
            score += len(set(product.topics) & set(other.topics))
            if score:
                scores[other.id] = score
        ranking = sorted(scores, key=lambda i: (-scores[i], rank[i]))
        for limit in (1, 2, 3, 5, 8):
            assert site.related(product, limit) == ranking[:limit]
