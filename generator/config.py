"""Project settings read from ``mkdocs.yml``, without importing MkDocs.

The core needs only a few settings (site name and URL, where content and templates are,
the languages); it reads them from the same file MkDocs uses so there is one configuration.
``mkdocs.yml`` may hold Python tags for Markdown extensions, which this reader skips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem, error

KNOWN_PLUGINS = frozenset({"ksite", "search", "material/search"})
"""MkDocs plugins whose effect on a page depends on that page alone and the settings: with any
other (or with hooks), nothing of the published site is taken over and every build runs."""


class _ConfigLoader(yaml.SafeLoader):
    """Safe loading that tolerates (and ignores) tags such as ``!!python/name:``."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)
_ConfigLoader.add_multi_constructor("!", _ignore_tag)


DAC_CODE = re.compile(r"^[0-9]{5}$")
"""An OECD DAC 5-digit purpose code (IATI sector vocabulary 1)."""


@dataclass(frozen=True)
class ExportSettings:
    """What the published data says about itself and who publishes it to IATI."""

    title: str = "ksite"
    """The data package's title: the site's name in its default language."""
    licence: str = "CC-BY-4.0"
    """Licence of the published data, as an SPDX identifier (plugin option ``data_licence``)."""
    licence_title: str = "Creative Commons Attribution 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"
    iati_org_ref: str = "XM-DAC-46004"
    """The reporting organisation's IATI identifier; activity identifiers are it, a hyphen and
    the project number (ADB's, by default)."""
    iati_org_name: str = "Asian Development Bank"
    iati_org_type: str = "40"
    """OrganisationType code of the reporting organisation (40: multilateral)."""
    dac_sectors: tuple[tuple[str, str], ...] = ()
    """The bank's sector names and the DAC 5-digit code each stands for (``iati: sectors:``):
    the only source of DAC codes, so none is guessed."""


@dataclass(frozen=True)
class ProjectConfig:
    """Where a ksite project's parts are and how the site is named."""

    root: Path
    config_file: Path
    site_name: str
    site_url: str
    content_dir: Path
    templates_dir: Path
    site_dir: Path
    languages: tuple[str, ...]
    """Site languages; the first is the default, served at ``/``, the others at ``/<lang>/``."""
    site_names: tuple[tuple[str, str], ...] = ()
    """The site's name in languages other than the default (plugin option ``site_names``)."""
    directory_urls: bool = True
    """MkDocs' ``use_directory_urls``: when false, links name ``index.html`` (works from disk)."""
    site_author: str = ""
    """MkDocs' ``site_author``: the organisation behind the site, if given."""
    publishers: tuple[tuple[str, str], ...] = ()
    """The publisher citations name (and the institution of reports), by language: plugin
    option ``publisher``, a name or a mapping ``{en: …, zh: …}``."""
    exports: ExportSettings = field(default_factory=ExportSettings)
    """How the open data and the IATI file are described (plugin options ``data_licence``, ``iati``)."""
    share_image: str = ""
    """Plugin option ``share_image``: the picture link previews show (WeChat, LinkedIn, X), a path
    under ``media/`` in the content folder; given with ``site_url`` only, since it must be absolute."""

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def prefix(self, lang: str) -> str:
        """The folder of a language's pages (``zh/``; ``""`` for the default language)."""
        return "" if lang == self.default_language else f"{lang}/"

    def name_in(self, lang: str) -> str:
        """The site's name in ``lang`` (``site_name`` where no other is given)."""
        return dict(self.site_names).get(lang, self.site_name)

    def publisher_in(self, lang: str) -> str:
        """Who publishes the site's products in ``lang``'s citations: the ``publisher`` option
        (in that language, else the default language's), else ``site_author``, else the site's
        name."""
        names = dict(self.publishers)
        return names.get(lang) or names.get(self.default_language) or self.site_author or self.name_in(lang)


def plugin_options(data: dict[str, Any]) -> dict[str, Any]:
    """The ``ksite`` entry of ``plugins:`` (a list of names or one-key mappings)."""
    plugins = data.get("plugins") or []
    if isinstance(plugins, dict):
        return dict(plugins.get("ksite") or {})
    for entry in plugins:
        if isinstance(entry, dict) and "ksite" in entry:
            return dict(entry["ksite"] or {})
    return {}


def load_config(config_file: Path) -> ProjectConfig:
    """Read ``mkdocs.yml``; a missing or unreadable file is a positioned error."""
    config_file = config_file.resolve()
    if not config_file.is_file():
        raise ContentError(
            [error(str(config_file), 0, 0, "no mkdocs.yml here; run ksite in the project folder or pass -f")]
        )
    try:
        data = yaml.load(config_file.read_text("utf-8"), Loader=_ConfigLoader) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ContentError(
            [
                error(
                    config_file.name,
                    (mark.line + 1) if mark else 0,
                    (mark.column + 1) if mark else 0,
                    f"invalid YAML: {exc.problem}",
                )
            ]
        ) from None
    root = config_file.parent
    options = plugin_options(data)
    site_name = str(data.get("site_name") or "ksite")
    exports, problems = _export_settings(options, config_file, site_name)
    if problems:
        raise ContentError(problems)
    languages = tuple(options.get("languages") or ("en",))
    return ProjectConfig(
        root=root,
        config_file=config_file,
        site_name=site_name,
        site_url=str(data.get("site_url") or ""),
        content_dir=root / str(options.get("content_dir", "content")),
        templates_dir=root / str(options.get("templates_dir", "templates")),
        site_dir=root / str(data.get("site_dir", "site")),
        languages=languages,
        directory_urls=bool(data.get("use_directory_urls", True)),
        site_names=tuple((str(k), str(v)) for k, v in dict(options.get("site_names") or {}).items()),
        site_author=str(data.get("site_author") or ""),
        publishers=_by_language(options.get("publisher"), languages[0]),
        exports=exports,
        share_image=str(options.get("share_image") or ""),
    )


