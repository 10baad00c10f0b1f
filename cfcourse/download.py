"""Fetch, verify and unpack a MovieLens archive, leaving nothing half-done.

The one call a lesson needs is::

    from cfcourse.download import fetch_dataset
    raw_folder = fetch_dataset("ml-latest-small")     # data/raw/ml-latest-small

and from a shell::

    python scripts/download_movielens.py --dataset ml-latest-small

What happens, step by step:

1. If the dataset's files are already in ``data/raw/<name>/`` and still have the
   sha256 recorded when they were fetched (see :mod:`cfcourse.editions`), nothing
   is fetched.
2. Otherwise the archive is fetched from the first *source* that works. Without a
   mirror the sources are GroupLens, then the registry's fallback copies of that
   archive (:mod:`cfcourse.datasets`). A mirror (``--mirror`` or the
   ``MOVIELENS_MIRROR`` environment variable) replaces them: one or more folders,
   archive files, ``file://`` or ``http(s)://`` URLs, separated by spaces. Each
   failing source gets one line, and the next one is tried.
3. The archive is unpacked into a temporary folder, refusing members that would
   land outside it and stopping past the registry's size cap; then the sha256 of
   every data file is checked (or, where none is pinned, the archive's published
   checksum).
4. Only then does the dataset's folder move into ``data/raw/``, with a record of
   its files' hashes.

Any failure, Ctrl-C and SIGTERM included, removes the temporary files and leaves
the data folder as it was, and raises :class:`DownloadError` with a one-line
message that says what went wrong and what to do. Temporary files left by a run
that was killed outright are swept by the next run.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import http.client
import math
import os
import re
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from cfcourse.datasets import (
    CITATION,
    GROUPLENS_BASE_URL,
    LICENCE_NOTICE,
    DatasetSpec,
    UnknownDatasetError,
    get_dataset,
    size_note,
)
from cfcourse.editions import PUBLISHED, EditionRecord, accepted_edition_name, data_edition, read_record, write_record
from cfcourse.paths import REPOSITORY_ROOT, default_data_dir, shown_path

__all__ = ["DownloadError", "NewEditionError", "SourceError", "data_edition", "fetch", "fetch_dataset", "main"]

#: Environment variable naming mirrors (folders, archive files, ``file://`` or ``http(s)://`` URLs,
#: separated by spaces) to use instead of GroupLens.
MIRROR_VARIABLE = "MOVIELENS_MIRROR"
#: The slowest download tolerated, in bytes per second: it sets each download's overall deadline.
MINIMUM_RATE = 50_000
#: Temporary files whose owner cannot be told apart from a live process are swept after this long.
STALE_AFTER_SECONDS = 3600

_CHUNK_BYTES = 1 << 16
_TEMPORARY_PREFIXES = (".download-", ".extract-", ".generate-", ".replaced-")
_NEW_EDITION_HINT = (
    "GroupLens has likely published a new edition of the dataset; to use it knowingly, re-run with "
    "--accept-new-edition (make ... ACCEPT_NEW_EDITION=1, or accept_new_edition=True in lesson 00), "
    "and expect results that differ from the course's stored outputs"
)


class DownloadError(Exception):
    """An expected failure (network, mirror, corrupt archive, checksum, disk): one line saying what to do."""


class SourceError(DownloadError):
    """One source could not provide a good archive; the next source may still."""


class NewEditionError(SourceError):
    """The source's data is not the edition the course expects, and no new edition was accepted."""


class _LocalFileError(DownloadError):
    """Writing under ``data/raw`` failed: no other source would do better, so nothing more is tried."""

    def __init__(self, message: str, error: OSError):
        super().__init__(message)
        self.errno = error.errno


# --- Checking files -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileMismatch:
    """A data file that is missing (``actual`` is ``None``) or has a sha256 other than the expected one."""

    path: str
    expected: str
    actual: str | None


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks so a large file does not fill memory."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def mismatched_files(expected_sha256: dict[str, str], root: Path) -> list[FileMismatch]:
    """The files of ``expected_sha256`` (paths under ``root``) that are missing or differ; empty when all match."""
    mismatches = []
    for relative_path, expected in expected_sha256.items():
        file = root / relative_path
        actual = sha256_of(file) if file.is_file() else None
        if actual != expected:
            mismatches.append(FileMismatch(relative_path, expected, actual))
    return mismatches


def verify_files(spec: DatasetSpec, root: Path) -> list[FileMismatch]:
    """Check every file of ``spec.file_sha256`` under ``root``; an empty list means all are right.

    ``root`` is the folder the archive was unpacked into (``data/raw``), since the
    registry names files by their path inside the archive (``ml-latest-small/ratings.csv``).
    """
    return mismatched_files(spec.file_sha256, root)


