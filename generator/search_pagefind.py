"""Write a language's Pagefind bundle from its search documents.

Pagefind (the ``pagefind[extended]`` package, which ships its binary; the extended build
segments Chinese into words at build time, once per language) splits the index into chunks that a
browser fetches as a query needs them, so the first search stays light however large the site
is. ksite hands it one synthetic HTML document per page (:func:`generator.search.document_html`)
rather than letting it crawl the site, so page chrome never reaches the index.

The documents are written to a temporary folder laid out like the site (``knowledge/x/index.html``
gives the result URL ``/knowledge/x/``) and the binary indexes that folder in one run. (The
package's Python API talks to the binary one document at a time and polls every 100 ms: half a
minute for 300 pages.)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .search import SearchDocument, document_html

BUNDLE_DIR = "pagefind"
"""Where the bundle goes, under the root of the language's tree."""
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
"""Pagefind's own search interfaces: ksite shows results in Material's search box instead."""


class SearchIndexError(RuntimeError):
    """Pagefind could not be run, or failed."""


def pagefind_binary() -> Path:
    """The Pagefind executable that the ``pagefind`` package finds (extended build first)."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError(_MISSING) from exc
    binary = get_executable()
    if binary is None:
        raise SearchIndexError(_MISSING)
    return binary


_MISSING = "Pagefind is not installed; install ksite's dependencies (pip install 'pagefind[extended]')"


def write_pagefind(docs: Sequence[SearchDocument], lang: str, site_dir: Path) -> Path:
    """Index ``docs`` (all of one language) into ``site_dir/pagefind``; returns that folder."""
    binary = pagefind_binary()
    target = site_dir / BUNDLE_DIR
    if target.exists():
        shutil.rmtree(target)
    with tempfile.TemporaryDirectory(prefix="ksite-pagefind-") as tmp:
        source = Path(tmp)
        for doc in docs:
            path = source / doc.url / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(document_html(doc), "utf-8")
        argv = [str(binary), "--site", str(source), "--output-path", str(target.resolve())]
        done = subprocess.run(
            [*argv, "--force-language", lang, "--silent"], capture_output=True, text=True, cwd=tmp
        )
    if done.returncode != 0:
        raise SearchIndexError(f"Pagefind failed ({done.returncode}): {(done.stderr or done.stdout).strip()}")
    for name in UNUSED:
        (target / name).unlink(missing_ok=True)
    return target
