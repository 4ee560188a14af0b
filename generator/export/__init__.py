"""Export stage: files made from the checked model beside the pages (citation files, open data,
IATI, feeds), for the site and for ``ksite export``.

Each exporter is a function of the checked site and one language that returns files by their
path in that language's tree (``""`` prefix for the default language, ``zh/`` for Chinese):
:func:`language_files` gathers them, :func:`generator.build.language_site` hands them to the
shell with the pages, and ``ksite export`` writes them without building the site. Exporters
read the model only, never the rendered pages, so they can run without the theme.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import ProjectConfig
from ..link import LinkedSite
from .feeds import atom_feed
from .sitemap import robots, sitemap

Exporter = Callable[[ProjectConfig, LinkedSite, str], dict[str, bytes]]
"""``(config, site, lang) -> {path in the language's tree: bytes}``."""

EXPORTERS: tuple[Exporter, ...] = (atom_feed, sitemap, robots)
"""Every exporter, in the order their files are gathered (a later one may not repeat a path)."""


def language_files(config: ProjectConfig, site: LinkedSite, lang: str) -> dict[str, bytes]:
    """The exported files of one language, by path relative to that language's root."""
    files: dict[str, bytes] = {}
    for exporter in EXPORTERS:
        made = exporter(config, site, lang)
        repeated = files.keys() & made.keys()
        if repeated:
            raise ValueError(f"two exporters write {sorted(repeated)[0]}")
        files.update(made)
    return files
