"""Fetch, verify and unpack a MovieLens archive, leaving nothing half-done.

The one call a lesson needs is::

    from cfcourse.download import fetch_dataset
    raw_folder = fetch_dataset("ml-latest-small")     # data/raw/ml-latest-small

and from a shell::

    python scripts/download_movielens.py --dataset ml-latest-small

What happens, step by step:

1. If every data file of the dataset is already in ``data/raw/<name>/`` with the
   sha256 the registry (:mod:`cfcourse.datasets`) expects, nothing is fetched.
2. Otherwise the archive is downloaded from GroupLens, or copied from a *mirror*
   (a folder or URL holding the same archive names, given with ``--mirror`` or the
   ``MOVIELENS_MIRROR`` environment variable), into a temporary ``.part`` file.
3. The archive is unpacked into a temporary folder, after checking that no member
   would land outside it, and the sha256 of every data file is checked.
4. Only then does the dataset's folder move into ``data/raw/``.

Any failure, Ctrl-C included, removes the temporary files and leaves the data
folder as it was, and raises :class:`DownloadError` with a one-line message that
says what went wrong and what to do.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import math
import os
import re
import shutil
import sys
import tempfile
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
)
from cfcourse.paths import REPOSITORY_ROOT, default_data_dir, shown_path

#: Environment variable naming a mirror (folder, ``file://`` or ``http(s)://`` URL) to use instead of GroupLens.
MIRROR_VARIABLE = "MOVIELENS_MIRROR"

_CHUNK_BYTES = 1 << 16
_NEW_EDITION_HINT = (
    "GroupLens has likely published a new edition of the dataset; to use it knowingly, re-run with "
    "--accept-new-edition (or accept_new_edition=True), and expect results that differ from the course's stored outputs"
)


class DownloadError(Exception):
    """An expected failure (network, mirror, corrupt archive, checksum): one line saying what to do."""


# --- Checking files -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileMismatch:
    """A data file that is missing (``actual`` is ``None``) or has a sha256 other than the expected one."""

    path: str
    expected: str
    actual: str | None


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks so a large file does not fill memory."""
    return hex_digest_of(path, "sha256")


