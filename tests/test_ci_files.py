"""The CI files ksite ships: the GitHub workflow (checked by actionlint), the GitLab
equivalent, the pre-commit hook, and the annotation format CI shows on the offending lines."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.cli import main

from .conftest import BAD, MakeProject

REPO = Path(__file__).resolve().parents[1]


def test_github_workflow_passes_actionlint() -> None:
    actionlint = shutil.which("actionlint") or str(Path(__import__("sys").executable).parent / "actionlint")
    result = subprocess.run(
        [actionlint, str(REPO / ".github/workflows/site.yml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_github_workflow_checks_builds_uploads_and_deploys() -> None:
    workflow = yaml.safe_load((REPO / ".github/workflows/site.yml").read_text("utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as True
    for event in ("pull_request", "push"):
        assert set(triggers[event]["paths"]) >= {"content/**", "templates/**", "mkdocs.yml"}
    steps = workflow["jobs"]["build"]["steps"]
    commands = [s.get("run", "") for s in steps]
    assert "ksite check --format github" in commands and "ksite build" in commands
    uses = [s.get("uses", "") for s in steps] + [
        s.get("uses", "") for s in workflow["jobs"]["deploy"]["steps"]
    ]
    # Official actions, pinned by version.
    for action in (
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "actions/cache@v4",
        "actions/upload-pages-artifact@v3",
        "actions/deploy-pages@v4",
    ):
        assert action in uses
    cache = next(s for s in steps if s.get("uses") == "actions/cache@v4")
    assert cache["with"]["path"] == ".ksite-cache"
    assert next(s for s in steps if s.get("uses") == "actions/setup-python@v5")["with"]["cache"] == "pip"
    assert "refs/heads/main" in workflow["jobs"]["deploy"]["if"]


def test_gitlab_and_pre_commit_definitions_are_well_formed() -> None:
    gitlab = yaml.safe_load((REPO / "docs/ci/gitlab-ci.yml").read_text("utf-8"))
    assert "ksite build" in gitlab["build"]["script"]
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert hooks[0]["id"] == "ksite-check" and hooks[0]["entry"] == "ksite check"
    assert hooks[0]["pass_filenames"] is False


@pytest.mark.parametrize("case", ["many-problems", "duplicate-key", "non-utf8", "malformed-front-matter"])
def test_github_annotations_for_bad_inputs(
    case: str, temp_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    config = temp_project(case)
    assert main(["-f", str(config), "check", "--format", "github"]) == 1
    expected = (BAD / case / "expected-github.txt").read_text("utf-8").splitlines()
    assert capsys.readouterr().out.splitlines() == expected
