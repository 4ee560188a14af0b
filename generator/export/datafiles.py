"""The site-wide data files (``data/``): open data, the IATI file and the package describing
both, made once per process for the exporter and the data page, which shows their sizes."""

from __future__ import annotations

from collections.abc import Sequence

from ..config import ExportSettings, ProjectConfig
from ..link import LinkedSite
from ..reads import LibraryView
from .iati import iati_activities
from .opendata import open_data_files

IATI_FILE = "iati-activities.xml"

_last: tuple[tuple[object, ...], dict[str, bytes]] | None = None
"""The last files made, with what they were made from (the library itself, held so its
identity stays its own): the default language's exporter and both data pages ask for them."""


def data_files(
    settings: ExportSettings,
    library: LibraryView,
    languages: Sequence[str],
    site_url: str,
) -> dict[str, bytes]:
    """Every file of ``data/`` by its path in the site (``data/projects.json``...)."""
    global _last
    made_from = (library, settings, tuple(languages), site_url)
    if _last is not None and _last[0][0] is library and _last[0][1:] == made_from[1:]:
        return _last[1]
    iati = iati_activities(settings, library, languages, site_url)
    files = open_data_files(settings, library, languages, {IATI_FILE: iati} if iati else {})
    _last = (made_from, files)
    return files


def export_data(config: ProjectConfig, site: LinkedSite, lang: str) -> dict[str, bytes]:
    """Exporter: the data files, in the default language's tree only (they hold every language)."""
    if lang != config.default_language:
        return {}
    return data_files(config.exports, site.library, config.languages, config.site_url)