def hex_digest_of(path: Path, algorithm: str) -> str:
    """The ``algorithm`` digest of a file, read in chunks (hashlib.file_digest would need Python 3.11)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_files(spec: DatasetSpec, root: Path) -> list[FileMismatch]:
    """Check every file of ``spec.file_sha256`` under ``root``; an empty list means all are right.

    ``root`` is the folder the archive was unpacked into (``data/raw``), since the
    registry names files by their path inside the archive (``ml-latest-small/ratings.csv``).
    """
    mismatches = []
    for relative_path, expected in spec.file_sha256.items():
        file = root / relative_path
        actual = sha256_of(file) if file.is_file() else None
        if actual != expected:
            mismatches.append(FileMismatch(relative_path, expected, actual))
    return mismatches


# --- Temporary files that vanish on failure --------------------------------------------------


class _Workspace:
    """Temporary files and folders inside ``raw``, removed on exit, success or not.

    On failure (any exception, Ctrl-C included) the folders that entering it had to
    create (``raw``, perhaps the data folder too) are removed again, so a failed call
    leaves no trace.
    """

    def __init__(self, raw: Path):
        self.raw = raw
        self._created_folders: list[Path] = []
        self._temporary_paths: list[Path] = []

    def __enter__(self) -> _Workspace:
        missing = [folder for folder in [self.raw, *self.raw.parents] if not folder.exists()]
        try:
            for folder in reversed(missing):
                folder.mkdir()
                self._created_folders.append(folder)
        except OSError as error:
            self._remove_created_folders()
            raise DownloadError(f"cannot create the folder {self.raw}: {error.strerror or error}") from None
        return self

    def new_file(self, prefix: str, suffix: str) -> Path:
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=self.raw)
        os.close(handle)
        self._temporary_paths.append(Path(name))
        return Path(name)

    def new_folder(self, prefix: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=self.raw))
        self._temporary_paths.append(folder)
        return folder

    def __exit__(self, error_type, error, traceback) -> None:
        for path in reversed(self._temporary_paths):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if error_type is not None:
            self._remove_created_folders()

    def _remove_created_folders(self) -> None:
        for folder in reversed(self._created_folders):
            try:
                folder.rmdir()
            except OSError:
                # Not empty: something else wrote there meanwhile, and that is not ours to delete.
                break


def _move_into_place(new_folder: Path, target: Path, workspace: _Workspace) -> None:
    """Put ``new_folder`` at ``target``, setting an existing ``target`` aside until the move succeeded."""
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


# --- Where the archive comes from ------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveSource:
    """Where one archive comes from: a URL to download, or a local file to copy."""

    location: str | Path
    label: str

    @property
    def is_local(self) -> bool:
        return isinstance(self.location, Path)


def archive_source(archive: str, mirror: str | None) -> ArchiveSource:
    """The source of ``archive``: GroupLens, or the mirror (a folder, ``file://`` or ``http(s)://`` URL)."""
    if not mirror:
        url = f"{GROUPLENS_BASE_URL}/{archive}"
        return ArchiveSource(url, f"GroupLens ({url})")
    scheme = urllib.parse.urlparse(mirror).scheme.lower()
    if scheme in ("http", "https"):
        url = f"{mirror.rstrip('/')}/{archive}"
        return ArchiveSource(url, f"the mirror {url}")
    if scheme == "file":
        folder = Path(urllib.request.url2pathname(urllib.parse.urlparse(mirror).path))
    elif "://" in mirror:
        raise DownloadError(f"mirror {mirror!r} is neither a folder nor an http(s):// or file:// URL; fix --mirror or {MIRROR_VARIABLE}")
    else:
        folder = _mirror_folder(mirror)
    return _archive_in_folder(folder.resolve(), archive)


def _mirror_folder(mirror: str) -> Path:
    """The folder a mirror path names: relative to the current folder, or failing that to the repository.

    The second chance is for lessons, which run in ``notebooks/`` while a learner sets
    ``MOVIELENS_MIRROR=../shared/data/movielens`` thinking of the repository's root.
    """
    folder = Path(mirror).expanduser()
    if not folder.is_absolute() and not folder.is_dir() and (REPOSITORY_ROOT / folder).is_dir():
        return REPOSITORY_ROOT / folder
    return folder


def _archive_in_folder(folder: Path, archive: str) -> ArchiveSource:
    if not folder.is_dir():
        raise DownloadError(f"mirror folder {folder} does not exist; fix --mirror or {MIRROR_VARIABLE}")
    path = folder / archive
    if not path.is_file():
        raise DownloadError(f"mirror folder {folder} has no {archive} (looked for {path}); put the archive there or use another mirror")
    return ArchiveSource(path, f"the mirror folder {shown_path(folder)}")


# --- Getting the archive ---------------------------------------------------------------------


def _human_size(n_bytes: float) -> str:
    for unit in ("bytes", "kB", "MB"):
        if n_bytes < 1000:
            return f"{n_bytes:.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1000
    return f"{n_bytes:.1f} GB"


def _copy_with_progress(response, file, total: int | None, name: str, show_bar: bool) -> int:
    received = 0
    with tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, disable=not show_bar) as bar:
        while chunk := response.read(_CHUNK_BYTES):
            file.write(chunk)
            received += len(chunk)
            bar.update(len(chunk))
    return received


