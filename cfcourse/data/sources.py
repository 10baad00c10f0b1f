"""Where an archive comes from, and getting it: a copy from a folder, or a download with retries and a deadline.

A *setting* names one source: a folder holding the archive, the archive file itself, a ``file://``
URL of either, or an ``http(s)://`` URL. :func:`source_settings` lists them in the order to try.

A mirror (``--mirror`` or ``MOVIELENS_MIRROR``) names one or more sources, read line by line
(:func:`mirror_settings`): a line that names an existing folder or file is one source, taken whole,
spaces and all; any other line holds sources separated by spaces. So a path with spaces is given
alone (``MOVIELENS_MIRROR="/media/My Drive/movielens"``), on a line of its own among other sources, or
as a ``file://`` URL with each space written ``%20``. A blank mirror counts as none.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from cfcourse.data.folder import CHUNK_BYTES, NewFile
from cfcourse.data.datasets import GROUPLENS_BASE_URL, DatasetSpec
from cfcourse.data.errors import LocalFileError, MirrorSettingError, SourceError, human_size, one_line
from cfcourse.data.locations import REPOSITORY_ROOT, shown_path

#: The slowest download tolerated, in bytes per second on average, once its grace period is over (see DownloadLimits).
MINIMUM_RATE = 50_000
#: Seconds a download runs before its average rate is judged (``timeout`` instead, where that is shorter):
#: the first moments of a connection are slow however fast the network is.
RATE_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class ArchiveSource:
    """Where one archive comes from: a URL to download, or a local file to copy."""

    location: str | Path
    label: str

    @property
    def is_local(self) -> bool:
        return isinstance(self.location, Path)


def source_settings(spec: DatasetSpec, mirror: str | None) -> list[str]:
    """The sources to try in order: the mirror's (see :func:`mirror_settings`), else GroupLens and its fallbacks."""
    return mirror_settings(mirror) or [f"{GROUPLENS_BASE_URL}/{spec.archive}", *spec.fallback_urls]


def mirror_settings(mirror: str | None) -> list[str]:
    """The sources a mirror names, in order; none for a blank one.

    Each line is one source when, stripped, it names an existing folder or file
    (so a path with spaces needs no quoting), else it holds sources separated by spaces.
    """
    settings = []
    for line in (mirror or "").splitlines():
        line = line.strip()
        settings += [line] if line and _names_existing_path(line) else line.split()
    return settings


def _names_existing_path(setting: str) -> bool:
    """True when ``setting`` is a path or ``file://`` URL of something that exists, as :func:`archive_source` reads it."""
    parsed = urllib.parse.urlparse(setting)
    try:
        if parsed.scheme.lower() == "file":
            return Path(urllib.request.url2pathname(parsed.path)).exists()
        return "://" not in setting and _mirror_path(setting).exists()
    except OSError:
        return False  # a line of many paths may be too long a name to ask about: then it is not one path


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
        raise MirrorSettingError(f"mirror {setting!r} is neither a folder nor an archive file nor an http(s):// or file:// URL")
    else:
        path = _mirror_path(setting)
    return _local_archive(path.resolve(), archive)


def _mirror_path(mirror: str) -> Path:
    """The path a mirror names: relative to the current folder, or failing that to the repository.

    The second chance is for lessons, which run in ``notebooks/`` while a learner sets
    ``MOVIELENS_MIRROR=../shared/data/movielens`` thinking of the repository's root.
    """
    try:
        path = Path(mirror).expanduser()
    except RuntimeError:
        path = Path(mirror)  # ~someone who has no home here: the "does not exist" message names it as written
    if not path.is_absolute() and not path.exists() and (REPOSITORY_ROOT / path).exists():
        return REPOSITORY_ROOT / path
    return path


def _local_archive(path: Path, archive: str) -> ArchiveSource:
    if path.is_file():
        return ArchiveSource(path, f"the archive file {shown_path(path)}")
    if not path.is_dir():
        raise MirrorSettingError(f"mirror folder {shown_path(path)} does not exist")
    file = path / archive
    if not file.is_file():
        raise MirrorSettingError(f"mirror folder {shown_path(path)} has no {archive} (looked for {shown_path(file)})")
    return ArchiveSource(file, f"the mirror folder {shown_path(path)}")


class _TooSlow(Exception):
    """The download's average rate fell below the minimum after its grace period."""

    def __init__(self, received: int, expected: int, seconds: float):
        super().__init__()
        self.received, self.expected, self.seconds = received, expected, seconds


