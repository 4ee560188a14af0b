"""Incremental builds: a page is rendered again exactly when something it read changed (its
recorded reads, ksite's code, the templates, the settings), and the cache never changes the
result. ``test_edit_sequences.py`` holds cached and clean builds equal over random edits."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import BuildReport, build, render_pages
from generator.check import load_site
from generator.config import ProjectConfig
from generator.mkdocs_plugin import build_into
from generator.pagekinds import PAGE_KINDS, page_url
from generator.render import RenderedPage

from .builtsite import copy_project
from .builtsite import tree_digest as digest

pytestmark = pytest.mark.slow
BRIEF = "innovation-enabling-systems"


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
    # The data page gives the size of the data files, which hold every product.
    urls = {page_url("product", product_id), page_url("knowledge"), page_url("data")}
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
    first = build(config, build_into, pdf=False)
    assert first.reused == [] and len(first.rendered) > 40
    return config


def rebuild(config: ProjectConfig) -> BuildReport:
    return build(config, build_into, pdf=False)


def clean_equals_incremental(config: ProjectConfig) -> None:
    """The site as the cache left it is the site a clean build makes, byte for byte."""
    incremental = digest(config.site_dir)
    shutil.rmtree(config.root / ".ksite-cache")
    clean = rebuild(config)
    assert clean.reused == []
    assert digest(config.site_dir) == incremental


def navigation(config: ProjectConfig) -> set[str]:
    """The pages of the navigation (one of their kind): the theme wraps them on every build."""
    return in_every_language(config, {kind.url_of() for kind in PAGE_KINDS if "{" not in kind.url})


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def tree(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder of ``root`` with its inode, size and modification time."""
    return {
        p.relative_to(root).as_posix(): (info.st_ino, info.st_size, info.st_mtime_ns)
        for p in root.rglob("*")
        if (info := p.stat())
    }


def edited_by_hand(config: ProjectConfig) -> None:
    """A file added to the published site: the next build runs even with no input changed."""
    (config.site_dir / "stray.html").write_text("<p>added by hand</p>", "utf-8")


def test_a_build_with_nothing_changed_does_nothing(project: ProjectConfig) -> None:
    """Nothing the build reads changed and the site is as the last build left it: the build
    stops after comparing, leaves every file of the site alone and reports again what that
    build reported, its warnings included."""
    (project.content_dir / "knowledge" / "notes.txt").write_text("Not a product.\n", "utf-8")
    first = rebuild(project)
    assert not first.up_to_date
    assert "ignored: only .md files are read from knowledge/" in [w.message for w in first.warnings]
    before = tree(project.site_dir)
    report = rebuild(project)
    assert report.up_to_date
    assert report.rendered == report.reused == report.wrapped == []
    assert (report.pages, report.external, report.link_pages) == (
        first.pages,
        first.external,
        first.link_pages,
    )
    assert [(str(w), w.severity) for w in report.warnings] == [(str(w), w.severity) for w in first.warnings]
    assert tree(project.site_dir) == before
    assert set(report.seconds) == {"inputs", "total"}


def test_a_rebuild_with_no_content_change_takes_over_every_page(project: ProjectConfig) -> None:
    """A file added to the published site by hand: the build runs (a clean build would not
    have that file), renders nothing and takes over every page but the navigation's."""
    before = inodes(project.site_dir)
    edited_by_hand(project)
    report = rebuild(project)
    assert not report.up_to_date
    assert not (project.site_dir / "stray.html").exists()
    assert report.rendered == []
    assert len(report.reused) > 40
    # The theme wrapped only the navigation's pages; every other page and both search bundles
    # are the published files, taken over by hard links.
    assert set(report.wrapped) == navigation(project)
    after = inodes(project.site_dir)
    pages = [name for name in after if name.endswith("index.html")]
    taken = {name for name in pages if after[name] == before.get(name)}
    assert len(taken) == len(pages) - len(report.wrapped) >= 40
    bundles = [name for name in after if "/pagefind/" in f"/{name}"]
    assert bundles and all(after[name] == before[name] for name in bundles)
    # So are the other files ksite hands MkDocs: its assets and each language's fallback index.
    others = ["assets/ksite/ksite.css", "search/ksite-fallback.js", "zh/search/ksite-fallback.js"]
    assert all(after[name] == before[name] for name in others)
    clean_equals_incremental(project)


