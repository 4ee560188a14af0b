"""The catalogue filters in a real Chromium: counts, combinations, the URL, reload, clear, no JS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from .browser import external_hosts
from .builtsite import built_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ALL_PRODUCTS = 8
POLICY_NOTES = {
    "SMEs, finance and high-value green industries",
    "Putting innovation-enabling systems at the forefront",
}


@pytest.fixture(scope="module")
def no_js(context: Any) -> Iterator[Any]:
    """A second context of the same browser, with JavaScript off (one Playwright per process)."""
    ctx = context.browser.new_context(java_script_enabled=False)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    page = context.new_page()
    yield page
    page.close()


def shown(page: Any) -> list[str]:
    return [
        t.strip()
        for t in page.locator(
            "[data-ksite-item]:not([hidden]) .ksite-card__title, "
            "[data-ksite-item]:not([hidden]) td:nth-child(2)"
        ).all_inner_texts()
    ]


def count(page: Any, facet: str, value: str) -> int:
    box = page.locator(f".ksite-facet[data-facet='{facet}'] input[value='{value}']")
    return int(box.locator("xpath=..").locator(".ksite-facet__count").inner_text())


def choose(page: Any, facet: str, value: str) -> None:
    page.check(f".ksite-facet[data-facet='{facet}'] input[value='{value}']")


def query(page: Any) -> list[tuple[str, str]]:
    return sorted(parse_qsl(urlsplit(page.url).query))


def test_catalogue_starts_complete_with_counts(base_url: str, page: Any) -> None:
    page.goto(base_url + "knowledge/")
    assert len(shown(page)) == ALL_PRODUCTS
    assert page.inner_text(".ksite-faceted__status") == f"{ALL_PRODUCTS} of {ALL_PRODUCTS} shown"
    assert count(page, "type", "policy-note") == 2
    assert count(page, "place", "harbin") == 2
    assert count(page, "year", "2021") == 2
    assert count(page, "language", "zh") == 6  # two written in Chinese, four translated
    legends = page.locator(".ksite-facet legend").all_inner_texts()
    assert legends == ["Type", "Place", "Topic", "Year", "Language", "Project", "Output"]


def test_filters_combine_update_counts_and_live_in_the_url(base_url: str, page: Any) -> None:
    page.goto(base_url + "knowledge/")
    choose(page, "type", "policy-note")
    assert set(shown(page)) == POLICY_NOTES
    assert count(page, "year", "2021") == 1 and count(page, "year", "2020") == 1
    assert count(page, "type", "report") == 1  # what choosing it too would add (OR within a facet)
    assert query(page) == [("type", "policy-note")]
    # "All policy notes of output 2 from 2021": AND across facets.
    choose(page, "year", "2021")
    choose(page, "output", "54037-001/2")
    assert shown(page) == ["SMEs, finance and high-value green industries"]
    assert query(page) == [("output", "54037-001/2"), ("type", "policy-note"), ("year", "2021")]
    # OR within a facet.
    choose(page, "type", "report")
    assert set(shown(page)) == {
        "SMEs, finance and high-value green industries",
        "Planning green economic diversification beyond 2020",
    }
    assert page.inner_text(".ksite-faceted__status") == f"2 of {ALL_PRODUCTS} shown"
    # Reload restores the view from the URL.
    before = shown(page)
    page.reload()
    assert shown(page) == before
    assert page.is_checked(".ksite-facet[data-facet='year'] input[value='2021']")
    # Clearing is one click.
    page.click(".ksite-faceted__clear")
    assert len(shown(page)) == ALL_PRODUCTS
    assert urlsplit(page.url).query == ""


def test_text_box_narrows_by_title_and_summary(base_url: str, page: Any) -> None:
    page.goto(base_url + "knowledge/?q=green")
    assert page.input_value(".ksite-faceted__text") == "green"
    assert "SMEs, finance and high-value green industries" in shown(page)
    assert "Fact-finding for TA 54037-001, 14–15 September 2020" not in shown(page)
    page.fill(".ksite-faceted__text", "fact-finding")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'fact-finding'")
    assert shown(page) == ["Fact-finding for TA 54037-001, 14–15 September 2020"]


def test_chinese_catalogue_speaks_chinese(base_url: str, page: Any) -> None:
    page.goto(base_url + "zh/knowledge/?type=event")
    assert set(shown(page)) == {
        "亚行与中国政府商定项目清单（2020年1月22日）",
        "Fact-finding for TA 54037-001, 14–15 September 2020",
    }
    assert page.locator(".ksite-facet legend").first.inner_text() == "类型"
    assert page.inner_text(".ksite-faceted__clear") == "清除筛选"
    assert page.inner_text(".ksite-faceted__status") == f"显示 2 项，共 {ALL_PRODUCTS} 项"


def test_project_list_filters(base_url: str, page: Any) -> None:
    page.goto(base_url + "projects/")
    legends = page.locator(".ksite-facet legend").all_inner_texts()
    assert legends == ["Status", "Type / modality of assistance", "Sector", "Country"]
    assert count(page, "status", "Proposed") == 1
    choose(page, "status", "Proposed")
    assert len(shown(page)) == 1
    assert query(page) == [("status", "Proposed")]
    page.fill(".ksite-faceted__text", "no such project")
    page.wait_for_function("() => document.querySelector('.ksite-faceted__none').hidden === false")
    assert shown(page) == []


def test_catalogue_works_from_file_urls(page: Any) -> None:
    page.goto((built_site() / "knowledge" / "index.html").as_uri() + "?type=event")
    assert len(shown(page)) == 2
    choose(page, "type", "report")
    assert len(shown(page)) == 3


def test_without_javascript_the_list_is_complete(base_url: str, no_js: Any) -> None:
    page = no_js.new_page()
    page.goto(base_url + "knowledge/?type=event")
    items = page.locator("[data-ksite-item]")
    assert items.count() == ALL_PRODUCTS
    assert page.locator(".ksite-faceted__form").count() == 0
    assert all(items.nth(i).locator("a").get_attribute("href") for i in range(ALL_PRODUCTS))
    page.click("[data-ksite-item] >> nth=0 >> a")
    page.wait_for_load_state()
    assert "/knowledge/" in page.url and page.url != base_url + "knowledge/?type=event"
    page.goto(base_url + "projects/")
    assert page.locator("[data-ksite-item]").count() == 1
    page.close()


def test_no_request_leaves_the_site_host_on_any_page_kind(base_url: str, page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in (
        "",
        "projects/",
        "projects/54037-001/",
        "projects/54037-001/outputs/2/",
        "knowledge/",
        "knowledge/smes-and-green-industries/",
        "places/",
        "places/harbin/",
        "topics/",
        "topics/innovation/",
        "zh/",
        "zh/knowledge/?type=report",
        "zh/knowledge/ta-overview-presentation/",
        "zh/places/heilongjiang/",
    ):
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
    assert len(requested) > 14
    assert external_hosts(requested) == []