def _download_once(url: str, destination: Path, timeout: float, show_bar: bool) -> int:
    """Download ``url`` into ``destination`` (overwriting it) and return the number of bytes."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(destination, "wb") as file:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        received = _copy_with_progress(response, file, total, url.rsplit("/", 1)[-1], show_bar)
    # urllib does not complain when the server hangs up early, so a short archive is caught here.
    if total is not None and received < total:
        raise ConnectionError(f"the connection closed after {received} of {total} bytes")
    return received


def _transient_problem(error: Exception, timeout: float) -> str | None:
    """How to describe ``error`` if trying again may help (timeouts, lost connections, HTTP 5xx), else ``None``."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}" if error.code >= 500 else None
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, (ConnectionError, http.client.HTTPException)):
        return str(reason) or type(reason).__name__
    if isinstance(error, urllib.error.URLError) and isinstance(reason, OSError):
        # Name resolution and the like: often a network that is briefly down.
        return str(reason.strerror or reason)
    return None


def download(
    url: str, destination: Path, *, timeout: float, retries: int, backoff: float, progress: bool, out: TextIO
) -> int:
    """Download ``url`` into ``destination``, trying again ``retries`` times after transient errors.

    Waits ``backoff * 2**attempt`` seconds before each new try. An HTTP 4xx answer
    fails at once: asking again would get the same answer. Returns the number of bytes.
    """
    attempts = retries + 1
    for attempt in range(attempts):
        try:
            return _download_once(url, destination, timeout, progress)
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, urllib.error.HTTPError):
                error.close()
            problem = _transient_problem(error, timeout)
            if problem is None:
                raise DownloadError(f"downloading {url} failed: {_one_line(_describe(error))}; check the URL, or the mirror set by --mirror / {MIRROR_VARIABLE}") from None
        if attempt + 1 < attempts:
            delay = backoff * 2**attempt
            print(f"Attempt {attempt + 1} of {attempts} failed ({problem}); trying again in {delay:g} s.", file=out, flush=True)
            time.sleep(delay)
    raise DownloadError(
        f"could not download {url} after {attempts} attempt(s), the last one: {problem}; check the network, "
        f"raise the timeout (--timeout), or point --mirror / {MIRROR_VARIABLE} at a folder holding the archive"
    )


def _describe(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    return str(error) or type(error).__name__


def _retrieve(
    source: ArchiveSource,
    destination: Path,
    *,
    timeout: float,
    retries: int,
    backoff: float,
    progress: bool | None,
    out: TextIO,
) -> None:
    """Copy or download the archive into ``destination`` and print one line with its size and the time taken."""
    started = time.monotonic()
    if source.is_local:
        try:
            shutil.copyfile(source.location, destination)
        except OSError as error:
            raise DownloadError(f"cannot copy {source.location} into {destination.parent}: {error.strerror or error}") from None
        size, verb = destination.stat().st_size, "Copied"
    else:
        show_bar = sys.stderr.isatty() if progress is None else progress
        size = download(str(source.location), destination, timeout=timeout, retries=retries, backoff=backoff, progress=show_bar, out=out)
        verb = "Downloaded"
    print(f"{verb} {_human_size(size)} in {time.monotonic() - started:.1f} s.", file=out, flush=True)


def _report_archive_checksum(spec: DatasetSpec, archive: Path, out: TextIO) -> None:
    """Say whether the archive matches the checksum GroupLens published, where there is one.

    A difference is no error: a mirror may hold a re-zipped archive whose bytes
    differ while its files are the same, and the files are what gets verified.
    """
    if spec.published_archive_checksum is None:
        return
    algorithm, published = spec.published_archive_checksum
    actual = hex_digest_of(archive, algorithm)
    if actual == published.lower():
        print(f"The archive's {algorithm} matches the one GroupLens published.", file=out, flush=True)
    else:
        print(
            f"The archive's {algorithm} is {actual}, not the {published} GroupLens published: it was re-zipped "
            "(mirrors may do that), so its extracted files are what gets verified.",
            file=out,
            flush=True,
        )


# --- Unpacking and verifying -----------------------------------------------------------------


def _is_unsafe_member(name: str) -> bool:
    """True for a member name that would be written outside the folder it is extracted into."""
    # Backslashes are separators on Windows, so treat them as such wherever the course runs.
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) is not None or ".." in parts


