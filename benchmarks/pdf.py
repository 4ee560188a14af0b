"""Time the PDF briefs: N synthetic products and N project sheets printed cold, then again from the cache.

It writes the synthetic corpus of ``corpus.py`` (10% of it in Chinese), renders its pages once,
then prints every product and project sheet with an empty PDF cache (cold) and again with the
filled cache (cached), and prints seconds per brief and per PDF page. With ``--builds`` it also
times whole ``ksite build`` runs: without PDFs, with PDFs on an empty cache, with the cache full.

    .venv/bin/python benchmarks/pdf.py                 # N = 100
    .venv/bin/python benchmarks/pdf.py -n 20 --builds

Target (from the requirements): a rebuild of 100 unchanged briefs under a second of PDF work.
The exit status is 1 when it is missed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import make_corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.build import brief_printer, renderer_for  # noqa: E402
from generator.check import load_site  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.render import RenderedPage  # noqa: E402

BIN = Path(sys.executable).parent
CACHED_TARGET_SECONDS = 1.0
CACHED_TARGET_N = 100


@dataclass
class Pass:
    """One pass of the printer over every brief."""

    name: str
    briefs: int
    pages: int
    seconds: float
    made: int
    cached: int

    def line(self) -> str:
        per_brief = 1000 * self.seconds / max(self.briefs, 1)
        per_page = 1000 * self.seconds / max(self.pages, 1)
        return (
            f"{self.name:<8} {self.briefs:>5} briefs {self.pages:>6} pages {self.seconds:>8.2f} s "
            f"{per_brief:>8.1f} ms/brief {per_page:>7.1f} ms/page  ({self.made} made, {self.cached} cached)"
        )


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return next(int(line.split()[-1]) for line in out.splitlines() if line.startswith("Pages:"))


def printable_pages(root: Path) -> list[RenderedPage]:
    config = load_config(root / "mkdocs.yml")
    site, problems = load_site(config)
    if problems:
        raise SystemExit(f"the synthetic corpus has problems: {problems[:3]}")
    renderer = renderer_for(config, site, config.default_language)
    return [page for page in renderer.pages() if page.brief is not None]


def print_pass(name: str, root: Path, pages: list[RenderedPage], cache: Path) -> tuple[Pass, dict[str, Path]]:
    printer = brief_printer(load_config(root / "mkdocs.yml"), cache)
    started = time.perf_counter()
    files = {page.url: printer.print(page).path for page in pages}
    seconds = time.perf_counter() - started
    page_count = sum(pdf_pages(path) for path in set(files.values()))
    return Pass(name, len(pages), page_count, seconds, printer.stats.made, printer.stats.cached), files


def timed_build(root: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "ksite"), "-f", str(root / "mkdocs.yml"), "build", "--no-link-check", *extra],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=CACHED_TARGET_N, help="synthetic products (and projects)")
    parser.add_argument("--builds", action="store_true", help="also time whole ksite builds")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ksite-pdf-bench-") as folder:
        root = Path(folder) / "corpus"
        make_corpus(root, args.n)
        pages = printable_pages(root)
        cache = Path(folder) / "cache"
        cold, files = print_pass("cold", root, pages, cache)
        cached, _ = print_pass("cached", root, pages, cache)
        products = [p for p in pages if p.kind == "product"]
        rebuild, _ = print_pass("products", root, products, cache)

        print(f"PDF briefs of {args.n} synthetic products and {args.n} project sheets (one language)")
        print(cold.line())
        print(cached.line())
        print(rebuild.line())
        for kind in ("product", "project"):
            sizes = sorted(files[p.url].stat().st_size for p in pages if p.kind == kind)
            print(
                f"{kind} PDFs: median {sizes[len(sizes) // 2] / 1000:.0f} KB, "
                f"largest {sizes[-1] / 1000:.0f} KB"
            )
        figures: dict[str, object] = {
            "n": args.n,
            "cold": vars(cold),
            "cached": vars(cached),
            "cached_products": vars(rebuild),
        }
        if args.builds:
            builds = {
                "build --no-pdf": timed_build(root, "--no-pdf"),
                "build, cold PDF cache": timed_build(root),
                "build, PDF cache full": timed_build(root),
            }
            for name, seconds in builds.items():
                print(f"ksite {name:<24} {seconds:>8.2f} s")
            figures["builds"] = builds
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2), "utf-8")

    ok = args.n != CACHED_TARGET_N or rebuild.seconds < CACHED_TARGET_SECONDS
    if args.n == CACHED_TARGET_N:
        print(
            f"{'PASS' if ok else 'FAIL'}: {rebuild.briefs} unchanged briefs from the cache in "
            f"{rebuild.seconds:.2f} s (target < {CACHED_TARGET_SECONDS:.0f} s)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
