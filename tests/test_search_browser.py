"""The header search in a real Chromium: Pagefind over http, the compact fallback from file://."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .browser import external_hosts
from .builtsite import built_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SME_NOTE_EN = "SMEs, finance and high-value green industries"
SME_NOTE_ZH = "中小企业、融资与高附加值绿色产业"
BRIEF_ZH = "黑龙江资源枯竭型城市概况"
INNOVATION_NOTE = "Putting innovation-enabling systems at the forefront"
PRESENTATION = "技援54037-001项目简介"


def search(page: Any, query: str) -> list[dict[str, str]]:
    """Type ``query`` into Material's search box; the results' titles, lines and links."""
    page.click(".md-search__input")
    page.fill(".md-search__input", query)
    page.keyboard.press("End")  # an IME ends with a key event; search also runs on keyup
    page.wait_for_function(
        "q => document.querySelector('[data-ksite-search]').dataset.ksiteAnswered === q",
        arg=query.strip(),
        timeout=20000,
    )
    results = []
    for item in page.locator(".md-search-result__item").all():
        line = item.locator(".ksite-search-line")
        results.append(
            {
                "title": item.locator("h1").inner_text().replace("\u200b", ""),
                "line": line.inner_text() if line.count() else "",
                "href": item.locator("a").get_attribute("href") or "",
            }
        )
    return results


def titles(results: list[dict[str, str]]) -> list[str]:
    return [r["title"] for r in results]


@pytest.fixture
def english(base_url: str, context: Any) -> Iterator[Any]:
    page = context.new_page()
    page.goto(base_url + "knowledge/")
    yield page
    page.close()


@pytest.fixture
def chinese(base_url: str, context: Any) -> Iterator[Any]:
    page = context.new_page()
    page.goto(base_url + "zh/")
    yield page
    page.close()


def test_search_runs_on_pagefind_over_http(english: Any) -> None:
    search(english, "Harbin")
    assert english.get_attribute("[data-ksite-search]", "data-ksite-engine") == "pagefind"


@pytest.mark.parametrize(
    ("query", "expected", "line"),
    [
        ("SME finance", SME_NOTE_EN, "Policy note · 1 June 2021"),
        (
            "54037-001",
            "Innovation-Driven Green Economic Diversification for Resource-Exhausted Cities in Heilongjiang",
            "Project · 54037-001 · Proposed",
        ),
        (
            "policy framework",
            "Output 2: Innovation-driven green economic diversification strategy and policy framework for resource-exhausted cities proposed",
            "Output 2 · 54037-001",
        ),
        ("Harbin", "Harbin", "City · Heilongjiang Province"),
        ("human capital", "Human capital", "Topic"),
        (
            "Fourteenth Five-Year Plan",
            "Planning green economic diversification beyond 2020",
            "Report · 15 January 2021",
        ),
    ],
)
def test_english_queries_find_every_page_kind_with_type_and_date(
    english: Any, query: str, expected: str, line: str
) -> None:
    results = search(english, query)
    found = {r["title"]: r["line"] for r in results}
    assert expected in found, titles(results)
    assert found[expected] == line


def test_title_and_number_rank_above_tags_and_body(english: Any) -> None:
    assert titles(search(english, "Harbin"))[0] == "Harbin"  # others are tagged with it or say it
    # Nearly every page cites 54037-001; the sheet that is numbered so is among the first ten.
    sheet = "Innovation-Driven Green Economic Diversification for Resource-Exhausted Cities in Heilongjiang"
    assert sheet in titles(search(english, "54037-001"))


def test_chinese_words_inside_longer_runs_are_found(chinese: Any) -> None:
    assert BRIEF_ZH in titles(search(chinese, "资源枯竭"))
    assert BRIEF_ZH in titles(search(chinese, "枯竭"))  # inside 资源枯竭型城市
    assert SME_NOTE_ZH in titles(search(chinese, "融资"))  # inside 中小企业、融资与…
    assert SME_NOTE_ZH in titles(search(chinese, "绿色产业"))
    results = search(chinese, "中小企业")
    assert {r["line"] for r in results if r["title"] == SME_NOTE_ZH} == {"政策简报 · 2021年6月1日"}


def test_english_words_match_in_the_chinese_tree(chinese: Any) -> None:
    # The trap: an index that stems English words while queries are not stemmed ("systems" is
    # indexed as "system") loses English words in the Chinese tree. Pagefind's zh index does not.
    for query in ("innovation", "systems", "forefront"):
        assert INNOVATION_NOTE in titles(search(chinese, query)), query


def test_mixed_queries(english: Any, chinese: Any) -> None:
    assert INNOVATION_NOTE in titles(search(chinese, "Heilongjiang 绿色"))
    assert PRESENTATION in titles(search(english, "Harbin 哈尔滨"))


def test_results_link_to_the_page(base_url: str, chinese: Any) -> None:
    results = search(chinese, "融资")
    target = next(r["href"] for r in results if r["title"] == SME_NOTE_ZH)
    chinese.click(f".md-search-result__link[href='{target}']")
    chinese.wait_for_url(base_url + "zh/knowledge/smes-and-green-industries/?h=%E8%9E%8D%E8%B5%84")
    assert SME_NOTE_ZH in chinese.inner_text("article h1")


def test_the_page_a_result_opens_marks_the_searched_words(base_url: str, english: Any) -> None:
    """search.highlight (mkdocs.yml): each word of the query is marked in the article, in any
    case, and only there."""
    results = search(english, "SME finance")
    target = next(r["href"] for r in results if r["title"] == SME_NOTE_EN)
    assert target.endswith("/knowledge/smes-and-green-industries/?h=SME&h=finance")
    english.click(f".md-search-result__link[href='{target}']")
    english.wait_for_selector("article[data-ksite-marked]")
    marked = english.locator("mark.ksite-highlight").all_inner_texts()
    assert {word.casefold() for word in marked} == {"sme", "finance"}
    assert english.locator("article mark.ksite-highlight").count() == len(marked)
    english.goto(base_url + "knowledge/smes-and-green-industries/")  # not from a search: no marks
    english.wait_for_load_state("networkidle")  # a highlighter loaded now would have marked
    assert english.locator("article[data-ksite-marked], mark.ksite-highlight").count() == 0


def test_keyboard_opens_and_closes_search(english: Any) -> None:
    english.keyboard.press("/")
    assert english.evaluate("document.activeElement.classList.contains('md-search__input')")
    assert english.evaluate("document.getElementById('__search').checked")
    english.keyboard.press("Escape")
    assert not english.evaluate("document.getElementById('__search').checked")


def test_search_works_from_file_urls(context: Any) -> None:
    page = context.new_page()
    page.goto((built_site() / "zh" / "index.html").as_uri())
    results = search(page, "枯竭")
    assert page.get_attribute("[data-ksite-search]", "data-ksite-engine") == "fallback"
    assert BRIEF_ZH in titles(results)
    assert INNOVATION_NOTE in titles(search(page, "innovation"))
    brief = next(r for r in results if r["title"] == BRIEF_ZH)
    assert brief["line"] == "研究简报 · 2020年9月16日"
    assert brief["href"].startswith("file://") and brief["href"].endswith("/index.html")
    page.goto((built_site() / "index.html").as_uri())
    assert SME_NOTE_EN in titles(search(page, "SME finance"))
    page.close()


def test_searching_loads_nothing_from_other_hosts(base_url: str, context: Any) -> None:
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path, query in (("", "SME"), ("zh/", "绿色"), ("knowledge/", "Harbin 哈尔滨")):
        page.goto(base_url + path)
        search(page, query)
    assert any("/pagefind/" in url for url in requested)
    assert external_hosts(requested) == []
    page.close()


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Any]]]:
    """The bundled site built with a bundle per 8 documents: several Pagefind bundles per
    language, as a large site has; with the English bundles as planned."""
    from generator import search_pagefind
    from generator.build import build
    from generator.check import checked_site
    from generator.mkdocs_plugin import build_into

    from .browser import serve_directory
    from .builtsite import copy_project

    config = copy_project(tmp_path_factory.mktemp("sharded") / "project")
    patch = pytest.MonkeyPatch()
    patch.setattr(search_pagefind, "SHARD_SIZE", 8)
    try:
        build(config, build_into, pdf=False)
        from generator.build import language_site

        site, _ = checked_site(config)
        bundles = search_pagefind.plan_bundles(language_site(config, site, "en").search_entries, "en")
    finally:
        patch.undo()
    with serve_directory(config.site_dir) as url:
        yield url, bundles


def title_of(entry: Any) -> str:
    """The title in a page's search document."""
    return html.unescape(str(entry.html).split("<h1", 1)[1].split(">", 1)[1].split("</h1>", 1)[0])


def test_a_language_split_into_several_bundles_is_searched_as_one(
    sharded: tuple[str, list[Any]], context: Any
) -> None:
    url, bundles = sharded
    assert len(bundles) >= 3
    page = context.new_page()
    try:
        page.goto(url + "knowledge/")
        for bundle in bundles:  # a page of every bundle is found by its title
            entry = max((e for e in bundle.entries if e.url), key=lambda e: len(title_of(e)))
            title = title_of(entry)
            results = search(page, title)
            paths = [urlsplit(r["href"]).path.removesuffix("index.html") for r in results]
            assert "/" + entry.url in paths, (bundle.folder, title, paths)
        assert page.get_attribute("[data-ksite-search]", "data-ksite-engine") == "pagefind"
    finally:
        page.close()