def _same_size_same_time(config: ProjectConfig) -> None:
    """An edit that keeps the file's size and modification time (two saves in one clock tick)."""
    brief = config.content_dir / "knowledge" / f"{BRIEF}.md"
    info = brief.stat()
    text = brief.read_text("utf-8")
    brief.write_text(text.replace("## The gap", "## The Gap", 1), "utf-8")
    os.utime(brief, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert brief.stat().st_size == info.st_size


def _same_template(config: ProjectConfig) -> None:
    """A site template that overrides the packaged one with the same text."""
    config.templates_dir.mkdir(exist_ok=True)
    packaged = Path(__file__).parents[1] / "generator" / "templates" / "place.html"
    shutil.copyfile(packaged, config.templates_dir / "place.html")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8") + text, "utf-8")


def _replace_by_copy(path: Path) -> None:
    """The same bytes, size and time in another file (a sync tool's way of writing)."""
    copy = path.with_suffix(".tmp")
    shutil.copy2(path, copy)
    os.replace(copy, path)


def _site_page(config: ProjectConfig) -> Path:
    return config.site_dir / page_url("product", BRIEF) / "index.html"


INPUT_CHANGES: dict[str, Callable[[ProjectConfig, pytest.MonkeyPatch], object]] = {
    "a product edited, same size and time": lambda c, m: _same_size_same_time(c),
    "a file added to the content": lambda c, m: (c.content_dir / "knowledge" / "notes.txt").write_text("x"),
    "a file removed from the content": lambda c, m: (c.content_dir / "knowledge" / "notes.txt").unlink(),
    "a template added": lambda c, m: _same_template(c),
    "mkdocs.yml": lambda c, m: _append(c.config_file, "\n# a comment\n"),
    "the settings file it inherits": lambda c, m: _append(c.root / "base.yml", "\n# a comment\n"),
    "a variable of an !ENV tag": lambda c, m: m.setenv("KSITE_TEST_COPYRIGHT", "Copyright two"),
    "SOURCE_DATE_EPOCH": lambda c, m: m.setenv("SOURCE_DATE_EPOCH", "1600000000"),
    "ksite's code or a library's version": lambda c, m: m.setattr(
        "generator.cache.inputs.code_digest", lambda: "another version"
    ),
    "a page of the site edited by hand": lambda c, m: _append(_site_page(c), "<!-- edited -->"),
    "a page of the site touched": lambda c, m: os.utime(_site_page(c)),
    "a page of the site replaced by a copy": lambda c, m: _replace_by_copy(_site_page(c)),
    "a page of the site made executable": lambda c, m: _site_page(c).chmod(0o755),
    "a file added to the site": lambda c, m: (c.site_dir / "stray.txt").write_text("x"),
    "a folder added to the site": lambda c, m: (c.site_dir / "stray").mkdir(),
    "a file removed from the site": lambda c, m: (c.site_dir / "robots.txt").unlink(),
    "the site removed": lambda c, m: shutil.rmtree(c.site_dir),
}


def test_every_kind_of_input_change_makes_the_build_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each input the build reads, and the published site itself, is compared before a build
    stops: after each kind of change the build runs and gives the clean build's site, and the
    build after it, with nothing changed, stops."""
    config = copy_project(tmp_path / "project")
    (config.root / "base.yml").write_text('copyright: !ENV [KSITE_TEST_COPYRIGHT, "first"]\n', "utf-8")
    _append(config.config_file, "\nINHERIT: base.yml\n")
    (config.content_dir / "knowledge" / "notes.txt").write_text("Not a product.\n", "utf-8")
    monkeypatch.setenv("KSITE_TEST_COPYRIGHT", "Copyright one")
    build(config, build_into, pdf=False)
    assert rebuild(config).up_to_date
    for name, change in INPUT_CHANGES.items():
        change(config, monkeypatch)
        report = rebuild(config)
        assert not report.up_to_date, name
        expected = digest(config.site_dir)
        assert rebuild(config).up_to_date, name
        assert digest(config.site_dir) == expected, name
    assert "Copyright two" in _site_page(config).read_text("utf-8")
    assert not build(config, build_into, pdf=False, check_links=False).up_to_date  # other options
    assert build(config, build_into, pdf=False, check_links=False).up_to_date
    assert not rebuild(config).up_to_date
    clean_equals_incremental(config)


def test_with_hooks_or_another_plugin_every_build_runs(project: ProjectConfig) -> None:
    """Hooks are Python and may read any file: what a build reads is then unknown."""
    (project.root / "hooks.py").write_text("def on_config(config):\n    return config\n", "utf-8")
    _append(project.config_file, "\nhooks:\n  - hooks.py\n")
    rebuild(project)
    report = rebuild(project)
    assert not report.up_to_date and report.rendered == []


def test_the_inputs_are_unknown_with_a_plugin_other_than_ksites(tmp_path: Path) -> None:
    from generator.cache.inputs import inputs_digest

    config = copy_project(tmp_path / "project")
    assert inputs_digest(config, "") is not None
    _append(config.config_file, "\n# the same plugins\n")
    assert inputs_digest(config, "") is not None
    text = config.config_file.read_text("utf-8").replace("  - search\n", "  - search\n  - offline\n", 1)
    config.config_file.write_text(text, "utf-8")
    assert inputs_digest(config, "") is None


def test_a_failed_rebuild_never_writes_through_a_taken_page(
    project: ProjectConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taken pages are hard links to the published site's files: the build must never write
    into one. A rebuild that wraps changed pages and then fails leaves the site as it was."""
    before = digest(project.site_dir)
    brief = project.content_dir / "knowledge" / f"{BRIEF}.md"
    brief.write_text(brief.read_text("utf-8") + "\nA sentence added.\n", "utf-8")

    def failing_link_check(*args: object) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "check_site", failing_link_check)
    with pytest.raises(RuntimeError, match="disk full"):
        rebuild(project)
    assert digest(project.site_dir) == before
    monkeypatch.undo()
    report = rebuild(project)
    assert f"en:{page_url('product', BRIEF)}" in report.wrapped
    assert len(report.wrapped) < len(report.reused) / 2
    clean_equals_incremental(project)


