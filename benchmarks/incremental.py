"""Time a clean ``ksite build`` and a rebuild after one brief changes, on a synthetic corpus.

    .venv/bin/python benchmarks/incremental.py [--n 1000] [--pdf]

Prints, for both builds, the pages rendered and reused and the seconds of each stage from
ksite's own report: ksite's work (check, render, search index, link check) apart from MkDocs'
share (the shell's time less ksite's steps inside it). Target for the rebuild: under 2 s of
ksite's own work, plus MkDocs' unavoidable share, which is reported separately.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from corpus import make_corpus

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
KSITE = Path(sys.executable).parent / "ksite"
_LINE = re.compile(
    r"built (\d+) pages into .*?: (\d+) rendered, (\d+) unchanged, \d+ external links \((.*)\)\s*$",
    re.MULTILINE,
)
KSITE_STEPS = ("check", "render", "search index", "links")


def build(root: Path, pdf: bool) -> dict[str, float]:
    command = [str(KSITE), "-f", str(root / "mkdocs.yml"), "build"] + ([] if pdf else ["--no-pdf"])
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    match = _LINE.search(result.stderr)
    if result.returncode != 0 or match is None:
        sys.exit(f"ksite build failed:\n{result.stderr[-3000:]}")
    figures = {"pages": float(match[1]), "rendered": float(match[2]), "reused": float(match[3])}
    for part in match[4].split(", "):
        name, _, seconds = part.rpartition(" ")
        figures[name] = float(seconds.rstrip("s"))
    figures["ksite own"] = sum(figures.get(step, 0.0) for step in KSITE_STEPS)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1000, help="synthetic products (and records)")
    parser.add_argument("--pdf", action="store_true", help="make PDF briefs too (slow when cold)")
    args = parser.parse_args()
    root = OUT / f"incremental-{args.n}"
    shutil.rmtree(root, ignore_errors=True)
    make_corpus(root, args.n)
    clean = build(root, args.pdf)
    brief = sorted((root / "content" / "knowledge").glob("*.md"))[0]
    text = brief.read_text("utf-8")
    brief.write_text(
        re.sub(r"^title: (.*)$", r"title: \1 (revised)", text, count=1, flags=re.MULTILINE), "utf-8"
    )
    again = build(root, args.pdf)
    columns = (
        "pages",
        "rendered",
        "reused",
        "check",
        "render",
        "search index",
        "links",
        "ksite own",
        "mkdocs",
        "total",
    )
    print(f"N = {args.n} products and records; changed {brief.name}")
    print(f"{'build':<22}" + "".join(f"{c:>13}" for c in columns))
    for name, figures in (("clean", clean), ("after one brief", again)):
        print(f"{name:<22}" + "".join(f"{figures.get(c, 0.0):>13.2f}" for c in columns))
    verdict = "PASS" if again["ksite own"] < 2.0 else "FAIL"
    print(
        f"{verdict}: rebuild's own work {again['ksite own']:.2f}s (target < 2 s); "
        f"MkDocs' share {again['mkdocs']:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