@dataclass(frozen=True)
class DownloadLimits:
    """How slow a download may be.

    ``timeout`` bounds every wait on the server: for its answer, and for each next
    piece of data. ``minimum_rate`` (bytes per second) bounds the average: once
    :attr:`grace_seconds` (``RATE_GRACE_SECONDS``, 5 s, or ``timeout`` where that is
    shorter) have passed since the server began to answer, the download stops as
    soon as the bytes received so far, divided by the seconds since it began to
    answer, fall below ``minimum_rate``. The average is judged as each piece of data
    arrives, so a download stops at most ``timeout`` seconds after its average fell
    below the minimum. ``expected_bytes`` is the archive's size where known, named
    in the message when the server does not say it.
    """

    timeout: float
    minimum_rate: float
    expected_bytes: int | None = None

    @property
    def grace_seconds(self) -> float:
        return min(self.timeout, RATE_GRACE_SECONDS)

    def too_slow(self, received: int, seconds: float) -> bool:
        """True when ``received`` bytes in ``seconds`` since the answer began is below the minimum average."""
        return seconds > self.grace_seconds and received < self.minimum_rate * seconds


def _copy_with_progress(response, file: NewFile, total: int | None, name: str, show_bar: bool, limits: DownloadLimits) -> int:
    received, started = 0, time.monotonic()
    with tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, disable=not show_bar) as bar:
        # read1 returns what has arrived; read(n) would wait for all n bytes, however slowly they trickle in.
        while chunk := response.read1(CHUNK_BYTES):
            file.write(chunk)
            received += len(chunk)
            bar.update(len(chunk))
            seconds = time.monotonic() - started
            if limits.too_slow(received, seconds):
                raise _TooSlow(received, total or limits.expected_bytes or 0, seconds)
    return received


def _refuse_content_encoding(url: str, encoding: str | None) -> None:
    """Stop at once when the server compressed the archive on the way: its bytes are then not the archive,
    and asking again gets the same answer. (urllib asks for no encoding, so a server that sends one anyway
    is misconfigured, typically compressing every file it sends.)"""
    if encoding and encoding.strip().lower() != "identity":
        raise SourceError(
            f"downloading {url} failed: the server sent the archive compressed (Content-Encoding: {encoding}), not the "
            "zip archive itself; nothing was changed: turn that compression off for .zip files on the mirror's server, "
            "or put the archive in a folder and point --mirror / MOVIELENS_MIRROR at it"
        )


def _download_once(url: str, destination: Path, limits: DownloadLimits, show_bar: bool) -> int:
    """Download ``url`` into ``destination`` (overwriting it) and return the number of bytes."""
    with urllib.request.urlopen(url, timeout=limits.timeout) as response:
        _refuse_content_encoding(url, response.headers.get("Content-Encoding"))
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        with NewFile(destination, "saving the download", destination.parent) as file:
            received = _copy_with_progress(response, file, total, url.rsplit("/", 1)[-1], show_bar, limits)
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
        return (
            f"the TLS certificate of {_host_of(url)} could not be verified ({reason.verify_message}): the site's "
            "certificate may have lapsed (GroupLens's did in 2026), or this computer's clock or certificate store is "
            "wrong; the course never turns verification off, so try again later or use a mirror"
        ), False
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
        return f"the TLS connection failed ({one_line(str(reason))})", False
    if isinstance(error, urllib.error.URLError) and isinstance(reason, OSError):
        # An unreachable network and the like: often one that is briefly down.
        return str(reason.strerror or reason), True
    return one_line(str(reason)) or type(reason).__name__, False


def download(url: str, destination: Path, *, limits: DownloadLimits, retries: int, backoff: float, progress: bool, out: TextIO) -> int:
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
            expected = f" of {human_size(slow.expected)}" if slow.expected else ""
            raise SourceError(
                f"downloading {url} was too slow: {human_size(slow.received)}{expected} in {slow.seconds:.1f} s, "
                f"{human_size(slow.received / slow.seconds)}/s on average, below the minimum of {human_size(limits.minimum_rate)}/s; "
                "try again later, lower --minimum-rate, or use a mirror"
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
        with open(source, "rb") as archive, NewFile(destination, "copying the archive", destination.parent) as file:
            while chunk := archive.read(CHUNK_BYTES):
                file.write(chunk)
    except LocalFileError:
        raise
    except OSError as error:
        raise SourceError(f"cannot read {shown_path(source)}: {error.strerror or error}") from None
    return destination.stat().st_size


def retrieve(source: ArchiveSource, destination: Path, *, limits: DownloadLimits, retries: int, backoff: float, progress: bool | None, out: TextIO) -> None:
    """Copy or download the archive into ``destination`` and print one line with its size and the time taken."""
    started = time.monotonic()
    if source.is_local:
        size, verb = _copy_local(source.location, destination), "Copied"
    else:
        show_bar = sys.stderr.isatty() if progress is None else progress
        size = download(str(source.location), destination, limits=limits, retries=retries, backoff=backoff, progress=show_bar, out=out)
        verb = "Downloaded"
    print(f"{verb} {human_size(size)} in {time.monotonic() - started:.1f} s.", file=out, flush=True)
