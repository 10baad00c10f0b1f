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
import re
import socket
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
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
    its path ends in ``.zip``, else of a folder holding it, whose query (a signed
    link's token, say) stays on the archive's URL. Raises :class:`SourceError`
    for a setting that names nothing usable.
    """
    parsed = urllib.parse.urlparse(setting)
    scheme = parsed.scheme.lower()
    if scheme in ("http", "https"):
        url = setting if parsed.path.lower().endswith(".zip") else archive_in_folder_url(setting, archive)
        where = "GroupLens ({})" if url.startswith(GROUPLENS_BASE_URL) else "the mirror {}"
        label = where.format(shown_setting(url))
        return ArchiveSource(url, label)
    if scheme == "file":
        path = Path(urllib.request.url2pathname(parsed.path))
    elif "://" in setting:
        raise MirrorSettingError(f"mirror {shown_setting(setting)!r} is neither a folder nor an archive file nor an http(s):// or file:// URL")
    else:
        path = _mirror_path(setting)
    return _local_archive(path.resolve(), archive)


def archive_in_folder_url(folder_url: str, archive: str) -> str:
    """The URL of ``archive`` in the folder ``folder_url``: the name goes into the path, the query stays a query
    (``http://host/files/?sig=1`` gives ``http://host/files/ml-latest-small.zip?sig=1``)."""
    parts = urllib.parse.urlsplit(folder_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}/{archive}", fragment=""))


def shown_setting(setting: str) -> str:
    """A source as messages and records show it: a URL's query and fragment as ``?…`` and ``#…``, its password as ``…``.

    A mirror's URL often carries a signed token or a password, which belongs in no
    output, log or ``.edition.json``. Paths are shown as they are.
    """
    if "://" not in setting:
        return setting
    parts = urllib.parse.urlsplit(setting)
    user, at, host = parts.netloc.rpartition("@")
    if at and ":" in user:
        user = user.split(":", 1)[0] + ":…"
    return urllib.parse.urlunsplit(
        (parts.scheme, f"{user}{at}{host}", parts.path, "…" if parts.query else "", "…" if parts.fragment else "")
    )


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
    """How slow, and how large, a download may be.

    ``timeout`` bounds every wait on the server: for its answer, and for each next
    piece of data. ``minimum_rate`` (bytes per second) bounds the average: once
    :attr:`grace_seconds` (``RATE_GRACE_SECONDS``, 5 s, or ``timeout`` where that is
    shorter) have passed since the server began to answer, the download stops as
    soon as the bytes received so far, divided by the seconds since it began to
    answer, fall below ``minimum_rate``. The average is judged as each piece of data
    arrives, so a download stops at most ``timeout`` seconds after its average fell
    below the minimum. ``expected_bytes`` is the archive's size where known, named
    in the message when the server does not say it. ``max_bytes`` bounds the body:
    a server that announces more is refused before it sends any, and one that sends
    more is cut off there (see :attr:`cfcourse.data.datasets.DatasetSpec.largest_archive_bytes`).
    """

    timeout: float
    minimum_rate: float
    expected_bytes: int | None = None
    max_bytes: int | None = None

    @property
    def grace_seconds(self) -> float:
        return min(self.timeout, RATE_GRACE_SECONDS)

    def too_slow(self, received: int, seconds: float) -> bool:
        """True when ``received`` bytes in ``seconds`` since the answer began is below the minimum average."""
        return seconds > self.grace_seconds and received < self.minimum_rate * seconds


class _ShortBody(ConnectionError):
    """The server closed the connection before sending all the bytes its Content-Length announced."""

    def __init__(self, received: int, announced: int):
        super().__init__(f"the server sent {received:,} of the {announced:,} bytes its Content-Length announced")


def _largest_archive(limits: DownloadLimits) -> str:
    """``an archive of this dataset is at most 2.0 MB (GroupLens's is 978.2 kB)``, for the messages of a body too large."""
    known = f" (GroupLens's is {human_size(limits.expected_bytes)})" if limits.expected_bytes else ""
    return f"an archive of this dataset is at most {human_size(limits.max_bytes)}{known}"


def _too_large(url: str, limits: DownloadLimits, how: str) -> SourceError:
    """The one line for a body larger than any archive of the dataset; ``how`` says what the server did."""
    return SourceError(
        f"downloading {shown_setting(url)} stopped: the server {how}, and {_largest_archive(limits)}; nothing was "
        "changed: it serves something else there, check the URL / mirror"
    )


def _copy_with_progress(response, file: NewFile, total: int | None, url: str, show_bar: bool, limits: DownloadLimits) -> int:
    received, started = 0, time.monotonic()
    name = PurePosixPath(urllib.parse.urlsplit(url).path).name  # the bar shows no query: it may hold a token
    with tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024, file=sys.stderr, disable=not show_bar) as bar:
        # read1 returns what has arrived; read(n) would wait for all n bytes, however slowly they trickle in.
        while chunk := response.read1(CHUNK_BYTES):
            if limits.max_bytes is not None and received + len(chunk) > limits.max_bytes:
                # Cut off here: reading on would take a server that never stops at its word.
                raise _too_large(url, limits, f"sent more than {limits.max_bytes:,} bytes")
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
            f"downloading {shown_setting(url)} failed: the server sent the archive compressed (Content-Encoding: {encoding}), not the "
            "zip archive itself; nothing was changed: turn that compression off for .zip files on the mirror's server, "
            "or put the archive in a folder and point --mirror / MOVIELENS_MIRROR at it"
        )


