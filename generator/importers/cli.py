"""``ksite import pds FILE...``: data sheets in, project records out.

The lead's CLI adds this subcommand with :func:`add_arguments` and calls :func:`run`.
Warnings and errors go to stderr as ``path:line:col: severity: message`` (or JSON);
a diff goes to stdout with ``--dry-run``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from ..errors import Problem, error, format_problems, has_errors, warning
from ..schemas import validator_for
from ..yamlsource import coerce_to_schema, parse_yaml
from . import import_pds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``ksite import pds``."""
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="data sheet as page text, tab-separated text or saved HTML; '-' reads standard input",
    )
    parser.add_argument(
        "-o",
        "--output",
        default="content/projects",
        metavar="DIR",
        help="folder of project records (default: content/projects)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing; print the change each import would make as a diff",
    )
    parser.add_argument(
        "--number",
        metavar="NUMBER",
        help="project number (such as 54037-001) for a data sheet that prints none; one FILE only",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="how to print warnings and errors (default: text)",
    )


def load_record(path: Path) -> tuple[dict[str, Any] | None, str, list[Problem]]:
    """An existing record as the site loads it (strict YAML, scalars typed by the schema)."""
    text = path.read_text("utf-8")
    doc, problems = parse_yaml(text, str(path))
    if doc is None or not isinstance(doc.data, dict):
        return None, text, problems or [error(path, 1, 1, "existing record is not a YAML mapping")]
    validator = validator_for("project")
    for _ in range(5):
        coerced = coerce_to_schema(doc, list(validator.iter_errors(doc.data)))
        if coerced is None:
            break
        doc = coerced
    return doc.data, text, problems


def import_file(
    name: str,
    output: Path,
    *,
    dry_run: bool,
    stdin: TextIO,
    stdout: TextIO,
    number: str | None = None,
) -> list[Problem]:
    """Import one data sheet into ``output``; returns its problems. ``number`` is ``--number``."""
    # Imported here, not at the top: `ksite --help`, `check` and `build` load this module for
    # its arguments only, and the importer's modules take a tenth of a second to import.
    from .merge import merge_records, unified_diff
    from .yaml_out import dump_record, header_comments

    if name == "-":
        text, shown, file_name = stdin.read(), "<stdin>", None
    else:
        path = Path(name)
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError as exc:
            return [error(name, 0, 0, f"cannot read the file: {exc.strerror or exc}")]
        shown, file_name = name, path.name
    result = import_pds(text, shown, file_name=file_name, number=number)
    problems = list(result.problems)
    if not result.ok:
        return problems
    target = output / f"{result.record['number']}.yaml"
    record, before, comments = result.record, "", []
    if target.exists():
        existing, before, load_problems = load_record(target)
        if existing is None:
            return problems + load_problems
        record, notes = merge_records(existing, result.record, existing.get("language") or "en")
        comments = header_comments(before)
        problems.extend(warning(target, 0, 0, message) for message in notes.stale)
        if record == existing:
            if dry_run:
                stdout.write(f"{target}: no change\n")
            return problems
    after = dump_record(record, comments)
    if dry_run:
        stdout.write(unified_diff(before, after, str(target)) or f"{target}: no change\n")
        return problems
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(after, "utf-8")
    return problems


def run(
    args: argparse.Namespace,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``ksite import pds``; 0 when every file imported, 1 when any had an error."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    output = Path(args.output)
    problems: list[Problem] = []
    number: str | None = getattr(args, "number", None)
    if number is not None and not re.fullmatch(r"[0-9]{5}-[0-9]{2,3}", number):
        problems.append(error("--number", 0, 0, f"'{number}' is not a project number (such as 54037-001)"))
    elif number is not None and len(args.files) != 1:
        problems.append(
            error("--number", 0, 0, "--number names the project of one data sheet; give one FILE")
        )
    else:
        for name in args.files:
            problems.extend(
                import_file(name, output, dry_run=args.dry_run, stdin=stdin, stdout=stdout, number=number)
            )
    if problems:
        if args.format == "json":
            stderr.write(
                json.dumps(json.loads(format_problems(problems, "json")), ensure_ascii=False, indent=2)
            )
        else:
            stderr.write(format_problems(problems, "text"))
        stderr.write("\n")
    return 1 if has_errors(problems) else 0
