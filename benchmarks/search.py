"""How heavy is the first search? Index sizes on disk and bytes a browser fetches, at N products.

For each N it writes the synthetic corpus (``corpus.py``), builds it with ``ksite build``, then
serves the site on 127.0.0.1 with gzip (as any web server would: text compressed on the fly,
Pagefind's own files are compressed already) and, in headless Chromium, opens the home page,
types a query into the header search box and waits for the results. It prints the size of each
search index on disk (raw and gzipped) and the bytes fetched to answer the first query, split by
file, and writes ``benchmarks/out/search-<date>.json``.

    .venv/bin/python benchmarks/search.py                    # N = 1,000 and 5,000 (minutes)
    .venv/bin/python benchmarks/search.py --sizes 50 --keep  # a quick run, corpus kept

Target (from the requirements): at N = 5,000 a browser fetches at most 1 MB (compressed) to
answer its first query. The exit status is 1 when it is missed.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from corpus import make_corpus

REPO = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
BIN = Path(sys.executable).parent
TARGET_N = 5000
TARGET_BYTES = 1_000_000
QUERIES = ("policy research", "synthetic city 2-3 finance")
"""The first query (common words: many results, the most fragments) and a second one."""
COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt")

sys.path.insert(0, str(REPO))
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


@dataclass
class Fetch:
    url: str
    bytes: int
    """Body as transferred (compressed where served compressed) plus response headers."""


@dataclass
class Result:
    n: int
    languages: list[str]
    build_seconds: float
    pages: int
    pagefind_files: int
    pagefind_bytes: int
    """The Pagefind bundle of the default language on disk (all its chunks)."""
    fallback_bytes: int
    fallback_gzip_bytes: int
    material_index_bytes: int
    page_load_bytes: int
    """Everything the home page itself fetches, before any search."""
    first_query: str
    first_query_bytes: int
    first_query_results: int
    first_query_seconds: float
    second_query_bytes: int
    fetches: list[Fetch] = field(default_factory=list)


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text gzipped when the browser accepts it (as a production server does)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):
                return super().send_head()
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not path.is_file() or not wants_gzip or path.suffix not in COMPRESSIBLE:
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve_gzip(root: Path) -> Iterator[str]:
    handler = lambda *a, **k: _GzipHandler(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def build(root: Path) -> float:
    argv = [str(BIN / "ksite"), "-f", str(root / "mkdocs.yml"), "build"]
    help_text = subprocess.run([*argv, "--help"], capture_output=True, text=True).stdout
    if "--no-pdf" in help_text:
        argv.append("--no-pdf")  # PDFs are another benchmark's business
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ksite build failed at {root}:\n{done.stderr[-3000:]}")
    return seconds


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def measure_browser(site: Path) -> tuple[int, list[Fetch], int, float, int]:
    """Page load bytes, the first query's fetches, its result count and seconds, the second's bytes."""
    from playwright.sync_api import sync_playwright

    with serve_gzip(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        finished: list[Any] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(base)
        page.wait_for_load_state("networkidle")
        load = sum(_size(r) for r in finished)
        finished.clear()
        started = time.perf_counter()
        page.click(".md-search__input")
        page.fill(".md-search__input", QUERIES[0])
        page.wait_for_selector(".md-search-result__item", timeout=60000)
        page.wait_for_load_state("networkidle")
        seconds = time.perf_counter() - started
        fetches = [Fetch(r.url.removeprefix(base), _size(r)) for r in finished]
        meta = page.inner_text(".md-search-result__meta")
        count = int("".join(c for c in meta if c.isdigit()) or 0)
        finished.clear()
        page.fill(".md-search__input", QUERIES[1])
        page.wait_for_timeout(300)
        page.wait_for_load_state("networkidle")
        page.wait_for_selector(".md-search-result__item", timeout=60000)
        second = sum(_size(r) for r in finished)
        engine = page.get_attribute("[data-ksite-search]", "data-ksite-engine")
        browser.close()
    if engine != "pagefind":
        raise SystemExit(f"the search ran on '{engine}', not Pagefind: is the bundle there?")
    return load, fetches, count, seconds, second


def _size(request: Any) -> int:
    sizes = request.sizes()
    return int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])


def run(n: int, languages: tuple[str, ...], workdir: Path) -> Result:
    root = workdir / f"search-{n}"
    if root.exists():
        shutil.rmtree(root)
    make_corpus(root, n, languages=languages)
    seconds = build(root)
    site = root / "site"
    files, bundle = folder_bytes(site / "pagefind")
    fallback = (site / "search" / "ksite-fallback.js").read_bytes()
    material = site / "search" / "search_index.json"
    load, fetches, count, query_seconds, second = measure_browser(site)
    return Result(
        n=n,
        languages=list(languages),
        build_seconds=round(seconds, 1),
        pages=sum(1 for _ in site.rglob("index.html")),
        pagefind_files=files,
        pagefind_bytes=bundle,
        fallback_bytes=len(fallback),
        fallback_gzip_bytes=len(gzip.compress(fallback, mtime=0)),
        material_index_bytes=material.stat().st_size if material.exists() else 0,
        page_load_bytes=load,
        first_query=QUERIES[0],
        first_query_bytes=sum(f.bytes for f in fetches),
        first_query_results=count,
        first_query_seconds=round(query_seconds, 2),
        second_query_bytes=second,
        fetches=fetches,
    )


def _mb(value: int) -> str:
    return f"{value / 1_000_000:.2f} MB" if value >= 100_000 else f"{value / 1000:.1f} kB"


def report(results: list[Result]) -> bool:
    print(
        f"{'N':>6} {'pages':>7} {'build':>8} {'pagefind on disk':>22} {'fallback raw/gz':>20} "
        f"{'page load':>10} {'1st query':>10} {'results':>8} {'2nd query':>10}"
    )
    for r in results:
        print(
            f"{r.n:>6} {r.pages:>7} {r.build_seconds:>7.0f}s "
            f"{_mb(r.pagefind_bytes):>11} in {r.pagefind_files:>5} files "
            f"{_mb(r.fallback_bytes):>9}/{_mb(r.fallback_gzip_bytes):>9} {_mb(r.page_load_bytes):>10} "
            f"{_mb(r.first_query_bytes):>10} {r.first_query_results:>8} {_mb(r.second_query_bytes):>10}"
        )
    for r in results:
        print(f"\nN = {r.n}: what the first query ('{r.first_query}') fetched")
        for f in sorted(r.fetches, key=lambda f: -f.bytes):
            print(f"  {f.bytes:>9,d}  {f.url}")
    passed = True
    for r in results:
        if r.n == TARGET_N:
            ok = r.first_query_bytes <= TARGET_BYTES
            passed = passed and ok
            print(
                f"\n{'PASS' if ok else 'FAIL'}: first query at N = {r.n} fetched "
                f"{r.first_query_bytes:,d} bytes (target ≤ {TARGET_BYTES:,d})"
            )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated N, e.g. 1000,5000")
    parser.add_argument("--languages", default="en", help="site languages, e.g. en or en,zh")
    parser.add_argument("--keep", action="store_true", help="keep the corpora in benchmarks/out/")
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    languages = tuple(args.languages.split(","))
    workdir = OUT if args.keep else Path(tempfile.mkdtemp(prefix="ksite-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            results.append(run(n, languages, workdir))
            print(f"N = {n}: built and measured", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    passed = report(results)
    OUT.mkdir(exist_ok=True)
    out = OUT / f"search-{datetime.now():%Y-%m-%d}.json"
    out.write_text(
        json.dumps(
            {
                "date": datetime.now().isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "results": [asdict(r) for r in results],
            },
            indent=2,
        ),
        "utf-8",
    )
    print(f"\nfigures written to {out.relative_to(REPO)}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
