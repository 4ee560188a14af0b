"""Cache files of plain values (:mod:`marshal`: no code runs on reading, quick to read).

A missing or unreadable file reads as None, so its cache is simply cold; a file is replaced in
one step, so no reader ever sees half of one.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any


def read(path: Path) -> Any:
    """The value in ``path``, or None when it is missing or unreadable."""
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def write(path: Path, value: Any) -> None:
    """Write ``value`` to ``path`` through a temporary file beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(marshal.dumps(value))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
