"""Interface text and formats per language, read from YAML catalogues.

Packaged catalogues live in ``generator/i18n/<lang>.yaml``; a site may override or add keys in
``templates/i18n/<lang>.yaml``. Controlled vocabularies (types, statuses, modalities, place
kinds) are translated there too, never in templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Catalogue:
    """Everything a page needs to speak one language."""

    lang: str
    labels: dict[str, str]
    months: tuple[str, ...]
    date_format: str
    vocabulary: dict[str, dict[str, str]]
    language_name: str
    locale: str = ""
    """Open Graph's ``language_TERRITORY`` form of the language (``zh_CN``), for share cards."""

    def label(self, key: str) -> str:
        """A UI label; a missing key is a template bug and fails loudly."""
        try:
            return self.labels[key]
        except KeyError:
            raise KeyError(
                f"no interface text '{key}' for language '{self.lang}' in the i18n catalogue"
            ) from None

    def term(self, vocabulary: str, value: str | None) -> str:
        """A controlled term in this language; unknown terms are shown as written."""
        if value is None:
            return ""
        return self.vocabulary.get(vocabulary, {}).get(value, value)

    def has_term(self, vocabulary: str, value: str) -> bool:
        return value in self.vocabulary.get(vocabulary, {})

    def date(self, iso: str | None) -> str:
        """``2020-09-14`` as ``14 September 2020`` or ``2020年9月14日``."""
        if not iso:
            return ""
        year, month, day = iso.split("-")
        return self.date_format.format(
            year=year, month=self.months[int(month) - 1], month_number=int(month), day=int(day)
        )


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@cache
def _packaged(lang: str) -> dict[str, Any]:
    try:
        text = resources.files(__package__).joinpath("i18n", f"{lang}.yaml").read_text("utf-8")
    except FileNotFoundError:
        return {}
    data: dict[str, Any] = yaml.safe_load(text) or {}
    return data


def load_catalogue(lang: str, override_dir: Path | None = None, fallback: str = "en") -> Catalogue:
    """The catalogue for ``lang``: packaged text, the fallback language under it for keys
    not yet translated, and the site's overrides on top."""
    data = _deep_merge(_packaged(fallback), _packaged(lang)) if lang != fallback else _packaged(lang)
    if override_dir is not None:
        for name in (fallback, lang) if lang != fallback else (lang,):
            path = override_dir / f"{name}.yaml"
            if path.is_file():
                data = _deep_merge(data, yaml.safe_load(path.read_text("utf-8")) or {})
    if not data:
        raise KeyError(f"no interface catalogue for language '{lang}'; add templates/i18n/{lang}.yaml")
    return Catalogue(
        lang=lang,
        labels=dict(data.get("labels", {})),
        months=tuple(data.get("months", ())),
        date_format=str(data.get("date_format", "{year}-{month_number:02d}-{day:02d}")),
        vocabulary={k: dict(v) for k, v in data.get("vocabulary", {}).items()},
        language_name=str(data.get("language_name", lang)),
        locale=str(data.get("locale", lang)),
    )
