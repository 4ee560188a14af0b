"""``ksite build``: a failed build never touches the last good site; check writes nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator import build as build_module
from generator.build import build
from generator.cli import main
from generator.config import ProjectConfig
from generator.errors import ContentError
from generator.mkdocs_plugin import build_into

from .builtsite import copy_project, tree_digest

pytestmark = pytest.mark.slow


@pytest.fixture()
def project(tmp_path: Path) -> ProjectConfig:
    config = copy_project(tmp_path / "project")
    build(config, build_into)
    return config


def edit_a_brief(config: ProjectConfig) -> None:
    """A change to the content, so that the next build runs (with none, it stops at once)."""
    brief = config.content_dir / "knowledge" / "innovation-enabling-systems.md"
    brief.write_text(brief.read_text("utf-8") + "\nA sentence added.\n", "utf-8")


def leftovers(config: ProjectConfig) -> list[str]:
    """Staging or backup folders a build left beside site/."""
    return sorted(
        p.name for p in config.site_dir.parent.iterdir() if p.name.startswith(f".{config.site_dir.name}-")
    )


def test_bad_content_leaves_site_untouched(project: ProjectConfig) -> None:
    before = tree_digest(project.site_dir)
    record = project.content_dir / "projects" / "54037-001.yaml"
    record.write_text(record.read_text("utf-8").replace("status: Proposed", "status: [Proposed"), "utf-8")
    assert main(["-f", str(project.config_file), "build"]) == 1
    assert tree_digest(project.site_dir) == before
    assert leftovers(project) == []


def test_template_error_leaves_site_untouched(
    project: ProjectConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(project.site_dir)
    project.templates_dir.mkdir(exist_ok=True)
    (project.templates_dir / "output.html").write_text(
        "<h1>{{ output.number }}</h1>\n{{ no_such_thing.x }}\n"
    )
    assert main(["-f", str(project.config_file), "build"]) == 1
    err = capsys.readouterr().err
    assert "templates/output.html:2:1: error: template error:" in err
    assert "'no_such_thing' is undefined" in err
    assert tree_digest(project.site_dir) == before
    assert leftovers(project) == []


def test_template_syntax_error_is_reported_by_check(
    project: ProjectConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    project.templates_dir.mkdir(exist_ok=True)
    (project.templates_dir / "place.html").write_text("<h1>{{ title }}</h1>\n{% if %}\n")
    assert main(["-f", str(project.config_file), "check"]) == 1
    assert (
        "templates/place.html:2:1: error: template error: Expected an expression" in capsys.readouterr().err
    )


def test_exception_mid_build_leaves_site_untouched(
    project: ProjectConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_digest(project.site_dir)

    def exploding_link_check(site_dir: Path, base_path: str = "/", *options: object) -> list[object]:
        assert (site_dir / "index.html").exists()  # the new site was fully built in staging...
        raise RuntimeError("disk full")  # ...and then something failed

    monkeypatch.setattr(build_module, "check_site", exploding_link_check)
    edit_a_brief(project)
    with pytest.raises(RuntimeError, match="disk full"):
        build(project, build_into)
    assert tree_digest(project.site_dir) == before
    assert leftovers(project) == []


def test_broken_internal_link_fails_the_build(
    project: ProjectConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(project.site_dir)
    project.templates_dir.mkdir(exist_ok=True)
    (project.templates_dir / "topic.html").write_text(
        '<h1>{{ title }}</h1>\n<a href="../nowhere/">x</a> <a href="#no-such-anchor">y</a>\n'
    )
    assert main(["-f", str(project.config_file), "build"]) == 1
    err = capsys.readouterr().err
    assert "site/topics/innovation/index.html" in err
    assert "broken link '../nowhere/'" in err
    assert "broken anchor '#no-such-anchor'" in err
    assert tree_digest(project.site_dir) == before


def test_check_writes_nothing(project: ProjectConfig) -> None:
    """Not even in the cache a build through the CLI wrote."""
    root = project.root
    assert main(["-f", str(project.config_file), "build", "--no-pdf"]) == 0
    while leftovers(project):  # the old site, removed in the background
        time.sleep(0.05)
    assert (root / ".ksite-cache" / "pages").is_dir()
    before = tree_digest(root)
    assert main(["-f", str(project.config_file), "check"]) == 0
    assert tree_digest(root) == before


def test_successful_rebuild_replaces_site(project: ProjectConfig) -> None:
    product = project.content_dir / "knowledge" / "innovation-enabling-systems.md"
    product.write_text(
        product.read_text("utf-8").replace(
            "title: Putting innovation-enabling systems at the forefront", "title: A changed title"
        ),
        "utf-8",
    )
    report = build(project, build_into)
    assert report.pages > 0
    page = project.site_dir / "knowledge" / "innovation-enabling-systems" / "index.html"
    assert "A changed title" in page.read_text("utf-8")
    assert report.removal is not None and report.removal.wait(timeout=60) == 0  # the old site
    assert leftovers(project) == []


def test_previous_sites_are_removed_after_the_build_returns(project: ProjectConfig) -> None:
    """The site swapped out is removed by a helper process that outlives the build, with any
    that an interrupted removal left behind; the new site is complete before it starts."""
    stale = project.site_dir.parent / f".{project.site_dir.name}-old-99999999-0000"  # no such process
    (stale / "knowledge").mkdir(parents=True)
    (stale / "knowledge" / "index.html").write_text("left by a killed removal", "utf-8")
    # A live process's swapped-out site is its own to restore or remove.
    busy = project.site_dir.parent / f".{project.site_dir.name}-old-{os.getppid()}-0000"
    busy.mkdir()
    edit_a_brief(project)
    report = build(project, build_into)
    assert (project.site_dir / "index.html").is_file()
    assert report.removal is not None and report.removal.wait(timeout=60) == 0
    assert leftovers(project) == [busy.name]
    staging, nowhere = project.root / "staging", project.root / "first-site"
    staging.mkdir()
    assert build_module._swap(staging, nowhere) is None  # nothing to remove: no helper started


def test_content_error_lists_every_problem(project: ProjectConfig) -> None:
    record = project.content_dir / "places" / "harbin.yaml"
    record.write_text(record.read_text("utf-8").replace("kind: city", "kind: metropolis"), "utf-8")
    product = project.content_dir / "knowledge" / "innovation-enabling-systems.md"
    product.write_text(
        product.read_text("utf-8").replace("project: 54037-001", "project: 99999-001"), "utf-8"
    )
    with pytest.raises(ContentError) as caught:
        build(project, build_into)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("content/places/harbin.yaml:5:7: error: kind is 'metropolis'") for m in messages)
    # The invalid place is not reported a second time as unknown where products use it.
    assert not any("unknown place 'harbin'" in m for m in messages)
    assert any(
        m.startswith("content/knowledge/innovation-enabling-systems.md:") and "99999-001" in m
        for m in messages
    )


def test_external_links_are_counted_and_checked_only_on_request(tmp_path: Path) -> None:
    """Only 127.0.0.1 is ever fetched here: the check is limited to that host."""
    from generator.checklinks import check_external_links

    from .browser import serve_directory

    served = tmp_path / "www"
    served.mkdir()
    (served / "ok.html").write_text("fine")
    config = copy_project(tmp_path / "project")
    brief = config.content_dir / "knowledge" / "innovation-enabling-systems.md"
    with serve_directory(served) as base:
        brief.write_text(
            brief.read_text("utf-8") + f"\n[ok]({base}ok.html) and [gone]({base}gone.html)\n", "utf-8"
        )
        report = build(config, build_into, pdf=False)
        assert report.external >= 2 and not [w for w in report.warnings if "external link" in w.message]
        problems = check_external_links(config.site_dir, only_hosts={"127.0.0.1"})
    messages = [str(p) for p in problems]
    assert messages and all(f"external link {base}gone.html: HTTP 404" in m for m in messages)
    assert any(m.startswith("site/knowledge/innovation-enabling-systems/index.html") for m in messages)


def test_packaged_templates_compile() -> None:
    """`ksite check` compiles only a site's own templates; ksite's own are held here."""
    from generator.templating import make_environment

    env = make_environment(None)
    names = env.list_templates(extensions=["html", "xml", "css"])
    assert len(names) > 10
    for name in names:
        env.get_template(name)  # raises TemplateSyntaxError (or an assertion error) if broken


def test_languages_are_built_side_by_side_and_report_their_problems_together() -> None:
    """The languages side by side (where there are two cores and ``fork``); a problem of any
    language, here or in another process, comes back to the build, all of them at once."""
    from generator.build import side_by_side
    from generator.errors import error

    def job(lang: str) -> int:
        if lang != "en":
            raise ContentError([error(f"content/{lang}.md", 3, 7, f"bad {lang}")])
        return os.getpid()

    with pytest.raises(ContentError) as caught:
        side_by_side(job, ["en", "zh", "fr"])
    assert [str(p) for p in caught.value.problems] == [
        "content/fr.md:3:7: error: bad fr",
        "content/zh.md:3:7: error: bad zh",
    ]
    pids = side_by_side(lambda lang: os.getpid(), ["en", "zh"])
    if (os.cpu_count() or 1) >= 2:  # the last language here, the other in a process of its own
        assert pids[1] == os.getpid() != pids[0]
    else:
        assert pids == [os.getpid(), os.getpid()]
    assert side_by_side(lambda lang: lang.upper(), ["en", "zh", "fr", "es"]) == ["EN", "ZH", "FR", "ES"]

    def broken(lang: str) -> int:
        if lang == "zh":
            raise RuntimeError("disk full")
        return job(lang)

    with pytest.raises(RuntimeError, match="disk full"):  # wherever it ran
        side_by_side(broken, ["en", "zh"])


def test_the_site_folder_can_be_read_by_others_as_a_folder_made_there_would_be(
    project: ProjectConfig,
) -> None:
    """The site is built in a temporary folder and renamed into place: it must not keep the
    owner-only permissions of a temporary folder, or a web server running as another user
    could not serve it."""
    made_there = project.root / "made-by-mkdir"
    made_there.mkdir()
    assert project.site_dir.stat().st_mode == made_there.stat().st_mode
