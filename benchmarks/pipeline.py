"""Time ``ksite check`` and ``ksite build`` against a plain MkDocs + Material build of the same pages.

For each N it writes a synthetic corpus (N project records, N knowledge products, 10% Chinese)
and the same pages as ordinary Markdown, then runs each command in a child process, measuring
wall seconds and the child's peak RSS (``os.wait4``). It prints seconds, ms per page, peak MB and
the ratio to the baseline build, checks the targets, and writes
``benchmarks/out/pipeline-<date>.json``.

    .venv/bin/python benchmarks/pipeline.py --sizes 1000,5000 [--keep] [--repeat 3]

Targets: ``ksite build`` per page at most 0.6 × the baseline's per page at every N; its ms per
page at the largest N at most 1.1 × at the smallest; the peak memory of its whole process tree
(the languages are built in processes of their own; summed as proportional set sizes, sampled
every 0.2 s) at most 2 GB at N = 10,000; ``ksite check`` under 2 s at N = 1,000.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from baseline import make_baseline
from corpus import make_corpus, synthesize

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
BIN = Path(sys.executable).parent
"""The virtualenv's ``bin/`` (``sys.executable`` is not resolved, so a venv stays a venv)."""
PER_PAGE_RATIO = 0.6
GROWTH = 1.1
MEMORY_TARGET_MB = 2048
MEMORY_TARGET_N = 10000
EXPORT_SHARE = 0.10
"""The export stage adds at most this share to a clean build (issue 17)."""
CHECK_TARGET_N = 1000
CHECK_TARGET_SECONDS = 2.0
_PHASES = re.compile(r"\((?P<phases>[^()]*\d+\.\d+s[^()]*)\)\s*$", re.MULTILINE)


@dataclass
class Run:
    """One measured command at one corpus size."""

    command: str
    n: int
    pages: int
    seconds: float
    """Wall time of the child process, best of the repeats."""
    peak_mb: float
    """Peak memory of the child's whole process tree (summed proportional set sizes, sampled),
    largest of the repeats."""
    returncode: int
    load_average: float
    """One-minute load average after the command: other work on the machine skews timings."""
    phases: dict[str, float] = field(default_factory=dict)
    """ksite's own timing of its build stages, from its closing line."""
    all_seconds: list[float] = field(default_factory=list)
    ratio: float | None = None
    """``seconds`` over the baseline build's at the same N."""

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else float("nan")


def measure(argv: list[str], log: Path) -> tuple[float, float, int, str]:
    """Run ``argv``; return wall seconds, the peak memory of its process tree in MB, exit code
    and its stderr."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    with log.open("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        peak = [0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample_tree, args=(child.pid, peak, done), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    # ru_maxrss (KiB) is the largest single process, a floor where sampling saw less.
    return seconds, max(peak[0] / 1024, usage.ru_maxrss / 1024), child.returncode, stderr


def _tree(root: int) -> list[int]:
    """``root`` and every process under it, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _sample_tree(root: int, peak: list[int], done: threading.Event) -> None:
    """Keep in ``peak[0]`` the largest sum of proportional set sizes (KiB) of ``root``'s tree:
    pages shared after a fork count once in all."""
    while not done.wait(0.2):
        total = 0
        for pid in _tree(root):
            try:
                with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                    for line in rollup:
                        if line.startswith(b"Pss:"):
                            total += int(line.split()[1])
                            break
            except OSError:
                continue
        peak[0] = max(peak[0], total)


def count_pages(site: Path) -> int:
    return sum(1 for _ in site.rglob("index.html")) if site.is_dir() else 0


def phases(stderr: str) -> dict[str, float]:
    """``(check 0.58s, render+shell 2.27s, ...)`` from ``ksite build``'s last line, as numbers."""
    match = _PHASES.search(stderr)
    if not match:
        return {}
    parts = (p.strip().rsplit(" ", 1) for p in match["phases"].split(","))
    return {name: float(value.rstrip("s")) for name, value in parts}


def build_flags(pdf: bool) -> list[str]:
    """``--no-pdf`` unless PDFs are wanted and if this ksite has it: the baseline makes no PDFs."""
    if pdf:
        return []
    usage = subprocess.run([str(BIN / "ksite"), "build", "--help"], capture_output=True, text=True).stdout
    return ["--no-pdf"] if "--no-pdf" in usage else []


