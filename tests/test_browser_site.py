"""What readers do, in a real Chromium: switch language, search in Chinese, load nothing foreign."""

from __future__ import annotations

from typing import Any

import pytest

from .browser import external_hosts
from .builtsite import built_site

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE_KINDS = [
    "",
    "projects/",
    "projects/54037-001/",
    "projects/54037-001/outputs/2/",
    "knowledge/",
    "knowledge/resource-exhausted-cities-in-heilongjiang/",
    "places/",
    "places/heilongjiang/",
    "topics/",
    "topics/innovation/",
]


def test_language_switch_on_project_sheet_lands_on_chinese_project_sheet(base_url: str, context: Any) -> None:
    page = context.new_page()
    page.goto(base_url + "projects/54037-001/")
    assert page.get_attribute("html", "lang") == "en"
    page.hover(".md-header__option .md-select")
    page.click("a.md-select__link[hreflang=zh]")
    page.wait_for_url(base_url + "zh/projects/54037-001/index.html")
    assert page.get_attribute("html", "lang") == "zh"
    assert "黑龙江资源枯竭型城市创新驱动绿色经济多元化发展" in page.inner_text("article h1")
    assert "项目编号" in page.inner_text("article")
    # And back again, to the same page.
    page.hover(".md-header__option .md-select")
    page.click("a.md-select__link[hreflang=en]")
    page.wait_for_url(base_url + "projects/54037-001/index.html")
    assert page.get_attribute("html", "lang") == "en"
    page.close()


def test_lang_attributes_mark_untranslated_text(base_url: str, context: Any) -> None:
    page = context.new_page()
    page.goto(base_url + "zh/projects/54037-001/")
    assert page.get_attribute("html", "lang") == "zh"
    fallback = page.locator("#rationale + .ksite-untranslated")
    assert fallback.get_attribute("lang") == "en"
    assert "Economic development of resource-dependent cities" in fallback.inner_text()
    assert page.locator("#rationale + .ksite-untranslated .ksite-notice").get_attribute("lang") == "zh"
    page.close()


def test_chinese_search_finds_a_word_from_the_chinese_brief(base_url: str, context: Any) -> None:
    page = context.new_page()
    page.goto(base_url + "zh/")
    page.click("label.md-search__icon, .md-search__input")
    page.fill("input.md-search__input", "资源枯竭")
    page.keyboard.press("End")  # an IME ends with a key event; Material searches on keyup
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    # Material shows the build-time word breaks of Chinese as zero-width spaces.
    titles = [t.replace("\u200b", "") for t in page.locator(".md-search-result__item h1").all_inner_texts()]
    assert any("黑龙江资源枯竭型城市概况" in t for t in titles), titles
    page.close()


@pytest.mark.parametrize("lang_prefix", ["", "zh/"])
def test_no_request_leaves_the_site_host(base_url: str, context: Any, lang_prefix: str) -> None:
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGE_KINDS:
        page.goto(base_url + lang_prefix + path)
        page.wait_for_load_state("networkidle")
    assert external_hosts(requested) == []
    page.close()


def test_site_opened_from_disk_navigates_between_pages(context: Any) -> None:
    """Offline use: from file://, links lead to pages, not to folder listings."""
    page = context.new_page()
    page.goto((built_site() / "index.html").as_uri())
    page.click("article a[href$='projects/54037-001/index.html']")
    assert "Innovation-Driven Green Economic Diversification" in page.inner_text("article h1")
    page.click("ol.ksite-outputs a >> nth=1")
    assert page.inner_text("article h1").startswith("Output 2")
    page.hover(".md-header__option .md-select")
    page.click("a.md-select__link[hreflang=zh]")
    assert page.url.endswith("/zh/projects/54037-001/outputs/2/index.html")
    assert page.inner_text("article h1").startswith("产出 2")
    page.close()