def hash_folder(root: Path, folder_name: str) -> dict[str, str]:
    """The sha256 of every file under ``root/folder_name``, by its path from ``root`` (the edition record's form)."""
    folder = root / folder_name
    return {
        path.relative_to(root).as_posix(): sha256_of(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


# --- Writing under data/raw ------------------------------------------------------------------


def _local_problem(error: OSError, doing: str, folder: Path) -> _LocalFileError:
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
    return _LocalFileError(message, error)


def _open_new_file(path: Path):
    """Open ``path`` for writing; the one place the download creates data files, so a test can give it a full disk."""
    return open(path, "wb")


class _NewFile:
    """A file being written under ``data/raw``: an error while writing it is the disk's fault, not the source's."""

    def __init__(self, path: Path, doing: str, folder: Path):
        self._doing, self._folder = doing, folder
        try:
            self._file = _open_new_file(path)
        except OSError as error:
            raise _local_problem(error, doing, folder) from None

    def write(self, chunk: bytes) -> None:
        try:
            self._file.write(chunk)
        except OSError as error:
            raise _local_problem(error, self._doing, self._folder) from None

    def __enter__(self) -> _NewFile:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        try:
            self._file.close()
        except OSError as close_error:
            if error_type is None:  # a write that failed already explains itself
                raise _local_problem(close_error, self._doing, self._folder) from None


# --- Temporary files that vanish on failure, and a lock against a second run -----------------


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


def _size_of(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(file.lstat().st_size for file in path.rglob("*") if file.is_file())
    return path.lstat().st_size


def sweep_leftovers(raw: Path, out: TextIO) -> None:
    """Delete the temporary files and folders that killed runs left in ``raw``, and say how much that freed."""
    removed, freed = 0, 0
    for path in sorted(raw.glob(".*")):
        if not path.name.startswith(_TEMPORARY_PREFIXES) or not _is_stale(path):
            continue
        try:
            size = _size_of(path)
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        except OSError:
            continue  # a file we cannot delete is left for its owner; it blocks nothing
        removed, freed = removed + 1, freed + size
    if removed:
        print(f"Removed {removed} temporary file(s) left by an interrupted earlier run ({_human_size(freed)}).", file=out, flush=True)


class _Workspace:
    """A lock on one dataset in ``raw``, and temporary files beside it, all removed on exit, success or not.

    The lock file ``raw/.fetch-<dataset>.lock`` holds the owner's process ID, so a
    second run into the same data folder stops with one line instead of racing the
    first, and a lock left by a killed run is taken over. On failure (any
    exception, Ctrl-C included) the folders that entering had to create (``raw``,
    perhaps the data folder too) are removed again, so a failed call leaves no trace.
    """

    def __init__(self, raw: Path, dataset: str):
        self.raw = raw
        self.dataset = dataset
        self.lock = raw / f".fetch-{dataset}.lock"
        self._holds_lock = False
        self._created_folders: list[Path] = []
        self._temporary_paths: list[Path] = []

    def __enter__(self) -> _Workspace:
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
                raise _local_problem(error, "creating the folder", folder.parent) from None
            self._created_folders.append(folder)

    def _take_lock(self) -> None:
        for _ in range(2):
            try:
                handle = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                owner = _lock_owner(self.lock)
                if owner is not None and not _process_is_gone(owner) and not _lock_is_abandoned(self.lock):
                    raise DownloadError(
                        f"another run (process {owner}) is fetching {self.dataset} into {shown_path(self.raw)} right now; "
                        "let it finish, then run again"
                    ) from None
                self.lock.unlink(missing_ok=True)  # left by a run that was killed
                continue
            except OSError as error:
                raise _local_problem(error, "creating a lock file", self.raw) from None
            with os.fdopen(handle, "w") as file:
                file.write(str(os.getpid()))
            self._holds_lock = True
            return
        raise DownloadError(f"another run keeps taking the lock {shown_path(self.lock)}; let it finish, then run again")

    def new_file(self, prefix: str, suffix: str) -> Path:
        try:
            handle, name = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}-", suffix=suffix, dir=self.raw)
        except OSError as error:
            raise _local_problem(error, "creating a temporary file", self.raw) from None
        os.close(handle)
        self._temporary_paths.append(Path(name))
        return Path(name)

    def new_folder(self, prefix: str) -> Path:
        try:
            folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=self.raw))
        except OSError as error:
            raise _local_problem(error, "creating a temporary folder", self.raw) from None
        self._temporary_paths.append(folder)
        return folder

    def discard(self, path: Path) -> None:
        """Delete one temporary file or folder now, so a failed source's download does not hold disk space."""
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)

    def __exit__(self, error_type, error, traceback) -> None:
        for path in reversed(self._temporary_paths):
            self.discard(path)
        if self._holds_lock:
            self.lock.unlink(missing_ok=True)
        if error_type is not None:
            self._remove_created_folders()

    def _remove_created_folders(self) -> None:
        for folder in reversed(self._created_folders):
            try:
                folder.rmdir()
            except OSError:
                # Not empty: something else wrote there meanwhile, and that is not ours to delete.
                break


