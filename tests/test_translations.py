"""Translations: fallback to the original, conflicts between a translation and its original,
and the coverage report of ``ksite check --translations``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.build import render_pages
from generator.check import load_site
from generator.cli import main
from generator.config import ProjectConfig
from generator.model import Text
from generator.translations import coverage, format_coverage

from .builtsite import copy_project


@pytest.fixture()
def project(tmp_path: Path) -> ProjectConfig:
    return copy_project(tmp_path / "project")


def write(path: Path, text: str) -> None:
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")


def pages_by_uri(config: ProjectConfig, lang: str) -> dict[str, str]:
    site, problems = load_site(config)
    assert [p for p in problems if p.severity.value == "error"] == []
    return {page.src_uri: page.html for page in render_pages(config, site, lang)}


def test_text_pick_falls_back_to_the_default_language() -> None:
    text = Text({"en": "Hello", "zh": "你好"}, "en")
    assert text.pick("zh") == ("你好", "zh")
    assert text.pick("fr") == ("Hello", "en")
    only_chinese = Text({"zh": "你好"}, "zh")
    assert only_chinese.pick("en") == ("你好", "zh")


def test_untranslated_record_field_shows_original_with_notice(project: ProjectConfig) -> None:
    html = pages_by_uri(project, "zh")["projects/54037-001/index.md"]
    rationale = html[html.index('<h2 id="rationale">') :]
    assert rationale.startswith(
        '<h2 id="rationale">项目依据及与国家／区域战略的关联</h2>\n<div class="ksite-untranslated" lang="en">'
    )
    assert '<p class="ksite-notice" lang="zh">此内容尚未翻译成中文，以下显示原文。</p>' in rationale
    assert "Economic development of resource-dependent cities" in rationale
    # A translated field has no notice.
    description = html[html.index('<h2 id="description">') : html.index('<h2 id="rationale">')]
    assert "ksite-untranslated" not in description and "中华人民共和国政府已请求亚洲开发银行" in description


def test_translated_product_page_uses_translation_and_original_shared_fields(project: ProjectConfig) -> None:
    html = pages_by_uri(project, "zh")["knowledge/resource-exhausted-cities-in-heilongjiang/index.md"]
    assert '<h1 lang="zh">黑龙江资源枯竭型城市概况</h1>' in html
    assert "2020年9月16日" in html  # the date comes from the original
    assert "本译文借助机器翻译完成。" in html  # machine_translated: true is shown
    assert "ksite-untranslated" not in html


def test_untranslated_product_shows_original_body_marked_english(project: ProjectConfig) -> None:
    html = pages_by_uri(project, "zh")["knowledge/innovation-enabling-systems/index.md"]
    assert '<h1 lang="en">Putting innovation-enabling systems at the forefront</h1>' in html
    assert '<div class="ksite-untranslated" lang="en"><p class="ksite-notice" lang="zh">' in html


def test_translation_conflicting_with_original_is_an_error_at_its_line(
    project: ProjectConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project.content_dir / "knowledge" / "innovation-enabling-systems.zh.md",
        """
        ---
        title: 把创新支持体系放在首位
        date: 2021-01-01
        places: [heilongjiang]
        ---
        正文。
        """,
    )
    assert main(["-f", str(project.config_file), "check"]) == 1
    err = capsys.readouterr().err
    assert (
        "content/knowledge/innovation-enabling-systems.zh.md:3:7: error: 'date' differs from the original "
        "content/knowledge/innovation-enabling-systems.md ('2020-09-16'); a translation takes 'date' from "
        "its original, so remove it here"
    ) in err
    # Agreeing with the original is allowed.
    assert "innovation-enabling-systems.zh.md:4" not in err


def test_translation_without_original_is_an_error(
    project: ProjectConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project.content_dir / "knowledge" / "no-such-brief.zh.md", "---\ntitle: 无\n---\n正文\n")
    assert main(["-f", str(project.config_file), "check"]) == 1
    assert (
        "content/knowledge/no-such-brief.zh.md:1:1: error: translation of 'no-such-brief', but there is no no-such-brief.md"
        in capsys.readouterr().err
    )


def test_coverage_report_lists_missing_and_outdated(project: ProjectConfig) -> None:
    original = project.content_dir / "knowledge" / "resource-exhausted-cities-in-heilongjiang.md"
    original.write_text(
        original.read_text("utf-8").replace("date: 2020-09-16\n", "date: 2020-09-16\nupdated: 2021-03-01\n")
    )
    site, _ = load_site(project)
    reports = coverage(site, project.languages)
    assert [r.lang for r in reports] == ["en", "zh"]
    zh = reports[1]
    missing = sorted(g.what for g in zh.gaps if not g.stale)
    assert missing == [
        "knowledge fact-finding-september-2020",
        "knowledge innovation-enabling-systems",
        "project 54037-001 rationale",
    ]
    stale = [g for g in zh.gaps if g.stale]
    assert [g.what for g in stale] == ["knowledge resource-exhausted-cities-in-heilongjiang"]
    assert str(stale[0].pos) == "content/knowledge/resource-exhausted-cities-in-heilongjiang.zh.md:7:18"
    text = format_coverage(reports)
    assert "zh: 22/25 texts translated (88%), 3 missing, 1 out of date" in text


def test_require_fails_only_when_asked(project: ProjectConfig, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-f", str(project.config_file), "check", "--translations"]) == 0
    assert "3 missing" in capsys.readouterr().out
    assert main(["-f", str(project.config_file), "check", "--require", "zh"]) == 1
    err = capsys.readouterr().err
    assert (
        "content/projects/54037-001.yaml:56:3: error: project 54037-001 rationale is not translated into 'zh'"
        in err
    )
