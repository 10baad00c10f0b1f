"""Clear messages when a lesson runs before the lesson it builds on.

Each lesson reads files an earlier one wrote. Rather than a ``FileNotFoundError``
deep inside pandas or Keras, a lesson checks first and stops with a message that
names what to run.
"""

from __future__ import annotations

from pathlib import Path

from cfcourse.paths import shown_path


class MissingPrerequisiteError(FileNotFoundError):
    """A file a lesson needs is not there yet; the message says which lesson writes it."""


def require_files(*paths: Path, written_by: str, dataset: str) -> None:
    """Stop with one clear message if any of ``paths`` is missing.

    ``written_by`` names the lesson that writes them, e.g. ``"01_preprocessing"``.
    """
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise MissingPrerequisiteError(
            f"{shown_path(missing[0])} is missing: run notebooks/{written_by}.ipynb first "
            f"with dataset={dataset!r} (or `make run-all DATASET={dataset}` to run every lesson in order)"
        )
