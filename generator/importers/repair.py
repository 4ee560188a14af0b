"""Repairs of encoding damage seen in real data sheet text.

A repair is made only where the intended text is certain (``ADB?s`` can only be ``ADB's``);
anything else is left as it is and reported, so an editor decides. Every repair is reported
too: the record must not silently differ from its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .vocab import LIGATURE_CERTAIN, LIGATURE_DOUBTFUL


@dataclass(frozen=True, slots=True)
class Note:
    """A repair made, or damage seen but left alone, at a column of one line."""

    column: int
    message: str


_QUESTION_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\?(?=(?:s|t|ll|re|ve|d|m)\b)")
_DOUBLED_APOSTROPHE = re.compile(r"(?<=[A-Za-z])''(?=[A-Za-z])")
_MOJIBAKE = re.compile(
    r"[\u00c2\u00c3\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{1,2}"
)
_LOST_APOSTROPHE = re.compile(r"\b(ADB|PRC|[A-Z]{2,5}) s\b")
_LONE_QUOTE_DASH = re.compile(r"(?<=\w) \" (?=\w)")
_WORD = re.compile(r"[A-Za-z]+")


def _fix_mojibake(match: re.Match[str]) -> str:
    try:
        return match.group(0).encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return match.group(0)


def _replace(
    text: str, pattern: re.Pattern[str], make: Callable[[re.Match[str]], str], what: str, notes: list[Note]
) -> str:
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        new = make(m)
        if new == m.group(0):
            continue
        out.append(text[last : m.start()])
        out.append(new)
        notes.append(Note(m.start() + 1, f"repaired {what}: {m.group(0)!r} -> {new!r}"))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _fix_ligatures(text: str, notes: list[Note]) -> str:
    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if low in LIGATURE_CERTAIN:
            whole = LIGATURE_CERTAIN[low]
            return whole.capitalize() if word[0].isupper() else whole
        if low in LIGATURE_DOUBTFUL:
            notes.append(
                Note(
                    m.start() + 1,
                    f"'{word}' may be '{LIGATURE_DOUBTFUL[low]}' with letters lost in PDF "
                    "conversion; left as it is, check the source",
                )
            )
        return word

    return _replace(text, _WORD, fix, "letters lost with a ligature in PDF conversion", notes)


def repair_text(text: str, *, ligatures: bool = False) -> tuple[str, list[Note]]:
    """``text`` with certain repairs made, and notes on what was repaired or is doubtful."""
    notes: list[Note] = []
    text = text.replace("US\\$", "US$").replace("\\$", "$")
    text = _replace(text, _MOJIBAKE, _fix_mojibake, "mis-decoded UTF-8", notes)
    text = _replace(text, _QUESTION_APOSTROPHE, lambda m: "'", "apostrophe shown as '?'", notes)
    text = _replace(text, _DOUBLED_APOSTROPHE, lambda m: "'", "doubled apostrophe", notes)
    if ligatures:
        text = _fix_ligatures(text, notes)
    for m in _LOST_APOSTROPHE.finditer(text):
        notes.append(
            Note(
                m.start() + 1,
                f"'{m.group(0)}' looks like \"{m.group(1)}'s\" with its apostrophe lost; "
                "left as it is, check the source",
            )
        )
    for m in _LONE_QUOTE_DASH.finditer(text):
        if text.count('"') % 2:
            notes.append(
                Note(
                    m.start() + 2,
                    "a lone '\"' between words may be a damaged dash; left as it is, check the source",
                )
            )
    if "\ufffd" in text:
        notes.append(
            Note(
                text.index("\ufffd") + 1, "text holds U+FFFD, a character lost in decoding; check the source"
            )
        )
    return text, notes