def test_a_page_edited_in_the_site_or_a_site_removed_is_made_again(project: ProjectConfig) -> None:
    """Only the very file a build published is taken over (same inode, size and time)."""
    page = project.site_dir / page_url("product", BRIEF) / "index.html"
    page.write_text(page.read_text("utf-8").replace("</body>", "<p>edited by hand</p></body>"), "utf-8")
    report = rebuild(project)
    assert report.rendered == [] and f"en:{page_url('product', BRIEF)}" in report.wrapped
    assert "edited by hand" not in page.read_text("utf-8")
    shutil.rmtree(project.site_dir)
    report = rebuild(project)
    assert report.rendered == [] and len(report.wrapped) == len(report.reused)
    clean_equals_incremental(project)


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
    # The theme wraps the pages that changed and the navigation's, and no other.
    assert f"en:{page_url('product', BRIEF)}" in report.wrapped
    assert set(report.wrapped) <= expected | navigation(project)
    assert f"en:{page_url('place', 'harbin')}" in report.reused  # the brief is not tagged Harbin
    # The entries the rebuild replaced are pruned: each store holds its language's pages.
    for lang in project.languages:
        store = sqlite3.connect(project.root / ".ksite-cache" / "pages" / f"{lang}.sqlite3")
        stored = store.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        store.close()
        assert stored == sum(1 for p in report.rendered + report.reused if p.startswith(f"{lang}:"))
    clean_equals_incremental(project)


