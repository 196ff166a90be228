"""``python -m skimgproc``: the command line (see :mod:`skimgproc.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
