"""The errors a download reports, each as one line that says what went wrong and what to do.

:class:`DownloadError` is what callers catch. Its kinds tell the download what to do next:
a :class:`SourceError` means this source failed and the next one may work; a
:class:`LocalFileError` means writing under ``data/raw`` failed, which no other source would fix.
"""

from __future__ import annotations

import errno
from pathlib import Path

from cfcourse.data.locations import shown_path


class DownloadError(Exception):
    """An expected failure (network, mirror, corrupt archive, checksum, disk): one line saying what to do."""


class SourceError(DownloadError):
    """One source could not provide a good archive; the next source may still."""


class MirrorSettingError(SourceError):
    """A mirror's source names no archive: a folder or file that is not there, or no usable URL."""


class NewEditionError(SourceError):
    """The source's data is not the edition the course expects, and no new edition was accepted."""


class LocalFileError(DownloadError):
    """Writing under ``data/raw`` failed: no other source would do better, so nothing more is tried."""

    def __init__(self, message: str, error: OSError):
        super().__init__(message)
        self.errno = error.errno


def local_problem(error: OSError, doing: str, folder: Path) -> LocalFileError:
    """One line for a failure to write in ``folder``, saying what would fix it."""
    where = shown_path(folder)
    if error.errno == errno.ENOSPC:
        message = f"the disk holding {where} is full ({doing}); free some space and run again: nothing was changed"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        message = (
            f"cannot write in {where} ({doing}: {error.strerror}); make it writable, or set CFCOURSE_DATA_DIR "
            "to a folder you can write in: nothing was changed"
        )
    else:
        message = f"{doing} in {where} failed: {error.strerror or error}; nothing was changed"
    return LocalFileError(message, error)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, made one space: messages are one line."""
    return " ".join(str(text).split())


def human_size(n_bytes: float) -> str:
    """A size as a person reads it: ``978.2 kB``, ``262.0 MB`` (decimal units, as GroupLens gives them)."""
    for unit in ("bytes", "kB", "MB"):
        if n_bytes < 1000:
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:.1f} GB"
