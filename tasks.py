#!/usr/bin/env python3
"""Set-up and everyday tasks, with nothing but Python's standard library.

    python3 tasks.py site    # make .venv, install ksite, build content/ into site/
    python3 tasks.py test    # ... plus Debian packages the tests need, then lint, types, tests
    python3 tasks.py serve   # live preview

It works on a fresh Debian machine: what is missing (python3-venv, chromium, CJK fonts,
poppler-utils) is installed with apt-get when running as root (or through sudo), and named
otherwise.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".ksite-installed"
# Debian packages: (a file that shows the package is there, the package).
# WeasyPrint (the PDF briefs) needs Pango; the briefs' Chinese needs Noto Sans CJK.
PDF_PACKAGES = [
    ("/usr/share/doc/libpangoft2-1.0-0/copyright", "libpangoft2-1.0-0"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
]
TEST_PACKAGES = [
    ("/usr/bin/chromium", "chromium"),
    ("/usr/bin/pdftotext", "poppler-utils"),
    *PDF_PACKAGES,
]
SITE_PACKAGES = [*PDF_PACKAGES]


def run(*command: str | Path, **kwargs: object) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def apt_install(packages: list[tuple[str, str]]) -> None:
    """Install the Debian packages whose marker file is missing."""
    missing = sorted({name for marker, name in packages if not Path(marker).exists()})
    if not missing:
        return
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            sys.exit(f"missing Debian packages: {' '.join(missing)}; install them with apt-get as root")
        prefix = ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(*prefix, "apt-get", "update", "-q", env=env)
    run(*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, env=env)


def ensure_venv() -> None:
    """Create .venv and install ksite with its test tools, again whenever pyproject.toml changes."""
    if not (BIN / "python").exists():
        probe = subprocess.run([sys.executable, "-c", "import ensurepip"], capture_output=True)
        if probe.returncode != 0:
            version = f"python{sys.version_info.major}.{sys.version_info.minor}"
            apt_install([(f"/usr/lib/{version}/ensurepip/__init__.py", f"{version}-venv")])
        run(sys.executable, "-m", "venv", VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    run(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "-q", "-e", ".[test]")
    STAMP.write_text(digest)


def site() -> None:
    ensure_venv()
    apt_install(SITE_PACKAGES)
    run(BIN / "ksite", "build")


def test() -> None:
    ensure_venv()
    apt_install(TEST_PACKAGES)
    run(BIN / "ruff", "check", "generator", "tests", "benchmarks", "tasks.py")
    run(BIN / "mypy")
    run(BIN / "pytest", *sys.argv[2:])


def serve() -> None:
    ensure_venv()
    run(BIN / "ksite", "serve")


if __name__ == "__main__":
    tasks = {"site": site, "test": test, "serve": serve}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(tasks)}}}")
    try:
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
