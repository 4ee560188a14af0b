"""The syntax of content references (``[text](project:54037-001)``), without a Markdown parser.

The renderer (:mod:`generator.markdown`) resolves references while it renders; the link stage
first tries :func:`reference_candidates`, a scan that needs no parser, and parses only the
texts whose candidates do not all resolve. ``ksite check`` of valid content therefore never
imports markdown-it.
"""

from __future__ import annotations

import re

REFERENCE_SCHEMES = ("project", "knowledge", "place", "topic")
_SCHEMES = "|".join(REFERENCE_SCHEMES)
REF = re.compile(rf"^(?P<scheme>{_SCHEMES}):(?P<target>[^#\s]*)(?P<anchor>#.*)?$")
"""A link destination that names content: scheme, target and an optional #anchor."""

# Where a link destination can start, and where it ends in each form: in angle brackets (an
# autolink, or "](<" / "]: <"), after "](" (an inline link) and after "]:" (a definition).
_CANDIDATE = re.compile(
    rf"<(?P<s1>{_SCHEMES}):(?P<t1>[^\s#>]*)"
    rf"|\]\(\s*(?P<s2>{_SCHEMES}):(?P<t2>[^\s#)]*)"
    rf"|\]:\s*(?P<s3>{_SCHEMES}):(?P<t3>[^\s#]*)"
)
_PLAIN_TARGET = re.compile(r"[A-Za-z0-9._~/-]*")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


_NEEDLES = tuple(f"{scheme}:" for scheme in REFERENCE_SCHEMES)


def names_content(source: str) -> bool:
    """Whether a text mentions a reference scheme at all (most texts do not, and most have no
    colon: tested first, that is twenty times quicker than the four searches)."""
    return ":" in source and any(needle in source for needle in _NEEDLES)


def reference_candidates(source: str) -> list[tuple[str, str]] | None:
    """A quick superset of the references :func:`generator.markdown.find_references` finds.

    Every reference in the text is among the candidates (some candidates may sit in code); None
    means the text has escapes or entities, or a target with other characters than letters,
    digits and ``._~/-`` (say ``%`` or ``(``), which the parser may decode, encode or cut
    differently.
    A caller that finds every candidate valid knows that every reference is valid and may skip
    the parse.
    """
    if not names_content(source):
        return []
    if "\\" in source or _ENTITY.search(source):
        return None  # an escape or an entity could hide a scheme from the scan
    found = [
        (m["s1"] or m["s2"] or m["s3"], m["t1"] if m["s1"] else m["t2"] if m["s2"] else m["t3"])
        for m in _CANDIDATE.finditer(source)
    ]
    if any(not _PLAIN_TARGET.fullmatch(target) for _, target in found):
        return None  # the parser would percent-encode or cut it differently
    return found