def _by_language(value: Any, default_language: str) -> tuple[tuple[str, str], ...]:
    """A name given once (for every language) or as a mapping by language."""
    if not value:
        return ()
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items() if v)
    return ((default_language, str(value)),)


_LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-By-1.0": (
        "Open Data Commons Attribution License 1.0",
        "https://opendatacommons.org/licenses/by/1-0/",
    ),
    "PDDL-1.0": (
        "Open Data Commons Public Domain Dedication and License 1.0",
        "https://opendatacommons.org/licenses/pddl/1-0/",
    ),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC-BY-3.0-IGO": (
        "Creative Commons Attribution 3.0 IGO",
        "https://creativecommons.org/licenses/by/3.0/igo/",
    ),
}
"""Open licences a site may name by SPDX identifier alone; any other needs ``title`` and ``url``."""


def _export_settings(
    options: dict[str, Any], config_file: Path, site_name: str
) -> tuple[ExportSettings, list[Problem]]:
    """``data_licence`` and ``iati`` of the ksite plugin, each mistake at its line of mkdocs.yml."""
    problems: list[Problem] = []
    text = config_file.read_text("utf-8")

    def bad(keys: tuple[str, ...], message: str) -> None:
        line, column = option_position(text, keys)
        problems.append(error(config_file.name, line, column, message))

    licence = options.get("data_licence", "CC-BY-4.0")
    if isinstance(licence, str):
        licence = {"id": licence}
    if not isinstance(licence, dict) or not isinstance(licence.get("id"), str):
        bad(
            ("data_licence",),
            "data_licence must be an SPDX identifier such as CC-BY-4.0, or {id, title, url}",
        )
        licence = {"id": "CC-BY-4.0"}
    known_title, known_url = _LICENCES.get(licence["id"], ("", ""))
    title, url = str(licence.get("title") or known_title), str(licence.get("url") or known_url)
    if not title or not url.startswith(("http://", "https://")):
        bad(
            ("data_licence",),
            f"licence '{licence['id']}' is not one ksite knows ({', '.join(_LICENCES)}); "
            "give it as {id: ..., title: ..., url: https://...}",
        )
    iati = options.get("iati") or {}
    if not isinstance(iati, dict):
        bad(("iati",), "iati must be a mapping (org_ref, org_name, org_type, sectors)")
        iati = {}
    sectors = iati.get("sectors") or {}
    if not isinstance(sectors, dict):
        bad(("iati", "sectors"), "iati.sectors must map the bank's sector names to DAC 5-digit codes")
        sectors = {}
    for name, code in sectors.items():
        if not DAC_CODE.match(str(code)):
            bad(
                ("iati", "sectors", str(name)),
                f"DAC code of sector '{name}' is {code!r}, which is not a 5-digit purpose code; "
                "write one from the IATI Sector codelist, such as 43030 (quoted or not)",
            )
    org_ref = str(iati.get("org_ref", ExportSettings.iati_org_ref))
    if not org_ref.strip() or org_ref != org_ref.strip() or any(c in org_ref for c in "/&|?"):
        bad(("iati", "org_ref"), f"iati.org_ref {org_ref!r} must not be empty, padded or contain / & | ?")
    settings = ExportSettings(
        title=site_name,
        licence=licence["id"],
        licence_title=title,
        licence_url=url,
        iati_org_ref=org_ref,
        iati_org_name=str(iati.get("org_name", ExportSettings.iati_org_name)),
        iati_org_type=str(iati.get("org_type", ExportSettings.iati_org_type)),
        dac_sectors=tuple((str(k), str(v)) for k, v in sectors.items()),
    )
    return settings, problems


def option_position(text: str, keys: tuple[str, ...]) -> tuple[int, int]:
    """Line and column of ``plugins: - ksite: <keys...>`` in mkdocs.yml (the nearest found),
    for a problem with one of ksite's options."""
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_ConfigLoader)
    except yaml.YAMLError:
        return 0, 0
    best = (0, 0)

    def child(parent: yaml.Node | None, key: str) -> yaml.Node | None:
        nonlocal best
        if isinstance(parent, yaml.MappingNode):
            for k, v in parent.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    best = (k.start_mark.line + 1, k.start_mark.column + 1)
                    found: yaml.Node = v
                    return found
        return None

    plugins = child(node, "plugins")
    entries = plugins.value if isinstance(plugins, yaml.SequenceNode) else [plugins]
    for entry in entries:
        found = child(entry, "ksite")
        for key in keys:
            found = child(found, key)
    return best
