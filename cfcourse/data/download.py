"""Fetch, verify and unpack a MovieLens archive, leaving nothing half-done.

The one call a lesson needs is::

    from cfcourse.data.download import fetch_dataset
    raw_folder = fetch_dataset("ml-latest-small")     # data/raw/ml-latest-small

and from a shell::

    python scripts/download_movielens.py --dataset ml-latest-small

What happens, step by step:

1. If the dataset's files are already in ``data/raw/<name>/`` and still have the
   sha256 recorded when they were fetched (see :mod:`cfcourse.data.editions`), nothing
   is fetched.
2. Otherwise the archive is fetched from the first *source* that works. Without a
   mirror the sources are GroupLens, then the registry's fallback copies of that
   archive (:mod:`cfcourse.data.datasets`). A mirror (``--mirror`` or the
   ``MOVIELENS_MIRROR`` environment variable) replaces them: one or more folders,
   archive files, ``file://`` or ``http(s)://`` URLs, separated by spaces or one per
   line. A line that names an existing folder or file is one source, spaces and
   all, so a path with spaces is given alone (``--mirror "/media/My Drive/movielens"``),
   on a line of its own, or as a ``file://`` URL with ``%20`` for each space. A blank
   ``--mirror`` or ``MOVIELENS_MIRROR`` counts as not given. Each failing source gets
   one line, and the next one is tried.
3. The archive is inspected whole before anything is written (see
   :mod:`cfcourse.data.unpacking`: too many members, unsafe, duplicate or linked
   ones, members outside the dataset's folder, too many bytes are each refused in
   one line), then unpacked into a temporary folder, stopping past the registry's
   size cap; then the sha256 of every data file is checked (or, where none is
   pinned, the archive's published checksum), and a file the published archive
   does not hold is refused. Only such a well-formed archive whose data files
   differ is offered as a new edition. A file
   that differs only in its line endings is named as a mirror's re-encoding, not
   as a new edition.
4. Only then does the dataset's folder move into ``data/raw/``, with a record of
   its files' hashes. Replacing a damaged copy keeps the learner's own files in
   it (any file no archive put there), and says so.

Any failure, Ctrl-C and SIGTERM included, removes the temporary files and leaves
the data folder as it was, and raises :class:`DownloadError` with a one-line
message that says what went wrong and what to do. A second Ctrl-C during that
removal cuts it short, and the command line then names what was left. Temporary
files left by a run that was killed outright, or cut short so, are swept by the
next run.

This module holds the steps above and the command line; the parts live beside it:
:mod:`cfcourse.data.sources` (where an archive comes from, and the network),
:mod:`cfcourse.data.unpacking`, :mod:`cfcourse.data.folder` (temporary files, the lock,
the sweep), :mod:`cfcourse.data.errors` and :mod:`cfcourse.data.editions`.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import shutil
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cfcourse.data.sources import (
    MINIMUM_RATE, RATE_GRACE_SECONDS, ArchiveSource, DownloadLimits, archive_source, retrieve, shown_setting, source_settings,
)
from cfcourse.data.folder import Workspace, describe_leftovers, left_behind, move_into_place, sweep_leftovers
from cfcourse.data.datasets import CITATION, LICENCE_NOTICE, DatasetSpec, UnknownDatasetError, get_dataset, size_note
from cfcourse.data.errors import DownloadError, MirrorSettingError, NewEditionError, SourceError, local_problem, one_line
from cfcourse.data.editions import PUBLISHED, RECORD_NAME, EditionRecord, accepted_edition_name, data_edition, read_record, write_record
from cfcourse.data.locations import default_data_dir, shown_path
from cfcourse.data.unpacking import extract_safely

__all__ = ["DownloadError", "NewEditionError", "SourceError", "data_edition", "fetch", "fetch_dataset", "main"]

#: Environment variable naming mirrors (folders, archive files, ``file://`` or ``http(s)://`` URLs,
#: separated by spaces or one per line; see :func:`cfcourse.data.sources.mirror_settings`) to use
#: instead of GroupLens. Blank counts as not set.
MIRROR_VARIABLE = "MOVIELENS_MIRROR"

#: How to write a mirror, for the messages and ``--help``.
_MIRROR_FORMS = (
    "folders, archive files, file:// or http(s):// URLs, separated by spaces or one per line; "
    "a path with spaces works alone, on a line of its own, or as a file:// URL with %20 for each space"
)

_NEW_EDITION_HINT = (
    "GroupLens has likely published a new edition of the dataset; to use it knowingly, re-run with "
    "--accept-new-edition (make ... ACCEPT_NEW_EDITION=1, or accept_new_edition=True in lesson 00), "
    "and expect results that differ from the course's stored outputs"
)


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


# --- Checking what was fetched -------------------------------------------------------------


def _check_archive_checksum(
    spec: DatasetSpec, archive: Path, files_are_published: bool, source_label: str, accept_new_edition: bool, out: TextIO
) -> bool:
    """Compare the archive with the checksum GroupLens published, where there is one; True when it matches.

    Called once the archive has unpacked and its files are checked, so what is said of a
    difference is known, not guessed. Where the files' sha256 are pinned, a difference is
    no error: a mirror may hold a re-zipped archive whose files are the same, and the
    files are what gets verified. Where they are not, this checksum is all there is, so
    it is enforced.
    """
    if spec.published_archive_checksum is None:
        return False
    algorithm, published = spec.published_archive_checksum
    actual = hex_digest_of(archive, algorithm)
    if actual == published.lower():
        print(f"The archive's {algorithm} matches the one GroupLens published.", file=out, flush=True)
        return True
    if not spec.archive_checksum_enforced:
        message = (
            "its data files are the published ones, so it was re-zipped (mirrors may do that)." if files_are_published
            else "its data files differ too, and the new edition was accepted."
        )
    elif accept_new_edition:
        message = "using it anyway because the new edition was accepted, so results will differ from the course's stored outputs."
    else:
        raise NewEditionError(f"the archive from {source_label} has {algorithm} {actual}, not the {published} GroupLens published: {_NEW_EDITION_HINT}")
    print(f"The archive's {algorithm} is {actual}, not the {published} GroupLens published: {message}", file=out, flush=True)
    return False


def line_ending_variants_sha256(path: Path) -> tuple[str, str]:
    """The sha256 of a file with every line ending made LF, and made CRLF, read in chunks.

    A mirror that re-encodes text files (git's autocrlf, a text-mode copy) changes only
    these; comparing them with the pinned sha256 tells such a copy from another edition.
    """
    as_lf, as_crlf = hashlib.sha256(), hashlib.sha256()
    pending = b""
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            chunk = pending + chunk
            # A CR that ends a chunk may be the first half of a CRLF: it waits for the next chunk.
            pending = b"\r" if chunk.endswith(b"\r") else b""
            lines = chunk[: len(chunk) - len(pending)].replace(b"\r\n", b"\n")
            as_lf.update(lines)
            as_crlf.update(lines.replace(b"\n", b"\r\n"))
    as_lf.update(pending)
    as_crlf.update(pending)
    return as_lf.hexdigest(), as_crlf.hexdigest()


def _re_encoded_line_endings(path: Path, expected_sha256: str) -> tuple[str, str] | None:
    """``(this file's line endings, the published file's)`` when the file is the published one but for them; else ``None``."""
    as_lf, as_crlf = line_ending_variants_sha256(path)
    if as_lf == expected_sha256:
        return "CRLF", "LF"
    if as_crlf == expected_sha256:
        return "LF", "CRLF"
    return None


def _mismatch_error(mismatches: list[FileMismatch], root: Path, source_label: str) -> SourceError:
    """What to say of files that differ from the pinned ones: re-encoded line endings where that is all, else a new edition."""
    re_encoded = [_re_encoded_line_endings(root / mismatch.path, mismatch.expected) for mismatch in mismatches]
    if None in re_encoded:
        return NewEditionError(_new_edition_message(mismatches, source_label))
    # Blaming GroupLens for a new edition would send the learner the wrong way: the mirror altered its copy.
    has, published = re_encoded[0]
    others = f" (and {len(mismatches) - 1} more file{'s' if len(mismatches) > 2 else ''} likewise)" if len(mismatches) > 1 else ""
    return SourceError(
        f"{mismatches[0].path} from {source_label} has {has} line endings where the published file has {published}, and is "
        f"the published file once they are changed back{others}: the mirror re-encoded its line endings (git's autocrlf or "
        "a text-mode copy does that), it is no new edition; put an unaltered copy of the archive there: nothing was changed"
    )


def _new_edition_message(mismatches: list[FileMismatch], source_label: str) -> str:
    first = mismatches[0]
    others = f" (and {len(mismatches) - 1} more file(s))" if len(mismatches) > 1 else ""
    return f"{first.path} from {source_label} has sha256 {first.actual}, expected {first.expected}{others}: {_NEW_EDITION_HINT}"


def _check_extracted(spec: DatasetSpec, root: Path, accept_new_edition: bool, source_label: str, out: TextIO) -> bool:
    """Verify the unpacked files; True when they are the published edition.

    A missing data file always fails; a different one, or a file the published archive
    does not hold, fails unless the new edition is accepted.
    """
    needed = sorted({*spec.file_sha256, spec.ratings_file, spec.movies_file})
    missing = [path for path in needed if not (root / path).is_file()]
    if missing:
        raise SourceError(f"the archive from {source_label} lacks {', '.join(missing)}; it is not the {spec.name} dataset, check the mirror")
    extras = files_beyond_the_published(spec, root)
    if extras and not accept_new_edition:
        raise SourceError(
            f"the archive from {source_label} holds {_some_files(extras)} the published {spec.name} archive does not "
            f"({_listing(extras)}), so it is not the published archive and nothing was installed: check the mirror, or "
            f"re-run with --accept-new-edition if GroupLens really added {_it_or_them(extras)}"
        )
    mismatches = verify_files(spec, root)
    if not spec.file_sha256:
        return True
    if not mismatches:
        print(f"Verified the sha256 of all {len(spec.file_sha256)} data files.", file=out, flush=True)
    elif not accept_new_edition:
        raise _mismatch_error(mismatches, root, source_label)
    for mismatch in mismatches:
        print(
            f"warning: {mismatch.path} has sha256 {mismatch.actual}, not the course's {mismatch.expected}; using it anyway "
            "because the new edition was accepted, so results will differ from the course's stored outputs.",
            file=out,
            flush=True,
        )
    if extras:
        print(
            f"warning: the archive holds {_some_files(extras)} the published {spec.name} archive does not ({_listing(extras)}); "
            f"keeping {_it_or_them(extras)} because the new edition was accepted, so it is recorded as an edition of its own.",
            file=out,
            flush=True,
        )
    return not mismatches and not extras


def files_beyond_the_published(spec: DatasetSpec, root: Path) -> list[str]:
    """The files unpacked under ``root/<name>`` that the published archive does not hold (empty where that is unknown).

    Only that folder moves into ``data/raw``, so only files there would be installed.
    """
    members = spec.published_members
    if members is None:
        return []
    unpacked = (path.relative_to(root).as_posix() for path in (root / spec.name).rglob("*") if not path.is_dir())
    return sorted(path for path in unpacked if path not in members)


def _some_files(paths: list[str]) -> str:
    return "1 file" if len(paths) == 1 else f"{len(paths)} files"


def _it_or_them(paths: list[str]) -> str:
    return "it" if len(paths) == 1 else "them"


def _listing(paths: list[str], shown: int = 3) -> str:
    """The first few paths, and how many more there are: a message stays one readable line."""
    more = f", and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(paths[:shown]) + more


def _print_file_hashes(files: dict[str, str], out: TextIO) -> None:
    print("sha256 of the extracted files, as recorded beside them in .edition.json:", file=out)
    for path, digest in files.items():
        print(f"  {digest}  {path}", file=out)
    out.flush()


# --- What is already there -----------------------------------------------------------------


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
        # A pinned file is usually recorded too: one damaged file must count once.
        damaged += [mismatch for mismatch in verify_files(spec, raw) if mismatch.path not in {file.path for file in damaged}]
    if damaged:
        print(
            f"{spec.name} in {target} no longer matches the {record.edition} edition recorded when it was fetched "
            f"({_damage_summary(damaged)}); fetching it again.",
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


def _damage_summary(damaged: list[FileMismatch]) -> str:
    """``ratings.csv changed``, ``ratings.csv is missing, and 2 more files changed or missing``: exact counts."""
    first = damaged[0]
    summary = f"{first.path} {'is missing' if first.actual is None else 'changed'}"
    others = len(damaged) - 1
    if others:
        summary += f", and {others} more file{'s' if others > 1 else ''} changed or missing"
    return summary


def _record_quietly(raw: Path, record: EditionRecord) -> None:
    """Record an edition found in place; a read-only data folder only means it is checked in full next time."""
    try:
        write_record(raw / record.dataset, record)
    except OSError:
        pass


# --- The whole fetch -----------------------------------------------------------------------


def _fetch_from(
    source: ArchiveSource, spec: DatasetSpec, workspace: Workspace, *, accept_new_edition: bool, limits: DownloadLimits,
    retries: int, backoff: float, progress: bool | None, out: TextIO,
) -> None:
    """Fetch, unpack and verify the archive from one source, then move it into place with its edition record."""
    archive = workspace.new_file(f".download-{spec.name}-", ".part")
    unpacked = workspace.new_folder(f".extract-{spec.name}-")
    try:
        retrieve(source, archive, limits=limits, retries=retries, backoff=backoff, progress=progress, out=out)
        # Only an archive that unpacks whole, with the dataset's files, is judged as an edition.
        extract_safely(archive, unpacked, source.label, spec)
        files_are_published = _check_extracted(spec, unpacked, accept_new_edition, source.label, out)
        archive_is_published = _check_archive_checksum(spec, archive, files_are_published, source.label, accept_new_edition, out)
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
        raise local_problem(error, "recording the edition", workspace.raw) from None
    target = workspace.raw / spec.name
    kept = _carry_over_own_files(target, unpacked / spec.name, read_record(workspace.raw, spec.name))
    move_into_place(unpacked / spec.name, target, workspace)
    if kept:
        print(f"Kept {_some_files(kept)} of your own in {shown_path(target)}, not part of the archive: {_listing(kept)}.", file=out, flush=True)


# --- A repair keeps the learner's own files ------------------------------------------------


def _carry_over_own_files(old: Path, new: Path, old_record: EditionRecord | None) -> list[str]:
    """Link (or copy) into ``new`` each file of the dataset folder ``old`` that no archive put there; returns their paths.

    A repair replaces the whole folder, so without this a learner's notes or outputs
    saved beside the data would go with it. Files of the new archive replace their old
    copies (that is the repair), and files the old record lists came from the old
    archive; everything else is the learner's. ``old`` stays whole until the swap, so
    a failure anywhere leaves the data folder as it was.
    """
    if old.is_symlink() or not old.is_dir():
        return []  # a link is set aside, not followed: what it points at stays where it is
    from_old_archive = {path.split("/", 1)[-1] for path in old_record.files} if old_record else set()
    kept = []
    try:
        for path in sorted(old.rglob("*")):
            relative = path.relative_to(old).as_posix()
            target = new / relative
            if relative == RECORD_NAME or relative in from_old_archive or target.exists() or target.is_symlink():
                continue
            if path.is_dir() and not path.is_symlink():
                target.mkdir(parents=True, exist_ok=True)  # an empty folder of theirs too
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(path, target)
            kept.append(relative)
    except OSError as error:
        raise local_problem(error, "keeping your own files of the old copy", old.parent) from None
    return kept


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows one (instant, no space), else a copy; a symbolic link stays one."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


#: Words with which a source's message already sends the learner to the mirror, so the last line need not again.
_MIRROR_ADVICE = ("check the mirror", "check the URL / mirror", "--mirror")


def _advises_the_mirror(message: str) -> bool:
    return any(words in message for words in _MIRROR_ADVICE)


def _all_sources_failed(spec: DatasetSpec, failures: list[SourceError], mirror_given: bool, mirror_blank: bool = False) -> str:
    """The final one-line error: every source tried and what went wrong there, then how to get the data another way.

    ``mirror_blank`` says a mirror was set but blank, so the defaults were tried: the learner who set it hears why.
    """
    messages = [one_line(str(failure)) for failure in failures]
    if all(isinstance(failure, NewEditionError) for failure in failures):
        hint = ""  # the sources work; the message already says how to accept their edition
    elif any(isinstance(failure, MirrorSettingError) for failure in failures):
        hint = f"; check --mirror / {MIRROR_VARIABLE} ({_MIRROR_FORMS})"  # perhaps a path with spaces, split
    elif mirror_given:
        hint = "" if all(map(_advises_the_mirror, messages)) else f"; check --mirror / {MIRROR_VARIABLE}"
    else:
        blank = f"; --mirror / {MIRROR_VARIABLE} is blank, which counts as not set" if mirror_blank else ""
        hint = (
            f"{blank}; to work offline, put {spec.archive} in a folder and point {MIRROR_VARIABLE} (or --mirror) at it, "
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
    folders, archive files, ``file://`` or ``http(s)://`` URLs, separated by spaces
    or one per line (see :func:`cfcourse.data.sources.mirror_settings`), tried in
    order; a blank one counts as none. ``accept_new_edition`` turns a checksum mismatch into a warning
    and records the new edition's hashes. ``timeout`` (seconds per wait on the
    server), ``retries`` and ``backoff`` (seconds, doubled after each failure) govern
    downloads; one whose average rate, once its first 5 seconds (or ``timeout``, if
    shorter) are past, falls below ``minimum_rate`` (bytes per second) stops (see
    :class:`cfcourse.data.sources.DownloadLimits`). ``progress`` shows a bar on stderr; ``None`` shows one only in a
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

    limits = DownloadLimits(timeout, minimum_rate, spec.archive_bytes, spec.largest_archive_bytes)
    settings = source_settings(spec, mirror)
    failures: list[SourceError] = []
    with Workspace(raw, spec.name) as workspace:
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
                    print(f"Source {number} of {len(settings)} failed: {one_line(str(error))}; trying the next one, {shown_setting(settings[number])}",
                          file=out, flush=True)
        else:
            mirror_given = bool(mirror and mirror.strip())
            raise DownloadError(_all_sources_failed(spec, failures, mirror_given, mirror_blank=mirror is not None and not mirror_given))
    print(f"{spec.name} is ready in {shown_path(raw / spec.name)}\n\n{LICENCE_NOTICE}\n\nPlease cite:\n{CITATION}", file=out, flush=True)
    return raw / spec.name


def _write_synthetic(spec: DatasetSpec, data_dir: Path, out: TextIO) -> Path:
    """Generate the synthetic dataset into ``data_dir/raw/<name>`` unless both its files are there."""
    raw = data_dir / "raw"
    target = raw / spec.name
    if (raw / spec.ratings_file).is_file() and (raw / spec.movies_file).is_file():
        print(f"{spec.name} is already present in {shown_path(target)}; nothing to generate.", file=out, flush=True)
        return target
    from cfcourse.data.synthetic import write_synthetic_dataset  # needs numpy and pandas, so only when asked for

    with Workspace(raw, spec.name) as workspace:
        # Written into a folder of its own inside the temporary one, so it keeps ordinary permissions.
        generated = workspace.new_folder(f".generate-{spec.name}-") / spec.name
        write_synthetic_dataset(generated, spec.n_ratings)
        move_into_place(generated, target, workspace)
    print(f"Generated the {spec.name} dataset in {shown_path(target)}", file=out, flush=True)
    return target


def _mirror_in_force(argument: str | None, variable: str | None) -> str | None:
    """The argument unless it is blank, else the environment variable unless it is blank.

    Where both are blank or missing, a blank one is still passed on: :func:`fetch` then
    tries the default sources, and its final error can say the mirror was blank.
    """
    given = [value for value in (argument, variable) if value is not None]
    return next((value for value in given if value.strip()), given[0] if given else None)


def fetch_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    mirror: str | None = None,
    accept_new_edition: bool = False,
    **kwargs,
) -> Path:
    """Fetch the registry's dataset ``name`` (see :func:`fetch`) and return its folder.

    ``data_dir`` defaults to :func:`cfcourse.data.locations.default_data_dir`, ``mirror`` to
    the ``MOVIELENS_MIRROR`` environment variable; a blank one counts as not given,
    so a blank ``mirror`` leaves the variable in force. The ``synthetic`` dataset is
    generated instead of downloaded. An unknown ``name`` raises
    :class:`cfcourse.data.datasets.UnknownDatasetError`. A dataset bigger than the
    lessons are made for gets a one-line note, not an error.
    """
    spec = get_dataset(name)
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    out = kwargs.get("out") or sys.stdout
    if not spec.downloadable:
        return _write_synthetic(spec, data_dir, out)
    if note := size_note(spec):
        print(note, file=out, flush=True)
    mirror = _mirror_in_force(mirror, os.environ.get(MIRROR_VARIABLE))
    return fetch(spec, data_dir, mirror=mirror, accept_new_edition=accept_new_edition, **kwargs)


# --- Command line --------------------------------------------------------------------------


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


def _build_parser() -> argparse.ArgumentParser:
    parser = _OneLineArgumentParser(
        description="Download, verify and unpack a MovieLens dataset into DATA_DIR/raw/<dataset>.",
        epilog=(
            f"Mirrors (--mirror, else ${MIRROR_VARIABLE}), tried in order: folders, archive files, file:// or "
            "http(s):// URLs, separated by spaces or one per line. A line that names an existing folder or file is "
            'one source, spaces and all, so a path with spaces works alone (--mirror "/media/My Drive/movielens"), '
            f"on a line of its own, or as a file:// URL with %20 for each space. A blank --mirror or ${MIRROR_VARIABLE} "
            "counts as not given."
        ),
    )
    parser.add_argument("--dataset", default="ml-latest-small", help="registry name (default: %(default)s)")
    parser.add_argument("--data-dir", type=Path, help="data folder (default: $CFCOURSE_DATA_DIR, else data/ in the repository)")
    parser.add_argument("--mirror", metavar="SOURCES",
                        help=f"fetch from these folders, archive files or URLs (see below) instead of GroupLens (overrides ${MIRROR_VARIABLE} unless blank)")
    parser.add_argument("--accept-new-edition", action="store_true", help="use files whose checksum differs from the course's, with a warning")
    parser.add_argument("--timeout", type=_positive_seconds, default=30.0, help="seconds to wait for the server (default: %(default)s)")
    parser.add_argument("--retries", type=_retry_count, default=3, help="tries after a transient failure (default: %(default)s)")
    parser.add_argument("--minimum-rate", type=_kilobytes_per_second, default=MINIMUM_RATE, metavar="KB_PER_S",
                        help=f"give up on a download slower than this on average once its first {RATE_GRACE_SECONDS:g} s are past "
                             f"(default: {MINIMUM_RATE // 1000})")
    return parser


def _what_an_interruption_left(interruption: KeyboardInterrupt) -> str:
    left = left_behind(interruption)
    if not left:
        return "temporary files removed, the data folder is as it was"
    return (
        f"removing the temporary files was cut short, leaving {describe_leftovers(left)} for the next run to remove; "
        "the data folder is otherwise as it was"
    )


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
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interruption:
        how = "terminated (SIGTERM)" if isinstance(interruption, _Terminated) else "interrupted"
        print(f"{how}: {_what_an_interruption_left(interruption)}", file=sys.stderr)
        return 143 if isinstance(interruption, _Terminated) else 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
    return 0
