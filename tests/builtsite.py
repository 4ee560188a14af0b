"""Build the bundled content once per test session, into a temporary folder.

Tests that read the built site share this one build; tests that need a broken or changed
site copy the project with :func:`copy_project` and build that.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import replace
from functools import cache
from pathlib import Path

from generator.build import BuildReport, build
from generator.config import ProjectConfig, load_config
from generator.mkdocs_plugin import build_into

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "tests" / "fixtures" / "seed" / "000_d0fddc08b20c077d.txt"
"""The project data sheet of TA 54037-001 as given to the project (a copy of
``../shared/seed/``, kept here so the suite needs nothing outside the repository)."""


def copy_project(target: Path, site_url: str | None = None) -> ProjectConfig:
    """A copy of the repo's site project (mkdocs.yml, content, templates) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", target / "content")
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", target / "templates")
    text = (REPO / "mkdocs.yml").read_text("utf-8")
    if site_url:
        text = text.replace("# site_url:", f"site_url: {site_url}\n# was:", 1)
    (target / "mkdocs.yml").write_text(text, "utf-8")
    return load_config(target / "mkdocs.yml")


def tree_digest(root: Path, skip: str = "") -> dict[str, str]:
    """Every file under ``root`` (but those named ``skip``) by its path, with the digest of its
    bytes: two sites are the same site when these are equal."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != skip
    }


def build_project(config: ProjectConfig) -> BuildReport:
    return build(config, build_into)


@cache
def built_site() -> Path:
    """The bundled content built once, with a site_url so sitemaps and citations are absolute."""
    workdir = Path(tempfile.mkdtemp(prefix="ksite-site-"))
    config = copy_project(workdir / "project", site_url="https://ksite.example.org/ta-54037/")
    build_project(config)
    return config.site_dir


@cache
def built_config() -> ProjectConfig:
    site = built_site()
    return replace(load_config(site.parent / "mkdocs.yml"))
