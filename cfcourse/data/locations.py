"""Where the repository and its data folder are, and how a path is shown to a learner."""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

#: Environment variable that moves the data folder elsewhere (for example a bigger disk).
DATA_DIR_VARIABLE = "CFCOURSE_DATA_DIR"


def default_data_dir() -> Path:
    """The data folder: ``$CFCOURSE_DATA_DIR`` if set, else ``data/`` in the repository."""
    return Path(os.environ.get(DATA_DIR_VARIABLE) or REPOSITORY_ROOT / "data")


def shown_path(path: str | os.PathLike) -> str:
    """``path`` as a message or a notebook should show it: relative to the repository when it lies
    inside it or beside it (``data/raw/...``, ``../shared/...``), so output names no machine's folders."""
    path = Path(path).resolve()
    for base, prefix in ((REPOSITORY_ROOT, ""), (REPOSITORY_ROOT.parent, "..")):
        if path.is_relative_to(base):
            return str(Path(prefix) / path.relative_to(base)) if prefix else str(path.relative_to(base))
    return str(path)