def extract_safely(archive: Path, destination: Path, source_label: str) -> None:
    """Unpack ``archive`` into ``destination``, refusing the whole archive if one member name is unsafe."""
    try:
        with zipfile.ZipFile(archive) as zip_file:
            unsafe = [name for name in zip_file.namelist() if _is_unsafe_member(name)]
            if unsafe:
                raise DownloadError(
                    f"unsafe member name {unsafe[0]!r} in the archive from {source_label}: it would be written outside "
                    "the data folder, so nothing was extracted; this is not a genuine MovieLens archive, check the mirror"
                )
            zip_file.extractall(destination)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise DownloadError(
            f"the archive from {source_label} is corrupt or truncated ({_one_line(str(error))}); nothing was changed, "
            "so just run again to fetch it anew, and if that fails too, check the mirror's copy"
        ) from None


def _new_edition_message(spec: DatasetSpec, mismatches: list[FileMismatch]) -> str:
    first = mismatches[0]
    others = f" (and {len(mismatches) - 1} more file(s))" if len(mismatches) > 1 else ""
    return f"{first.path} has sha256 {first.actual}, expected {first.expected}{others}: {_NEW_EDITION_HINT}"


def _check_extracted(spec: DatasetSpec, root: Path, accept_new_edition: bool, source_label: str, out: TextIO) -> None:
    """Verify the unpacked files: a missing one always fails, a different one fails unless accepted."""
    mismatches = verify_files(spec, root)
    missing = [mismatch.path for mismatch in mismatches if mismatch.actual is None]
    if missing:
        raise DownloadError(f"the archive from {source_label} lacks {', '.join(missing)}; it is not the {spec.name} dataset, check the mirror")
    if not mismatches:
        print(f"Verified the sha256 of all {len(spec.file_sha256)} data files.", file=out, flush=True)
        return
    if not accept_new_edition:
        raise DownloadError(_new_edition_message(spec, mismatches))
    for mismatch in mismatches:
        print(
            f"warning: {mismatch.path} has sha256 {mismatch.actual}, not the course's {mismatch.expected}; using it anyway "
            "because the new edition was accepted, so results will differ from the course's stored outputs.",
            file=out,
            flush=True,
        )


# --- The whole fetch -------------------------------------------------------------------------


def _already_present(spec: DatasetSpec, raw: Path, accept_new_edition: bool, out: TextIO) -> bool:
    """True, after saying so, when the dataset's files are in place and need no fetching."""
    target = raw / spec.name
    if not target.is_dir():
        return False
    mismatches = verify_files(spec, raw)
    if not mismatches:
        print(f"{spec.name} is already present and verified in {shown_path(target)}; nothing to fetch.", file=out, flush=True)
        return True
    # Once a new edition has been accepted, fetching it again on every call would only cost time.
    if accept_new_edition and all(mismatch.actual is not None for mismatch in mismatches):
        print(
            f"warning: {spec.name} in {target} differs from the course's edition in {len(mismatches)} file(s); "
            "keeping it because the new edition was accepted.",
            file=out,
            flush=True,
        )
        return True
    print(f"{spec.name} in {shown_path(target)} is incomplete or differs from the course's edition; fetching it again.", file=out, flush=True)
    return False


