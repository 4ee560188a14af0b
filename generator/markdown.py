"""The one Markdown dialect of ksite, shared by web pages, print briefs, excerpts and search.

markdown-it-py in CommonMark mode with raw HTML off, plus tables, footnotes, admonitions
(``!!! note "Title"``, the syntax Material styles), definition lists, task lists and heading
anchors whose ids are readable in any script. Links may name content by reference
(``project:54037-001``, ``project:54037-001/outputs/2``, ``knowledge:<id>``, ``place:<slug>``,
``topic:<slug>``); the renderer turns them into relative URLs through a resolver the caller
passes, so this module knows nothing of the site's URL scheme.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from .references import REF as _REF
from .references import names_content

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")

Resolver = Callable[[str, str], str | None]
"""(scheme, target) -> site-relative URL of the referenced page, or None when it does not exist."""


@dataclass(frozen=True)
class Reference:
    """A content reference found in Markdown, with its place in the source file."""

    scheme: str
    target: str
    line: int
    column: int


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True)
class Rendered:
    html: str
    headings: tuple[Heading, ...]


def slugify(text: str) -> str:
    """Heading ids that stay stable and readable in Chinese: letters of any script are kept,
    everything else becomes a hyphen (never a positional ``_1``)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s-]", "", text)
    text = re.sub(r"[\s_-]+", "-", text).strip("-")
    return text or "section"


def _join_cjk_lines(state: StateCore) -> None:
    """A line break between two CJK characters is not a space in Chinese; drop it."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children = token.children
        for i, child in enumerate(children):
            if child.type != "softbreak" or i == 0 or i + 1 >= len(children):
                continue
            before, after = children[i - 1].content, children[i + 1].content
            if before and after and _CJK.match(before[-1]) and _CJK.match(after[0]):
                child.type, child.tag = "text", ""
                child.content = ""


@cache
def _parser() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": False, "typographer": False})
        .enable(["table", "strikethrough"])
        .use(admon_plugin)
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(tasklists_plugin)
        .use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify)
    )
    md.core.ruler.push("ksite_cjk_lines", _join_cjk_lines)
    md.add_render_rule("link_open", _render_link_open)
    return md


@cache
def _reference_parser() -> MarkdownIt:
    """The dialect's block structure that decides what is a link (admonitions, footnotes), without
    the rules that only shape output (tables, anchors, task lists): finding references is then
    about twice as fast, with the same links found (a link in a table cell or a definition is
    still inline text of a paragraph here)."""
    return MarkdownIt("commonmark", {"html": False}).use(admon_plugin).use(footnote_plugin)


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    match = _REF.match(href)
    if match:
        resolve: Resolver | None = env.get("resolve")
        url = resolve(match["scheme"], match["target"]) if resolve else None
        token.attrSet("href", (url or "#") + (match["anchor"] or ""))
        token.attrSet("class", "ksite-ref" if url else "ksite-ref ksite-ref--missing")
    elif href.startswith(("http://", "https://")):
        token.attrSet("rel", "noopener")
    return self.renderToken(tokens, idx, options, env)


_REUSED_BELOW = 4000
"""Texts shorter than this many characters that name no content are rendered once per process
and reused: a project's title, its outputs' statements and the like appear on hundreds of pages."""


def render(source: str, resolve: Resolver | None = None) -> Rendered:
    """Markdown to HTML, with references resolved and the heading outline for the TOC."""
    if len(source) < _REUSED_BELOW and not names_content(source):
        return _render_reused(source)  # the resolver would not be asked: same HTML on every page
    return _render(source, resolve)


@lru_cache(maxsize=16384)
def _render_reused(source: str) -> Rendered:
    return _render(source, None)


def _render(source: str, resolve: Resolver | None) -> Rendered:
    md = _parser()
    env: dict[str, Any] = {"resolve": resolve}
    tokens = md.parse(source, env)
    headings = tuple(_headings(tokens))
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(html=html, headings=headings)


def render_inline(source: str, resolve: Resolver | None = None) -> str:
    """A one-paragraph text without the ``<p>`` wrapper (output statements, table cells)."""
    if len(source) < _REUSED_BELOW and not names_content(source):
        return _render_inline_reused(source)
    html: str = _parser().renderInline(source, {"resolve": resolve})
    return html


@lru_cache(maxsize=16384)
def _render_inline_reused(source: str) -> str:
    html: str = _parser().renderInline(source, {"resolve": None})
    return html


# Anything that can make Markdown of a text: inline markup characters, and at a line's start
# block markers (lists, quotes, headings, setext underlines, definitions, indented code) or a
# blank line. A text without any of them is one paragraph of plain words.
_MARKUP_CHARS = re.compile(r"[\\`*_\[\]<>!#&|~\t\r]")
_BLOCK_START = re.compile(r"(?m)^(?: {4}| *(?:[-+=:>]|\d{1,9}[.)]|$))")


@lru_cache(maxsize=16384)
def plain_text(source: str) -> str:
    """Markdown reduced to its words, for summaries, search and meta descriptions."""
    text = source.strip("\n")
    if not _MARKUP_CHARS.search(text) and not _BLOCK_START.search(text):
        return " ".join(text.split())  # what the parse gives, without parsing (a test holds them equal)
    return parsed_plain_text(source)


def parsed_plain_text(source: str) -> str:
    """:func:`plain_text` always by parsing."""
    words: list[str] = []
    for token in _parser().parse(source):
        if token.type == "inline" and token.children:
            words.extend(c.content for c in token.children if c.type in ("text", "code_inline"))
    return " ".join(" ".join(words).split())


def find_references(source: str, first_line: int = 1, indent: int = 0) -> Iterator[Reference]:
    """Every content reference in a Markdown text, at its file line and column."""
    if not names_content(source):
        return  # most texts link to nothing; skip parsing them
    lines = source.split("\n")
    for token in _reference_parser().parse(source):
        if token.type != "inline" or not token.children or token.map is None:
            continue
        start, end = token.map
        for child in token.children:
            href = child.attrGet("href") if child.type == "link_open" else None
            if not isinstance(href, str):
                continue
            match = _REF.match(href)
            if not match:
                continue
            line, column = _locate(lines, start, end, f"]({href}")
            yield Reference(match["scheme"], match["target"], first_line + line, column + 2 + indent)


def _locate(lines: list[str], start: int, end: int, needle: str) -> tuple[int, int]:
    for number in range(start, min(end, len(lines))):
        col = lines[number].find(needle)
        if col >= 0:
            return number, col + 1
    return start, 0


def _headings(tokens: Sequence[Token]) -> Iterator[Heading]:
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            inline = tokens[i + 1]
            text = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
            yield Heading(int(token.tag[1]), str(token.attrGet("id") or slugify(text)), text)
