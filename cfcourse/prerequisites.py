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

    def _render_traceback_(self):
        # IPython (and so a notebook) shows this instead of a traceback: the message says what to do.
        return [f"MissingPrerequisiteError: {self}"]


def require_files(*paths: Path, written_by: str, dataset: str, run: str | None = None,
                  command: str | None = None) -> None:
    """Stop with one clear message if any of ``paths`` is missing.

    ``written_by`` names the lesson that writes them (its notebook's name); ``run`` the
    learner's run they belong to (``None``: the course's own); ``command``, where given, the exact
    command that writes them.
    """
    missing = [p for p in paths if not Path(p).exists()]
    if not missing:
        return
    if command:
        raise MissingPrerequisiteError(f"{shown_path(missing[0])} is missing: run `{command}` first (it trains "
                                       f"notebooks/{written_by}.ipynb into run {run!r} with that run's values)")
    in_run = "" if run is None else f", run={run!r}"
    raise MissingPrerequisiteError(
        f"{shown_path(missing[0])} is missing: run notebooks/{written_by}.ipynb first "
        f"with dataset={dataset!r}{in_run} (or `make run-all DATASET={dataset}` to run every lesson in order)"
    )
