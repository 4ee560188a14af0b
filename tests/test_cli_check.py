"""``ksite check``: every problem at once, sorted, exit 1; nothing written; fixed content exits 0."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import BAD, MINIMAL, MakeProject

MANY = (BAD / "many-problems" / "expected.txt").read_text("utf-8").splitlines()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under root with its size and modification time."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def test_check_as_a_real_process(temp_project: MakeProject) -> None:
    config = temp_project("many-problems")
    ksite = Path(sys.executable).with_name("ksite")
    command = [str(ksite)] if ksite.exists() else [sys.executable, "-m", "generator"]
    result = subprocess.run(
        [*command, "check"],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [*MANY, "check failed: 6 errors, 0 warnings"]


def test_problems_of_every_stage_come_at_once_and_sorted(temp_project: MakeProject) -> None:
    # many-problems has schema errors (validate), unknown references (link) and a dangling
    # Markdown reference in three files; all are reported in one run.
    assert len({line.split(":")[0] for line in MANY}) == 3
    keys = [(path, int(line), int(col)) for path, line, col, *_ in (entry.split(":") for entry in MANY)]
    assert keys == sorted(keys)


def test_check_writes_nothing(temp_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    for case in ("many-problems", None):
        config = temp_project(*([case] if case else []))
        root = config.parent
        before = snapshot(root)
        main(["-f", str(config), "check"])
        capsys.readouterr()
        assert snapshot(root) == before
        assert not (root / "site").exists()


def test_fixing_every_problem_makes_check_pass(
    temp_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    config = temp_project("many-problems")
    assert main(["-f", str(config), "check"]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "check failed: 6 errors, 0 warnings"

    content = config.parent / "content"
    shutil.copytree(MINIMAL / "content", content, dirs_exist_ok=True)
    second = content / "knowledge" / "second-brief.md"
    second.write_text(
        second.read_text("utf-8")
        .replace("type: brief", "type: policy-note")
        .replace("2021-3-1", "2021-03-01"),
        "utf-8",
    )
    assert main(["-f", str(config), "check"]) == 0
    assert capsys.readouterr().err == "check passed: 0 errors, 0 warnings\n"


def test_json_format(temp_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    config = temp_project("dangling-project")
    assert main(["-f", str(config), "check", "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == [
        {
            "path": "content/knowledge/sample-brief.md",
            "line": 6,
            "column": 10,
            "severity": "error",
            "message": "unknown project '54037-999'; it must exist as content/projects/<number>.yaml",
        }
    ]
    assert captured.err == ""


def test_json_format_when_all_is_well(temp_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-f", str(temp_project()), "check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_github_format(temp_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    config = temp_project("duplicate-output-number")
    assert main(["-f", str(config), "check", "--format", "github"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "::error file=content/projects/54037-001.yaml,line=6,col=13::output number 2 is used more than once "
        "in "
        "this project (also at line 8); number outputs 1, 2, 3...",
        "::error file=content/projects/54037-001.yaml,line=8,col=13::output number 2 is used more than once "
        "in "
        "this project (also at line 6); number outputs 1, 2, 3...",
    ]


def test_stray_file_is_a_warning_and_check_still_passes(
    temp_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    config = temp_project()
    (config.parent / "content" / "projects" / "notes.md").write_text("x", "utf-8")
    assert main(["-f", str(config), "check"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "content/projects/notes.md: warning: ignored: only .yaml files are read from projects/",
        "check passed: 0 errors, 1 warning",
    ]


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "mkdocs.yml"
    assert main(["-f", str(missing), "check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{missing}: error: no mkdocs.yml here; run ksite in the project folder or pass -f",
        "check failed",
    ]


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--format", "xml"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_check_imports_no_renderer_parser_or_shell() -> None:
    """`ksite check` stays quick on large sites by importing only what checking needs: no
    Markdown parser unless a reference must be located, no Jinja without site templates, no
    MkDocs, no PDF printer."""
    root = Path(__file__).resolve().parent.parent
    probe = (
        "import sys\n"
        "from generator.cli import main\n"
        "code = main(['check'])\n"
        "heavy = [m for m in ('markdown_it', 'jinja2', 'mkdocs', 'weasyprint', 'generator.render',"
        " 'generator.importers.pds_text', 'jsonschema') if m in sys.modules]\n"
        "print(code, heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "0 []"
