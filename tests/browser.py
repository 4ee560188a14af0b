"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, and a static
server on 127.0.0.1 for the built site. Every request a page makes is recorded."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` on an ephemeral port of 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(javascript: bool = True) -> Iterator[object]:
    """A Playwright browser context on Debian's Chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
            )
            yield context
            context.close()
        finally:
            browser.close()


def external_hosts(urls: list[str]) -> list[str]:
    """Hosts other than 127.0.0.1 among requested URLs (file:// and data: are local)."""
    hosts = set()
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("file", "data", "blob", "about"):
            continue
        if parts.hostname not in ("127.0.0.1",):
            hosts.add(parts.hostname or url)
    return sorted(hosts)
