"""The build's progress display: a summary line off a terminal, a table of stage times on one."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import BuildReport
from generator.progress import BuildProgress

REPORT = BuildReport(
    pages=50,
    seconds={"check": 0.5, "render": 0.25, "mkdocs": 2.0, "total": 3.0},
    rendered=["en:knowledge/x/"],
    reused=["en:"] * 49,
    external=7,
)


def test_off_a_terminal_one_quiet_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    with BuildProgress(enabled=False) as progress:
        progress.stage("checking content")
    progress.summary(REPORT, Path("site"))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "built 50 pages into site: 1 rendered, 49 unchanged, 7 external links "
        "(check 0.50s, render 0.25s, mkdocs 2.00s, total 3.00s)\n"
    )


def test_on_a_terminal_a_table_of_stage_times(capsys: pytest.CaptureFixture[str]) -> None:
    with BuildProgress(enabled=True) as progress:
        progress.stage("checking content")
    progress.summary(REPORT, Path("site"))
    err = capsys.readouterr().err
    assert "built 50 pages into site: 1 rendered, 49 unchanged" in err
    for stage, seconds in (("check", "0.50"), ("render", "0.25"), ("mkdocs", "2.00"), ("total", "3.00")):
        assert any(stage in line and seconds in line for line in err.splitlines()), stage


def test_the_terminal_display_runs_no_thread_of_its_own() -> None:
    """The build forks a process per language: no other thread may be running then."""
    import threading

    before = threading.active_count()
    with BuildProgress(enabled=True) as progress:
        progress.stage("rendering and writing en, zh")
        assert threading.active_count() == before
