"""Unpacking an archive safely: inspected whole before anything is written, then written under a byte cap.

Before one member is written, the archive must hold no more members than any MovieLens archive
(read from its end record, so a bomb of tiny files costs nothing), and every member must be a plain
file or folder with a safe, unique name inside the dataset's folder, the whole declaring no more
bytes than the dataset's cap. Any other archive is refused in one line naming the member at fault:
it is not a genuine MovieLens archive, whatever its data files hold, so no new edition is offered.
While writing, bytes are counted too, since the sizes members declare are not trusted.
"""

from __future__ import annotations

import errno
import re
import stat
import zipfile
import zlib
from pathlib import Path

from cfcourse.data.datasets import DatasetSpec
from cfcourse.data.errors import LocalFileError, SourceError, human_size, local_problem, one_line
from cfcourse.data.folder import CHUNK_BYTES, NewFile

#: The most members an archive may hold. MovieLens archives hold a few dozen at most (ml-100k: 24), so an
#: archive of thousands is a zip bomb or not the dataset, and refusing it early spares writing its members.
MAX_MEMBERS = 1000

#: The longest name part most file systems take, in bytes (ext4, APFS, NTFS in UTF-16 units).
_LONGEST_NAME_PART = 255

#: Errors from writing a member that say the archive is malformed, not that the disk is at fault. The
#: inspection refuses these shapes before writing; a file system stricter than it assumes still lands here.
_MALFORMED_MEMBER_ERRORS = {
    errno.ENOTDIR: "lies under {parent!r}, which the archive also holds as a file",
    errno.EEXIST: "lies under {parent!r}, which the archive also holds as a file",
    errno.EISDIR: "is a file where the archive also has a folder of that name",
    errno.ENAMETOOLONG: "has a name too long for this computer's file system",
}

_NOT_GENUINE = "nothing was extracted: this is not a genuine MovieLens archive, check the mirror"


class _Refused(Exception):
    """One member of the archive makes it no genuine archive: ``member`` and what is wrong with it."""

    def __init__(self, member: str, problem: str):
        super().__init__()
        self.member, self.problem = member, problem


# --- Inspecting the archive before anything is written ---------------------------------------


def declared_member_count(archive: Path) -> int | None:
    """How many members the archive's end record declares, read without reading its directory.

    ``None`` where there is no end record to read (:mod:`zipfile` then says what is wrong).
    zipfile would parse every directory entry first, a second per hundred thousand members.
    """
    end_record, zip64_locator = b"PK\x05\x06", b"PK\x06\x07"
    with open(archive, "rb") as file:
        size = file.seek(0, 2)
        tail_start = max(0, size - (22 + 0xFFFF + 20))  # the end record, the longest comment, a zip64 locator
        file.seek(tail_start)
        tail = file.read()
        at = tail.rfind(end_record)
        if at < 0 or len(tail) - at < 22:
            return None
        count = int.from_bytes(tail[at + 10 : at + 12], "little")
        if count != 0xFFFF:
            return count
        # Zip64: the locator, just before the end record, says where the zip64 end record is.
        locator = tail[at - 20 : at] if at >= 20 else b""
        if not locator.startswith(zip64_locator):
            return None
        file.seek(int.from_bytes(locator[8:16], "little"))
        record = file.read(56)
    return int.from_bytes(record[32:40], "little") if record.startswith(b"PK\x06\x06") else None


def _refuse_too_many_members(count: int | None, source_label: str) -> None:
    if count is not None and count > MAX_MEMBERS:
        raise SourceError(
            f"the archive from {source_label} holds {count:,} members, where a MovieLens archive holds a few dozen "
            f"(at most {MAX_MEMBERS:,} are taken): an archive bomb, or not this dataset's archive; {_NOT_GENUINE}"
        )


def _is_unsafe_member(name: str) -> bool:
    """True for a member name that would be written outside the folder it is extracted into."""
    # Backslashes are separators on Windows, so treat them as such wherever the course runs.
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) is not None or ".." in parts


def _kind_problem(info: zipfile.ZipInfo) -> str | None:
    """What is wrong with a member that is neither a plain file nor a folder (a link, a device...); ``None`` if nothing."""
    mode = info.external_attr >> 16
    if info.create_system != 3 or stat.S_IFMT(mode) == 0:
        return None  # no Unix file type recorded (DOS, Windows): a plain file or folder
    if stat.S_ISLNK(mode):
        return "is a symbolic link, which no MovieLens archive holds"
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "is a special file (a device, pipe or socket), which no MovieLens archive holds"
    return None


