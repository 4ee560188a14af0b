"""Time ``ksite serve``: from saving a brief to the edit on screen in an open browser page.

    .venv/bin/python benchmarks/serve.py [--n 1000] [--languages en,zh] [--edits 3]

Writes the synthetic corpus, starts ``ksite serve`` on it and waits for its first build, opens
a brief in Debian's Chromium (Playwright), then appends a sentence to the brief's body
``--edits`` times, each time timing from the save until the sentence is on the open page (the
page reloads by itself). Also times a broken save until its problem shows in the page, and
the next good save. Target: an edit on screen within 1.5 s at N = 1,000 (median).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from corpus import make_corpus

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
KSITE = Path(sys.executable).parent / "ksite"
CHROMIUM = "/usr/bin/chromium"
TARGET_SECONDS = 1.5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_served(url: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return time.monotonic() - started
        except OSError:
            time.sleep(0.2)
    sys.exit(f"ksite serve did not serve {url} within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1000, help="synthetic products (and records)")
    parser.add_argument("--languages", default="en,zh", help="site languages, e.g. en,zh")
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    root = OUT / f"serve-{args.n}"
    shutil.rmtree(root, ignore_errors=True)
    make_corpus(root, args.n, languages=tuple(args.languages.split(",")))
    brief = sorted((root / "content" / "knowledge").glob("*.md"))[0]
    port = free_port()
    log = (root / "serve.log").open("w")
    server = subprocess.Popen(
        [str(KSITE), "-f", str(root / "mkdocs.yml"), "serve", "-a", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/knowledge/{brief.stem}/"
    times: list[float] = []
    try:
        first = wait_until_served(url, 1800)
        print(f"N = {args.n}: first build and serve {first:.1f} s")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page()
            page.goto(url)
            text = brief.read_text("utf-8")
            for number in range(1, args.edits + 1):
                time.sleep(1.0)  # the watcher's previous round is over
                sentence = f"Edited while serving, number {number}."
                text = text.rstrip("\n") + f"\n\n{sentence}\n"
                brief.write_text(text, "utf-8")
                saved = time.monotonic()
                page.get_by_text(sentence).wait_for(timeout=120_000)
                times.append(time.monotonic() - saved)
                print(f"edit {number}: on screen {times[-1]:.2f} s after the save")
            time.sleep(1.0)
            brief.write_text(text.replace("date: ", "date: not a date ", 1), "utf-8")
            saved = time.monotonic()
            page.locator("#ksite-build-problems").wait_for(timeout=120_000)
            print(f"broken save: its problem on screen {time.monotonic() - saved:.2f} s after the save")
            time.sleep(1.0)
            brief.write_text(text + "\nRepaired.\n", "utf-8")
            saved = time.monotonic()
            page.get_by_text("Repaired.").wait_for(timeout=120_000)
            print(f"good save after it: on screen {time.monotonic() - saved:.2f} s after the save")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    median = statistics.median(times)
    verdict = "PASS" if median <= TARGET_SECONDS else "FAIL"
    print(
        f"{verdict}: an edit on screen {median:.2f} s after the save, median of {len(times)} "
        f"(target {TARGET_SECONDS} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
