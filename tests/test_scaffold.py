"""``ksite new`` writes files that pass ``ksite check`` as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main

from .builtsite import copy_project


def test_new_files_pass_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = copy_project(tmp_path / "project")
    f = str(config.config_file)
    assert (
        main(
            [
                "-f",
                f,
                "new",
                "brief",
                "sme-finance-note",
                "--title",
                "SME finance: a note",
                "--type",
                "policy-note",
                "--project",
                "54037-001",
            ]
        )
        == 0
    )
    assert main(["-f", f, "new", "project", "12345-001", "--title", "A: project, with 'quotes'"]) == 0
    assert main(["-f", f, "new", "place", "hegang", "--title", "Hegang", "--place-kind", "city"]) == 0
    out = capsys.readouterr().out.split()
    assert out == [
        str(config.content_dir / "knowledge" / "sme-finance-note.md"),
        str(config.content_dir / "projects" / "12345-001.yaml"),
        str(config.content_dir / "places" / "hegang.yaml"),
    ]
    assert main(["-f", f, "check"]) == 0
    # Never overwrite.
    assert main(["-f", f, "new", "place", "hegang", "--title", "Other"]) == 1
    assert "exists already" in capsys.readouterr().err
