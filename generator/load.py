"""Load stage: read every content file into raw documents that remember source positions.

Reading is strict about bytes (UTF-8 with or without BOM, at most 5 MB) and about YAML (see
:mod:`generator.yamlsource`). Nothing here knows the schemas; that is the validate stage.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, error, warning
from .model import Markdown
from .yamlsource import YamlDocument, parse_yaml

MAX_BYTES = 5 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_TRANSLATION = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3}(?:-[a-zA-Z0-9]+)?)$")

KINDS = {
    "projects": ("project", ".yaml"),
    "knowledge": ("knowledge", ".md"),
    "places": ("place", ".yaml"),
    "pages": ("page", ".md"),
}
"""Content folder -> (document kind, file suffix). ``topics.yaml`` sits at the top."""


@dataclass
class RawDocument:
    """One content file, parsed but not yet validated."""

    kind: str
    path: str
    stem: str
    """File name without suffix and language: the id, number or slug the file claims."""
    yaml: YamlDocument
    body: Markdown | None = None
    lang: str | None = None
    """Language of a translation file (``<id>.zh.md``); None for an original."""


def display_path(path: Path, root: Path) -> str:
    """The path as an editor types it: relative to the project root when inside it."""
    text, base = str(path), str(root)
    if text.startswith(base) and text[len(base) : len(base) + 1] == os.sep:  # the common case
        return text[len(base) + 1 :].replace(os.sep, "/")
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def content_files(content_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every content source file with its kind, in a stable order (by name)."""
    topics = content_dir / "topics.yaml"
    if topics.is_file():
        yield "topics", topics
    for folder, (kind, suffix) in KINDS.items():
        base = content_dir / folder
        try:
            with os.scandir(base) as listing:
                names = sorted(e.name for e in listing if e.is_file() and not e.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            yield (kind if name.endswith(suffix) else "stray"), base / name


def load_content(files: Iterable[tuple[str, Path]], root: Path) -> tuple[list[RawDocument], list[Problem]]:
    """Read and parse the content ``files`` (as :func:`content_files` lists them); problems of
    all files are returned together."""
    documents: list[RawDocument] = []
    problems: list[Problem] = []
    for kind, path in files:
        doc, file_problems = _load_file(kind, path, root)
        problems.extend(file_problems)
        if doc is not None:
            documents.append(doc)
    return documents, problems


def _load_file(kind: str, path: Path, root: Path) -> tuple[RawDocument | None, list[Problem]]:
    shown = display_path(path, root)
    if kind == "stray":
        expected = next(s for f, (_, s) in KINDS.items() if f == path.parent.name)
        message = f"ignored: only {expected} files are read from {path.parent.name}/"
        return None, [warning(shown, 0, 0, message)]
    raw, read_problems = read_bytes(path, shown)
    if raw is None:
        return None, read_problems
    text, read_problems = decode(raw, shown)
    if text is None:
        return None, read_problems
    if path.suffix == ".md":
        doc, parse_problems = parse_markdown(text, shown, kind)
    else:
        doc, parse_problems = parse_yaml_file(text, shown, kind)
    return doc, read_problems + parse_problems


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, unless it is too large to be content.

    Plain descriptor calls: a buffered file object per file took twice as long over the
    2,000 files of a rebuild, for bytes read in one go anyway."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        if size <= MAX_BYTES:
            chunks = []
            while chunk := os.read(fd, max(size, 65536)):  # one read, and one that finds the end
                chunks.append(chunk)
            return b"".join(chunks), []
    finally:
        os.close(fd)
    return None, [
        error(
            shown,
            0,
            0,
            f"file is {size / 1048576:.1f} MB, over the 5 MB limit for content; "
            "split it, or put large data under content/media/ as an attachment",
        )
    ]


def decode(raw: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    """File bytes as text with ``\\n`` line ends, refusing what is not UTF-8."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [error(shown, 1, 1, "file is UTF-16; save it as UTF-8")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        # Count characters, not bytes, as editors do: what precedes the bad byte is valid UTF-8.
        column = len(raw[line_start : exc.start].decode("utf-8")) + 1
        return None, [
            error(
                shown,
                line,
                column,
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                "save it as UTF-8 in your editor (it may be GBK or Latin-1 now)",
            )
        ]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def parse_yaml_file(text: str, shown: str, kind: str) -> tuple[RawDocument | None, list[Problem]]:
    doc, problems = parse_yaml(text, shown)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, problems + [error(shown, 1, 1, "expected a mapping of field names to values")]
    stem = Path(shown).stem
    return RawDocument(kind=kind, path=shown, stem=stem, yaml=doc), problems


def parse_markdown(text: str, shown: str, kind: str) -> tuple[RawDocument | None, list[Problem]]:
    """Split front matter (between ``---`` lines at the top) from the Markdown body."""
    stem = Path(shown).stem
    lang = None
    match = _TRANSLATION.match(stem)
    if match:
        stem, lang = match["stem"], match["lang"]
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, [
            error(
                shown,
                1,
                1,
                "missing front matter: the file must start with a line '---', the YAML fields, "
                "and another '---'",
            )
        ]
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    except StopIteration:
        return None, [
            error(shown, 1, 1, "front matter is not closed: add a line '---' after the YAML fields")
        ]
    yaml_text = "\n".join(lines[1:end])
    doc, problems = parse_yaml(yaml_text, shown, line_offset=1)
    if doc is None:
        return None, problems
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        return None, problems + [
            error(shown, 2, 1, "front matter must be a mapping of field names to values")
        ]
    body = Markdown(source="\n".join(lines[end + 1 :]), path=shown, first_line=end + 2)
    return RawDocument(kind=kind, path=shown, stem=stem, yaml=doc, body=body, lang=lang), problems