def test_deleting_a_product_updates_every_page_that_counted_or_listed_it(project: ProjectConfig) -> None:
    """The home page counts the products: it read which exist, so a deletion renders it again
    (a hand-kept list of what it depends on once missed this, and showed "Knowledge 8")."""
    home = project.site_dir / "index.html"
    assert "<dd>8</dd>" in home.read_text("utf-8").replace("\n", "")
    (project.content_dir / "knowledge" / f"{BRIEF}.md").unlink()
    report = rebuild(project)
    assert {"en:", "zh:zh/"} <= set(report.rendered)  # both homes
    for page in (home, project.site_dir / "zh" / "index.html"):
        assert "<dd>7</dd>" in page.read_text("utf-8").replace("\n", "")
    clean_equals_incremental(project)


def test_a_template_or_setting_change_rerenders_every_page(project: ProjectConfig) -> None:
    """Templates and settings are part of every page's key: a change to any template (or to
    mkdocs.yml) renders the whole language again; cheaper than keeping, per page, which
    templates a macro or an include reached, and it cannot go stale."""
    project.templates_dir.mkdir(exist_ok=True)
    packaged = Path(__file__).parents[1] / "generator" / "templates" / "place.html"
    (project.templates_dir / "place.html").write_text(packaged.read_text("utf-8") + "\n<!-- changed -->\n")
    report = rebuild(project)
    assert report.reused == [] and len(report.rendered) > 40
    assert "<!-- changed -->" in (project.site_dir / "places" / "harbin" / "index.html").read_text("utf-8")
    assert rebuild(project).rendered == []
    config = project.config_file.read_text("utf-8")
    project.config_file.write_text(config + "\n# a comment\n", "utf-8")
    assert rebuild(project).reused == []


def test_a_change_of_code_or_library_version_rerenders_every_page(
    project: ProjectConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata

    from generator.cache import keys

    known = keys.code_digest()
    keys.code_digest.cache_clear()
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "0.0-other" if name == "jinja2" else real_version(name)
    )
    try:
        assert keys.code_digest() != known
        assert rebuild(project).reused == []
    finally:
        keys.code_digest.cache_clear()


def test_the_code_digest_covers_every_file_of_the_package(tmp_path: Path) -> None:
    from generator.cache.keys import package_digest

    package = Path(__file__).parents[1] / "generator"
    copy = tmp_path / "generator"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = package_digest(copy)
    assert package_digest(copy) == before
    for changed in (copy / "render.py", copy / "templates" / "place.html", copy / "overrides" / "main.html"):
        original = changed.read_bytes()
        changed.write_bytes(original + b" ")
        assert package_digest(copy) != before, changed
        changed.write_bytes(original)
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert package_digest(copy) == before  # bytecode is not code


def render_all(config: ProjectConfig, lang: str) -> list[RenderedPage]:
    site, _ = load_site(config)
    return list(render_pages(config, site, lang))


def test_a_damaged_page_store_is_started_afresh(project: ProjectConfig) -> None:
    """The cache is only saved work: a store that is not a database costs a full render, never
    a failed build."""
    folder = project.root / ".ksite-cache" / "pages"
    stores = sorted(folder.glob("*.sqlite3"))
    assert [s.stem for s in stores] == sorted(project.languages)
    for store in stores:
        store.write_bytes(b"not a database" * 100)
        store.with_name(f"{store.name}-wal").write_bytes(b"nor a log" * 100)
    edited_by_hand(project)  # or the site is up to date and the stores are not read
    report = rebuild(project)
    assert report.reused == [] and len(report.rendered) > 40
    edited_by_hand(project)
    assert rebuild(project).rendered == []  # and the fresh store is used again
    # Closed, each store is one file again (CI caches the folder after the build).
    assert sorted(p.name for p in folder.iterdir()) == [s.name for s in stores]


def test_a_stored_page_reads_back_equal(tmp_path: Path) -> None:
    """Every field survives the page store, PDF brief included."""
    from generator.cache.pages import _page_from_row, _page_to_row
    from generator.views import PdfFile

    config = copy_project(tmp_path / "project")
    site, _ = load_site(config)
    pages = render_all(config, "zh")
    assert any(p.brief for p in pages) and any(p.toc for p in pages) and any(p.source for p in pages)
    pages.append(replace(pages[-1], pdf=PdfFile("brief.pdf", 12345, tmp_path / "brief.pdf")))
    for page in pages:
        entry = page.search
        assert entry is not None
        assert _page_from_row(_page_to_row(page), page.html, entry.html, entry.row) == page


