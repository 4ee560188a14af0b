"""Strict YAML reading that keeps where every key and value came from.

PyYAML's safe loader still applies YAML 1.1 guesses (``no`` becomes False, ``1.10`` becomes
1.1, ``0777`` an octal number, ``2020-09-14`` a date). Content is data whose types the JSON
Schema decides, so this module builds plain Python values from PyYAML's node graph itself:
plain scalars stay strings (``null``, ``~`` and empty become None) and are only turned into
numbers or booleans later, where the schema asks for one (:func:`coerce_to_schema`).
Aliases, tags and duplicate keys are refused with the position of the offending token.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem, error

Path_ = tuple[str | int, ...]
"""A location inside a document: mapping keys and sequence indexes from the root."""

_NULLS = {"", "~", "null", "Null", "NULL"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?\Z")
_STD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class YamlDocument:
    """A parsed YAML document: plain data plus the source position of every part."""

    path: str
    data: Any
    values: MutableMapping[Path_, tuple[int, int]] = field(default_factory=dict)
    """Line and column (from 1) where the value at a path starts."""
    keys: MutableMapping[Path_, tuple[int, int]] = field(default_factory=dict)
    """Line and column of the mapping key that names a path."""
    plain: set[Path_] = field(default_factory=set)
    """Paths of unquoted scalars: only these may be read as numbers or booleans."""

    def position(self, where: Path_, *, key: bool = False) -> tuple[int, int]:
        """Best known position for a path, walking up to the nearest known parent."""
        table = self.keys if key else self.values
        probe = tuple(where)
        while probe:
            if probe in table:
                return table[probe]
            if key and probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def error_at(self, where: Path_, message: str, *, key: bool = False) -> Problem:
        line, col = self.position(where, key=key)
        return error(self.path, line, col, message)


class _AliasFound(Exception):
    def __init__(self, line: int, column: int, anchor: str):
        self.line, self.column, self.anchor = line, column, anchor


class _Loader(yaml.SafeLoader):
    """PyYAML's safe scanner and parser, with a composer that refuses aliases."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event: Any = self.peek_event()  # type: ignore[no-untyped-call]
            mark = event.start_mark
            raise _AliasFound(mark.line + 1, mark.column + 1, event.anchor)
        return super().compose_node(parent, index)


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


class _PlainResolver:
    """Tags for untagged nodes without PyYAML's guessing: the guesses (int, bool, timestamp...)
    are regular expressions run on every scalar, and content never uses them (plain scalars
    stay text). Only a plain ``<<`` is told apart, so merge keys can be refused."""

    def descend_resolver(self, parent: Node | None, index: Any) -> None:
        pass  # path-dependent resolvers are not used

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _MERGE if value == "<<" and implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


_LIBYAML: bool = getattr(yaml, "__with_libyaml__", False)
"""False when PyYAML was built without libyaml: the pure-Python path then does everything."""

if _LIBYAML:
    from yaml._yaml import CParser

    class _FastLoader(CParser, _PlainResolver):
        """libyaml's scanner, parser and composer with the plain resolver."""


def _compose_fast(text: str) -> Node | None:
    """Compose with libyaml when PyYAML has it (many times faster than the pure-Python scanner).

    Returns None when the text has an error or an alias, or is empty: the pure-Python path then
    parses it again, so every problem is reported with PyYAML's wording and the alias's position.
    """
    if not _LIBYAML or "\t" in text:
        return None  # libyaml accepts tabs in plain text, PyYAML does not: keep one behaviour
    try:
        loader = _FastLoader(text)
        try:
            node: Node | None = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return None
    if node is None or ("*" in text and _shares_nodes(node)):
        return None  # an alias needs a '*': without one there is no graph to walk
    return node


