"""The Jinja environment shared by the renderer, the PDF printer and ``ksite check``.

Autoescaping everywhere (content is data, not markup) and StrictUndefined, so a misspelt
variable fails the build at its template line instead of printing nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)


def make_environment(site_templates: Path | None) -> Environment:
    """Jinja environment: site templates first, packaged defaults second."""
    loaders: list[Any] = []
    if site_templates is not None and site_templates.is_dir():
        loaders.append(FileSystemLoader(str(site_templates)))
    loaders.append(PackageLoader("generator", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    return env
