"""Golden files: the rendered content of the project sheet and of briefs, reviewed as diffs.

Regenerate after an intended change with ``KSITE_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review ``git diff tests/golden`` before committing; never edit the files by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build import render_pages
from generator.check import load_site

from .builtsite import copy_project

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    ("en", "projects/54037-001/index.md", "project-54037-001.en.html"),
    ("zh", "projects/54037-001/index.md", "project-54037-001.zh.html"),
    ("en", "knowledge/resource-exhausted-cities-in-heilongjiang/index.md", "brief.en.html"),
    ("zh", "knowledge/resource-exhausted-cities-in-heilongjiang/index.md", "brief.zh.html"),
    ("zh", "knowledge/innovation-enabling-systems/index.md", "policy-note-untranslated.zh.html"),
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    config = copy_project(tmp_path_factory.mktemp("golden") / "project")
    site, problems = load_site(config)
    assert problems == []
    return {
        (lang, page.src_uri): page.html
        for lang in config.languages
        for page in render_pages(config, site, lang)
    }


@pytest.mark.parametrize(("lang", "src_uri", "golden"), CASES)
def test_rendered_page_matches_golden(
    rendered: dict[tuple[str, str], str], lang: str, src_uri: str, golden: str
) -> None:
    html = rendered[(lang, src_uri)]
    path = GOLDEN / golden
    if os.environ.get("KSITE_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(html, "utf-8")
    assert path.exists(), f"no golden file {path.name}; run with KSITE_UPDATE_GOLDEN=1 and review it"
    assert html == path.read_text("utf-8")
