"""``ksite serve``: a change to content/ or templates/ shows after reload, without a restart."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .builtsite import copy_project

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, needle: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                last = response.read().decode("utf-8")
            if needle in last:
                return last
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{needle!r} did not appear at {url} within {seconds}s")


def test_serve_rebuilds_on_content_and_template_change(tmp_path: Path) -> None:
    config = copy_project(tmp_path / "project")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator",
            "-f",
            str(config.config_file),
            "serve",
            "-a",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/knowledge/innovation-enabling-systems/"
        wait_for(url, "Putting innovation-enabling systems at the forefront")
        brief = config.content_dir / "knowledge" / "innovation-enabling-systems.md"
        brief.write_text(
            brief.read_text("utf-8").replace(
                "title: Putting innovation-enabling systems at the forefront", "title: Edited while serving"
            ),
            "utf-8",
        )
        wait_for(url, "Edited while serving")
        config.templates_dir.mkdir(exist_ok=True)
        (config.templates_dir / "product.html").write_text(
            "<h1>{{ title }}</h1><p>template override works</p>\n"
        )
        wait_for(url, "template override works")
    finally:
        server.terminate()
        server.wait(timeout=20)