def _lock_owner(lock: Path) -> int | None:
    try:
        text = lock.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _lock_is_abandoned(lock: Path) -> bool:
    """Where a process cannot be asked whether it runs (Windows), a lock untouched for a day is abandoned."""
    try:
        return os.name == "nt" and time.time() - lock.stat().st_mtime > 24 * STALE_AFTER_SECONDS
    except OSError:
        return True


def _move_into_place(new_folder: Path, target: Path, workspace: _Workspace) -> None:
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
        raise _local_problem(error, f"moving the new {target.name} into place", target.parent) from None


# --- Where the archive comes from ------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveSource:
    """Where one archive comes from: a URL to download, or a local file to copy."""

    location: str | Path
    label: str

    @property
    def is_local(self) -> bool:
        return isinstance(self.location, Path)


def source_settings(spec: DatasetSpec, mirror: str | None) -> list[str]:
    """The sources to try in order: the mirror's entries (split at spaces), else GroupLens and its fallbacks."""
    if mirror and mirror.strip():
        return mirror.split()
    return [f"{GROUPLENS_BASE_URL}/{spec.archive}", *spec.fallback_urls]


def archive_source(setting: str, archive: str) -> ArchiveSource:
    """The source one setting names for ``archive``.

    A setting is a folder holding ``archive``, the archive file itself, a
    ``file://`` URL of either, or an ``http(s)://`` URL: of the archive itself when
    it ends in ``.zip``, else of a folder holding it. Raises :class:`SourceError`
    for a setting that names nothing usable.
    """
    parsed = urllib.parse.urlparse(setting)
    scheme = parsed.scheme.lower()
    if scheme in ("http", "https"):
        url = setting if parsed.path.lower().endswith(".zip") else f"{setting.rstrip('/')}/{archive}"
        label = f"GroupLens ({url})" if url.startswith(GROUPLENS_BASE_URL) else f"the mirror {url}"
        return ArchiveSource(url, label)
    if scheme == "file":
        path = Path(urllib.request.url2pathname(parsed.path))
    elif "://" in setting:
        raise SourceError(f"mirror {setting!r} is neither a folder nor an archive file nor an http(s):// or file:// URL")
    else:
        path = _mirror_path(setting)
    return _local_archive(path.resolve(), archive)


def _mirror_path(mirror: str) -> Path:
    """The path a mirror names: relative to the current folder, or failing that to the repository.

    The second chance is for lessons, which run in ``notebooks/`` while a learner sets
    ``MOVIELENS_MIRROR=../shared/data/movielens`` thinking of the repository's root.
    """
    path = Path(mirror).expanduser()
    if not path.is_absolute() and not path.exists() and (REPOSITORY_ROOT / path).exists():
        return REPOSITORY_ROOT / path
    return path


def _local_archive(path: Path, archive: str) -> ArchiveSource:
    if path.is_file():
        return ArchiveSource(path, f"the archive file {shown_path(path)}")
    if not path.is_dir():
        raise SourceError(f"mirror folder {shown_path(path)} does not exist")
    file = path / archive
    if not file.is_file():
        raise SourceError(f"mirror folder {shown_path(path)} has no {archive} (looked for {shown_path(file)})")
    return ArchiveSource(file, f"the mirror folder {shown_path(path)}")


# --- Getting the archive ---------------------------------------------------------------------


def _human_size(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB"):
        if n_bytes < 1000:
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:.1f} GB"


class _TooSlow(Exception):
    """The download passed its overall deadline."""

    def __init__(self, received: int, expected: int, seconds: float):
        super().__init__()
        self.received, self.expected, self.seconds = received, expected, seconds


@dataclass(frozen=True)
class _Limits:
    """How long a download may take: ``timeout`` for each wait on the server, and an overall deadline
    of ``timeout`` plus the time to receive the archive at ``minimum_rate`` bytes per second."""

    timeout: float
    minimum_rate: float
    expected_bytes: int

    def allowed_seconds(self, content_length: int | None) -> float:
        return self.timeout + (content_length or self.expected_bytes) / self.minimum_rate


def _copy_with_progress(response, file: _NewFile, total: int | None, name: str, show_bar: bool, deadline: float) -> int:
    received, started = 0, time.monotonic()
    with tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, disable=not show_bar) as bar:
        # read1 returns what has arrived; read(n) would wait for all n bytes, however slowly they trickle in.
        while chunk := response.read1(_CHUNK_BYTES):
            file.write(chunk)
            received += len(chunk)
            bar.update(len(chunk))
            if time.monotonic() > deadline:
                raise _TooSlow(received, total or 0, time.monotonic() - started)
    return received


