"""Several sources tried in order, and the network failures each one may meet, over real local servers.

Nothing here reaches the internet: every URL is on 127.0.0.1, except one host name under
``.invalid``, a top-level domain reserved never to resolve.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import ssl
import subprocess
import time
from dataclasses import replace

import pytest

from cfcourse.data.datasets import GROUPLENS_BASE_URL, HUGGING_FACE_BASE_URL, MEASURED_25M_MINUTES, get_dataset, size_note
from cfcourse.data.locations import shown_path
from cfcourse.data.sources import RATE_GRACE_SECONDS, DownloadLimits, archive_source, source_settings
from cfcourse.data.download import DownloadError, SourceError, _all_sources_failed, fetch
from cfcourse.data.editions import read_record
from download_testing import (
    TOY_FILES,
    TOY_SPEC,
    assert_fails_cleanly,
    closed_port_url,
    fetch_quietly,
    serve,
    tree,
    zip_bytes,
)


# --- The registry's editions ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "md5", "n_ratings", "archive_bytes"), [
    ("ml-1m", "c4d9eecfca2ab87c1945afe126590906", 1_000_209, None),
    ("ml-25m", "6b51fb2759a8657d3bfcbfc42b592ada", 25_000_095, 261_978_986),
    ("ml-32m", "d472be332d4daa821edc399621853b57", 32_000_204, 238_950_008),
])
def test_editions_without_pinned_files_enforce_grouplens_archive_md5(name, md5, n_ratings, archive_bytes):
    spec = get_dataset(name)
    assert spec.published_archive_checksum == ("md5", md5) and spec.archive_checksum_enforced
    assert (spec.n_ratings, spec.archive_bytes) == (n_ratings, archive_bytes)
    assert f"{n_ratings:,} ratings" in spec.description


def test_only_editions_past_a_few_million_ratings_get_a_size_note():
    assert size_note(get_dataset("ml-1m")) is None and size_note(get_dataset("ml-latest-small")) is None
    note = size_note(get_dataset("ml-25m"))
    assert note.startswith("note: ml-25m has 25,000,095 ratings: expect the whole course to take about ")
    assert "\n" not in note
    minutes_32m = round(MEASURED_25M_MINUTES * 32_000_204 / 25_000_000)
    assert f"about {minutes_32m} minutes" in size_note(get_dataset("ml-32m"))  # scaled to its own size
    assert "\n" not in note


# --- Which sources, in which order ------------------------------------------------------------


def test_without_a_mirror_grouplens_comes_first_then_the_registry_fallbacks():
    assert source_settings(get_dataset("ml-latest-small"), None) == [f"{GROUPLENS_BASE_URL}/ml-latest-small.zip"]
    assert source_settings(get_dataset("ml-1m"), None) == [f"{GROUPLENS_BASE_URL}/ml-1m.zip", f"{HUGGING_FACE_BASE_URL}/ml-1m.zip"]
    assert archive_source(f"{GROUPLENS_BASE_URL}/ml-1m.zip", "ml-1m.zip").label.startswith("GroupLens (https://")


def test_a_mirror_setting_lists_sources_separated_by_whitespace():
    assert source_settings(TOY_SPEC, " http://a/ \n ../b\tfile:///c ") == ["http://a/", "../b", "file:///c"]


@pytest.fixture
def mirror_with_spaces(server, tmp_path):
    """A mirror folder whose path has spaces in it, holding the toy archive."""
    folder = tmp_path / "my mirror  folder"
    folder.mkdir()
    shutil.copy(server.folder / "toy.zip", folder / "toy.zip")
    return folder


@pytest.mark.parametrize("form", ["alone", "alone, padded", "on a line of its own", "file URL with %20", "file URL as written, on its own line"])
def test_a_mirror_path_with_spaces_is_one_source(mirror_with_spaces, tmp_path, form):
    down = closed_port_url()
    mirror = {
        "alone": str(mirror_with_spaces),
        "alone, padded": f"  {mirror_with_spaces}\n",
        "on a line of its own": f"{down}\n{mirror_with_spaces}\n",
        "file URL with %20": f"{down} {mirror_with_spaces.as_uri()}",
        "file URL as written, on its own line": f"{down}\nfile://{mirror_with_spaces}",
    }[form]

    folder, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=mirror)

    assert (folder / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]
    assert f"from the mirror folder {shown_path(mirror_with_spaces)}" in output


def test_a_path_with_spaces_among_sources_on_one_line_gets_a_way_out(mirror_with_spaces, server, data_dir):
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "none of the 4 sources", mirror=f"{mirror_with_spaces} {server.url}/missing.zip")
    assert "a path with spaces works alone, on a line of its own, or as a file:// URL with %20 for each space" in message


# --- Falling back from one source to the next ------------------------------------------------


def test_first_source_down_second_good(server, tmp_path):
    down = closed_port_url()
    folder, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=f"{down} {server.url}", retries=3)

    assert (folder / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]
    failure_lines = [line for line in output.splitlines() if "failed" in line]
    assert failure_lines == [
        f"Source 1 of 2 failed: downloading {down}/toy.zip failed: nothing answers at {down[len('http://'):]} "
        f"(connection refused); trying the next one, {server.url}"
    ], "a refused connection is one line, not retried"
    assert server.requests == ["/toy.zip"]
    assert read_record(tmp_path / "data" / "raw", "toy").source == f"the mirror {server.url}/toy.zip"


def test_first_source_serving_a_bad_archive_second_good(tmp_path):
    bad, good = serve(tmp_path / "bad"), serve(tmp_path / "good")
    try:
        whole = zip_bytes(TOY_FILES)
        bad.add("toy.zip", whole[: len(whole) // 2])
        _, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=f"{bad.url} {good.url}")
    finally:
        bad.stop()
        good.stop()

    assert "Source 1 of 2 failed: the archive from the mirror" in output and "corrupt or truncated" in output
    assert bad.requests == good.requests == ["/toy.zip"]
    assert (tmp_path / "data" / "raw" / "toy" / "movies.csv").read_bytes() == TOY_FILES["toy/movies.csv"]
    assert not [path.name for path in (tmp_path / "data" / "raw").iterdir() if path.name.startswith(".")]


def test_all_sources_down_names_every_source_and_how_to_use_a_local_mirror(server, data_dir, tmp_path):
    down = closed_port_url()
    server.failures_left = 100
    settings = f"{down} {tmp_path / 'nowhere'} {server.url}"
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "none of the 3 sources of toy.zip worked", mirror=settings, retries=1)

    assert f"(1) downloading {down}/toy.zip failed" in message
    assert "(2) mirror folder" in message and "does not exist" in message
    assert f"(3) could not download {server.url}/toy.zip after 2 attempt(s), the last one: HTTP 500" in message
    assert message.endswith(
        "check --mirror / MOVIELENS_MIRROR (folders, archive files, file:// or http(s):// URLs, separated by spaces or one per line; "
        "a path with spaces works alone, on a line of its own, or as a file:// URL with %20 for each space)"
    )


def test_without_a_mirror_the_final_error_says_how_to_work_offline():
    # The default sources are on the internet, which tests never reach, so the message is built directly.
    failures = [SourceError("first failed"), SourceError("second failed")]
    message = _all_sources_failed(get_dataset("ml-1m"), failures, mirror_given=False)

    assert message.startswith("none of the 2 sources of ml-1m.zip worked: (1) first failed; (2) second failed;")
    assert "to work offline, put ml-1m.zip in a folder and point MOVIELENS_MIRROR" in message


@pytest.mark.parametrize("form", ["path", "file URL", "http URL"])
def test_a_mirror_may_name_the_archive_file_itself(server, tmp_path, form):
    archive = server.folder / "renamed-copy.zip"
    archive.write_bytes((server.folder / "toy.zip").read_bytes())
    mirror = {"path": str(archive), "file URL": archive.as_uri(), "http URL": f"{server.url}/renamed-copy.zip"}[form]

    folder, output = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=mirror)

    assert (folder / "ratings.csv").is_file()
    assert "renamed-copy.zip" in output


# --- Failures that are not worth retrying, and one that is slow ------------------------------


def test_an_unresolvable_host_is_not_retried_and_blames_name_resolution(data_dir):
    out = io.StringIO()
    with pytest.raises(DownloadError, match="cannot resolve the host name nowhere.invalid") as failure:
        fetch(TOY_SPEC, data_dir, mirror="http://nowhere.invalid/movielens", retries=3, backoff=0.01, progress=False, out=out)

    assert "Attempt" not in out.getvalue(), "name resolution failures are not retried"
    assert "--timeout" not in str(failure.value)
    assert sorted(tree(data_dir)) == ["raw", "raw/other", "raw/other/keep.txt"]


def test_a_download_slower_than_the_minimum_rate_stops_at_its_deadline(server, data_dir):
    server.trickle = (20, 0.2)  # every read gets data well within the timeout, yet the whole would take ~5 s
    started = time.monotonic()
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "was too slow", mirror=server.url, timeout=0.5, minimum_rate=1000, retries=2)

    assert time.monotonic() - started < 3
    assert server.requests == ["/toy.zip"], "a source past its deadline is not retried"
    assert "below the minimum of 1.0 kB/s" in message and "--minimum-rate" in message


def test_a_download_at_three_fifths_of_the_minimum_rate_stops_once_its_grace_period_is_over(server, data_dir):
    # 480 B/s against a minimum of 800 B/s: the 371-byte archive would take 0.8 s, within the former
    # deadline of timeout + size / minimum rate (about 1 s), but its average is judged after 0.5 s.
    server.trickle = (48, 0.1)
    started = time.monotonic()
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "was too slow", mirror=server.url, timeout=0.5, minimum_rate=800)

    assert time.monotonic() - started < 0.75, "stopped soon after the grace period, before the end of the download"
    assert "bytes/s on average, below the minimum of 800 bytes/s" in message


def test_a_download_at_twice_the_minimum_rate_is_not_stopped(server, tmp_path):
    server.trickle = (40, 0.05)  # 800 B/s against a minimum of 400 B/s, judged from 0.25 s on
    folder, _ = fetch_quietly(TOY_SPEC, tmp_path / "data", mirror=server.url, timeout=0.25, minimum_rate=400)
    assert (folder / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]


def test_the_average_rate_is_judged_only_after_the_grace_period():
    limits = DownloadLimits(timeout=30, minimum_rate=50_000)
    assert limits.grace_seconds == RATE_GRACE_SECONDS == 5
    assert not limits.too_slow(received=0, seconds=4.9), "the first seconds of a connection are slow anyway"
    assert limits.too_slow(received=30_000 * 6, seconds=6), "30 kB/s on average is below 50 kB/s"
    assert not limits.too_slow(received=50_000 * 6, seconds=6)
    assert DownloadLimits(timeout=2, minimum_rate=1).grace_seconds == 2


@pytest.fixture(scope="module")
def self_signed_tls(tmp_path_factory) -> ssl.SSLContext:
    """A server-side TLS context with a certificate no one signed, as a lapsed or forged one looks to a client."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


