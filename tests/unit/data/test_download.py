"""Tests of cfcourse.data.download against a real HTTP server on 127.0.0.1 and real zip archives.

Every failure case also checks that the data folder is exactly as it was before the call.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import sys
import time
from dataclasses import replace

import pytest

from cfcourse.data import download, sources
from cfcourse.data.datasets import CITATION, DATASETS, LICENCE_NOTICE, UnknownDatasetError, get_dataset
from cfcourse.data.download import DownloadError, fetch, fetch_dataset, main
from cfcourse.data.editions import read_record
from cfcourse.paths import REPOSITORY_ROOT, shown_path
from course_testing import MIRROR_FOLDER
from download_testing import (
    TOY_FILES,
    TOY_SPEC,
    assert_cli_fails_in_one_line,
    assert_fails_cleanly,
    closed_port_url,
    fetch_quietly,
    run_cli,
    sha256,
    tree,
    zip_bytes,
)

# --- Fetching over HTTP ----------------------------------------------------------------------


def test_fetch_over_http_verifies_the_files_and_prints_the_licence(server, tmp_path):
    data_dir = tmp_path / "new-data"
    folder, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert folder == data_dir / "raw" / "toy"
    snapshot = tree(data_dir)
    assert snapshot.pop("raw/toy/.edition.json")
    assert snapshot == {
        "raw": "dir",
        "raw/toy": "dir",
        **{f"raw/{path}": sha256(content) for path, content in TOY_FILES.items()},
    }
    assert f"{server.url}/toy.zip" in output
    assert LICENCE_NOTICE in output and CITATION in output


def test_a_second_fetch_uses_the_verified_copy(server, data_dir):
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert server.requests == ["/toy.zip"]
    assert "already present and verified" in output
    assert LICENCE_NOTICE not in output


def test_an_unverified_copy_is_replaced(server, data_dir):
    (data_dir / "raw" / "toy").mkdir()
    (data_dir / "raw" / "toy" / "ratings.csv").write_bytes(b"damaged")

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert "fetching it again" in output
    assert (data_dir / "raw" / "toy" / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]
    assert sorted(tree(data_dir)) == [
        "raw", "raw/other", "raw/other/keep.txt", "raw/toy", "raw/toy/.edition.json", "raw/toy/movies.csv", "raw/toy/ratings.csv",
    ]


@pytest.mark.parametrize(("damage", "summary"), [
    ({"toy/ratings.csv": b"damaged"}, "(toy/ratings.csv changed); fetching it again."),
    ({"toy/ratings.csv": b"damaged", "toy/movies.csv": None}, "(toy/movies.csv is missing, and 1 more file changed or missing); fetching it again."),
])
def test_damage_to_a_recorded_copy_is_counted_exactly(server, data_dir, damage, summary):
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    for path, content in damage.items():
        file = data_dir / "raw" / path
        file.unlink() if content is None else file.write_bytes(content)

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert summary in output
    assert (data_dir / "raw" / "toy" / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]


@pytest.mark.parametrize("recorded", [True, False])
def test_a_repair_keeps_the_learners_own_files_and_says_so(server, data_dir, recorded):
    dataset = data_dir / "raw" / "toy"
    if recorded:
        fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    else:
        dataset.mkdir()  # put there by hand, before the course recorded editions
    (dataset / "my notes.txt").write_text("mine")
    (dataset / "outputs").mkdir()
    (dataset / "outputs" / "plot.png").write_bytes(b"png")
    (dataset / "ratings.csv").write_bytes(b"damaged")

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert (dataset / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]
    assert (dataset / "my notes.txt").read_text() == "mine" and (dataset / "outputs" / "plot.png").read_bytes() == b"png"
    kept = [line for line in output.splitlines() if line.startswith("Kept")]
    assert kept == [f"Kept 2 files of your own in {shown_path(dataset)}, not part of the archive: my notes.txt, outputs/plot.png."]
    assert read_record(data_dir / "raw", "toy").files.keys() == TOY_FILES.keys(), "the learner's files are not the edition's"
    assert not [path.name for path in (data_dir / "raw").iterdir() if path.name.startswith(".")]


def test_a_failed_repair_leaves_the_learners_own_files_too(server, data_dir):
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    (data_dir / "raw" / "toy" / "mine.txt").write_text("mine")
    (data_dir / "raw" / "toy" / "ratings.csv").write_bytes(b"damaged")
    server.add("toy.zip", b"not a zip archive")
    assert_fails_cleanly(TOY_SPEC, data_dir, "corrupt or truncated", mirror=server.url)


def test_http_404_fails_at_once_naming_the_url_and_status(server, data_dir):
    spec = replace(TOY_SPEC, archive="missing.zip")
    started = time.monotonic()
    message = assert_fails_cleanly(spec, data_dir, "HTTP 404", mirror=server.url, retries=3, backoff=5)

    assert time.monotonic() - started < 2, "a 404 must not be retried"
    assert server.requests == ["/missing.zip"]
    assert f"{server.url}/missing.zip" in message


def test_http_500_is_retried_until_it_succeeds(server, tmp_path):
    server.failures_left = 2
    _, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=server.url, retries=3)

    assert len(server.requests) == 3
    assert "Attempt 1 of 4 failed (HTTP 500" in output
    assert (tmp_path / "data" / "raw" / "toy" / "ratings.csv").is_file()


def test_http_500_every_time_gives_up_after_the_retries(server, tmp_path):
    server.failures_left = 100
    message = assert_fails_cleanly(TOY_SPEC, tmp_path / "data", "after 3 attempt", mirror=server.url, retries=2)

    assert len(server.requests) == 3
    assert "HTTP 500" in message


def test_a_stalled_server_times_out_with_a_clear_message(server, data_dir):
    server.delay = 10
    started = time.monotonic()
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "no answer within 0.5 s", mirror=server.url, timeout=0.5, retries=1)

    assert time.monotonic() - started < 3
    assert len(server.requests) == 2
    assert "--timeout" in message


def test_a_connection_closed_early_is_retried_then_reported(server, tmp_path):
    server.hang_up_halfway = True
    size = len((server.folder / "toy.zip").read_bytes())
    message = assert_fails_cleanly(TOY_SPEC, tmp_path / "data", "after 2 attempt", mirror=server.url, retries=1)

    assert len(server.requests) == 2
    assert f"the server sent {size // 2:,} of the {size:,} bytes its Content-Length announced" in message
    assert "timeout" not in message, "no timeout happened: the server hung up"


# --- Bad archives ----------------------------------------------------------------------------


def test_a_truncated_archive_is_reported_as_corrupt(server, tmp_path):
    whole = zip_bytes(TOY_FILES)
    server.add("toy.zip", whole[: len(whole) // 2])
    assert_fails_cleanly(TOY_SPEC, tmp_path / "data", "corrupt or truncated", mirror=server.url)


def test_an_archive_with_a_damaged_member_is_reported_as_corrupt(server, data_dir):
    archive = bytearray(zip_bytes({name: content * 50 for name, content in TOY_FILES.items()}))
    # Flip bytes in the middle of the first member's compressed data: the central directory stays readable.
    archive[60:70] = bytes(byte ^ 0xFF for byte in archive[60:70])
    server.add("toy.zip", bytes(archive))
    assert_fails_cleanly(TOY_SPEC, data_dir, "corrupt or truncated", mirror=server.url)


@pytest.mark.parametrize("unsafe_name", ["../evil.csv", "toy/../../evil.csv", "/etc/evil", "C:/evil.csv", "..\\evil.csv"])
def test_an_unsafe_member_name_refuses_the_whole_archive(server, data_dir, unsafe_name):
    server.add("toy.zip", zip_bytes({**TOY_FILES, unsafe_name: b"evil"}))
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "would be written outside the data folder", mirror=server.url)

    assert repr(unsafe_name) in message
    assert not (data_dir.parent / "evil.csv").exists()


HTML_PAGE = b"\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Please sign in.</body></html>\n"


@pytest.mark.parametrize("where", ["http", "mirror folder"])
def test_an_html_page_instead_of_the_archive_is_named_as_such(server, data_dir, where):
    server.add("toy.zip", HTML_PAGE)  # what a server answering 200 with an error or sign-in page sends
    mirror = server.url if where == "http" else str(server.folder)
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "is an HTML page .*, not a zip archive", mirror=mirror)

    assert "not a zip archive; nothing was changed: check the URL / mirror" in message
    assert "run again" not in message
    assert "%20" not in message, "how to write a path with spaces only follows a source that names nothing usable"


def test_a_gzip_encoded_body_is_named_and_not_retried(server, data_dir):
    server.headers["Content-Encoding"] = "gzip"
    server.add("toy.zip", gzip.compress(zip_bytes(TOY_FILES)))
    message = assert_fails_cleanly(TOY_SPEC, data_dir, r"the server sent the archive compressed \(Content-Encoding: gzip\)",
                                   mirror=server.url, retries=2)

    assert server.requests == ["/toy.zip"], "the same server compresses it again"
    assert "turn that compression off" in message and "run again" not in message


def test_a_gzip_file_in_place_of_the_archive_is_named_as_such(server, data_dir):
    server.add("toy.zip", gzip.compress(zip_bytes(TOY_FILES)))
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "is gzip-compressed data .*, not a zip archive", mirror=str(server.folder))
    assert "run again" not in message


@pytest.mark.parametrize("extra", [["toy/evil.sh"], ["toy/.hidden", "toy/bin/a.sh", "toy/bin/b.sh", "toy/c.sh"]])
def test_an_archive_with_files_the_published_one_lacks_is_refused(server, data_dir, extra):
    server.add("toy.zip", zip_bytes({**TOY_FILES, **{path: b"#!/bin/sh\necho evil\n" for path in extra}}))
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "the published toy archive does not", mirror=server.url)

    listing = "toy/evil.sh" if len(extra) == 1 else "toy/.hidden, toy/bin/a.sh, toy/bin/b.sh, and 1 more"
    count = "1 file" if len(extra) == 1 else "4 files"
    assert f"holds {count} the published toy archive does not ({listing}), so it is not the published archive" in message
    assert f"if GroupLens really added {'it' if len(extra) == 1 else 'them'}" in message


def test_files_the_published_archive_lacks_are_kept_only_as_an_accepted_edition(server, data_dir):
    server.add("toy.zip", zip_bytes({**TOY_FILES, "toy/evil.sh": b"echo evil\n"}))
    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)

    assert "warning: the archive holds 1 file the published toy archive does not (toy/evil.sh); keeping it" in output
    assert read_record(data_dir / "raw", "toy").edition.startswith("accepted-")
    assert (data_dir / "raw" / "toy" / "evil.sh").is_file()


def test_an_archive_missing_a_data_file_is_refused(server, data_dir):
    server.add("toy.zip", zip_bytes({"toy/ratings.csv": TOY_FILES["toy/ratings.csv"]}))
    assert_fails_cleanly(TOY_SPEC, data_dir, "lacks toy/movies.csv", mirror=server.url)


# --- New editions ----------------------------------------------------------------------------

NEW_RATINGS = b"userId,movieId,rating,timestamp\n1,1,2.0,1700000000\n"


def test_a_checksum_mismatch_names_the_file_both_hashes_and_the_flag(server, data_dir):
    server.add("toy.zip", zip_bytes({**TOY_FILES, "toy/ratings.csv": NEW_RATINGS}))
    # An older unverified copy must survive the failed attempt to replace it.
    (data_dir / "raw" / "toy").mkdir()
    (data_dir / "raw" / "toy" / "ratings.csv").write_bytes(b"old")

    message = assert_fails_cleanly(TOY_SPEC, data_dir, "toy/ratings.csv", mirror=server.url)

    assert TOY_SPEC.file_sha256["toy/ratings.csv"] in message
    assert sha256(NEW_RATINGS) in message
    assert "--accept-new-edition" in message and "accept_new_edition=True" in message


def with_crlf(content: bytes) -> bytes:
    return content.replace(b"\n", b"\r\n")


@pytest.mark.parametrize("published", ["LF", "CRLF"])
def test_a_mirror_that_re_encoded_line_endings_is_named_not_grouplens(server, data_dir, published):
    """ml-latest-small's CSV files are published with CRLF, its README with LF: a mirror may turn either way."""
    published_files = TOY_FILES if published == "LF" else {path: with_crlf(content) for path, content in TOY_FILES.items()}
    served_files = {path: with_crlf(content) for path, content in TOY_FILES.items()} if published == "LF" else TOY_FILES
    spec = replace(TOY_SPEC, file_sha256={path: sha256(content) for path, content in published_files.items()})
    server.add("toy.zip", zip_bytes(served_files))

    message = assert_fails_cleanly(spec, data_dir, "line endings", mirror=server.url)

    served = "CRLF" if published == "LF" else "LF"
    assert f"toy/ratings.csv from the mirror {server.url}/toy.zip has {served} line endings where the published file has {published}" in message
    assert "(and 1 more file likewise): the mirror re-encoded its line endings" in message
    assert "GroupLens" not in message and "--accept-new-edition" not in message


def test_line_ending_variants_are_hashed_across_chunk_boundaries(tmp_path):
    content = b"x" * ((1 << 20) - 1) + b"\r\n" + b"y\n" * 10 + b"z\r"  # a CRLF split between two chunks
    (tmp_path / "file").write_bytes(content)
    as_lf, as_crlf = download.line_ending_variants_sha256(tmp_path / "file")
    assert as_lf == sha256(content.replace(b"\r\n", b"\n"))
    assert as_crlf == sha256(content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def test_accepting_a_new_edition_proceeds_with_a_warning_and_keeps_it(server, data_dir):
    server.add("toy.zip", zip_bytes({**TOY_FILES, "toy/ratings.csv": NEW_RATINGS}))

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)
    assert "warning: toy/ratings.csv" in output
    assert (data_dir / "raw" / "toy" / "ratings.csv").read_bytes() == NEW_RATINGS

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)
    assert server.requests == ["/toy.zip"], "an accepted edition is not fetched again"
    assert "keeping it" in output


@pytest.mark.parametrize("matches", [True, False])
def test_the_published_archive_checksum_is_reported_but_not_enforced(server, tmp_path, matches):
    archive_md5 = hashlib.md5((server.folder / "toy.zip").read_bytes()).hexdigest()
    spec = replace(TOY_SPEC, published_archive_checksum=("md5", archive_md5 if matches else "0" * 32))

    _, output = fetch_quietly(spec, tmp_path / "data", mirror=server.url)

    expected = "matches the one GroupLens published" if matches else "its data files are the published ones, so it was re-zipped"
    assert expected in output
    assert output.index("Verified the sha256") < output.index("The archive's md5"), "a re-zip is named once its files are known"
    assert (tmp_path / "data" / "raw" / "toy" / "movies.csv").is_file()


def test_an_archive_checksum_mismatch_is_not_called_a_re_zip_before_the_zip_is_opened(server, data_dir):
    whole = zip_bytes(TOY_FILES)
    server.add("toy.zip", whole[: len(whole) // 2])
    spec = replace(TOY_SPEC, published_archive_checksum=("md5", "0" * 32))
    out = io.StringIO()
    with pytest.raises(DownloadError, match="corrupt or truncated"):
        fetch(spec, data_dir, mirror=server.url, retries=0, progress=False, out=out)
    assert "re-zip" not in out.getvalue() and "md5" not in out.getvalue()


# --- Mirrors as folders ----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["absolute path", "relative path", "file URL"])
def test_a_mirror_folder_is_copied_from(server, tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)
    mirror = {"absolute path": str(server.folder), "relative path": "served", "file URL": server.folder.as_uri()}[form]

    _, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=mirror)

    assert f"the mirror folder {shown_path(server.folder)}" in output
    assert (tmp_path / "data" / "raw" / "toy" / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]
    assert server.requests == []


def test_a_relative_mirror_folder_is_also_looked_up_from_the_repository(tmp_path, monkeypatch):
    """Lessons run in notebooks/, but learners name the mirror from the repository's root."""
    relative_mirror = os.path.relpath(MIRROR_FOLDER, REPOSITORY_ROOT)
    if not (MIRROR_FOLDER / "ml-100k.zip").is_file():
        pytest.skip(f"no MovieLens mirror at {relative_mirror} beside the repository")
    monkeypatch.chdir(tmp_path)

    raw = fetch(get_dataset("ml-100k"), tmp_path / "data", mirror=relative_mirror, out=io.StringIO())

    assert (raw / "u.data").is_file()


def test_a_mirror_folder_without_the_archive_names_the_path(server, data_dir):
    spec = replace(TOY_SPEC, archive="missing.zip")
    message = assert_fails_cleanly(spec, data_dir, "has no missing.zip", mirror=str(server.folder))
    assert shown_path(server.folder / "missing.zip") in message


def test_a_mirror_folder_that_does_not_exist_is_reported(tmp_path, data_dir):
    assert_fails_cleanly(TOY_SPEC, data_dir, "does not exist", mirror=str(tmp_path / "nowhere"))


def test_ctrl_c_leaves_the_data_folder_as_it_was(server, data_dir):
    class InterruptAfterVerifying(io.StringIO):
        """Output that presses Ctrl-C once the files are verified, just before they move into place."""

        def write(self, text):
            if text.startswith("Verified"):
                raise KeyboardInterrupt
            return super().write(text)

    before = tree(data_dir)
    with pytest.raises(KeyboardInterrupt):
        fetch(TOY_SPEC, data_dir, mirror=server.url, progress=False, out=InterruptAfterVerifying())
    assert tree(data_dir) == before


# --- fetch_dataset ---------------------------------------------------------------------------


@pytest.fixture
def toy_in_registry(monkeypatch):
    monkeypatch.setitem(DATASETS, "toy", TOY_SPEC)


def test_fetch_dataset_uses_the_mirror_variable(server, tmp_path, monkeypatch, toy_in_registry):
    monkeypatch.setenv(download.MIRROR_VARIABLE, server.url)
    folder = fetch_dataset("toy", tmp_path / "data", out=io.StringIO())

    assert folder == tmp_path / "data" / "raw" / "toy"
    assert server.requests == ["/toy.zip"]


def test_an_explicit_mirror_overrides_the_variable(server, tmp_path, monkeypatch, toy_in_registry):
    monkeypatch.setenv(download.MIRROR_VARIABLE, str(tmp_path / "nowhere"))
    fetch_dataset("toy", tmp_path / "data", mirror=server.url, out=io.StringIO())
    assert server.requests == ["/toy.zip"]


@pytest.mark.parametrize("blank", ["", " ", " \n\t"])
def test_a_blank_mirror_argument_leaves_the_variable_in_force(server, tmp_path, monkeypatch, toy_in_registry, blank):
    monkeypatch.setenv(download.MIRROR_VARIABLE, server.url)
    fetch_dataset("toy", tmp_path / "data", mirror=blank, out=io.StringIO())
    assert server.requests == ["/toy.zip"]


def test_cli_a_blank_mirror_option_leaves_the_variable_in_force(server, tmp_path, monkeypatch, capsys, toy_in_registry):
    monkeypatch.setenv(download.MIRROR_VARIABLE, server.url)
    assert main(["--dataset", "toy", "--data-dir", str(tmp_path / "data"), "--mirror", " "]) == 0
    assert server.requests == ["/toy.zip"]


@pytest.mark.parametrize("where", ["variable", "argument"])
def test_a_blank_mirror_counts_as_not_set_and_the_error_says_so(tmp_path, monkeypatch, toy_in_registry, where):
    # The default source, GroupLens, stands in as a closed port here: tests never reach the internet.
    monkeypatch.setattr(sources, "GROUPLENS_BASE_URL", closed_port_url())
    monkeypatch.setenv(download.MIRROR_VARIABLE, " " if where == "variable" else "")
    before = tree(tmp_path)
    with pytest.raises(DownloadError) as failure:
        fetch_dataset("toy", tmp_path / "data", mirror=" " if where == "argument" else None, retries=0, out=io.StringIO())

    message = str(failure.value)
    assert "nothing answers at" in message and "\n" not in message
    assert "; --mirror / MOVIELENS_MIRROR is blank, which counts as not set; to work offline, put toy.zip in a folder" in message
    assert tree(tmp_path) == before


def test_fetch_dataset_defaults_to_the_course_data_folder(server, tmp_path, monkeypatch, toy_in_registry):
    monkeypatch.setenv("CFCOURSE_DATA_DIR", str(tmp_path / "elsewhere"))
    fetch_dataset("toy", mirror=server.url, out=io.StringIO())
    assert (tmp_path / "elsewhere" / "raw" / "toy" / "ratings.csv").is_file()


def test_fetch_dataset_refuses_an_unknown_name(tmp_path):
    with pytest.raises(UnknownDatasetError, match="unknown dataset 'nope'"):
        fetch_dataset("nope", tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_fetch_dataset_generates_the_synthetic_dataset_once(tmp_path):
    out = io.StringIO()
    folder = fetch_dataset("synthetic", tmp_path / "data", out=out)
    assert sorted(path.name for path in folder.iterdir()) == ["movies.csv", "ratings.csv"]
    assert sorted(tree(tmp_path / "data")) == ["raw", "raw/synthetic", "raw/synthetic/movies.csv", "raw/synthetic/ratings.csv"]

    written = (folder / "ratings.csv").stat().st_mtime_ns
    fetch_dataset("synthetic", tmp_path / "data", out=out)
    assert (folder / "ratings.csv").stat().st_mtime_ns == written
    assert "already present" in out.getvalue()


def test_main_reports_ctrl_c_in_one_line(server, data_dir, monkeypatch, capsys, toy_in_registry):
    class InterruptingOutput(io.StringIO):
        def write(self, text):
            raise KeyboardInterrupt

    before = tree(data_dir)
    monkeypatch.setattr(sys, "stdout", InterruptingOutput())
    assert main(["--dataset", "toy", "--data-dir", str(data_dir), "--mirror", server.url]) == 130
    assert capsys.readouterr().err.startswith("interrupted:")
    assert tree(data_dir) == before


# --- The command line, as a learner runs it --------------------------------------------------


def test_cli_unknown_dataset(data_dir):
    line = assert_cli_fails_in_one_line(data_dir, "--dataset", "nope")
    assert "unknown dataset 'nope'" in line


@pytest.mark.parametrize(
    "arguments", [["--timeout", "-1"], ["--timeout", "soon"], ["--retries", "-2"], ["--minimum-rate", "0"], ["--colour"]]
)
def test_cli_bad_arguments(data_dir, arguments):
    assert_cli_fails_in_one_line(data_dir, *arguments)


def test_cli_http_404(server, data_dir):
    line = assert_cli_fails_in_one_line(data_dir, "--dataset", "ml-latest-small", "--mirror", server.url)
    assert "HTTP 404" in line and "ml-latest-small.zip" in line


def test_cli_checksum_mismatch_of_the_real_registry_entry(server, data_dir):
    impostor = {path: b"not the real data\n" for path in DATASETS["ml-latest-small"].file_sha256}
    server.add("ml-latest-small.zip", zip_bytes(impostor))

    line = assert_cli_fails_in_one_line(data_dir, "--dataset", "ml-latest-small", "--mirror", server.url)
    assert "--accept-new-edition" in line and sha256(b"not the real data\n") in line


@pytest.mark.skipif(not MIRROR_FOLDER.is_dir(), reason=f"no local MovieLens mirror at {MIRROR_FOLDER}")
def test_cli_fetches_ml_latest_small_from_the_shared_mirror(tmp_path):
    data_dir = tmp_path / "data"
    first = run_cli("--dataset", "ml-latest-small", "--data-dir", str(data_dir), "--mirror", str(MIRROR_FOLDER))
    assert first.returncode == 0, first.stderr
    assert (data_dir / "raw" / "ml-latest-small" / "ratings.csv").is_file()
    assert "GroupLens Research" in first.stdout

    second = run_cli("--dataset", "ml-latest-small", "--data-dir", str(data_dir), "--mirror", str(MIRROR_FOLDER))
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout


@pytest.mark.skipif(not MIRROR_FOLDER.is_dir(), reason=f"no local MovieLens mirror at {MIRROR_FOLDER}")
def test_cli_takes_a_quoted_mirror_path_with_spaces_whole(tmp_path):
    mirror = tmp_path / "My Drive" / "movie lens"
    mirror.parent.mkdir()
    mirror.symlink_to(MIRROR_FOLDER)
    result = run_cli("--dataset", "ml-latest-small", "--data-dir", str(tmp_path / "data"), "--mirror", str(mirror))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "raw" / "ml-latest-small" / "ratings.csv").is_file()


def test_cli_help_says_how_to_give_a_mirror_path_with_spaces():
    help_text = " ".join(run_cli("--help").stdout.split())
    assert "separated by spaces or one per line" in help_text
    assert 'a path with spaces works alone (--mirror "/media/My Drive/movielens")' in help_text
    assert "as a file:// URL with %20 for each space" in help_text
    assert "A blank --mirror or $MOVIELENS_MIRROR counts as not given." in help_text
