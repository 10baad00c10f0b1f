"""Writing under ``data/raw`` without ever leaving it half-done.

- :class:`NewFile`: a file being written, whose write errors are the disk's (full, read-only), not the source's;
- :class:`Workspace`: a lock on one dataset against a second run, and temporary files and folders,
  all removed on exit, success or not;
- :func:`sweep_leftovers`: removes what runs that were killed outright (SIGKILL, power cut) left behind,
  their lock files included;
- :func:`move_into_place`: swaps a verified folder in, keeping the old one until the swap succeeded.

Temporary names carry their owner's process ID (``.download-<dataset>-<pid>-<random>.part``), so a
leftover can be told from the file of a run still going.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import TextIO

from cfcourse.data.errors import DownloadError, human_size, local_problem
from cfcourse.data.locations import shown_path

#: Temporary files whose owner cannot be told apart from a live process are swept after this long.
STALE_AFTER_SECONDS = 3600

_TEMPORARY_PREFIXES = (".download-", ".extract-", ".generate-", ".replaced-")

#: Bytes read and written at a time when copying, downloading or unpacking an archive.
CHUNK_BYTES = 1 << 16

#: A lock file is data, not a program: readable by all, writable by its owner, never executable.
_LOCK_FILE_MODE = 0o644


def open_new_file(path: Path):
    """Open ``path`` for writing; the one place the download creates data files, so a test can give it a full disk."""
    return open(path, "wb")


class NewFile:
    """A file being written under ``data/raw``: an error while writing it is the disk's fault, not the source's."""

    def __init__(self, path: Path, doing: str, folder: Path):
        self._doing, self._folder = doing, folder
        try:
            self._file = open_new_file(path)
        except OSError as error:
            raise local_problem(error, doing, folder) from None

    def write(self, chunk: bytes) -> None:
        try:
            self._file.write(chunk)
        except OSError as error:
            raise local_problem(error, self._doing, self._folder) from None

    def __enter__(self) -> NewFile:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        try:
            self._file.close()
        except OSError as close_error:
            if error_type is None:  # a write that failed already explains itself
                raise local_problem(close_error, self._doing, self._folder) from None


def _process_is_gone(pid: int) -> bool:
    """True when no process ``pid`` runs. On Windows, where this cannot be asked safely, always False."""
    if os.name == "nt":
        return False  # os.kill(pid, 0) would send Ctrl-C there, not ask
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, under another user
    return False


def _owner_of(temporary_name: str) -> int | None:
    """The process ID written into a temporary file's name (``.download-<dataset>-<pid>-<random>``), if any."""
    match = re.search(r"-(\d+)-[a-z0-9_]+(\.part)?$", temporary_name)
    return int(match.group(1)) if match else None


def _is_stale(path: Path) -> bool:
    """A leftover from a run that died: its owner process is gone, or, owner unknown, it is over an hour old."""
    owner = _owner_of(path.name)
    if owner is not None and owner != os.getpid() and _process_is_gone(owner):
        return True
    try:
        old = time.time() - path.lstat().st_mtime > STALE_AFTER_SECONDS
    except OSError:
        return False
    # A live owner may still be writing a slow download, so age alone only condemns files of unknown owners.
    return old and (owner is None or os.name == "nt")


def _files_and_bytes(path: Path) -> tuple[int, int]:
    """How many files (links included) ``path`` is or holds, and their bytes; ``(0, 0)`` once it is gone.

    A file that vanishes while being counted (its owner removing it) makes the count ``(0, 0)``:
    the sweep then claims nothing for it, rather than files it did not remove.
    """
    try:
        if path.is_dir() and not path.is_symlink():
            files = [file for file in path.rglob("*") if file.is_symlink() or not file.is_dir()]
            return len(files), sum(file.lstat().st_size for file in files)
        return 1, path.lstat().st_size
    except OSError:
        return 0, 0


def _remove(path: Path) -> tuple[int, int]:
    """Remove ``path`` as far as it can be removed; the files and bytes that went (a folder may go only in part)."""
    files, size = _files_and_bytes(path)
    try:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() and not path.is_symlink() else path.unlink()
    except OSError:
        pass  # a file we cannot delete is left for its owner; it blocks nothing
    files_left, bytes_left = _files_and_bytes(path)
    return files - files_left, size - bytes_left


def _is_lock_file(path: Path) -> bool:
    return path.name.startswith(".fetch-") and path.name.endswith(".lock")


def _is_leftover(path: Path) -> bool:
    """A temporary file or folder, or a lock of any dataset, whose run died."""
    if _is_lock_file(path):
        return not _lock_is_held(path)
    return path.name.startswith(_TEMPORARY_PREFIXES) and _is_stale(path)


def sweep_leftovers(raw: Path, out: TextIO) -> None:
    """Delete the temporary files and folders, and the locks, that killed runs left in ``raw``, and say how much that freed."""
    removed, freed = 0, 0
    for path in sorted(raw.glob(".*")):
        if _is_leftover(path):
            files, size = _remove(path)
            removed, freed = removed + files, freed + size
    if removed:
        files = "1 temporary file" if removed == 1 else f"{removed:,} temporary files"
        print(f"Removed {files} left by an interrupted earlier run ({human_size(freed)}).", file=out, flush=True)


