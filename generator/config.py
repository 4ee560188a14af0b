"""Project settings read from ``mkdocs.yml``, without importing MkDocs.

The core needs only a few settings (site name and URL, where content and templates are,
the languages); it reads them from the same file MkDocs uses so there is one configuration.
``mkdocs.yml`` may hold Python tags for Markdown extensions, which this reader skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, error

KNOWN_PLUGINS = frozenset({"ksite", "search", "material/search"})
"""MkDocs plugins whose effect on a page depends on that page alone and the settings: with any
other (or with hooks), nothing of the published site is taken over and every build runs."""


class _ConfigLoader(yaml.SafeLoader):
    """Safe loading that tolerates (and ignores) tags such as ``!!python/name:``."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)
_ConfigLoader.add_multi_constructor("!", _ignore_tag)


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
    languages = tuple(options.get("languages") or ("en",))
    return ProjectConfig(
        root=root,
        config_file=config_file,
        site_name=str(data.get("site_name") or "ksite"),
        site_url=str(data.get("site_url") or ""),
        content_dir=root / str(options.get("content_dir", "content")),
        templates_dir=root / str(options.get("templates_dir", "templates")),
        site_dir=root / str(data.get("site_dir", "site")),
        languages=languages,
        directory_urls=bool(data.get("use_directory_urls", True)),
        site_names=tuple((str(k), str(v)) for k, v in dict(options.get("site_names") or {}).items()),
        share_image=str(options.get("share_image") or ""),
    )
