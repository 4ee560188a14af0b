"""The page-kind table: every row names a view builder, search builder and template that exist,
and the site has exactly the pages the table says, at the URLs it says."""

from __future__ import annotations

from pathlib import Path

from generator import search
from generator.build import render_pages
from generator.check import load_site
from generator.pagekinds import KIND, PAGE_KINDS, page_url
from generator.render import PageViews

from .builtsite import copy_project

TEMPLATES = Path(__file__).resolve().parents[1] / "generator" / "templates"


def test_every_row_names_builders_and_a_template_that_exist() -> None:
    for kind in PAGE_KINDS:
        assert callable(getattr(PageViews, kind.view, None)), kind.name
        assert kind.search is None or callable(getattr(search._Builder, kind.search, None)), kind.name
        assert (TEMPLATES / kind.template).is_file(), kind.name
    assert len(KIND) == len(PAGE_KINDS)
    patterns = [kind.url for kind in PAGE_KINDS]
    assert len(set(patterns)) == len(patterns)


def test_urls_follow_the_patterns() -> None:
    assert page_url("home") == ""
    assert page_url("project", "54037-001") == "projects/54037-001/"
    assert page_url("output", "54037-001/2", "zh/") == "zh/projects/54037-001/outputs/2/"
    assert page_url("page", "about") == "about/"


def test_the_site_has_the_pages_the_table_says(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project")
    (config.content_dir / "pages" / "about.md").write_text(
        "---\ntitle: About\n---\nAbout the site.\n", "utf-8"
    )
    site, problems = load_site(config)
    assert problems == []
    for lang in config.languages:
        prefix = "" if lang == config.default_language else f"{lang}/"
        pages = list(render_pages(config, site, lang))
        expected = [(kind.name, key) for kind in PAGE_KINDS for key in kind.keys(site)]
        assert [(p.kind, p.key) for p in pages] == expected
        assert all(p.url == page_url(p.kind, p.key, prefix) for p in pages)
        assert {p.kind for p in pages} == set(KIND)  # the bundled site (and about.md) shows every kind
        assert all(p.search is not None and p.search.url == p.url[len(prefix) :] for p in pages)
