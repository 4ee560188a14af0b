"""Removing the previous site in a helper process that outlives ``ksite build``.

    python -I -S offload.py remove-trees FOLDER...

Removing 5,000 page folders took 2-3.5 s at N = 1,000 right after writing the new ones, and
43 s (median of four rebuilds) on this project's machine under load: longer than all of
ksite's own work on a rebuild. So the swapped-out site is removed by this process after the
command has returned (see :func:`generator.build.remove_in_background`). Standard library
only, and run with ``-I -S``, so it starts in milliseconds.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence


def command(*arguments: str) -> list[str]:
    """The command line that runs this module's ``arguments`` in a helper process."""
    return [sys.executable, "-I", "-S", os.path.abspath(__file__), *arguments]


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["remove-trees"]:
        for folder in argv[1:]:
            shutil.rmtree(folder, ignore_errors=True)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
