"""Incremental builds: after a one-brief change only the pages showing that brief are rendered
again, a template change re-renders the pages using it, and the cache never changes the result."""

from __future__ import annotations

import functools
import hashlib
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from generator.build import BuildReport, build, render_pages
from generator.check import load_site
from generator.config import ProjectConfig
from generator.link import page_url
from generator.mkdocs_plugin import build_into
from generator.render import RenderedPage

from .builtsite import copy_project

pytestmark = pytest.mark.slow
SHELL = functools.partial(build_into, pdf=False)
BRIEF = "innovation-enabling-systems"


def digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def in_every_language(config: ProjectConfig, urls: set[str]) -> set[str]:
    return {
        f"{lang}:{'' if lang == config.default_language else lang + '/'}{url}"
        for lang in config.languages
        for url in urls
    }


def pages_showing(config: ProjectConfig, product_id: str) -> set[str]:
    """Every page on which the product appears, found from the site's own indexes."""
    site, _ = load_site(config)
    product = site.library.products[product_id]
    urls = {page_url("product", product_id), page_url("knowledge")}
    if product_id in site.products_newest_first[:6]:
        urls.add(page_url("home"))
    if product.project:
        urls.add(page_url("project", product.project))
        urls |= {page_url("output", f"{product.project}/{n}") for n in product.outputs}
    urls |= {page_url("place", s) for s in product.places}
    urls |= {page_url("topic", s) for s in product.topics}
    urls |= {
        page_url("product", other.id)
        for other in site.library.products.values()
        if product_id in site.related(other)
    }
    return in_every_language(config, urls)


@pytest.fixture()
def project(tmp_path: Path) -> ProjectConfig:
    config = copy_project(tmp_path / "project")
    first = build(config, SHELL)
    assert first.reused == [] and len(first.rendered) > 40
    return config


def rebuild(config: ProjectConfig) -> BuildReport:
    return build(config, SHELL)


def test_unchanged_rebuild_renders_nothing(project: ProjectConfig) -> None:
    report = rebuild(project)
    assert report.rendered == []
    assert len(report.reused) > 40


def test_one_brief_change_rerenders_exactly_the_pages_showing_it(
    project: ProjectConfig, tmp_path: Path
) -> None:
    brief = project.content_dir / "knowledge" / f"{BRIEF}.md"
    brief.write_text(
        brief.read_text("utf-8").replace(
            "title: Putting innovation-enabling systems at the forefront",
            "title: Innovation-enabling systems first",
        )
    )
    report = rebuild(project)
    expected = pages_showing(project, BRIEF)
    assert set(report.rendered) == expected
    assert len(report.rendered) == len(expected)  # each page once
    assert f"en:{page_url('place', 'harbin')}" in report.reused  # the brief is not tagged Harbin
    # The entries the rebuild replaced are pruned: each store holds its language's pages.
    for lang in project.languages:
        store = sqlite3.connect(project.root / ".ksite-cache" / "pages" / lang / "pages.sqlite3")
        stored = store.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        store.close()
        assert stored == sum(1 for p in report.rendered + report.reused if p.startswith(f"{lang}:"))
    # The incremental result is the clean build's, byte for byte.
    incremental = digest(project.site_dir)
    shutil.rmtree(project.root / ".ksite-cache")
    clean = rebuild(project)
    assert clean.reused == []
    assert digest(project.site_dir) == incremental


def test_template_change_rerenders_every_page_using_it(project: ProjectConfig) -> None:
    project.templates_dir.mkdir(exist_ok=True)
    packaged = Path(__file__).parents[1] / "generator" / "templates" / "place.html"
    (project.templates_dir / "place.html").write_text(packaged.read_text("utf-8") + "\n<!-- changed -->\n")
    assert list((project.root / ".ksite-cache" / "templates").glob("__jinja2_*.cache"))  # compiled, kept
    report = rebuild(project)
    site, _ = load_site(project)
    assert set(report.rendered) == in_every_language(
        project, {page_url("place", s) for s in site.library.places}
    )
    harbin = project.site_dir / "places" / "harbin" / "index.html"
    assert "<!-- changed -->" in harbin.read_text("utf-8")  # not the kept compiled template
    # A change to a template that others import re-renders every page of those, and only them.
    (project.templates_dir / "_macros.html").write_text(
        (packaged.parent / "_macros.html").read_text("utf-8") + "\n{# changed #}\n"
    )
    report = rebuild(project)
    users = {p.stem for p in packaged.parent.glob("*.html") if "_macros.html" in p.read_text("utf-8")}
    assert {"product", "project", "knowledge"} <= users and "page" not in users
    kind_of = {
        **{f"en:{p.url}": p.kind for p in render_all(project, "en")},
        **{f"zh:{p.url}": p.kind for p in render_all(project, "zh")},
    }
    assert report.rendered and all(kind_of[r] in users for r in report.rendered)
    assert all(kind_of[r] not in users for r in report.reused)
    assert {kind_of[r] for r in report.rendered} == users & set(kind_of.values())


