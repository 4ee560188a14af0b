"""Shared fixtures: where the fixture folders are, and a temporary ksite project built from them.

A project is ``tests/fixtures/good/minimal/`` (one project record, one place, one topic, one
knowledge product) with a case folder laid over it: each file of the case's ``content/``
replaces or adds the file of the same path. A case may list files to re-encode in
``encode.txt`` (``<path> <codec>`` per line), so no binary file has to be committed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "good" / "minimal"
BAD = FIXTURES / "bad"

# With a site_url, as a published site has (without one `ksite check` warns: tests/test_feeds.py).
MKDOCS_YML = """\
site_name: ksite test
site_url: https://ksite.example.org/test/
docs_dir: content
plugins:
  - search
  - ksite: {languages: [en]}
theme: {name: material, font: false}
"""

MakeProject = Callable[..., Path]


def make_project(root: Path, *overlays: Path) -> Path:
    """Build a project in ``root`` from the minimal base and ``overlays``; return its mkdocs.yml."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(MINIMAL / "content", root / "content", dirs_exist_ok=True)
    for overlay in overlays:
        if (overlay / "content").is_dir():
            shutil.copytree(overlay / "content", root / "content", dirs_exist_ok=True)
        encodings = overlay / "encode.txt"
        if encodings.is_file():
            for line in encodings.read_text("utf-8").splitlines():
                name, codec = line.split()
                target = root / name
                target.write_bytes(target.read_text("utf-8").encode(codec))
    config = root / "mkdocs.yml"
    config.write_text(MKDOCS_YML, "utf-8")
    return config


@pytest.fixture
def temp_project(tmp_path: Path) -> MakeProject:
    """``temp_project("case-name")`` or ``temp_project()``: a temp project; returns its mkdocs.yml."""

    def build(*cases: str) -> Path:
        return make_project(tmp_path / "project", *(BAD / case for case in cases))

    return build


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The bundled site, built once, served on 127.0.0.1 for the browser tests."""
    from .browser import serve_directory
    from .builtsite import built_site

    with serve_directory(built_site()) as url:
        yield url


@pytest.fixture(scope="session")
def context() -> Iterator[Any]:
    """One headless Chromium (Debian's) for all browser tests."""
    from .browser import chromium

    with chromium() as ctx:
        yield ctx
