"""The browser's Print of a page: Chromium's print-to-PDF shows the content made for paper
(title block on top, links followed by their URL) and none of the site's navigation."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from .builtsite import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = REPO / "test-artifacts" / "print"
SITE_URL = "https://ksite.example.org/ta-54037/"


@pytest.fixture(scope="module")
def printed(base_url: str, context: Any) -> Iterator[Any]:
    """``printed(path)``: the text of Chromium's print-to-PDF of a page of the built site
    (the session's one browser and server, see conftest.py)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def print_page(path: str) -> list[str]:
        page = context.new_page()
        page.goto(base_url + path)
        target = ARTIFACTS / (path.strip("/").replace("/", "-") + ".pdf")
        page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
        page.close()
        text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True)
        return text.stdout.split("\f")

    yield print_page


def test_printed_brief_has_its_title_block_first_and_no_navigation(printed: Any) -> None:
    pages = printed("knowledge/resource-exhausted-cities-in-heilongjiang/")
    first = " ".join(pages[0].split())
    assert first.startswith(
        "Research brief · 16 September 2020 · 54037-001 Resource-exhausted cities in Heilongjiang"
    )
    assert "Authors: ksite example content" in first
    text = " ".join("".join(pages).split())
    for hidden in ("Skip to content", "Search", "Home", "Made with", "Download PDF", "Back to top"):
        assert hidden not in text, f"{hidden!r} is printed"
    # Every section is there, and internal links are followed by their absolute URL.
    for heading in ("What makes a city resource-exhausted", "Heilongjiang in figures", "Cite this"):
        assert heading in text
    squeezed = re.sub(r"\s+", "", "".join(pages))
    assert f"({SITE_URL}projects/54037-001/)" in squeezed


def test_printed_chinese_project_sheet_is_a4_without_navigation(printed: Any) -> None:
    pages = printed("zh/projects/54037-001/")
    first = " ".join(pages[0].split())
    assert first.startswith("黑龙江资源枯竭型城市创新驱动绿色经济多元化发展")
    text = "".join("".join(pages).split())
    for hidden in ("搜索", "下载PDF", "首页"):
        assert hidden not in text, f"{hidden!r} is printed"
    assert "项目编号54037-001" in text
    info = subprocess.run(
        ["pdfinfo", str(ARTIFACTS / "zh-projects-54037-001.pdf")], capture_output=True, text=True
    ).stdout
    assert "(A4)" in info
