"""Download, verify and unpack a MovieLens dataset: ``python scripts/download_movielens.py --help``.

A thin wrapper around :func:`cfcourse.data.download.main`, runnable from the
repository's root without installing the package. ``--mirror`` (or ``MOVIELENS_MIRROR``)
takes folders, archive files or URLs separated by spaces or one per line; a path with
spaces is given alone (``--mirror "/media/My Drive/movielens"``), on a line of its own,
or as a ``file://`` URL with ``%20`` for each space: ``--help`` says so too.
"""

import sys
from pathlib import Path

# Lets `python scripts/download_movielens.py` find the package in a checkout that was never pip-installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cfcourse.data.download import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
