"""Importers that turn published documents into content records.

``import_pds`` reads one ADB project data sheet (page text in any of its layouts, the
tab-separated text of a text extractor, or a saved HTML page) and returns a project record
that validates against ``project.schema.json``, with every warning at its source line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Problem, error, has_errors
from ..schemas import validator_for

__all__ = ["ImportResult", "import_pds"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """One imported data sheet."""

    record: dict[str, Any]
    """The project record, keys in schema order; empty when the input was not a data sheet."""
    problems: tuple[Problem, ...]
    layout: str
    """The layout detected: text-tab, new, print-old, web2023, other or html."""

    @property
    def ok(self) -> bool:
        return bool(self.record) and not has_errors(self.problems)


def import_pds(
    text: str, path: str, *, file_name: str | None = None, number: str | None = None
) -> ImportResult:
    """Import one data sheet. ``path`` names it in messages; ``file_name`` goes to ``source.file``;
    ``number`` is the project number to use (``--number``), for a sheet that prints none."""
    # Imported here: the readers pull in BeautifulSoup, which `ksite check` and `build` never need.
    from .pds_text import read_sheet
    from .record import build_record

    sheet = read_sheet(text, path)
    record, problems = build_record(sheet, path, file_name, number)
    if record and not has_errors(problems):
        for err in validator_for("project").iter_errors(record):
            where = "/".join(str(p) for p in err.absolute_path) or "(record)"
            problems.append(error(path, 1, 1, f"imported record is invalid at {where}: {err.message}"))
    return ImportResult(record, tuple(problems), sheet.layout)
