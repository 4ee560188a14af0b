"""Importing over an existing record: update what the data sheet says, keep what editors added.

The importer owns the fields it produced. Everything else in the existing record (places,
topics, indicators, links to knowledge, translations in ``{en: ..., zh: ...}`` maps) is
kept. Text that differs only in line wrapping counts as unchanged, so a re-import does not
rewrap an editor's file; a changed English text keeps its translations, with a warning
that they may now be stale.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from .record import order_like_schema

OWNED_ONLY = ("extra",)
"""Importer-owned keys removed when a new import no longer produces them."""


@dataclass
class MergeNotes:
    """What an editor should know about a merge: translations that may be stale."""

    stale: list[str] = field(default_factory=list)


def same_text(a: Any, b: Any) -> bool:
    """Equal text once whitespace inside each paragraph is collapsed."""
    if not isinstance(a, str) or not isinstance(b, str):
        return bool(a == b)
    return _paragraphs(a) == _paragraphs(b)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def merge_records(
    existing: dict[str, Any], imported: dict[str, Any], language: str = "en"
) -> tuple[dict[str, Any], MergeNotes]:
    """``imported`` laid over ``existing``; keys in the existing order, new keys in schema order."""
    notes = MergeNotes()
    merged: dict[str, Any] = {}
    for key, old in existing.items():
        if key in imported:
            merged[key] = _merge(old, imported[key], key, language, notes)
        elif key not in OWNED_ONLY:
            merged[key] = old
    new_keys = [k for k in imported if k not in existing]
    if new_keys:
        ordered = order_like_schema({**{k: None for k in merged}, **{k: imported[k] for k in new_keys}})
        merged = {k: (merged[k] if k in merged else imported[k]) for k in ordered}
    return merged, notes


def _merge(old: Any, new: Any, where: str, language: str, notes: MergeNotes) -> Any:
    if isinstance(new, str) and isinstance(old, dict) and language in old:
        if same_text(old[language], new):
            return old
        others = [lang for lang in old if lang != language]
        if others:
            notes.stale.append(
                f"{where}: the {language} text changed; check its {', '.join(others)} translation"
            )
        return {**old, language: new}
    if isinstance(new, str) and isinstance(old, str):
        return old if same_text(old, new) else new
    if isinstance(new, dict) and isinstance(old, dict):
        out = {
            k: (_merge(old[k], new[k], f"{where}.{k}", language, notes) if k in new else old[k]) for k in old
        }
        out.update({k: v for k, v in new.items() if k not in old})
        return out
    if isinstance(new, list) and isinstance(old, list):
        if where == "outputs":
            return _merge_outputs(old, new, language, notes)
        if all(isinstance(x, str) for x in new):
            return [
                _merge(old[i], x, f"{where}[{i + 1}]", language, notes) if i < len(old) else x
                for i, x in enumerate(new)
            ]
        return old if old == new else new
    return new


def _merge_outputs(old: list[Any], new: list[Any], language: str, notes: MergeNotes) -> list[Any]:
    """Outputs matched by number: the statement is updated, indicators and other keys kept."""
    by_number = {o.get("number"): o for o in old if isinstance(o, dict)}
    out: list[Any] = []
    for item in new:
        previous = by_number.get(item["number"])
        if previous is None:
            out.append(item)
            continue
        merged = dict(previous)
        merged["statement"] = _merge(
            previous.get("statement"),
            item["statement"],
            f"outputs[{item['number']}].statement",
            language,
            notes,
        )
        out.append(merged)
    return out


def unified_diff(before: str, after: str, name: str) -> str:
    """The change a write would make, for ``--dry-run``."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )
