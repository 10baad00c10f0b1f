"""Downloads against hostile servers and archives (issue 26): partial replies, bodies that never end,
tampered members, archive bombs, URLs that carry a token.

Each case runs over the real HTTP server on 127.0.0.1 or a hand-made zip, and must hold: one true line,
the data folder (and everything else under the test's folder) as it was, no leftovers, and, for an
archive, not one member written, whatever ``accept_new_edition`` says.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import time
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from cfcourse.data import folder as data_folder
from cfcourse.data.datasets import DATASETS
from cfcourse.data.download import main
from cfcourse.data.editions import RECORD_NAME, read_record
from cfcourse.data.sources import shown_setting
from cfcourse.data.unpacking import MAX_MEMBERS, declared_member_count
from cfcourse.paths import shown_path
from download_testing import (
    TOY_FILES,
    TOY_SPEC,
    assert_cli_fails_in_one_line,
    assert_fails_cleanly,
    dead_process_id,
    fetch_quietly,
    tree,
    zip_bytes,
)

TOY_ARCHIVE_BYTES = len(zip_bytes(TOY_FILES))
#: The toy dataset with its archive's size known, as ml-latest-small's is, so a download has a size limit.
SIZED_TOY_SPEC = replace(TOY_SPEC, archive_bytes=TOY_ARCHIVE_BYTES)


class WrittenFile:
    """A file the download created, counting the bytes written into it (it is gone once the run fails)."""

    def __init__(self, path: Path, file):
        self.name, self.bytes, self._file = path.name, 0, file

    def write(self, chunk: bytes) -> None:
        self.bytes += len(chunk)
        self._file.write(chunk)

    def close(self) -> None:
        self._file.close()


@pytest.fixture
def files_written(monkeypatch) -> list[WrittenFile]:
    """The files the download creates under the data folder, in order: all go through open_new_file."""
    written: list[WrittenFile] = []
    real_open = data_folder.open_new_file

    def recording_open(path: Path):
        written.append(WrittenFile(path, real_open(path)))
        return written[-1]

    monkeypatch.setattr(data_folder, "open_new_file", recording_open)
    return written


def assert_refused(tmp_path: Path, spec, data_dir: Path, match: str, **kwargs) -> str:
    """Fetch, expect one line matching ``match``, and find everything under ``tmp_path`` (data folder included) as it was."""
    before = tree(tmp_path)
    message = assert_fails_cleanly(spec, data_dir, match, **kwargs)
    assert tree(tmp_path) == before, "nothing may be written outside the data folder either"
    return message


def only_the_download_was_written(files_written: list[WrittenFile]) -> bool:
    names = [file.name for file in files_written]
    return len(names) == 1 and names[0].startswith(".download-") and names[0].endswith(".part")


def symbolic_links_under(folder: Path) -> list[str]:
    return [os.path.join(root, name) for root, folders, files in os.walk(folder) for name in folders + files
            if os.path.islink(os.path.join(root, name))]


# --- Replies that are not the whole archive ---------------------------------------------------


def test_a_partial_content_reply_is_named_with_its_byte_counts_and_not_retried(server, data_dir, tmp_path):
    half = TOY_ARCHIVE_BYTES // 2
    server.partial = (0, half - 1)
    message = assert_refused(tmp_path, TOY_SPEC, data_dir, "HTTP 206 Partial Content", mirror=server.url, retries=3)

    assert f"(Content-Range: bytes 0-{half - 1}/{TOY_ARCHIVE_BYTES}, that is {half:,} of {TOY_ARCHIVE_BYTES:,} bytes)" in message
    assert "not 200 OK" in message
    assert "corrupt" not in message and "run again" not in message, "asking again gets the same part"
    assert server.requests == ["/toy.zip"]


@pytest.mark.parametrize("announced", [True, False], ids=["Content-Length announced", "no Content-Length"])
def test_a_body_longer_than_the_archive_can_be_is_cut_off_without_downloading_it_all(server, data_dir, tmp_path, files_written, announced):
    server.padding = 100_000_000  # 100 MB for an archive of a few hundred bytes
    server.announce_length = announced
    limit = SIZED_TOY_SPEC.largest_archive_bytes
    started = time.monotonic()
    message = assert_refused(tmp_path, SIZED_TOY_SPEC, data_dir, "an archive of this dataset is at most 1.0 MB", mirror=server.url)

    assert time.monotonic() - started < 2
    assert f"(GroupLens's is {TOY_ARCHIVE_BYTES} bytes)" in message
    if announced:
        assert f"announced {TOY_ARCHIVE_BYTES + server.padding:,} bytes (Content-Length)" in message
    else:
        assert f"the server sent more than {limit:,} bytes" in message
    assert server.sent_bytes < 50_000_000, "the client stopped reading long before the end"
    assert limit == TOY_ARCHIVE_BYTES + 1_000_000
    if announced:
        assert files_written == [], "refused from its Content-Length, before a byte of the body"
    else:
        assert only_the_download_was_written(files_written) and files_written[0].bytes <= limit


def test_a_mirror_file_larger_than_the_archive_can_be_is_refused_uncopied(tmp_path, data_dir, files_written):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "toy.zip").write_bytes(bytes(2_000_000))
    message = assert_refused(tmp_path, SIZED_TOY_SPEC, data_dir, "is 2.0 MB, and an archive of this dataset is at most 1.0 MB", mirror=str(mirror))

    assert "check the mirror" in message
    assert files_written == []


def test_a_body_shorter_than_its_content_length_is_named_with_the_counts_not_blamed_on_a_timeout(server, data_dir, tmp_path):
    server.hang_up_halfway = True
    message = assert_refused(tmp_path, TOY_SPEC, data_dir, "after 2 attempt", mirror=server.url, retries=1)

    assert f"the server sent {TOY_ARCHIVE_BYTES // 2:,} of the {TOY_ARCHIVE_BYTES:,} bytes its Content-Length announced" in message
    assert "timeout" not in message


# --- Archives that are no genuine archive, whatever their data files hold -----------------------


def member(name: str, content: bytes, mode: int | None = None) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name, date_time=(2018, 9, 26, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.create_system = 3  # Unix, whose file type lives in the high bits
        info.external_attr = mode << 16
    return info, content


def hand_made_zip(*members: tuple[zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": the point of one case
        for info, content in members:
            archive.writestr(info, content)
    return buffer.getvalue()


TOY_MEMBERS = [member(name, content, stat.S_IFREG | 0o644) for name, content in TOY_FILES.items()]
TAMPERED = b"userId,movieId,rating,timestamp\n1,1,0.5,964982703\n"

TAMPERED_ARCHIVES = {
    "duplicate member": (
        [*TOY_MEMBERS, member("toy/ratings.csv", TAMPERED)],
        "member 'toy/ratings.csv' of the archive from .* appears twice in the archive",
    ),
    "duplicate under another spelling": (
        [*TOY_MEMBERS, member("toy/./ratings.csv", TAMPERED)],
        "member 'toy/./ratings.csv' of the archive from .* appears twice in the archive",
    ),
    "symbolic link": (
        [member("toy/ratings.csv", b"/etc/passwd", stat.S_IFLNK | 0o777), TOY_MEMBERS[1]],
        "member 'toy/ratings.csv' of the archive from .* is a symbolic link",
    ),
    "named pipe": (
        [*TOY_MEMBERS, member("toy/pipe", b"", stat.S_IFIFO | 0o644)],
        "member 'toy/pipe' of the archive from .* is a special file",
    ),
    "stray top-level file": (
        [*TOY_MEMBERS, member("junk.txt", b"x")],
        "member 'junk.txt' of the archive from .* lies outside the toy/ folder",
    ),
    "file in another folder": (
        [*TOY_MEMBERS, member("other/ratings.csv", TAMPERED)],
        "member 'other/ratings.csv' of the archive from .* lies outside the toy/ folder",
    ),
    "names differing in case": (
        [*TOY_MEMBERS, member("toy/Ratings.csv", TAMPERED)],
        "member 'toy/Ratings.csv' of the archive from .* differs only in case from 'toy/ratings.csv'",
    ),
}


@pytest.mark.parametrize("accept_new_edition", [False, True], ids=["", "accepting a new edition"])
@pytest.mark.parametrize("case", list(TAMPERED_ARCHIVES))
def test_a_tampered_archive_is_refused_before_writing_and_never_offered_as_a_new_edition(
    server, data_dir, tmp_path, files_written, case, accept_new_edition
):
    members, problem = TAMPERED_ARCHIVES[case]
    server.add("toy.zip", hand_made_zip(*members))
    message = assert_refused(tmp_path, TOY_SPEC, data_dir, problem, mirror=server.url, accept_new_edition=accept_new_edition)

    assert "nothing was extracted: this is not a genuine MovieLens archive, check the mirror" in message
    assert "new edition" not in message
    assert only_the_download_was_written(files_written), [file.name for file in files_written]
    assert symbolic_links_under(tmp_path) == []


def test_a_well_formed_archive_whose_data_files_differ_is_still_a_candidate_new_edition(server, data_dir, tmp_path):
    server.add("toy.zip", hand_made_zip(member("toy/ratings.csv", TAMPERED), TOY_MEMBERS[1]))
    message = assert_refused(tmp_path, TOY_SPEC, data_dir, "toy/ratings.csv from .* has sha256", mirror=server.url)
    assert "--accept-new-edition" in message


# --- Archive bombs --------------------------------------------------------------------------------

BOMB_MEMBERS = 100_000


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    """Archives of the toy files and 100,000 empty members, inside the dataset's folder or beside it."""
    def bomb(folder: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for name, content in TOY_FILES.items():
                archive.writestr(name, content)
            for number in range(BOMB_MEMBERS):
                archive.writestr(f"{folder}/{number}", b"")
        return buffer.getvalue()

    return {folder: bomb(folder) for folder in ["toy", "junk"]}


@pytest.mark.parametrize("folder", ["toy", "junk"], ids=["inside the dataset's folder", "outside it"])
def test_an_archive_bomb_of_tiny_members_is_refused_in_under_2_s_without_writing_them(server, data_dir, tmp_path, files_written, bombs, folder):
    server.add("toy.zip", bombs[folder])
    started = time.monotonic()
    message = assert_refused(tmp_path, TOY_SPEC, data_dir, f"holds {BOMB_MEMBERS + 2:,} members", mirror=server.url)
    seconds = time.monotonic() - started

    assert seconds < 2, f"refused after {seconds:.1f} s"
    assert f"at most {MAX_MEMBERS:,} are taken" in message and "nothing was extracted" in message
    assert only_the_download_was_written(files_written), [file.name for file in files_written[:3]]


def test_the_member_count_is_read_from_the_end_record_zip64_included(tmp_path, bombs):
    small = tmp_path / "small.zip"
    with zipfile.ZipFile(small, "w") as archive:
        for name, content in TOY_FILES.items():
            archive.writestr(name, content)
        archive.comment = b"PK a comment that is not an end record"
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(bombs["toy"])  # more than 65,535 members: the count is in the zip64 end record
    not_a_zip = tmp_path / "page.zip"
    not_a_zip.write_bytes(b"<html>no archive here</html>")

    assert declared_member_count(small) == 2
    assert declared_member_count(bomb) == BOMB_MEMBERS + 2
    assert declared_member_count(not_a_zip) is None


# --- URLs that carry a token ------------------------------------------------------------------------


def test_a_folder_url_keeps_its_query_which_is_never_printed_or_stored(server, tmp_path):
    folder_url = f"{server.url}/?sig=s3cret&expires=99"
    _, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=folder_url)

    assert server.requests == ["/toy.zip?sig=s3cret&expires=99"], "the archive's name goes into the path, the query stays"
    assert "s3cret" not in output
    assert f"the mirror {server.url}/toy.zip?…" in output
    assert read_record(tmp_path / "data" / "raw", "toy").source == f"the mirror {server.url}/toy.zip?…"
    assert "s3cret" not in (tmp_path / "data" / "raw" / "toy" / RECORD_NAME).read_text()


def test_a_failing_url_with_a_query_is_named_without_it_and_so_is_the_next_source(server, tmp_path):
    mirror = f"{server.url}/nothing-here/?token=s3cret {server.url}/?token=0ther"
    _, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=mirror)

    assert server.requests == ["/nothing-here/toy.zip?token=s3cret", "/toy.zip?token=0ther"]
    assert f"Source 1 of 2 failed: downloading {server.url}/nothing-here/toy.zip?… failed: HTTP 404" in output
    assert f"trying the next one, {server.url}/?…" in output
    assert "s3cret" not in output and "0ther" not in output


def test_a_failure_of_the_only_url_names_it_without_its_query(server, data_dir, tmp_path):
    message = assert_refused(tmp_path, TOY_SPEC, data_dir, "HTTP 404", mirror=f"{server.url}/nothing-here/?token=s3cret")
    assert f"{server.url}/nothing-here/toy.zip?…" in message and "s3cret" not in message


@pytest.mark.parametrize(("setting", "shown"), [
    ("https://mirror.example/movielens/?sig=abc", "https://mirror.example/movielens/?…"),
    ("https://user:pa55@mirror.example:8443/ml.zip#frag", "https://user:…@mirror.example:8443/ml.zip#…"),
    ("https://mirror.example/ml.zip", "https://mirror.example/ml.zip"),
    ("/media/My Drive/movielens", "/media/My Drive/movielens"),
])
def test_a_setting_is_shown_without_its_query_fragment_or_password(setting, shown):
    assert shown_setting(setting) == shown


# --- Hints said once -------------------------------------------------------------------------------


def test_a_message_that_already_sends_the_learner_to_the_mirror_gets_no_second_hint(server, data_dir, tmp_path):
    server.headers = {"Content-Encoding": "gzip"}
    message = assert_refused(tmp_path, TOY_SPEC, data_dir, "Content-Encoding: gzip", mirror=server.url)
    assert message.count("--mirror") == 1, message


def test_a_message_without_advice_gets_the_mirror_hint_once(server, data_dir, tmp_path):
    message = assert_refused(tmp_path, replace(TOY_SPEC, archive="missing.zip"), data_dir, "HTTP 404", mirror=server.url)
    assert message.endswith("HTTP 404 Not Found; check --mirror / MOVIELENS_MIRROR")


# --- Ctrl-C while the temporary files are being removed -------------------------------------------


def test_ctrl_c_during_cleanup_says_what_was_left_and_the_next_run_sweeps_it(server, data_dir, monkeypatch, capsys):
    class CtrlCAfterVerifying(io.StringIO):
        def write(self, text):
            if text.startswith("Verified"):
                raise KeyboardInterrupt  # the first Ctrl-C, just before the files move into place
            return super().write(text)

    def discard_cut_short(self, path):
        next(file for file in path.rglob("*") if file.is_file()).unlink()  # removing had begun when the second Ctrl-C came
        raise KeyboardInterrupt

    before = tree(data_dir)
    monkeypatch.setitem(DATASETS, "toy", TOY_SPEC)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", CtrlCAfterVerifying())
        patch.setattr(data_folder.Workspace, "discard", discard_cut_short)
        assert main(["--dataset", "toy", "--data-dir", str(data_dir), "--mirror", server.url]) == 130

    raw = data_dir / "raw"
    left = {name.split("-")[0]: name for name in os.listdir(raw) if name.startswith(".")}
    assert sorted(left) == [".download", ".extract", ".fetch"]
    line = capsys.readouterr().err.strip()
    assert line == (
        f"interrupted: removing the temporary files was cut short, leaving the file {left['.download']}, the folder "
        f"{left['.extract']} and the lock {left['.fetch']} in {shown_path(raw)} for the next run to remove; "
        "the data folder is otherwise as it was"
    )
    assert {path: digest for path, digest in tree(data_dir).items() if not path.startswith("raw/.")} == before

    # The next run, once this one's process is gone, removes them and counts their files truly.
    leftover_files = [path for name in left.values() for path in [raw / name, *(raw / name).rglob("*")] if path.is_file()]
    as_if_dead(raw, left.values())
    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    assert f"Removed {len(leftover_files)} temporary files left by an interrupted earlier run" in output
    assert sorted(name for name in os.listdir(raw) if name.startswith(".")) == []


def as_if_dead(raw: Path, names) -> None:
    """Give the temporary files and the lock of this process a dead process's ID, as a run that has exited leaves them."""
    dead = dead_process_id()
    for name in names:
        (raw / name).rename(raw / name.replace(f"-{os.getpid()}-", f"-{dead}-"))
    (raw / ".fetch-toy.lock").write_text(str(dead))


# --- The command line, with the real registry's names --------------------------------------------


def test_cli_partial_content_for_the_real_registry_entry(server, data_dir):
    server.add("ml-latest-small.zip", zip_bytes(TOY_FILES))
    server.partial = (0, 99)
    line = assert_cli_fails_in_one_line(data_dir, "--dataset", "ml-latest-small", "--mirror", server.url)
    assert "HTTP 206 Partial Content" in line and "100 of" in line


def test_cli_a_tampered_archive_is_refused_even_when_a_new_edition_is_accepted(server, data_dir):
    real = [member(path, b"data\n", stat.S_IFREG | 0o644) for path in DATASETS["ml-latest-small"].file_sha256]
    server.add("ml-latest-small.zip", hand_made_zip(*real, member("ml-latest-small/ratings.csv", TAMPERED)))
    line = assert_cli_fails_in_one_line(data_dir, "--dataset", "ml-latest-small", "--mirror", server.url, "--accept-new-edition")
    assert "'ml-latest-small/ratings.csv'" in line and "appears twice" in line and "new edition" not in line


def test_cli_a_bomb_in_place_of_ml_latest_small_is_refused_by_its_size(server, data_dir, bombs):
    server.add("ml-latest-small.zip", bombs["junk"])
    line = assert_cli_fails_in_one_line(data_dir, "--dataset", "ml-latest-small", "--mirror", server.url)
    assert f"announced {len(bombs['junk']):,} bytes (Content-Length)" in line
    assert "and an archive of this dataset is at most 2.0 MB (GroupLens's is 978.2 kB)" in line
