"""The wheel: what a plain (not editable) `pip install` gets, as the shipped CI workflow does.

The wheel must hold every file git tracks under generator/ (a folder missing from package-data
is named here), and ksite installed from it into a fresh virtual environment must check and
build the bundled site from a folder with no generator/ source next to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The bundled site: what a content repository holds.
SITE_SOURCES = ["content", "templates", "mkdocs.yml"]


def clean_env() -> dict[str, str]:
    """This environment without anything that could put the repository's source on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(command: list[str | Path], cwd: Path, timeout: float = 900) -> str:
    """Run ``command``; fail with its output unless it exits 0; return its stdout."""
    started = time.monotonic()
    result = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    shown = " ".join(str(c) for c in command)
    print(f"{time.monotonic() - started:6.1f} s  {shown}")
    assert result.returncode == 0, f"{shown} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def tracked_files() -> list[str]:
    """The files git tracks in the work tree, and new ones it does not ignore (not yet added)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of ksite: the wheel is compared with `git ls-files`")
    # safe.directory: a checkout owned by another user (CI as root) is still read.
    listed = ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    out = run(["git", "-c", f"safe.directory={REPO}", *listed], cwd=REPO)
    return [name for name in out.split("\0") if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip from a copy of the files git lists: a clean clone, new files included.

    Not from the repository itself: setuptools builds in place and keeps build/lib, whose stale
    files would go into the next wheel and could hide a file package-data misses.
    """
    source = tmp_path_factory.mktemp("wheel-source") / "ksite"
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    # Bytecode next to the sources, as in a working copy: it must stay out of the wheel.
    run([sys.executable, "-m", "compileall", "-q", "generator"], cwd=source)
    wheelhouse = tmp_path_factory.mktemp("wheelhouse")
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheelhouse, source], cwd=wheelhouse)
    (built,) = wheelhouse.glob("ksite-*.whl")
    return built


@pytest.mark.slow
def test_wheel_holds_every_tracked_generator_file(wheel: Path) -> None:
    expected = [name for name in tracked_files() if name.startswith("generator/")]
    assert "generator/overrides/main.html" in expected
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [name for name in expected if name not in names]
    assert not missing, "missing from the wheel (add them to package-data in pyproject.toml):\n" + "\n".join(
        missing
    )
    compiled = sorted(name for name in names if "__pycache__" in name or name.endswith(".pyc"))
    assert not compiled, "bytecode in the wheel:\n" + "\n".join(compiled)


@pytest.mark.slow
def test_installed_wheel_checks_and_builds_the_bundled_site(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    venv = tmp_path_factory.mktemp("venv") / "venv"
    python = venv / "bin" / "python"
    # No pip inside (ensurepip takes 5 s): this interpreter's pip installs into it, from its cache.
    # Not --only-binary :all:, as jieba is an sdist only; --no-compile saves a third of the time.
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv.parent)
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", python]
    run([*pip, "install", "-q", "--prefer-binary", "--no-compile", wheel], cwd=venv.parent)

    project = tmp_path_factory.mktemp("content-repository")
    for name in SITE_SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, project / name)
        else:
            shutil.copy2(REPO / name, project / name)
    assert not (project / "generator").exists()

    imported = Path(run([python, "-c", "import generator; print(generator.__file__)"], cwd=project).strip())
    assert imported.resolve().is_relative_to(venv.resolve()), f"generator imported from {imported}"

    run([venv / "bin" / "ksite", "check"], cwd=project)
    run([venv / "bin" / "ksite", "build", "--no-pdf"], cwd=project)
    for page in ("site/index.html", "site/zh/index.html"):
        assert (project / page).is_file(), f"{page} not built"