def fetch(
    spec: DatasetSpec,
    data_dir: Path,
    *,
    mirror: str | None = None,
    accept_new_edition: bool = False,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 1.0,
    progress: bool | None = None,
    out: TextIO | None = None,
) -> Path:
    """Make sure the verified files of ``spec`` are in ``data_dir/raw/<name>`` and return that folder.

    ``mirror`` replaces GroupLens as the source (a folder, ``file://`` or ``http(s)://``
    URL holding the same archive names). ``accept_new_edition`` turns a sha256
    mismatch into a warning. ``timeout`` (seconds), ``retries`` and ``backoff``
    (seconds, doubled after each failure) govern downloads. ``progress`` shows a bar
    on stderr; ``None`` shows one only in a terminal, so notebooks get a single
    summary line. Messages go to ``out`` (default: ``sys.stdout``).

    Raises :class:`DownloadError` (``ValueError`` for impossible settings); the
    data folder is then as it was before the call.
    """
    out = out or sys.stdout
    data_dir = Path(data_dir)
    raw = data_dir / "raw"
    target = raw / spec.name
    if not (timeout > 0 and retries >= 0 and backoff >= 0):
        raise ValueError(f"need timeout > 0, retries >= 0 and backoff >= 0, got {timeout=}, {retries=}, {backoff=}")
    if not spec.downloadable:
        raise DownloadError(f"{spec.name} is generated, not downloaded; use fetch_dataset({spec.name!r}) instead")
    if _already_present(spec, raw, accept_new_edition, out):
        return target

    source = archive_source(spec.archive, mirror)
    print(f"Fetching {spec.archive} from {source.label}", file=out, flush=True)
    with _Workspace(raw) as workspace:
        archive = workspace.new_file(f".download-{spec.name}-", ".part")
        _retrieve(source, archive, timeout=timeout, retries=retries, backoff=backoff, progress=progress, out=out)
        _report_archive_checksum(spec, archive, out)
        unpacked = workspace.new_folder(f".extract-{spec.name}-")
        extract_safely(archive, unpacked, source.label)
        _check_extracted(spec, unpacked, accept_new_edition, source.label, out)
        _move_into_place(unpacked / spec.name, target, workspace)
    print(f"{spec.name} is ready in {shown_path(target)}\n\n{LICENCE_NOTICE}\n\nPlease cite:\n{CITATION}", file=out, flush=True)
    return target


def _write_synthetic(spec: DatasetSpec, data_dir: Path, out: TextIO) -> Path:
    """Generate the synthetic dataset into ``data_dir/raw/<name>`` unless both its files are there."""
    raw = data_dir / "raw"
    target = raw / spec.name
    if (raw / spec.ratings_file).is_file() and (raw / spec.movies_file).is_file():
        print(f"{spec.name} is already present in {shown_path(target)}; nothing to generate.", file=out, flush=True)
        return target
    from cfcourse.synthetic import write_synthetic_dataset  # needs numpy and pandas, so only when asked for

    with _Workspace(raw) as workspace:
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
    :class:`cfcourse.datasets.UnknownDatasetError`.
    """
    spec = get_dataset(name)
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    if not spec.downloadable:
        return _write_synthetic(spec, data_dir, kwargs.get("out") or sys.stdout)
    mirror = mirror or os.environ.get(MIRROR_VARIABLE) or None
    return fetch(spec, data_dir, mirror=mirror, accept_new_edition=accept_new_edition, **kwargs)


# --- Command line ----------------------------------------------------------------------------


class _UsageError(Exception):
    """A bad command-line argument, reported in one line like every other error."""


class _OneLineArgumentParser(argparse.ArgumentParser):
    def error(self, message: str):
        raise _UsageError(f"{message} (see --help)")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


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
    parser.add_argument("--mirror", metavar="FOLDER_OR_URL", help=f"fetch from this folder or URL instead of GroupLens (overrides ${MIRROR_VARIABLE})")
    parser.add_argument("--accept-new-edition", action="store_true", help="use files whose sha256 differs from the course's, with a warning")
    parser.add_argument("--timeout", type=_positive_seconds, default=30.0, help="seconds to wait for the server (default: %(default)s)")
    parser.add_argument("--retries", type=_retry_count, default=3, help="tries after a transient failure (default: %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: 0 on success, 1 on a reported error, 130 on Ctrl-C."""
    try:
        args = _build_parser().parse_args(argv)
        fetch_dataset(
            args.dataset,
            args.data_dir,
            mirror=args.mirror,
            accept_new_edition=args.accept_new_edition,
            timeout=args.timeout,
            retries=args.retries,
        )
    except (DownloadError, UnknownDatasetError, _UsageError) as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: temporary files removed, the data folder is as it was", file=sys.stderr)
        return 130
    return 0
