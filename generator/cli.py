"""The ``ksite`` command line (also ``python -m generator``).

Exit codes: 0 success, 1 content problems (all printed, sorted, as ``path:line:col: error: ...``),
2 usage errors. ``check`` never writes anything.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import ProjectConfig, load_config
from .errors import ContentError, Problem, Severity, format_problems, has_errors
from .progress import BuildProgress


def _config(args: argparse.Namespace) -> ProjectConfig:
    return load_config(Path(args.config_file))


def _report(problems: Sequence[Problem], fmt: str) -> None:
    if fmt == "json":
        print(format_problems(problems, "json"))
    elif problems:
        print(format_problems(problems, fmt), file=sys.stderr if fmt == "text" else sys.stdout)


def cmd_check(args: argparse.Namespace) -> int:
    from .check import checked_site, missing_site_url
    from .translations import coverage, format_coverage, required_problems

    config = _config(args)
    site, problems = checked_site(config)
    problems += missing_site_url(config)
    if args.translations or args.require:
        reports = coverage(site, config.languages)
        if args.translations:
            print(format_coverage(reports), file=sys.stderr if args.format == "json" else sys.stdout)
        problems += required_problems(reports, args.require or [])
    _report(problems, args.format)
    if args.format == "text":
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        warnings = len(problems) - errors
        summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        print(("check failed: " if errors else "check passed: ") + summary, file=sys.stderr)
    return 1 if has_errors(problems) else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build
    from .mkdocs_plugin import build_into

    config = _config(args)
    with BuildProgress(enabled=sys.stderr.isatty()) as progress:
        report = build(
            config,
            build_into,
            pdf=not args.no_pdf,
            use_cache=not args.no_cache,
            check_links=not args.no_link_check,
            check_external=args.check_external,
            progress=progress.stage,
        )
    _report(report.warnings, "text")
    progress.summary(report, config.site_dir)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .build import export

    config = _config(args)
    out = Path(args.output) if args.output else config.root / "export"
    written = export(config, args.format or ["all"], out.resolve())
    total = sum(written.values())
    print(f"exported {len(written)} files ({total:,} bytes) into {out}", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .mkdocs_plugin import serve

    serve(Path(args.config_file), args.dev_addr)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from . import scaffold

    config = _config(args)
    try:
        if args.kind == "brief":
            path = scaffold.new_brief(config, args.name, args.title, args.type, args.project)
        elif args.kind == "project":
            path = scaffold.new_project(config, args.name, args.title)
        else:
            path = scaffold.new_place(config, args.name, args.title, args.place_kind)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .importers import cli as importer

    return int(importer.run(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ksite", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "-f", "--config-file", default="mkdocs.yml", help="the site's mkdocs.yml (default: ./mkdocs.yml)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="validate content and templates; print every problem; write nothing")
    check.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="text for people, github for workflow annotations, json for tools",
    )
    check.add_argument(
        "--translations",
        action="store_true",
        help="also report translation coverage per language (missing and out-of-date texts)",
    )
    check.add_argument(
        "--require",
        action="append",
        metavar="LANG",
        help="fail when any text lacks an up-to-date translation into LANG (repeatable)",
    )
    check.set_defaults(func=cmd_check)

    build = sub.add_parser("build", help="check, build into a temporary folder, check links, replace site/")
    build.add_argument("--no-link-check", action="store_true", help="skip the internal link check")
    build.add_argument(
        "--check-external",
        action="store_true",
        help="also fetch every external link once and warn about those that fail",
    )
    build.add_argument("--no-pdf", action="store_true", help="skip the PDF briefs (quick previews)")
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="parse, render and check every page again instead of reusing .ksite-cache/",
    )
    build.set_defaults(func=cmd_build)

    from .export import FORMATS

    export = sub.add_parser(
        "export", help="check, then write the open data, IATI, citation files and feeds, without building"
    )
    export.add_argument(
        "--format",
        action="append",
        choices=[*FORMATS, "all"],
        help="what to write (repeatable; default: all)",
    )
    export.add_argument("-o", "--output", help="folder to write into, replaced whole (default: ./export)")
    export.set_defaults(func=cmd_export)

    serve = sub.add_parser("serve", help="preview with live reload on changes to content/ and templates/")
    serve.add_argument("-a", "--dev-addr", default="127.0.0.1:8000")
    serve.set_defaults(func=cmd_serve)

    new = sub.add_parser("new", help="start a valid content file: brief, project or place")
    new.add_argument("kind", choices=["brief", "project", "place"])
    new.add_argument("name", help="the brief's id, the project number or the place's slug")
    new.add_argument("--title", required=True, help="title (brief, project) or name (place)")
    new.add_argument(
        "--type",
        default="research-brief",
        choices=["research-brief", "policy-note", "report", "event", "dataset", "presentation"],
    )
    new.add_argument("--project", help="project number the brief belongs to")
    new.add_argument(
        "--place-kind",
        default="city",
        choices=["country", "province", "prefecture", "city", "county", "district", "region", "other"],
    )
    new.set_defaults(func=cmd_new)

    importer = sub.add_parser("import", help="import records from other formats")
    formats = importer.add_subparsers(dest="format_name", required=True)
    pds = formats.add_parser("pds", help="ADB project data sheets (text or saved HTML) to project records")
    try:
        from .importers import cli as importer_cli

        importer_cli.add_arguments(pds)
    except ImportError:  # pragma: no cover - importer package not installed
        pass
    pds.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ContentError as exc:
        _report(exc.problems, getattr(args, "format", "text") if args.command == "check" else "text")
        errors = sum(1 for p in exc.problems if p.severity is Severity.ERROR)
        print(
            f"{args.command} failed: {errors} error{'s' * (errors != 1)}; site/ was left unchanged"
            if args.command == "build"
            else f"{args.command} failed",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
