"""The packaged JSON Schemas (draft 2020-12): the single truth of what content may hold.

They are also editor schemas: VS Code's YAML extension reads them through the
``# yaml-language-server: $schema=...`` comment at the top of each content file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_NAMES = ("common", "project", "knowledge", "place", "topics")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``<name>.schema.json``."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _registry() -> Registry:
    registry: Registry = Registry()
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        resource = Resource.from_contents(schema)
        registry = registry.with_resource(schema["$id"], resource)
        registry = registry.with_resource(f"{name}.schema.json", resource)
    return registry


@cache
def validator_for(name: str, *, required: bool = True) -> Draft202012Validator:
    """A validator for one schema; ``required=False`` drops the top-level required list
    (a translation's front matter inherits required fields from its original)."""
    schema = dict(load_schema(name))
    if not required:
        schema.pop("required", None)
    return Draft202012Validator(schema, registry=_registry())
