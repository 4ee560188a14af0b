"""What ``ksite build`` shows while it works: the current stage on a terminal (rich), and a
closing summary with the time of each stage; one summary line when not on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.live import Live
    from rich.spinner import Spinner

    from .build import BuildReport


class BuildProgress:
    """A line naming the stage under way (terminal only).

    Redrawn when the stage changes, never by a thread of its own: the build forks a process
    per language, and a thread holding the terminal's lock at that moment would leave a child
    waiting for it forever."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._live: Live | None = None

    def __enter__(self) -> BuildProgress:
        if self.enabled:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(
                _line("starting"), console=Console(stderr=True), auto_refresh=False, transient=True
            )
            self._live.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()

    def stage(self, name: str) -> None:
        if self._live is not None:
            self._live.update(_line(name + "…"), refresh=True)

    def summary(self, report: BuildReport, site_dir: Path) -> None:
        line = (
            f"built {report.pages} pages into {site_dir}: {len(report.rendered)} rendered, "
            f"{len(report.reused)} unchanged, {report.external} external links"
        )
        if report.up_to_date:
            line = (
                f"{site_dir} is up to date: nothing changed since it was built "
                f"({report.pages} pages, {report.external} external links)"
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


def _line(text: str) -> Spinner:
    from rich.spinner import Spinner

    return Spinner("dots", text=text)