def _shares_nodes(root: Node) -> bool:
    """True when a node appears twice in the graph: libyaml resolved an alias."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return False


def parse_yaml(text: str, path: str, line_offset: int = 0) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse one YAML document strictly; positions are shifted by ``line_offset`` lines.

    Returns the document, or None with the problems that stopped it.
    """
    problems = list(_tab_problems(text, path, line_offset))
    if problems:
        return None, problems
    node = _compose_fast(text)
    try:
        if node is None:
            loader = _Loader(text)
            try:
                node = loader.get_single_node()
            finally:
                loader.dispose()
    except _AliasFound as alias:
        return None, [
            error(
                path,
                alias.line + line_offset,
                alias.column,
                f"YAML alias '*{alias.anchor}' is not allowed in content; "
                "write the value out in full where it is needed",
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + line_offset) if mark else line_offset + 1
        col = (mark.column + 1) if mark else 1
        what = exc.problem or str(exc)
        if exc.context:
            started = exc.context_mark
            if started is not None and mark is not None and started.line != mark.line:
                # The real mistake is usually where the construct began (an unclosed bracket).
                what = (
                    f"{what} ({exc.context} that starts at line {started.line + 1 + line_offset}, "
                    f"column {started.column + 1})"
                )
            else:
                what = f"{what} ({exc.context})"
        if "'\\t'" in (exc.problem or ""):
            # PyYAML accepts tabs only inside quoted text; say so instead of "cannot start any token".
            what = "tab character outside quotes; replace the tab by spaces, or quote the text"
        return None, [error(path, line, col, f"invalid YAML: {what}")]
    doc = YamlDocument(path=path, data=None)
    if node is None:
        return doc, []
    # Block scalars (| and >) need the text's lines to place their first line; most files have none.
    lines = text.split("\n") if ("|" in text or ">" in text) else []
    doc.data = _build(node, (), doc, problems, line_offset, lines)
    return doc, problems


def _tab_problems(text: str, path: str, line_offset: int) -> Iterator[Problem]:
    if "\t" not in text:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            yield error(
                path,
                number + line_offset,
                line.index("\t") + 1,
                "tab character in indentation; YAML indents with spaces only, replace the tab by spaces",
            )


def _build(
    node: Node, where: Path_, doc: YamlDocument, problems: list[Problem], offset: int, lines: list[str]
) -> Any:
    # The hottest loop of `ksite check` (every node of every file): exact type tests, no helpers.
    mark = node.start_mark
    kind = type(node)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        position = _block_text_start(node, offset, lines)
    else:
        position = (mark.line + 1 + offset, mark.column + 1)
    doc.values[where] = position
    if node.tag not in _STD_TAGS and node.tag != "!":
        problems.append(
            error(doc.path, *position, f"YAML tag '{node.tag}' is not allowed in content; remove it")
        )
    if isinstance(node, ScalarNode):
        value = node.value
        if not node.style:  # plain
            if value in _NULLS:
                return None
            doc.plain.add(where)
        return value
    if kind is SequenceNode:
        return [_build(item, (*where, i), doc, problems, offset, lines) for i, item in enumerate(node.value)]
    if kind is MappingNode:
        result: dict[str, Any] = {}
        keys = doc.keys
        for key_node, value_node in node.value:
            key_mark = key_node.start_mark
            kline, kcol = key_mark.line + 1 + offset, key_mark.column + 1
            if type(key_node) is not ScalarNode:
                problems.append(error(doc.path, kline, kcol, "mapping keys must be plain text"))
                continue
            key = key_node.value
            if key_node.tag == _MERGE:  # a plain <<, not a quoted one
                problems.append(
                    error(doc.path, kline, kcol, "YAML merge keys ('<<') are not allowed; write the keys out")
                )
                continue
            path = (*where, key)
            if key in result:
                first = keys[path]
                problems.append(
                    error(
                        doc.path,
                        kline,
                        kcol,
                        f"duplicate key '{key}' (first defined at line {first[0]}); remove one of them",
                    )
                )
                continue
            keys[path] = (kline, kcol)
            result[key] = _build(value_node, path, doc, problems, offset, lines)
        return result
    return None  # pragma: no cover - PyYAML has no other node kinds


def _block_text_start(node: ScalarNode, offset: int, lines: list[str]) -> tuple[int, int]:
    """Where a block scalar's text begins: the first non-blank line after its ``|``/``>``
    indicator, so that lines inside the text (Markdown references) map onto file lines."""
    mark = node.start_mark
    following = lines[mark.line + 1 :]
    for number, text in enumerate(following, start=mark.line + 2):
        if text.strip(" \0"):
            return number + offset, len(text) - len(text.lstrip(" ")) + 1
    return mark.line + 1 + offset, mark.column + 1


def coerce_by_schema(doc: YamlDocument, schema: dict[str, Any]) -> YamlDocument:
    """The document with each plain scalar converted whose place in ``schema`` (references
    inlined) asks for a number or boolean and not for text, as :func:`coerce_to_schema` would
    after validation. ``doc`` is left as it is."""
    data, plain = doc.data, set(doc.plain)
    for where in sorted(doc.plain, key=len):
        node: Any = schema
        for part in where:
            if not isinstance(node, dict):
                break
            if isinstance(part, int):
                node = node.get("items")
            elif part in node.get("properties", {}):
                node = node["properties"][part]
            else:
                extra = node.get("additionalProperties")
                node = extra if isinstance(extra, dict) else None
        if not isinstance(node, dict) or "type" not in node:
            continue
        wanted = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if "string" in wanted:
            continue
        value = _convert(_get(data, where), wanted)
        if value is not None:
            data = _with(data, where, value)
            plain.discard(where)
    return replace(doc, data=data, plain=plain) if data is not doc.data else doc


def _get(data: Any, where: Path_) -> Any:
    for part in where:
        data = data[part]
    return data


def coerce_to_schema(doc: YamlDocument, schema_errors: list[Any]) -> YamlDocument | None:
    """The document with plain scalars turned into the number or boolean a schema ``type``
    error asked for, or None when no value changed (``doc`` is left as it is).

    ``schema_errors`` are jsonschema errors of a first validation pass; when a document comes
    back, the caller validates it again. Only unquoted scalars written in the YAML 1.2 core
    forms (``true``/``false``, decimal numbers) are converted; ``no``, ``0777`` stay text and
    the schema then reports them.
    """
    data, plain = doc.data, set(doc.plain)
    for err in schema_errors:
        if err.validator != "type":
            continue
        where = tuple(err.absolute_path)
        if where not in plain or not isinstance(err.instance, str):
            continue
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        value = _convert(err.instance, wanted)
        if value is not None:
            data = _with(data, where, value)
            plain.discard(where)
    return replace(doc, data=data, plain=plain) if data is not doc.data else None


def _convert(text: str, wanted: list[str]) -> int | float | bool | None:
    if "boolean" in wanted and text in ("true", "false"):
        return text == "true"
    if "integer" in wanted and _INT.match(text) and not re.match(r"[-+]?0[0-9]", text):
        return int(text)
    if "number" in wanted and _FLOAT.match(text) and not re.match(r"[-+]?0[0-9]", text):
        number = float(text)
        return int(number) if _INT.match(text) else number
    return None


def _with(data: Any, where: Path_, value: Any) -> Any:
    """``data`` with the value at ``where`` replaced: the containers on the way are copied, the
    rest is shared."""
    if not where:
        return value
    copy: Any = list(data) if isinstance(data, list) else dict(data)
    copy[where[0]] = _with(data[where[0]], where[1:], value)
    return copy
