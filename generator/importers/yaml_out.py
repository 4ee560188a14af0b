"""Writing a project record as YAML that the site's strict loader reads back unchanged.

Multi-line text is written as literal blocks so editors see paragraphs; sequences are
indented under their key like the hand-written records; the file opens with the comment
that points editors' YAML extensions at the schema.
"""

from __future__ import annotations

from typing import Any

import yaml

SCHEMA_COMMENT = "# yaml-language-server: $schema=../../generator/schemas/project.schema.json"


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)
# Dates are text in ksite records (the schema checks their form), so they are written plain
# like the hand-written records, not quoted against YAML 1.1's timestamp guess.
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def header_comments(existing_text: str) -> list[str]:
    """The comment lines opening an existing record (the schema line excluded), kept on rewrite."""
    comments: list[str] = []
    for line in existing_text.splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith("# yaml-language-server:"):
            comments.append(line)
    return comments


def dump_record(record: dict[str, Any], comments: list[str] | None = None) -> str:
    """The YAML text of ``record``, opening with the schema comment and ``comments``."""
    body = yaml.dump(
        record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
    return "\n".join([SCHEMA_COMMENT, *(comments or []), body])