def _download_once(url: str, destination: Path, limits: _Limits, show_bar: bool) -> int:
    """Download ``url`` into ``destination`` (overwriting it) and return the number of bytes."""
    with urllib.request.urlopen(url, timeout=limits.timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        deadline = time.monotonic() + limits.allowed_seconds(total)
        with _NewFile(destination, "saving the download", destination.parent) as file:
            received = _copy_with_progress(response, file, total, url.rsplit("/", 1)[-1], show_bar, deadline)
    # urllib does not complain when the server hangs up early, so a short archive is caught here.
    if total is not None and received < total:
        raise ConnectionError(f"the connection closed after {received} of {total} bytes")
    return received


def _host_of(url: str) -> str:
    return urllib.parse.urlparse(url).netloc


def _problem(error: Exception, url: str, timeout: float) -> tuple[str, bool]:
    """What went wrong, in words, and whether trying the same URL again may help."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}", error.code >= 500
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, ssl.SSLCertVerificationError):
        raise SourceError(
            f"the TLS certificate of {_host_of(url)} could not be verified ({reason.verify_message}): the site's "
            "certificate may have lapsed (GroupLens's did in 2026), or this computer's clock or certificate store is "
            "wrong; the course never turns verification off, so try again later or use a mirror"
        )
    if isinstance(reason, socket.gaierror):
        # Asking again a second later gets the same answer: the network or its name service is missing.
        return f"cannot resolve the host name {urllib.parse.urlparse(url).hostname} ({reason.strerror}): no network, or no name service", False
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s", True
    if isinstance(reason, ConnectionRefusedError):
        return f"nothing answers at {_host_of(url)} (connection refused)", False
    if isinstance(reason, (ConnectionError, http.client.HTTPException)):
        return str(reason) or type(reason).__name__, True
    if isinstance(reason, ssl.SSLError):
        return f"the TLS connection failed ({_one_line(str(reason))})", False
    if isinstance(error, urllib.error.URLError) and isinstance(reason, OSError):
        # An unreachable network and the like: often one that is briefly down.
        return str(reason.strerror or reason), True
    return _one_line(str(reason)) or type(reason).__name__, False


def download(url: str, destination: Path, *, limits: _Limits, retries: int, backoff: float, progress: bool, out: TextIO) -> int:
    """Download ``url`` into ``destination``, trying again ``retries`` times after transient errors.

    Waits ``backoff * 2**attempt`` seconds before each new try. An HTTP 4xx answer,
    a refused connection, an unknown host name or a certificate that fails
    verification fail at once: asking again would get the same answer. Returns the
    number of bytes; raises :class:`SourceError`.
    """
    attempts = retries + 1
    for attempt in range(attempts):
        try:
            return _download_once(url, destination, limits, progress)
        except _TooSlow as slow:
            expected = f" of {_human_size(slow.expected)}" if slow.expected else ""
            raise SourceError(
                f"downloading {url} was too slow: {_human_size(slow.received)}{expected} in {slow.seconds:.0f} s, below "
                f"the minimum of {_human_size(limits.minimum_rate)}/s; try again later, lower --minimum-rate, or use a mirror"
            ) from None
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, urllib.error.HTTPError):
                error.close()
            problem, transient = _problem(error, url, limits.timeout)
            if not transient:
                raise SourceError(f"downloading {url} failed: {problem}") from None
        if attempt + 1 < attempts:
            delay = backoff * 2**attempt
            print(f"Attempt {attempt + 1} of {attempts} failed ({problem}); trying again in {delay:g} s.", file=out, flush=True)
            time.sleep(delay)
    raise SourceError(f"could not download {url} after {attempts} attempt(s), the last one: {problem}; check the network, or raise the timeout (--timeout)")


def _copy_local(source: Path, destination: Path) -> int:
    """Copy a mirror's archive; reading errors are the mirror's, writing errors the data folder's."""
    try:
        with open(source, "rb") as archive, _NewFile(destination, "copying the archive", destination.parent) as file:
            while chunk := archive.read(_CHUNK_BYTES):
                file.write(chunk)
    except _LocalFileError:
        raise
    except OSError as error:
        raise SourceError(f"cannot read {shown_path(source)}: {error.strerror or error}") from None
    return destination.stat().st_size


def _retrieve(source: ArchiveSource, destination: Path, *, limits: _Limits, retries: int, backoff: float, progress: bool | None, out: TextIO) -> None:
    """Copy or download the archive into ``destination`` and print one line with its size and the time taken."""
    started = time.monotonic()
    if source.is_local:
        size, verb = _copy_local(source.location, destination), "Copied"
    else:
        show_bar = sys.stderr.isatty() if progress is None else progress
        size = download(str(source.location), destination, limits=limits, retries=retries, backoff=backoff, progress=show_bar, out=out)
        verb = "Downloaded"
    print(f"{verb} {_human_size(size)} in {time.monotonic() - started:.1f} s.", file=out, flush=True)


def _check_archive_checksum(spec: DatasetSpec, archive: Path, source_label: str, accept_new_edition: bool, out: TextIO) -> bool:
    """Compare the archive with the checksum GroupLens published, where there is one; True when it matches.

    Where the files' sha256 are pinned, a difference is no error: a mirror may hold
    a re-zipped archive whose files are the same, and the files are what gets
    verified. Where they are not, this checksum is all there is, so it is enforced.
    """
    if spec.published_archive_checksum is None:
        return False
    algorithm, published = spec.published_archive_checksum
    with open(archive, "rb") as file:
        actual = hashlib.file_digest(file, algorithm).hexdigest()
    if actual == published.lower():
        print(f"The archive's {algorithm} matches the one GroupLens published.", file=out, flush=True)
        return True
    if not spec.archive_checksum_enforced:
        message = "re-zipped (mirrors may do that), so its extracted files are what gets verified."
    elif accept_new_edition:
        message = "using it anyway because the new edition was accepted, so results will differ from the course's stored outputs."
    else:
        raise NewEditionError(f"the archive from {source_label} has {algorithm} {actual}, not the {published} GroupLens published: {_NEW_EDITION_HINT}")
    print(f"The archive's {algorithm} is {actual}, not the {published} GroupLens published: {message}", file=out, flush=True)
    return False


# --- Unpacking and verifying -----------------------------------------------------------------


def _is_unsafe_member(name: str) -> bool:
    """True for a member name that would be written outside the folder it is extracted into."""
    # Backslashes are separators on Windows, so treat them as such wherever the course runs.
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) is not None or ".." in parts