class Workspace:
    """A lock on one dataset in ``raw``, and temporary files beside it, all removed on exit, success or not.

    The lock file ``raw/.fetch-<dataset>.lock`` holds the owner's process ID, so a
    second run into the same data folder stops with one line instead of racing the
    first, and a lock left by a killed run is taken over (or swept by the next run of
    any dataset, see :func:`sweep_leftovers`). On failure (any exception, Ctrl-C
    included) the folders that entering had to create (``raw``, perhaps the data
    folder too) are removed again, so a failed call leaves no trace.
    """

    def __init__(self, raw: Path, dataset: str):
        self.raw = raw
        self.dataset = dataset
        self.lock = raw / f".fetch-{dataset}.lock"
        self._holds_lock = False
        self._created_folders: list[Path] = []
        self._temporary_paths: list[Path] = []

    def __enter__(self) -> Workspace:
        try:
            self._create_folders()
            self._take_lock()
        except BaseException:
            self._remove_created_folders()
            raise
        return self

    def _create_folders(self) -> None:
        for folder in reversed([self.raw, *self.raw.parents]):
            if folder.is_dir():
                continue
            try:
                folder.mkdir()
            except FileExistsError:
                continue  # another run made it a moment ago: theirs, not ours to remove
            except OSError as error:
                raise local_problem(error, "creating the folder", folder.parent) from None
            self._created_folders.append(folder)

    def _take_lock(self) -> None:
        for _ in range(2):
            try:
                handle = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _LOCK_FILE_MODE)
            except FileExistsError:
                if _lock_is_held(self.lock):
                    owner = _lock_owner(self.lock)
                    raise DownloadError(
                        f"another run{f' (process {owner})' if owner else ''} is fetching {self.dataset} into "
                        f"{shown_path(self.raw)} right now; let it finish, then run again"
                    ) from None
                self.lock.unlink(missing_ok=True)  # left by a run that was killed
                continue
            except OSError as error:
                raise local_problem(error, "creating a lock file", self.raw) from None
            with os.fdopen(handle, "w") as file:
                file.write(str(os.getpid()))
            self._holds_lock = True
            return
        raise DownloadError(f"another run keeps taking the lock {shown_path(self.lock)}; let it finish, then run again")

    def new_file(self, prefix: str, suffix: str) -> Path:
        try:
            handle, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}-", suffix=suffix, dir=self.raw)
        except OSError as error:
            raise local_problem(error, "creating a temporary file", self.raw) from None
        os.close(handle)
        self._temporary_paths.append(Path(name))
        return Path(name)

    def new_folder(self, prefix: str) -> Path:
        try:
            folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=self.raw))
        except OSError as error:
            raise local_problem(error, "creating a temporary folder", self.raw) from None
        self._temporary_paths.append(folder)
        return folder

    def discard(self, path: Path) -> None:
        """Delete one temporary file or folder now, so a failed source's download does not hold disk space."""
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)

    def __exit__(self, error_type, error, traceback) -> None:
        try:
            for path in reversed(self._temporary_paths):
                self.discard(path)
            if self._holds_lock:
                self.lock.unlink(missing_ok=True)
        except KeyboardInterrupt as cut_short:
            # Ctrl-C (again) or SIGTERM while removing: whoever reports the stop must say what is still there.
            cut_short.left_behind = self._left_behind()
            raise
        if error_type is not None:
            self._remove_created_folders()

    def _left_behind(self) -> list[Path]:
        """The temporary files and folders, and the lock, still on disk."""
        left = [path for path in self._temporary_paths if path.exists() or path.is_symlink()]
        return left + [self.lock] if self._holds_lock and self.lock.exists() else left

    def _remove_created_folders(self) -> None:
        for folder in reversed(self._created_folders):
            try:
                folder.rmdir()
            except OSError:
                # Not empty: something else wrote there meanwhile, and that is not ours to delete.
                break


def left_behind(interruption: KeyboardInterrupt) -> list[Path]:
    """What a :class:`Workspace` could not remove because ``interruption`` cut its cleanup short; empty if nothing."""
    return getattr(interruption, "left_behind", [])


def describe_leftovers(paths: list[Path]) -> str:
    """``the folder .extract-toy-12-ab and the lock .fetch-toy.lock in data/raw``: what an interrupted run left."""
    kinds = [
        f"the {'lock' if _is_lock_file(path) else 'folder' if path.is_dir() else 'file'} {path.name}" for path in paths
    ]
    listing = kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} and {kinds[-1]}"
    return f"{listing} in {shown_path(paths[0].parent)}"


def _lock_owner(lock: Path) -> int | None:
    try:
        text = lock.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _lock_is_held(lock: Path) -> bool:
    """True while the lock's owner runs. A lock with no process ID yet is one being written this instant;
    where a process cannot be asked whether it runs (Windows), a lock untouched for a day is abandoned."""
    try:
        age = time.time() - lock.stat().st_mtime
    except OSError:
        return False  # released meanwhile
    owner = _lock_owner(lock)
    if owner is None:
        return age < 60
    if os.name == "nt":
        return age < 24 * STALE_AFTER_SECONDS
    return not _process_is_gone(owner)


def move_into_place(new_folder: Path, target: Path, workspace: Workspace) -> None:
    """Put ``new_folder`` at ``target``, setting an existing ``target`` aside until the move succeeded."""
    try:
        if not (target.exists() or target.is_symlink()):
            new_folder.rename(target)
            return
        set_aside = workspace.new_folder(f".replaced-{target.name}-") / target.name
        target.rename(set_aside)
        try:
            new_folder.rename(target)
        except BaseException:
            set_aside.rename(target)
            raise
    except OSError as error:
        raise local_problem(error, f"moving the new {target.name} into place", target.parent) from None