def source_state() -> dict[str, str]:
    """The commit measured, and whether generator/ had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT).stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "generator_changed": git("status", "--short", "--", "generator"),
    }


@dataclass(frozen=True)
class Options:
    """How every size is run."""

    seed: int
    languages: tuple[str, ...]
    repeat: int
    """Runs per command; the fastest counts."""
    build_flags: tuple[str, ...]
    """Extra arguments of ``ksite build`` (``--no-pdf``)."""


def run_size(n: int, work: Path, options: Options) -> list[Run]:
    """Generate both corpora for one N and measure the three commands."""
    ksite_root, plain_root = work / "ksite", work / "baseline"
    for root in (ksite_root, plain_root):
        shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    make_corpus(ksite_root, n, options.seed, options.languages)
    make_baseline(plain_root, synthesize(n, options.seed), options.languages)
    print(
        f"N = {n}: wrote both corpora into {work} in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    ksite = [str(BIN / "ksite"), "-f", str(ksite_root / "mkdocs.yml")]
    commands = {
        "ksite check": ([*ksite, "check"], None),
        "ksite build": ([*ksite, "build", *options.build_flags], ksite_root / "site"),
        "mkdocs build (baseline)": (
            [str(BIN / "mkdocs"), "build", "-q", "-f", str(plain_root / "mkdocs.yml")],
            plain_root / "site",
        ),
    }
    runs = []
    for name, (argv, site) in commands.items():
        times, peak, code, stderr = [], 0.0, 0, ""
        for _ in range(options.repeat):
            shutil.rmtree(ksite_root / ".ksite-cache", ignore_errors=True)  # every build is a cold one
            seconds, mb, code, stderr = measure(argv, work / f"{name.split(' (')[0].replace(' ', '-')}.log")
            times.append(seconds)
            peak = max(peak, mb)
            print(f"  {name}: {seconds:.2f} s, {mb:.0f} MB, exit {code}", file=sys.stderr)
            if code != 0:
                print(stderr[-3000:], file=sys.stderr)
                break
        pages = count_pages(site) if site else 0
        runs.append(Run(name, n, pages, min(times), peak, code, os.getloadavg()[0], phases(stderr), times))
    build, baseline = runs[1], runs[-1]
    for run in runs[:-1]:
        run.pages = (
            run.pages or build.pages
        )  # check builds nothing; per page means per page of the site it checks
    for run in runs:
        run.ratio = run.seconds / baseline.seconds if baseline.seconds else None
    return runs


def table(runs: list[Run]) -> str:
    head = f"{'command':<24} {'N':>6} {'pages':>7} {'seconds':>8} {'ms/page':>8} {'peak MB':>8} {'ratio':>6}"
    lines = [head, "-" * len(head)]
    for r in runs:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        lines.append(
            f"{r.command:<24} {r.n:>6} {r.pages:>7} {r.seconds:>8.2f} {r.ms_per_page:>8.2f} "
            f"{r.peak_mb:>8.0f} {ratio:>6}"
        )
    return "\n".join(lines)


def verdicts(runs: list[Run]) -> list[tuple[str, bool | None]]:
    """The targets, None where this run did not include the size they need."""
    by = {(r.command, r.n): r for r in runs}
    results: list[tuple[str, bool | None]] = []
    sizes = sorted({r.n for r in runs})
    for n in sizes:
        build, plain = by.get(("ksite build", n)), by.get(("mkdocs build (baseline)", n))
        ok = None
        if build and plain and build.pages and plain.pages:
            ratio = build.ms_per_page / plain.ms_per_page
            ok = build.returncode == 0 and ratio <= PER_PAGE_RATIO
            text = f"ksite build per page {ratio:.2f} × plain MkDocs' at N = {n:,} (at most {PER_PAGE_RATIO})"
            results.append((text, ok))
    builds = [by[("ksite build", n)] for n in sizes if ("ksite build", n) in by]
    if len(builds) > 1:
        growth = builds[-1].ms_per_page / builds[0].ms_per_page
        results.append(
            (
                f"ksite build ms per page at N = {builds[-1].n:,} is {growth:.2f} × at N = {builds[0].n:,} "
                f"(at most {GROWTH})",
                growth <= GROWTH,
            )
        )
    for n in sizes:
        build = by.get(("ksite build", n))
        if build and "exports" in build.phases:
            # The exporters run in each language's process beside the rendering: their share is
            # of the rest of the build, each language's longest (as ksite reports its steps).
            exports = build.phases["exports"]
            added = exports / (build.phases["total"] - exports)
            text = f"the export stage adds {added:.1%} to a clean build at N = {n:,} ({exports:.1f} s)"
            text += f" (at most {EXPORT_SHARE:.0%})"
            results.append((text, added <= EXPORT_SHARE))
    big = by.get(("ksite build", MEMORY_TARGET_N))
    results.append(
        (
            f"ksite build's process tree under {MEMORY_TARGET_MB} MB at N = {MEMORY_TARGET_N:,}"
            + (f" ({big.peak_mb:.0f} MB)" if big else ""),
            None if big is None else big.peak_mb <= MEMORY_TARGET_MB,
        )
    )
    check = by.get(("ksite check", CHECK_TARGET_N))
    check_ok = None if not check else check.returncode == 0 and check.seconds < CHECK_TARGET_SECONDS
    results.append((f"ksite check under {CHECK_TARGET_SECONDS:g} s at N = {CHECK_TARGET_N:,}", check_ok))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated corpus sizes N")
    parser.add_argument("--keep", action="store_true", help="keep corpora in benchmarks/out/corpus-<N>/")
    parser.add_argument("--languages", default="en", help="site languages, e.g. en,zh (both corpora)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; the fastest counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pdf", action="store_true", help="let ksite build make its PDF briefs too")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    languages = tuple(args.languages.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    options = Options(args.seed, languages, args.repeat, tuple(build_flags(args.pdf)))
    runs: list[Run] = []
    for n in sizes:
        if args.keep:
            runs += run_size(n, OUT / f"corpus-{n}", options)
        else:
            with tempfile.TemporaryDirectory(prefix=f"ksite-bench-{n}-") as tmp:
                runs += run_size(n, Path(tmp), options)
    print(table(runs))
    results = verdicts(runs)
    for text, ok in results:
        print(f"{'SKIP' if ok is None else 'PASS' if ok else 'FAIL'}: {text}")
    stamp = datetime.now().strftime("%Y-%m-%dT%H%M")  # one file per run, never overwritten
    report = {
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "source": source_state(),
        "ksite_build_flags": options.build_flags,
        "languages": languages,
        "seed": args.seed,
        "runs": [asdict(r) | {"ms_per_page": r.ms_per_page} for r in runs],
        "targets": [{"target": text, "met": ok} for text, ok in results],
    }
    out = OUT / f"pipeline-{stamp}.json"
    out.write_text(json.dumps(report, indent=2), "utf-8")
    print(f"figures written to {out}", file=sys.stderr)
    return 0 if all(ok is not False for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
