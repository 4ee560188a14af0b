"""What ``ksite build`` shows while it works: the current stage on a terminal (rich), and a
closing summary with the time of each stage; one summary line when not on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.status import Status

    from .build import BuildReport


class BuildProgress:
    """A spinner naming the stage under way (terminal only)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._status: Status | None = None

    def __enter__(self) -> BuildProgress:
        if self.enabled:
            from rich.console import Console

            self._status = Console(stderr=True).status("starting")
            self._status.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._status is not None:
            self._status.stop()

    def stage(self, name: str) -> None:
        if self._status is not None:
            self._status.update(name + "…")

    def summary(self, report: BuildReport, site_dir: Path) -> None:
        line = (
            f"built {report.pages} pages into {site_dir}: {len(report.rendered)} rendered, "
            f"{len(report.reused)} unchanged, {report.external} external links"
        )
        if not self.enabled:
            timing = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in report.seconds.items())
            print(f"{line} ({timing})", file=sys.stderr)
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(show_header=True, header_style="bold")
        table.add_column("stage")
        table.add_column("seconds", justify="right")
        for name, seconds in report.seconds.items():
            table.add_row(name, f"{seconds:.2f}")
        console = Console(stderr=True, soft_wrap=True)
        console.print(line)
        console.print(table)
