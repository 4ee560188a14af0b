"""Export stage: files made from the checked model beside the pages (citation files, open data,
IATI, feeds), for the site and for ``ksite export``.

Each exporter is a function of the checked site and one language that returns files by their
path in that language's tree (``""`` prefix for the default language, ``zh/`` for Chinese):
:func:`language_files` gathers them, :func:`generator.build.language_site` hands them to the
shell with the pages, and ``ksite export`` writes them without building the site. Exporters
read the model only, never the rendered pages, so they can run without the theme.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line reads FORMATS without loading the pipeline
    from ..config import ProjectConfig
    from ..link import LinkedSite

Exporter = Callable[["ProjectConfig", "LinkedSite", str], dict[str, bytes]]
"""``(config, site, lang) -> {path in the language's tree: bytes}``."""


def exporters() -> tuple[Exporter, ...]:
    """Every exporter, in the order their files are gathered (a later one may not repeat a
    path); imported here, so that the command line starts without them."""
    from .citations import citation_files
    from .datafiles import export_data
    from .feeds import atom_feed
    from .sitemap import robots, sitemap

    return (citation_files, export_data, atom_feed, sitemap, robots)


def language_files(config: ProjectConfig, site: LinkedSite, lang: str) -> dict[str, bytes]:
    """The exported files of one language, by path relative to that language's root."""
    files: dict[str, bytes] = {}
    for exporter in exporters():
        made = exporter(config, site, lang)
        repeated = files.keys() & made.keys()
        if repeated:
            raise ValueError(f"two exporters write {sorted(repeated)[0]}")
        files.update(made)
    return files


FORMATS: dict[str, tuple[str, ...]] = {
    "json": ("data/*.json",),
    "csv": ("data/*.csv",),
    "datapackage": ("data/*",),
    "iati": ("data/iati-activities.xml",),
    "bibtex": ("*.bib",),
    "ris": ("*.ris",),
    "csl": ("*.csl.json",),
    "feeds": ("feed.xml",),
}
"""``ksite export --format``: each format's files, as patterns of their path in a language's
tree (``*`` also matches ``/``); ``all`` is every exported file."""


def of_format(path: str, fmt: str) -> bool:
    """Whether the exported file at ``path`` (in its language's tree) belongs to ``fmt``."""
    return fmt == "all" or any(fnmatch.fnmatchcase(path, pattern) for pattern in FORMATS[fmt])
