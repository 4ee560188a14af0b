"""Problems with source positions, collected across a whole run.

Every stage reports what is wrong as a :class:`Problem` value instead of raising at the
first fault, so that an editor sees all of a run's mistakes at once, each at its line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How bad a problem is: errors fail ``check`` and ``build``, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class SourcePos:
    """A place in a source file; line and column count from 1, 0 means unknown."""

    path: str
    """Path as the user would type it, relative to the project root when possible."""
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, where it is and how to fix it."""

    pos: SourcePos
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)

    def __str__(self) -> str:
        return f"{self.pos}: {self.severity.value}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.pos.path,
            "line": self.pos.line,
            "column": self.pos.column,
            "severity": self.severity.value,
            "message": self.message,
        }

    def as_github(self) -> str:
        """The workflow-command form that GitHub Actions shows on the offending line."""
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        where = f"file={self.pos.path}"
        if self.pos.line:
            where += f",line={self.pos.line},col={self.pos.column or 1}"
        return f"::{self.severity.value} {where}::{msg}"


def error(path: str | Path, line: int, column: int, message: str) -> Problem:
    return Problem(SourcePos(str(path), line, column), message)


def warning(path: str | Path, line: int, column: int, message: str) -> Problem:
    return Problem(SourcePos(str(path), line, column), message, Severity.WARNING)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)


def format_problems(problems: Iterable[Problem], fmt: str = "text") -> str:
    """Render problems sorted by position in one of the formats ``check --format`` offers."""
    ordered = sorted(set(problems))
    if fmt == "json":
        return json.dumps([p.as_dict() for p in ordered], ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(p.as_github() for p in ordered)
    return "\n".join(str(p) for p in ordered)


class ContentError(Exception):
    """Raised when a run must stop; carries every problem found so far."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__(format_problems(self.problems))

    def __reduce__(self) -> tuple[type[ContentError], tuple[tuple[Problem, ...]]]:
        """Pickled by its problems (a language built in another process reports them)."""
        return (ContentError, (self.problems,))
