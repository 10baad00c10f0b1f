"""Unpacking an archive safely: no member may land outside the folder, and no more is written than the cap."""

from __future__ import annotations

import errno
import re
import zipfile
import zlib
from pathlib import Path

from cfcourse.data.folder import CHUNK_BYTES, NewFile
from cfcourse.data.errors import LocalFileError, SourceError, human_size, local_problem, one_line


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
        raise local_problem(error, "unpacking the archive", destination.parent) from None
    written = 0
    with zip_file.open(info) as member, NewFile(target, "unpacking the archive", destination.parent) as file:
        while chunk := member.read(CHUNK_BYTES):
            written += len(chunk)
            if written > budget:
                break  # the caller reports it; the rest of this member is never written
            file.write(chunk)
    return written


def _what_it_is_instead(archive: Path) -> str | None:
    """What a file that is no zip archive is, where its first bytes tell: an HTML page or gzip data; else ``None``."""
    try:
        with open(archive, "rb") as file:
            head = file.read(1024)
    except OSError:
        return None
    if head.startswith(b"\x1f\x8b"):
        return "gzip-compressed data (a server that compresses what it sends, or a renamed .gz file)"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") and (b"<html" in text or b"<!doctype html" in text):
        return "an HTML page (an error, sign-in or download page served or saved in its place)"
    return None


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
                except LocalFileError as error:
                    if error.errno not in _MALFORMED_MEMBER_ERRORS:
                        raise
                    problem = _MALFORMED_MEMBER_ERRORS[error.errno].format(parent=info.filename.rsplit("/", 1)[0])
                    raise SourceError(
                        f"member {info.filename[:80]!r} of the archive from {source_label} {problem}; nothing was kept: "
                        "this is not a genuine MovieLens archive, check the mirror"
                    ) from None
                if written > max_bytes:
                    raise SourceError(
                        f"the archive from {source_label} unpacks to more than {human_size(max_bytes)}, more than this "
                        "dataset can hold; extraction stopped and nothing was kept: check the mirror"
                    )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        if instead := _what_it_is_instead(archive):
            # Fetching the same thing again would get the same thing: the source is wrong, not the transfer.
            raise SourceError(
                f"the archive from {source_label} is {instead}, not a zip archive; nothing was changed: check the URL / mirror"
            ) from None
        raise SourceError(
            f"the archive from {source_label} is corrupt or truncated ({one_line(str(error))}); nothing was changed, "
            "so just run again to fetch it anew, and if that fails too, check the mirror's copy"
        ) from None
