"""``ksite export``: the exported files without a build, the same bytes as in the built site."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import EXPORT_MARK, build
from generator.cli import main
from generator.config import ProjectConfig
from generator.export import FORMATS
from generator.mkdocs_plugin import build_into

from .builtsite import copy_project, tree_digest

pytestmark = pytest.mark.slow
SITE_URL = "https://ksite.example.org/ta-54037/"


def files(root: Path) -> dict[str, str]:
    """Every file under ``root`` but the mark an export leaves (it says whose folder it is)."""
    return tree_digest(root, skip=EXPORT_MARK)


def planned(config: ProjectConfig) -> None:
    """The bundled record with a planned start, as an editor would set it: without a start date
    (it is not approved yet) it stays out of the IATI file, and no IATI file is written."""
    record = config.content_dir / "projects" / "54037-001.yaml"
    text = record.read_text("utf-8")
    assert "  last_pds_update: 2020-09-16\n" in text
    record.write_text(
        text.replace(
            "  last_pds_update: 2020-09-16\n", "  last_pds_update: 2020-09-16\n  planned_start: 2021-01-04\n"
        ),
        "utf-8",
    )


def test_export_writes_what_the_build_publishes_without_building(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project", site_url=SITE_URL)
    planned(config)
    out = tmp_path / "out"
    assert main(["-f", str(config.config_file), "export", "-o", str(out)]) == 0
    assert not config.site_dir.exists()  # no site was built
    exported = files(out)
    for fmt, patterns in FORMATS.items():  # every format has files
        assert any(name.endswith(patterns[0].rsplit("*", 1)[-1]) for name in exported), fmt
    assert any(name.startswith("zh/") for name in exported)
    build(config, build_into, pdf=False)
    published = files(config.site_dir)
    assert {name: published.get(name) for name in exported} == exported
    # and every file of the site that is not a page, search or the theme's is an export
    others = {
        name
        for name in published
        if not name.endswith((".html", ".pdf"))
        and not name.removeprefix("zh/").startswith(("assets/", "search/", "pagefind"))
    }
    assert others <= set(exported), others - set(exported)


def test_a_format_writes_only_its_files(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project", site_url=SITE_URL)
    out = tmp_path / "out"
    assert main(["-f", str(config.config_file), "export", "--format", "bibtex", "-o", str(out)]) == 0
    names = list(files(out))
    assert names and all(name.endswith(".bib") for name in names)
    assert any(name.startswith("zh/") for name in names)  # every language


def test_bad_content_fails_at_its_line_and_leaves_the_last_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_project(tmp_path / "project", site_url=SITE_URL)
    out = tmp_path / "out"
    assert main(["-f", str(config.config_file), "export", "-o", str(out)]) == 0
    before = files(out)
    brief = config.content_dir / "knowledge" / "innovation-enabling-systems.md"
    brief.write_text(brief.read_text("utf-8").replace("date: 2020-09-16", "date: someday"), "utf-8")
    capsys.readouterr()
    assert main(["-f", str(config.config_file), "export", "-o", str(out)]) == 1
    assert "content/knowledge/innovation-enabling-systems.md:8:" in capsys.readouterr().err
    assert files(out) == before
    assert not list(tmp_path.glob(".out-*"))  # no half-written folder left beside it


def test_export_never_replaces_the_project_or_a_folder_of_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An export replaces its folder whole, so it refuses the project itself, its folders, and a
    folder it did not write; the folder it wrote it replaces again."""
    config = copy_project(tmp_path / "project", site_url=SITE_URL)
    before = files(config.root)
    for target in (config.root, config.root.parent, config.content_dir, config.content_dir / "out"):
        assert main(["-f", str(config.config_file), "export", "-o", str(target)]) == 1
        assert "ksite export replaces its folder whole" in capsys.readouterr().err
    assert files(config.root) == before
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "letter.txt").write_text("mine", "utf-8")
    assert main(["-f", str(config.config_file), "export", "-o", str(mine)]) == 1
    assert "holds files ksite export did not write" in capsys.readouterr().err
    assert (mine / "letter.txt").read_text("utf-8") == "mine"
    out = tmp_path / "out"
    assert main(["-f", str(config.config_file), "export", "-o", str(out)]) == 0
    assert (out / EXPORT_MARK).is_file()
    assert main(["-f", str(config.config_file), "export", "-o", str(out)]) == 0