def render_all(config: ProjectConfig, lang: str) -> list[RenderedPage]:
    site, _ = load_site(config)
    return list(render_pages(config, site, lang))


def test_a_damaged_page_store_is_started_afresh(project: ProjectConfig) -> None:
    """The cache is only saved work: a store that is not a database costs a full render, never
    a failed build."""
    from generator.cache import STORE

    stores = sorted((project.root / ".ksite-cache" / "pages").glob(f"*/{STORE}"))
    assert [s.parent.name for s in stores] == sorted(project.languages)
    for store in stores:
        store.write_bytes(b"not a database" * 100)
        store.with_name(f"{STORE}-wal").write_bytes(b"nor a log" * 100)
    report = rebuild(project)
    assert report.reused == [] and len(report.rendered) > 40
    assert rebuild(project).rendered == []  # and the fresh store is used again
    # Closed, each store is one file again (CI caches the folder after the build).
    assert sorted(p.name for s in stores for p in s.parent.iterdir()) == [STORE] * len(stores)


def test_link_check_looks_again_only_at_pages_that_changed(
    project: ProjectConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import checklinks

    memo = tmp_path / "links.sqlite3"
    first = build(project, SHELL, link_memo=memo)
    assert first.link_pages > 40
    assert build(project, SHELL, link_memo=memo).link_pages == 0  # byte-identical rebuild
    brief = project.content_dir / "knowledge" / f"{BRIEF}.md"
    brief.write_text(brief.read_text("utf-8").replace("title: Putting", "title: Now putting"), "utf-8")
    read_here: list[Path] = []
    scan_page = checklinks.scan_page
    monkeypatch.setattr(checklinks, "scan_page", lambda path: read_here.append(path) or scan_page(path))
    changed = build(project, SHELL, link_memo=memo)
    assert len(changed.rendered) <= changed.link_pages < first.link_pages
    # The changed pages were scanned by the hasher's process as MkDocs wrote them.
    assert read_here == []


@pytest.mark.parametrize("batch", [3, 100])
def test_the_shell_hashes_each_page_as_it_is_written(
    project: ProjectConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    """The link check trusts these hashes instead of reading every page again (handed to the
    hasher in batches: of 3, many during the build; of 100, all at its end)."""
    from generator import mkdocs_plugin
    from generator.checklinks import page_digest

    monkeypatch.setattr(mkdocs_plugin, "_HASH_BATCH", batch)

    site, _ = load_site(project)
    staging = tmp_path / "out"
    report = build_into(project, staging, site, pdf=False)
    on_disk = {
        p.relative_to(staging).as_posix(): page_digest(p.read_bytes()) for p in staging.rglob("*.html")
    }
    assert report.digests == {name: on_disk[name] for name in report.digests}
    assert sorted(set(on_disk) - set(report.digests)) == ["404.html", "zh/404.html"]


def test_a_stored_page_reads_back_equal(tmp_path: Path) -> None:
    """Every field survives the page store, PDF brief included."""
    from generator.cache import _page_from_row, _page_to_row
    from generator.views import PdfFile

    config = copy_project(tmp_path / "project")
    site, _ = load_site(config)
    pages = render_all(config, "zh")
    assert any(p.brief for p in pages) and any(p.toc for p in pages) and any(p.source for p in pages)
    pages.append(replace(pages[-1], pdf=PdfFile("brief.pdf", 12345, tmp_path / "brief.pdf")))
    for page in pages:
        assert _page_from_row(_page_to_row(page), page.html) == page


def test_related_lists_are_kept_while_what_ranks_them_is_unchanged(tmp_path: Path) -> None:
    from generator.cache import load_related, save_related

    config = copy_project(tmp_path / "project")
    site, _ = load_site(config)
    inputs = load_related(site, tmp_path / "cache")
    assert site.related_lists() == {}
    worked_out = {p: site.related(site.library.products[p]) for p in site.library.products}
    save_related(site, tmp_path / "cache", inputs)
    again, _ = load_site(config)
    load_related(again, tmp_path / "cache")
    assert again.related_lists() == site.related_lists() and len(worked_out) > 5
    assert {p: again.related(again.library.products[p]) for p in again.library.products} == worked_out
    # A title is not ranked on; a topic is.
    brief = config.content_dir / "knowledge" / f"{BRIEF}.md"
    brief.write_text(brief.read_text("utf-8").replace("title: Putting", "title: Now putting"), "utf-8")
    titled, _ = load_site(config)
    assert load_related(titled, tmp_path / "cache") == inputs and titled.related_lists()
    brief.write_text(brief.read_text("utf-8").replace("topics: [innovation, ", "topics: ["), "utf-8")
    retopiced, _ = load_site(config)
    assert load_related(retopiced, tmp_path / "cache") != inputs and retopiced.related_lists() == {}
