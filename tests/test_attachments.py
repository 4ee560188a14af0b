"""Attachments: listed on the product page, copied with the site, checked to exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import build
from generator.cli import main
from generator.mkdocs_plugin import build_into

from .builtsite import copy_project

BRIEF = "innovation-enabling-systems"


def attach(config_root: Path, file: str) -> None:
    brief = config_root / "content" / "knowledge" / f"{BRIEF}.md"
    brief.write_text(
        brief.read_text("utf-8").replace(
            "example: true\n", f"example: true\nattachments:\n  - title: Data table\n    file: {file}\n", 1
        ),
        "utf-8",
    )


def test_attachment_is_linked_and_copied(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project")
    (config.content_dir / "media").mkdir()
    (config.content_dir / "media" / "table.csv").write_text("indicator,value\n", "utf-8")
    attach(config.root, "table.csv")
    build(config, build_into, pdf=False)
    for prefix in ("", "zh/"):
        page = (config.site_dir / prefix / "knowledge" / BRIEF / "index.html").read_text("utf-8")
        assert '<a href="../../media/table.csv">Data table</a>' in page
        assert (config.site_dir / prefix / "media" / "table.csv").is_file()


def test_missing_attachment_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = copy_project(tmp_path / "project")
    attach(config.root, "missing.pdf")
    assert main(["-f", str(config.config_file), "check"]) == 1
    assert (
        f"content/knowledge/{BRIEF}.md:19:11: error: attachment 'missing.pdf' is not in media/; "
        "add the file there or fix the name"
    ) in capsys.readouterr().err