#: Errors from writing a member that say the archive is malformed, not that the disk is at fault.
_MALFORMED_MEMBER_ERRORS = {
    errno.ENOTDIR: "lies under {parent!r}, which the archive also holds as a file",
    errno.EEXIST: "lies under {parent!r}, which the archive also holds as a file",
    errno.EISDIR: "is a file where the archive also has a folder of that name",
    errno.ENAMETOOLONG: "has a name too long for this computer's file system",
}


def _extract_member(zip_file: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, budget: int) -> int:
    """Write one member under ``destination``, stopping once more than ``budget`` bytes are written; returns the bytes."""
    target = destination / info.filename
    try:
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            return 0
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _local_problem(error, "unpacking the archive", destination.parent) from None
    written = 0
    with zip_file.open(info) as member, _NewFile(target, "unpacking the archive", destination.parent) as file:
        while chunk := member.read(_CHUNK_BYTES):
            written += len(chunk)
            if written > budget:
                break  # the caller reports it; the rest of this member is never written
            file.write(chunk)
    return written


def extract_safely(archive: Path, destination: Path, source_label: str, max_bytes: int) -> None:
    """Unpack ``archive`` into ``destination``, refusing the whole archive if one member name is unsafe
    or if it unpacks to more than ``max_bytes`` (the sizes members declare are not trusted: bytes are counted)."""
    try:
        with zipfile.ZipFile(archive) as zip_file:
            unsafe = [name for name in zip_file.namelist() if _is_unsafe_member(name)]
            if unsafe:
                raise SourceError(
                    f"unsafe member name {unsafe[0]!r} in the archive from {source_label}: it would be written outside "
                    "the data folder, so nothing was extracted; this is not a genuine MovieLens archive, check the mirror"
                )
            written = 0
            for info in zip_file.infolist():
                try:
                    written += _extract_member(zip_file, info, destination, max_bytes - written)
                except _LocalFileError as error:
                    if error.errno not in _MALFORMED_MEMBER_ERRORS:
                        raise
                    problem = _MALFORMED_MEMBER_ERRORS[error.errno].format(parent=info.filename.rsplit("/", 1)[0])
                    raise SourceError(
                        f"member {info.filename[:80]!r} of the archive from {source_label} {problem}; nothing was kept: "
                        "this is not a genuine MovieLens archive, check the mirror"
                    ) from None
                if written > max_bytes:
                    raise SourceError(
                        f"the archive from {source_label} unpacks to more than {_human_size(max_bytes)}, more than this "
                        "dataset can hold; extraction stopped and nothing was kept: check the mirror"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise SourceError(
            f"the archive from {source_label} is corrupt or truncated ({_one_line(str(error))}); nothing was changed, "
            "so just run again to fetch it anew, and if that fails too, check the mirror's copy"
        ) from None


def _new_edition_message(mismatches: list[FileMismatch], source_label: str) -> str:
    first = mismatches[0]
    others = f" (and {len(mismatches) - 1} more file(s))" if len(mismatches) > 1 else ""
    return f"{first.path} from {source_label} has sha256 {first.actual}, expected {first.expected}{others}: {_NEW_EDITION_HINT}"


def _check_extracted(spec: DatasetSpec, root: Path, accept_new_edition: bool, source_label: str, out: TextIO) -> bool:
    """Verify the unpacked files; True when they are the published edition.

    A missing data file always fails, a different one fails unless the new edition is accepted.
    """
    needed = sorted({*spec.file_sha256, spec.ratings_file, spec.movies_file})
    missing = [path for path in needed if not (root / path).is_file()]
    if missing:
        raise SourceError(f"the archive from {source_label} lacks {', '.join(missing)}; it is not the {spec.name} dataset, check the mirror")
    mismatches = verify_files(spec, root)
    if not spec.file_sha256:
        return True
    if not mismatches:
        print(f"Verified the sha256 of all {len(spec.file_sha256)} data files.", file=out, flush=True)
        return True
    if not accept_new_edition:
        raise NewEditionError(_new_edition_message(mismatches, source_label))
    for mismatch in mismatches:
        print(
            f"warning: {mismatch.path} has sha256 {mismatch.actual}, not the course's {mismatch.expected}; using it anyway "
            "because the new edition was accepted, so results will differ from the course's stored outputs.",
            file=out,
            flush=True,
        )
    return False


def _print_file_hashes(files: dict[str, str], out: TextIO) -> None:
    print("sha256 of the extracted files (to pin in cfcourse/datasets.py):", file=out)
    for path, digest in files.items():
        print(f"  {digest}  {path}", file=out)
    out.flush()


# --- What is already there -------------------------------------------------------------------


def _already_present(spec: DatasetSpec, raw: Path, accept_new_edition: bool, out: TextIO) -> bool:
    """True, after saying so in one line, when the dataset's files are in place and need no fetching."""
    target = raw / spec.name
    if not target.is_dir():
        return False
    record = read_record(raw, spec.name)
    if record is not None:
        return _matches_record(spec, raw, record, out)
    # No record: fetched before the course recorded editions, or put there by hand.
    if not spec.file_sha256:
        print(f"{spec.name} in {shown_path(target)} has no record of its files' hashes, so it cannot be verified; fetching it again.", file=out, flush=True)
        return False
    mismatches = verify_files(spec, raw)
    if not mismatches:
        _record_quietly(raw, EditionRecord(spec.name, PUBLISHED, "an earlier download", hash_folder(raw, spec.name)))
        print(f"{spec.name} is already present and verified in {shown_path(target)}; nothing to fetch.", file=out, flush=True)
        return True
    # Once a new edition has been accepted, fetching it again on every call would only cost time.
    if accept_new_edition and all(mismatch.actual is not None for mismatch in mismatches):
        files = hash_folder(raw, spec.name)
        _record_quietly(raw, EditionRecord(spec.name, accepted_edition_name(files), "an earlier download", files))
        print(
            f"warning: {spec.name} in {shown_path(target)} differs from the course's edition in {len(mismatches)} file(s); "
            "keeping it because the new edition was accepted.",
            file=out,
            flush=True,
        )
        return True
    print(f"{spec.name} in {shown_path(target)} is incomplete or differs from the course's edition; fetching it again.", file=out, flush=True)
    return False


def _matches_record(spec: DatasetSpec, raw: Path, record: EditionRecord, out: TextIO) -> bool:
    """True when the files still have the sha256 recorded at download; says in one line what it found."""
    target = shown_path(raw / spec.name)
    damaged = mismatched_files(record.files, raw)
    if not record.accepted:
        damaged += verify_files(spec, raw)
    if damaged:
        print(
            f"{spec.name} in {target} no longer matches the {record.edition} edition recorded when it was fetched "
            f"({damaged[0].path} changed{f', and {len(damaged) - 1} more' if len(damaged) > 1 else ''}); fetching it again.",
            file=out,
            flush=True,
        )
        return False
    if record.accepted:
        print(
            f"{spec.name} in {target} is the edition {record.edition}, accepted earlier instead of the course's; keeping it "
            f"(to go back to the course's edition, delete {target} and run again).",
            file=out,
            flush=True,
        )
    else:
        print(f"{spec.name} is already present and verified in {target}; nothing to fetch.", file=out, flush=True)
    return True


def _record_quietly(raw: Path, record: EditionRecord) -> None:
    """Record an edition found in place; a read-only data folder only means it is checked in full next time."""
    try:
        write_record(raw / record.dataset, record)
    except OSError:
        pass


# --- The whole fetch -------------------------------------------------------------------------


def _fetch_from(
    source: ArchiveSource, spec: DatasetSpec, workspace: _Workspace, *, accept_new_edition: bool, limits: _Limits,
    retries: int, backoff: float, progress: bool | None, out: TextIO,
) -> None:
    """Fetch, unpack and verify the archive from one source, then move it into place with its edition record."""
    archive = workspace.new_file(f".download-{spec.name}-", ".part")
    unpacked = workspace.new_folder(f".extract-{spec.name}-")
    try:
        _retrieve(source, archive, limits=limits, retries=retries, backoff=backoff, progress=progress, out=out)
        archive_is_published = _check_archive_checksum(spec, archive, source.label, accept_new_edition, out)
        extract_safely(archive, unpacked, source.label, spec.max_unpacked_bytes)
        files_are_published = _check_extracted(spec, unpacked, accept_new_edition, source.label, out)
    except SourceError:
        workspace.discard(archive)
        workspace.discard(unpacked)
        raise
    workspace.discard(archive)  # no longer needed: free its space before the move
    files = hash_folder(unpacked, spec.name)
    published = files_are_published and (archive_is_published or not spec.archive_checksum_enforced)
    if not spec.file_sha256 or not published:
        _print_file_hashes(files, out)
    edition = PUBLISHED if published else accepted_edition_name(files)
    try:
        write_record(unpacked / spec.name, EditionRecord(spec.name, edition, source.label, files))
    except OSError as error:
        raise _local_problem(error, "recording the edition", workspace.raw) from None
    _move_into_place(unpacked / spec.name, workspace.raw / spec.name, workspace)


def _all_sources_failed(spec: DatasetSpec, failures: list[SourceError], mirror_given: bool) -> str:
    """The final one-line error: every source tried and what went wrong there, then how to get the data another way."""
    messages = [_one_line(str(failure)) for failure in failures]
    if all(isinstance(failure, NewEditionError) for failure in failures):
        hint = ""  # the sources work; the message already says how to accept their edition
    elif mirror_given:
        hint = f"; check --mirror / {MIRROR_VARIABLE} (sources separated by spaces: folders, archive files or URLs)"
    else:
        hint = (
            f"; to work offline, put {spec.archive} in a folder and point {MIRROR_VARIABLE} (or --mirror) at it, "
            "see 'Working offline' in README.md"
        )
    if len(messages) == 1:
        return messages[0] + hint
    tried = "; ".join(f"({number}) {message}" for number, message in enumerate(messages, start=1))
    return f"none of the {len(messages)} sources of {spec.archive} worked: {tried}{hint}"


def fetch(
    spec: DatasetSpec,
    data_dir: Path,
    *,
    mirror: str | None = None,
    accept_new_edition: bool = False,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    minimum_rate: float = MINIMUM_RATE,
    progress: bool | None = None,
    out: TextIO | None = None,
) -> Path:
    """Make sure the verified files of ``spec`` are in ``data_dir/raw/<name>`` and return that folder.

    ``mirror`` replaces GroupLens and its fallbacks as the sources: one or more
    folders, archive files, ``file://`` or ``http(s)://`` URLs, separated by spaces,
    tried in order. ``accept_new_edition`` turns a checksum mismatch into a warning
    and records the new edition's hashes. ``timeout`` (seconds per wait on the
    server), ``retries`` and ``backoff`` (seconds, doubled after each failure) govern
    downloads, and ``minimum_rate`` (bytes per second) sets each one's overall
    deadline. ``progress`` shows a bar on stderr; ``None`` shows one only in a
    terminal, so notebooks get a single summary line. Messages go to ``out``
    (default: ``sys.stdout``).

    Raises :class:`DownloadError` (``ValueError`` for impossible settings); the
    data folder is then as it was before the call.
    """
    out = out or sys.stdout
    raw = Path(data_dir) / "raw"
    if not (timeout > 0 and retries >= 0 and backoff >= 0 and minimum_rate > 0):
        raise ValueError(f"need timeout > 0, retries >= 0, backoff >= 0 and minimum_rate > 0, got {timeout=}, {retries=}, {backoff=}, {minimum_rate=}")
    if not spec.downloadable:
        raise DownloadError(f"{spec.name} is generated, not downloaded; use fetch_dataset({spec.name!r}) instead")
    if raw.is_dir():
        # Safe without the lock: only files whose owner process is gone (or, owner unknown, over an hour old) go.
        sweep_leftovers(raw, out)
    if _already_present(spec, raw, accept_new_edition, out):
        return raw / spec.name

    limits = _Limits(timeout, minimum_rate, spec.archive_bytes or spec.max_unpacked_bytes)
    settings = source_settings(spec, mirror)
    failures: list[SourceError] = []
    with _Workspace(raw, spec.name) as workspace:
        for number, setting in enumerate(settings, start=1):
            try:
                source = archive_source(setting, spec.archive)
                print(f"Fetching {spec.archive} from {source.label}", file=out, flush=True)
                _fetch_from(source, spec, workspace, accept_new_edition=accept_new_edition, limits=limits,
                            retries=retries, backoff=backoff, progress=progress, out=out)
                break
            except SourceError as error:
                failures.append(error)
                if number < len(settings):
                    print(f"Source {number} of {len(settings)} failed: {_one_line(str(error))}; trying the next one, {settings[number]}",
                          file=out, flush=True)
        else:
            raise DownloadError(_all_sources_failed(spec, failures, mirror_given=bool(mirror and mirror.strip())))
    print(f"{spec.name} is ready in {shown_path(raw / spec.name)}\n\n{LICENCE_NOTICE}\n\nPlease cite:\n{CITATION}", file=out, flush=True)
    return raw / spec.name


def _write_synthetic(spec: DatasetSpec, data_dir: Path, out: TextIO) -> Path:
    """Generate the synthetic dataset into ``data_dir/raw/<name>`` unless both its files are there."""
    raw = data_dir / "raw"
    target = raw / spec.name
    if (raw / spec.ratings_file).is_file() and (raw / spec.movies_file).is_file():
        print(f"{spec.name} is already present in {shown_path(target)}; nothing to generate.", file=out, flush=True)
        return target
    from cfcourse.synthetic import write_synthetic_dataset  # needs numpy and pandas, so only when asked for

    with _Workspace(raw, spec.name) as workspace:
        # Written into a folder of its own inside the temporary one, so it keeps ordinary permissions.
        generated = workspace.new_folder(f".generate-{spec.name}-") / spec.name
        write_synthetic_dataset(generated)
        _move_into_place(generated, target, workspace)
    print(f"Generated the {spec.name} dataset in {shown_path(target)}", file=out, flush=True)
    return target


def fetch_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    mirror: str | None = None,
    accept_new_edition: bool = False,
    **kwargs,
) -> Path:
    """Fetch the registry's dataset ``name`` (see :func:`fetch`) and return its folder.

    ``data_dir`` defaults to :func:`cfcourse.paths.default_data_dir`, ``mirror`` to
    the ``MOVIELENS_MIRROR`` environment variable. The ``synthetic`` dataset is
    generated instead of downloaded. An unknown ``name`` raises
    :class:`cfcourse.datasets.UnknownDatasetError`. A dataset bigger than the
    lessons are made for gets a one-line note, not an error.
    """
    spec = get_dataset(name)
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    out = kwargs.get("out") or sys.stdout
    if not spec.downloadable:
        return _write_synthetic(spec, data_dir, out)
    if note := size_note(spec):
        print(note, file=out, flush=True)
    mirror = mirror or os.environ.get(MIRROR_VARIABLE) or None
    return fetch(spec, data_dir, mirror=mirror, accept_new_edition=accept_new_edition, **kwargs)


