"""Editions remembered beside the data: an accepted edition is kept, named and still checked for damage."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest

from cfcourse.data.datasets import DATASETS
from cfcourse.data.download import fetch_dataset
from cfcourse.data.editions import RECORD_NAME, accepted_edition_name, data_edition, read_record
from cfcourse.paths import REPOSITORY_ROOT
from download_testing import (
    TOY_FILES,
    TOY_SPEC,
    assert_fails_cleanly,
    fetch_quietly,
    sha256,
    zip_bytes,
)
from course_testing import outside_make

NEW_RATINGS = b"userId,movieId,rating,timestamp\n1,1,2.0,1700000000\n"
NEW_EDITION = {**TOY_FILES, "toy/ratings.csv": NEW_RATINGS}


@pytest.fixture
def toy_in_registry(monkeypatch):
    monkeypatch.setitem(DATASETS, "toy", TOY_SPEC)


def test_the_published_edition_is_recorded(server, data_dir, toy_in_registry):
    assert data_edition("toy", data_dir) is None
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert data_edition("toy", data_dir) == "published"
    record = json.loads((data_dir / "raw" / "toy" / RECORD_NAME).read_text())
    assert record["files"] == {path: sha256(content) for path, content in TOY_FILES.items()}
    assert record["source"] == f"the mirror {server.url}/toy.zip"


def test_an_accepted_edition_is_recorded_under_a_name_made_from_its_hashes(server, data_dir, toy_in_registry):
    server.add("toy.zip", zip_bytes(NEW_EDITION))
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)

    expected = accepted_edition_name({path: sha256(content) for path, content in NEW_EDITION.items()})
    assert data_edition("toy", data_dir) == expected
    assert expected != accepted_edition_name({path: sha256(content) for path, content in TOY_FILES.items()})


def test_an_accepted_edition_is_kept_without_the_flag_and_never_fetched_over(server, data_dir):
    server.add("toy.zip", zip_bytes(NEW_EDITION))
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)
    server.add("toy.zip", zip_bytes(TOY_FILES))  # the source now serves the course's edition again

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert server.requests == ["/toy.zip"]
    assert (data_dir / "raw" / "toy" / "ratings.csv").read_bytes() == NEW_RATINGS
    lines = [line for line in output.splitlines() if line]
    assert len(lines) == 1 and "accepted earlier instead of the course's; keeping it" in lines[0]


def test_damage_to_an_accepted_edition_is_caught_and_the_data_fetched_again(server, data_dir):
    server.add("toy.zip", zip_bytes(NEW_EDITION))
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)
    (data_dir / "raw" / "toy" / "movies.csv").write_bytes(b"damaged on disk")

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)

    assert "no longer matches the accepted-" in output and "toy/movies.csv changed" in output
    assert server.requests == ["/toy.zip", "/toy.zip"]
    assert (data_dir / "raw" / "toy" / "movies.csv").read_bytes() == TOY_FILES["toy/movies.csv"]


def test_damage_to_an_accepted_edition_without_the_flag_is_not_papered_over(server, data_dir):
    server.add("toy.zip", zip_bytes(NEW_EDITION))
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url, accept_new_edition=True)
    (data_dir / "raw" / "toy" / "movies.csv").write_bytes(b"damaged on disk")

    # The source still serves the new edition, which this run did not accept: it stops, the damaged copy stays.
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "toy/ratings.csv from the mirror", mirror=server.url)
    assert "--accept-new-edition" in message


def test_a_download_from_before_editions_were_recorded_gets_a_record(server, data_dir, toy_in_registry):
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    (data_dir / "raw" / "toy" / RECORD_NAME).unlink()

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert "already present and verified" in output
    assert data_edition("toy", data_dir) == "published"
    assert server.requests == ["/toy.zip"]


def test_a_damaged_record_counts_as_no_record(server, data_dir, toy_in_registry):
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    (data_dir / "raw" / "toy" / RECORD_NAME).write_text("{not json")

    assert read_record(data_dir / "raw", "toy") is None
    assert data_edition("toy", data_dir) is None


def test_the_synthetic_dataset_is_generated(tmp_path):
    assert data_edition("synthetic", tmp_path) is None
    fetch_dataset("synthetic", tmp_path, out=io.StringIO())
    assert data_edition("synthetic", tmp_path) == "generated"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("setting", "passed"), [("1", True), ("", False), ("0", False)])
def test_make_passes_accept_new_edition_to_the_course_and_the_download(setting, passed):
    for target in ("run-all", "download"):
        commands = subprocess.run(["make", "--no-print-directory", "-n", target, f"ACCEPT_NEW_EDITION={setting}"],
                                  cwd=REPOSITORY_ROOT, env=outside_make(), capture_output=True, text=True,
                                  check=True).stdout
        last = commands.strip().splitlines()[-1]
        assert ("--accept-new-edition" in last) == passed, last
