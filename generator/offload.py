"""Work that ksite hands to a helper process, to run on another core while MkDocs builds.

    python -I -S offload.py write-documents PACK FOLDER PAGEFIND [ARGUMENT...]
    python -I -S offload.py remove-trees FOLDER...

MkDocs renders the site on one thread for most of a build. Jobs of ksite's that are all system
calls and hashing ran on that thread too: at N = 1,000 products, a quarter of a second each for
the first below and 2-3.5 s for the second. A thread of ksite's own did not help, since
handing the interpreter lock back and forth for every page cost the builder about as much. So a
helper process does them:

- ``write-documents`` writes Pagefind's input documents, then becomes Pagefind (see
  :func:`generator.search_pagefind.start_pagefind`). PACK is a :mod:`marshal` file of
  ``(file name, bytes)`` pairs, each written as a file of FOLDER.
- ``remove-trees`` removes the previous site once the new one is in place, after ``ksite
  build`` has returned (see :func:`generator.build.remove_in_background`).

Standard library only, and run with ``-I -S``, so it starts in milliseconds.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def command(*arguments: str) -> list[str]:
    """The command line that runs this module's ``arguments`` in a helper process."""
    return [sys.executable, "-I", "-S", os.path.abspath(__file__), *arguments]


def write_documents(pack: str, folder: str) -> int:
    """Write each document of ``pack`` into ``folder``; returns how many."""
    with open(pack, "rb") as file:
        documents: list[tuple[str, bytes]] = marshal.load(file)
    for name, data in documents:
        if os.sep in name or (os.altsep and os.altsep in name) or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        descriptor = os.open(os.path.join(folder, name), _FLAGS, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
    return len(documents)


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["remove-trees"]:
        for folder in argv[1:]:
            shutil.rmtree(folder, ignore_errors=True)
        return 0
    if argv[:1] == ["write-documents"] and len(argv) >= 4:
        pack, folder, *pagefind = argv[1:]
        write_documents(pack, folder)
        sys.stdout.flush()
        if os.name == "posix":
            os.execv(pagefind[0], pagefind)  # cancelling the build then stops Pagefind itself
        return subprocess.call(pagefind)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