def _name_problem(name: str, folder: str) -> str | None:
    """What is wrong with a member's name for the dataset whose files lie in ``folder``; ``None`` if nothing."""
    if _is_unsafe_member(name):
        return "would be written outside the data folder"
    if not name.startswith(f"{folder}/"):
        return f"lies outside the {folder}/ folder, where every file of a {folder} archive lies"
    if any(len(part.encode("utf-8", "surrogateescape")) > _LONGEST_NAME_PART for part in name.split("/")):
        return f"has a name too long for file systems (a part over {_LONGEST_NAME_PART} bytes)"
    return None


class _NamesSoFar:
    """The members inspected so far: their names by case-folded name, the files, and every folder they lie in."""

    def __init__(self):
        self.by_folded_name: dict[str, str] = {}
        self.files: set[str] = set()
        self.folders: set[str] = set()

    def refuse_clashes(self, name: str, is_folder: bool) -> None:
        """Refuse member ``name`` if it clashes with one before it: the same path, or a file where a folder is needed."""
        path = _path_written(name)
        earlier = self.by_folded_name.get(path.casefold())
        if earlier == path:
            raise _Refused(name, "appears twice in the archive, so which copy would be installed depends on their order")
        if earlier is not None:
            raise _Refused(name, f"differs only in case from {earlier!r}: on Windows and macOS the two are one file")
        parent = next((folder for folder in _folders_holding(path) if folder in self.files), None)
        if parent is not None:
            raise _Refused(name, f"lies under {parent!r}, which the archive also holds as a file")
        if not is_folder and path in self.folders:
            raise _Refused(name, "is a file where other members of the archive lie in a folder of that name")

    def add(self, name: str, is_folder: bool) -> None:
        path = _path_written(name)
        self.by_folded_name[path.casefold()] = path
        self.folders.update(_folders_holding(path))
        (self.folders if is_folder else self.files).add(path)


def _path_written(name: str) -> str:
    """The path a member name is written to: ``toy/./ratings.csv``, ``toy//ratings.csv`` and ``toy\\ratings.csv``
    (on Windows) are all ``toy/ratings.csv``, so they are one member, not two."""
    return "/".join(part for part in name.replace("\\", "/").split("/") if part not in ("", "."))


def _folders_holding(path: str) -> list[str]:
    """``a/b/c`` gives ``["a", "a/b"]``: the folders a member lies in."""
    parts = path.split("/")
    return ["/".join(parts[:end]) for end in range(1, len(parts))]


def _inspect(members: list[zipfile.ZipInfo], spec: DatasetSpec, source_label: str) -> None:
    """Refuse, in one line naming the member at fault, an archive that is no genuine archive of ``spec``."""
    _refuse_too_many_members(len(members), source_label)  # where the end record could not be read early
    names = _NamesSoFar()
    try:
        for info in members:
            if problem := _name_problem(info.filename, spec.name) or _kind_problem(info):
                raise _Refused(info.filename, problem)
            names.refuse_clashes(info.filename, info.is_dir())
            names.add(info.filename, info.is_dir())
    except _Refused as refused:
        raise SourceError(f"member {refused.member[:80]!r} of the archive from {source_label} {refused.problem}; {_NOT_GENUINE}") from None
    declared = sum(info.file_size for info in members)
    if declared > spec.max_unpacked_bytes:
        raise SourceError(
            f"the archive from {source_label} declares {human_size(declared)} of files, more than the {human_size(spec.max_unpacked_bytes)} "
            f"this dataset can hold; {_NOT_GENUINE}"
        )


# --- Writing it ----------------------------------------------------------------------------


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


def _write_members(zip_file: zipfile.ZipFile, destination: Path, source_label: str, max_bytes: int) -> None:
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


def extract_safely(archive: Path, destination: Path, source_label: str, spec: DatasetSpec) -> None:
    """Unpack ``archive`` into ``destination`` once it has been inspected whole (see the module's notes), stopping
    past ``spec.max_unpacked_bytes`` (the sizes members declare are not trusted: bytes are counted)."""
    try:
        _refuse_too_many_members(declared_member_count(archive), source_label)
        with zipfile.ZipFile(archive) as zip_file:
            _inspect(zip_file.infolist(), spec, source_label)
            _write_members(zip_file, destination, source_label, spec.max_unpacked_bytes)
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