def _refuse_other_than_whole(url: str, response) -> None:
    """Stop at once unless the server answered 200 OK: a plain GET asks for the whole archive, and any other
    answer (206 Partial Content above all, which a misconfigured cache sends) is not the whole archive,
    however it unpacks. Asking again gets the same answer, so this is not retried."""
    if response.status == 200:
        return
    answer = f"HTTP {response.status} {response.reason}".strip()
    if response.status == 206:
        answer += f" ({_partial_content(response.headers)})"
    raise SourceError(
        f"downloading {shown_setting(url)} failed: the server answered {answer} to a request for the whole archive, "
        "not 200 OK; nothing was changed: asking again gets the same answer, so check the URL / mirror's server"
    )


def _partial_content(headers) -> str:
    """What a 206 answer holds, with its byte counts: ``Content-Range: bytes 0-489100/978202, that is 489,101 of 978,202 bytes``."""
    content_range = one_line(headers.get("Content-Range") or "")[:80]
    match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", content_range)
    if not match:
        length = headers.get("Content-Length")
        return f"Content-Range {content_range!r}, {length or 'an unknown number of'} bytes" if content_range else "no Content-Range"
    first, last, whole = match.groups()
    of_whole = f" of {int(whole):,}" if whole != "*" else ""
    return f"Content-Range: {content_range}, that is {int(last) - int(first) + 1:,}{of_whole} bytes"


def _download_once(url: str, destination: Path, limits: DownloadLimits, show_bar: bool) -> int:
    """Download ``url`` into ``destination`` (overwriting it) and return the number of bytes."""
    with urllib.request.urlopen(url, timeout=limits.timeout) as response:
        _refuse_other_than_whole(url, response)
        _refuse_content_encoding(url, response.headers.get("Content-Encoding"))
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if total is not None and limits.max_bytes is not None and total > limits.max_bytes:
            raise _too_large(url, limits, f"announced {total:,} bytes (Content-Length)")
        with NewFile(destination, "saving the download", destination.parent) as file:
            received = _copy_with_progress(response, file, total, url, show_bar, limits)
    # urllib does not complain when the server hangs up early, so a short archive is caught here.
    if total is not None and received < total:
        raise _ShortBody(received, total)
    return received


def _host_of(url: str) -> str:
    """The host and port of ``url``, without any user name or password."""
    return urllib.parse.urlsplit(url).netloc.rpartition("@")[2]


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


def _advice_after_retries(error: Exception) -> str:
    """What to do once every try of a transient failure failed: said of the failure that happened, not another."""
    reason = error.reason if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError) else error
    if isinstance(reason, TimeoutError):
        return "check the network, or raise the timeout (--timeout)"
    if isinstance(reason, _ShortBody):
        return "the server hung up early each time: try again later, or use another mirror"
    if isinstance(error, urllib.error.HTTPError):
        return "the server is failing: try again later, or use a mirror"
    return "check the network, or try again later"


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
                f"downloading {shown_setting(url)} was too slow: {human_size(slow.received)}{expected} in {slow.seconds:.1f} s, "
                f"{human_size(slow.received / slow.seconds)}/s on average, below the minimum of {human_size(limits.minimum_rate)}/s; "
                "try again later, lower --minimum-rate, or use a mirror"
            ) from None
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, urllib.error.HTTPError):
                error.close()
            problem, transient = _problem(error, url, limits.timeout)
            if not transient:
                raise SourceError(f"downloading {shown_setting(url)} failed: {problem}") from None
            last_error = error
        if attempt + 1 < attempts:
            delay = backoff * 2**attempt
            print(f"Attempt {attempt + 1} of {attempts} failed ({problem}); trying again in {delay:g} s.", file=out, flush=True)
            time.sleep(delay)
    raise SourceError(
        f"could not download {shown_setting(url)} after {attempts} attempt(s), the last one: {problem}; {_advice_after_retries(last_error)}"
    )


def _copy_local(source: Path, destination: Path, limits: DownloadLimits) -> int:
    """Copy a mirror's archive; reading errors are the mirror's, writing errors the data folder's."""
    try:
        size = source.stat().st_size
        if limits.max_bytes is not None and size > limits.max_bytes:
            raise SourceError(
                f"{shown_path(source)} is {human_size(size)}, and {_largest_archive(limits)}; nothing was changed: it is not "
                "the archive, check the mirror"
            )
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
        size, verb = _copy_local(source.location, destination, limits), "Copied"
    else:
        show_bar = sys.stderr.isatty() if progress is None else progress
        size = download(str(source.location), destination, limits=limits, retries=retries, backoff=backoff, progress=show_bar, out=out)
        verb = "Downloaded"
    print(f"{verb} {human_size(size)} in {time.monotonic() - started:.1f} s.", file=out, flush=True)