def test_a_certificate_that_fails_verification_gets_its_own_message_and_is_never_bypassed(self_signed_tls, data_dir, tmp_path):
    https_server = serve(tmp_path / "tls-served", tls=self_signed_tls)
    try:
        message = assert_fails_cleanly(TOY_SPEC, data_dir, "TLS certificate of 127.0.0.1", mirror=https_server.url, retries=3, backoff=5)
    finally:
        https_server.stop()

    assert "never turns verification off" in message
    assert https_server.requests == [], "no request is sent over a connection that failed verification"


# --- A checksum of the whole archive, where files are not pinned -----------------------------

ARCHIVE_ONLY_SPEC = replace(TOY_SPEC, file_sha256={})


def test_an_archive_checksum_is_enforced_where_no_file_is_pinned(server, data_dir):
    spec = replace(ARCHIVE_ONLY_SPEC, published_archive_checksum=("md5", "0" * 32))
    message = assert_fails_cleanly(spec, data_dir, "not the 0{32} GroupLens published", mirror=server.url)
    assert message.endswith("expect results that differ from the course's stored outputs"), "no advice to check a mirror that works"


def test_a_matching_archive_checksum_is_the_published_edition_and_its_file_hashes_are_printed(server, tmp_path):
    archive_md5 = hashlib.md5((server.folder / "toy.zip").read_bytes()).hexdigest()
    spec = replace(ARCHIVE_ONLY_SPEC, published_archive_checksum=("md5", archive_md5))

    _, output = fetch_quietly(spec, tmp_path / "data", mirror=server.url)

    assert "matches the one GroupLens published" in output
    for path, content in TOY_FILES.items():
        assert f"{hashlib.sha256(content).hexdigest()}  {path}" in output
    assert "sha256 of the extracted files, as recorded beside them in .edition.json:" in output
    assert "cfcourse/" not in output, "lesson 00 prints this to a learner: no maintainer's instruction"
    assert read_record(tmp_path / "data" / "raw", "toy").edition == "published"


def test_accepting_an_archive_with_another_checksum_records_an_accepted_edition(server, tmp_path):
    spec = replace(ARCHIVE_ONLY_SPEC, published_archive_checksum=("md5", "0" * 32))
    _, output = fetch_quietly(spec, tmp_path / "data", mirror=server.url, accept_new_edition=True)

    assert "using it anyway because the new edition was accepted" in output
    record = read_record(tmp_path / "data" / "raw", "toy")
    assert record.edition.startswith("accepted-") and len(record.edition) == len("accepted-") + 12
    assert record.files == {path: hashlib.sha256(content).hexdigest() for path, content in TOY_FILES.items()}