# --- Command line ----------------------------------------------------------------------------


class _UsageError(Exception):
    """A bad command-line argument, reported in one line like every other error."""


class _Terminated(KeyboardInterrupt):
    """SIGTERM, turned into the same clean stop as Ctrl-C."""


def _stop_on_sigterm(signal_number, frame) -> None:
    raise _Terminated


class _OneLineArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise _UsageError(f"{message} (see --help)")


def _positive_number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of {what}, got {text!r}")
    return value


def _positive_seconds(text: str) -> float:
    return _positive_number(text, "seconds")


def _kilobytes_per_second(text: str) -> float:
    return _positive_number(text, "kB/s") * 1000


def _retry_count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of retries, 0 or more, got {text!r}")
    return int(text)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _build_parser() -> argparse.ArgumentParser:
    parser = _OneLineArgumentParser(
        description="Download, verify and unpack a MovieLens dataset into DATA_DIR/raw/<dataset>.",
    )
    parser.add_argument("--dataset", default="ml-latest-small", help="registry name (default: %(default)s)")
    parser.add_argument("--data-dir", type=Path, help="data folder (default: $CFCOURSE_DATA_DIR, else data/ in the repository)")
    parser.add_argument("--mirror", metavar="SOURCES",
                        help=f"fetch from these folders, archive files or URLs, separated by spaces, instead of GroupLens (overrides ${MIRROR_VARIABLE})")
    parser.add_argument("--accept-new-edition", action="store_true", help="use files whose checksum differs from the course's, with a warning")
    parser.add_argument("--timeout", type=_positive_seconds, default=30.0, help="seconds to wait for the server (default: %(default)s)")
    parser.add_argument("--retries", type=_retry_count, default=3, help="tries after a transient failure (default: %(default)s)")
    parser.add_argument("--minimum-rate", type=_kilobytes_per_second, default=MINIMUM_RATE, metavar="KB_PER_S",
                        help=f"give up on a download slower than this on average (default: {MINIMUM_RATE // 1000})")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: 0 on success, 1 on a reported error, 130 on Ctrl-C, 143 on SIGTERM."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, _stop_on_sigterm) if in_main_thread else None
    try:
        args = _build_parser().parse_args(argv)
        fetch_dataset(
            args.dataset,
            args.data_dir,
            mirror=args.mirror,
            accept_new_edition=args.accept_new_edition,
            timeout=args.timeout,
            retries=args.retries,
            minimum_rate=args.minimum_rate,
        )
    except (DownloadError, UnknownDatasetError, _UsageError) as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interruption:
        how = "terminated (SIGTERM)" if isinstance(interruption, _Terminated) else "interrupted"
        print(f"{how}: temporary files removed, the data folder is as it was", file=sys.stderr)
        return 143 if isinstance(interruption, _Terminated) else 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
    return 0
