"""``ksite new``: start a valid content file so editors never begin from a blank page.

Each file starts with the editor-schema comment and only the fields the schema requires, plus
commented hints for the common optional ones; the result passes ``ksite check`` as written.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from .config import ProjectConfig


def _q(value: str) -> str:
    """A YAML scalar that stays text whatever it contains (JSON strings are YAML)."""
    return json.dumps(value, ensure_ascii=False)


def new_brief(
    config: ProjectConfig,
    product_id: str,
    title: str,
    kind: str = "research-brief",
    project: str | None = None,
    today: date | None = None,
) -> Path:
    path = config.content_dir / "knowledge" / f"{product_id}.md"
    lines = [
        "---",
        f"id: {product_id}",
        f"type: {kind}",
        f"title: {_q(title)}",
        "summary: >-",
        "  One or two sentences that say what the reader will learn.",
        f"date: {(today or date.today()).isoformat()}",
        "authors: []",
    ]
    if project:
        lines.append(f"project: {project}")
        lines.append("outputs: []        # numbers of the project's outputs this serves, e.g. [1, 3]")
    lines += [
        "places: []          # slugs of content/places/*.yaml",
        "topics: []          # slugs of content/topics.yaml",
        f"language: {config.default_language}",
        "---",
        "",
        "## Key points",
        "",
        "Write the brief here in Markdown. Link to other content by reference, for example",
        "`[the project](project:NUMBER)` or `[another brief](knowledge:ID)`.",
        "",
    ]
    return _write(path, "\n".join(lines))


def new_project(config: ProjectConfig, number: str, title: str) -> Path:
    path = config.content_dir / "projects" / f"{number}.yaml"
    text = "\n".join(
        [
            "# yaml-language-server: $schema=../../generator/schemas/project.schema.json",
            f"number: {number}",
            f"title: {_q(title)}",
            f"language: {config.default_language}",
            "countries: []",
            "status: Proposed",
            "outputs: []",
            "",
        ]
    )
    return _write(path, text)


def new_place(config: ProjectConfig, slug: str, name: str, kind: str = "city") -> Path:
    path = config.content_dir / "places" / f"{slug}.yaml"
    text = "\n".join(
        [
            "# yaml-language-server: $schema=../../generator/schemas/place.schema.json",
            "name:",
            f"  {config.default_language}: {_q(name)}",
            f"kind: {kind}",
            "",
        ]
    )
    return _write(path, text)


def _write(path: Path, text: str) -> Path:
    if path.exists():
        raise FileExistsError(f"{path} exists already; choose another name or edit it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path