def test_taken_pages_keep_their_place_in_the_sitemap(tmp_path: Path) -> None:
    """The sitemap is written anew on every build from every page's metadata, also of the
    pages taken over unread (with ``site_url`` set it lists each page's languages)."""
    config = copy_project(tmp_path / "project", site_url="https://example.org/ta/")
    build(config, build_into, pdf=False)
    edited_by_hand(config)
    report = rebuild(config)
    assert len(report.wrapped) == len(navigation(config))
    sitemap = (config.site_dir / "sitemap.xml").read_text("utf-8")
    assert f"https://example.org/ta/zh/{page_url('product', BRIEF)}" in sitemap
    assert sitemap.count('hreflang="zh"') == sitemap.count("<url>") > 20
    clean_equals_incremental(config)


def test_a_setting_from_the_environment_wraps_every_page_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the theme shows is keyed by the settings as MkDocs loaded them, not only by the
    bytes of mkdocs.yml: ``!ENV`` values and inherited files count."""
    config = copy_project(tmp_path / "project")
    text = config.config_file.read_text("utf-8")
    config.config_file.write_text(text + '\ncopyright: !ENV [KSITE_TEST_COPYRIGHT, "first"]\n', "utf-8")
    monkeypatch.setenv("KSITE_TEST_COPYRIGHT", "Copyright one")
    build(config, build_into, pdf=False)
    monkeypatch.setenv("KSITE_TEST_COPYRIGHT", "Copyright two")
    report = rebuild(config)
    assert len(report.wrapped) == len(report.reused) + len(report.rendered)
    page = config.site_dir / page_url("product", BRIEF) / "index.html"
    assert "Copyright two" in page.read_text("utf-8")
    clean_equals_incremental(config)


def test_serve_and_build_share_their_pages_but_not_their_site(project: ProjectConfig) -> None:
    """``ksite serve`` builds into its own folder with ``ksite build``'s page store: neither
    renders again what the other rendered, and each takes over its own published files."""
    preview = replace(project, site_dir=project.root / ".ksite-cache" / "serve" / "site")
    served = build(preview, build_into, pdf=False)
    assert served.rendered == [] and len(served.wrapped) == len(served.reused)
    assert rebuild(project).up_to_date  # its site is as its last build left it


def test_builds_with_and_without_pdfs_keep_each_their_pages(tmp_path: Path) -> None:
    """A product's page links its PDF brief or not; a build of one kind does not throw away
    the other kind's pages (``ksite serve`` and ``--no-pdf`` between two full builds)."""
    config = copy_project(tmp_path / "project")
    build(config, build_into, pdf=True)
    assert build(config, build_into, pdf=False).reused != []
    assert build(config, build_into, pdf=True).rendered == []
    assert build(config, build_into, pdf=False).rendered == []


def test_an_edit_makes_only_its_search_bundle_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A language of many documents has several Pagefind bundles; an edit to one brief's body
    makes the bundle holding it again and takes the others over."""
    from generator import search_pagefind

    monkeypatch.setattr(search_pagefind, "SHARD_SIZE", 8)
    config = copy_project(tmp_path / "project")
    build(config, build_into, pdf=False)
    before = inodes(config.site_dir)
    brief = config.content_dir / "knowledge" / f"{BRIEF}.md"
    brief.write_text(brief.read_text("utf-8") + "\nA sentence added.\n", "utf-8")
    rebuild(config)
    after = inodes(config.site_dir)
    folders = {name.split("/")[0] for name in after if name.startswith("pagefind")}
    remade = {f for f in folders if any(after[n] != before.get(n) for n in after if n.startswith(f + "/"))}
    assert len(folders) >= 3 and len(remade) == 1
    clean_equals_incremental(config)
