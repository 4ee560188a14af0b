"""Make the README's screenshots from the built bundled site.

    .venv/bin/python docs/screenshots.py [--site site] [--out docs/images]

The README shows what ksite makes, so its pictures are taken from a real build (`python3 tasks.py
site`) rather than drawn by hand, and can be made again after a change to the look of the site.
Debian's Chromium (headless, driven by Playwright; no browser is downloaded) opens the pages from
disk as file:// URLs: the site is built to work from disk (links name index.html), so no server
is needed, and a screenshot cannot pick up another program listening on a port. Each picture is the
top 900 px of the page at a 1280 x 800 desktop viewport, saved as an optimized PNG under 300 KB,
with fixed names so a new run replaces the old files.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
WIDTH = 1280
VIEWPORT_HEIGHT = 800
HEIGHT = 900  # of each picture: the viewport and the top of what follows
MAX_BYTES = 300_000
# Material fades some colours in (the search box's placeholder); show their final state in every run.
NO_TRANSITIONS = (
    "*, *::before, *::after, ::placeholder { transition: none !important; animation: none !important; }"
)
# (file name in --out, page in the built site)
SHOTS = [
    ("project-sheet.png", "projects/54037-001/index.html"),
    ("brief.png", "knowledge/smes-and-green-industries/index.html"),
    ("project-sheet-zh.png", "zh/projects/54037-001/index.html"),
]


def optimize_png(png: bytes) -> bytes:
    """Re-encode with zlib's best effort; reduce to a 256-colour palette only if still too large."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    if out.tell() > MAX_BYTES:
        out = io.BytesIO()
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            out, "PNG", optimize=True
        )
    return out.getvalue()


def settled_screenshot(page: Page) -> bytes:
    """The top HEIGHT px of the page, once two shots in a row agree (as Playwright's own screenshot
    assertions wait). Runs can still differ in a few anti-aliased pixels of the header's icons."""
    previous = b""
    for _ in range(5):
        png = page.screenshot(
            full_page=True, clip={"x": 0, "y": 0, "width": WIDTH, "height": HEIGHT}, animations="disabled"
        )
        if png == previous:
            break
        previous = png
    return png


def take(site: Path, out: Path) -> list[Path]:
    """Screenshot every page of SHOTS into ``out``; returns the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": WIDTH, "height": VIEWPORT_HEIGHT}, device_scale_factor=1, locale="en-GB"
            )
            for name, path in SHOTS:
                page = context.new_page()
                page.goto((site / path).resolve().as_uri(), wait_until="load")
                page.add_style_tag(content=NO_TRANSITIONS)
                page.evaluate(
                    "document.fonts.ready.then(() => new Promise(done =>"
                    " requestAnimationFrame(() => requestAnimationFrame(() => done(true)))))"
                )
                png = settled_screenshot(page)
                target = out / name
                target.write_bytes(optimize_png(png))
                written.append(target)
                page.close()
            context.close()
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "images", help="where the PNGs go (default: docs/images)"
    )
    args = parser.parse_args(argv)
    missing = [path for _, path in SHOTS if not (args.site / path).is_file()]
    if missing:
        print(
            f"{args.site}: no built site ({missing[0]} is missing); run `python3 tasks.py site` first",
            file=sys.stderr,
        )
        return 1
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing; install Debian's chromium package", file=sys.stderr)
        return 1
    for target in take(args.site, args.out):
        print(f"{target}: {target.stat().st_size / 1000:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
