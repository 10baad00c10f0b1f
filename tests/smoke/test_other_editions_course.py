"""The whole course on editions the course was not measured on, fetched as a learner would fetch them.

- ml-1m: a small synthetic archive in ml-1m's ``dat`` format, served by a real HTTP server on
  127.0.0.1. Its MD5 is not the one GroupLens published, so it goes through ``--accept-new-edition``.
- ml-latest-small: an altered edition (other ratings, same layout) in a local mirror folder, accepted
  the same way; a later run of lesson 00 without the switch must keep it, not download over it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cfcourse.course import LESSONS
from cfcourse.data.editions import data_edition
from cfcourse.paths import REPOSITORY_ROOT, course_paths
from cfcourse.data.synthetic import synthetic_ratings
from course_testing import RUN_COURSE, MIRROR_FOLDER, outputs_of, run_lesson
from download_testing import serve

pytestmark = pytest.mark.smoke

#: Tiny lesson parameters make an experiment, kept apart as this run (see cfcourse.paths).
TINY_RUN = "tiny"
TINY_PARAMETERS = ["-p", "epochs=1", "-p", "n_factors=4", "-p", "batch_size=512", "-p", "min_ratings=5", "-p", f"run={TINY_RUN}"]


def most_rated_title(ratings, movies) -> str:
    most_rated = ratings.movieId.value_counts().index[0]
    return movies.loc[movies.movieId == most_rated, "title"].iloc[0]


def write_zip(path: Path, members: dict[str, str], encoding: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode(encoding))


def ml_1m_archive(path: Path) -> tuple[int, str]:
    """Synthetic ratings written as ml-1m writes them (``::``-separated, whole stars, latin-1); returns
    the number of ratings and the most rated title."""
    ratings, movies = synthetic_ratings(seed=1)
    ratings["rating"] = ratings.rating.round().clip(1, 5).astype(int)
    write_zip(path, {
        "ml-1m/ratings.dat": "".join(f"{r.userId}::{r.movieId}::{r.rating}::{r.timestamp}\n" for r in ratings.itertuples()),
        "ml-1m/movies.dat": "".join(f"{m.movieId}::{m.title}::{m.genres}\n" for m in movies.itertuples()),
        "ml-1m/users.dat": "".join(f"{user}::F::25::0::55455\n" for user in sorted(ratings.userId.unique())),
        "ml-1m/README": "A synthetic stand-in for MovieLens 1M, made by the course's tests.\n",
    }, "latin-1")
    return len(ratings), most_rated_title(ratings, movies)


def altered_ml_latest_small_archive(path: Path) -> tuple[int, str]:
    """An edition of ml-latest-small that is not the published one: every file GroupLens ships, other ratings."""
    ratings, movies = synthetic_ratings(seed=2)
    ratings.loc[:9, "rating"] = 5.0  # and a few changed by hand, as a re-issue might
    buffer = io.StringIO()
    ratings.to_csv(buffer, index=False)
    movies_csv = io.StringIO()
    movies.to_csv(movies_csv, index=False)
    write_zip(path, {
        "ml-latest-small/ratings.csv": buffer.getvalue(),
        "ml-latest-small/movies.csv": movies_csv.getvalue(),
        "ml-latest-small/links.csv": "movieId,imdbId,tmdbId\n",
        "ml-latest-small/tags.csv": "userId,movieId,tag,timestamp\n",
        "ml-latest-small/README.txt": "An altered edition made by the course's tests.\n",
    }, "utf-8")
    return len(ratings), most_rated_title(ratings, movies)


def run_course_from(mirror: str, *arguments: str) -> subprocess.CompletedProcess:
    """``scripts/run_course.py`` as ``make run-all`` runs it, with ``MOVIELENS_MIRROR`` set to ``mirror``."""
    environment = {**os.environ, "MOVIELENS_MIRROR": mirror}
    return subprocess.run([sys.executable, str(RUN_COURSE), *arguments], cwd=REPOSITORY_ROOT, env=environment,
                          capture_output=True, text=True, timeout=900)


def lesson_text(data_dir: Path, dataset: str, lesson: str, run: str | None = None) -> str:
    """Everything a lesson printed, as ``run_course.py`` executed it for ``dataset`` (and ``run``)."""
    outputs = outputs_of(course_paths(dataset, data_dir, run).executed / f"{lesson}.ipynb")
    return "\n".join("".join(output.get("text", "")) for output in outputs)


def test_ml_1m_without_the_switch_stops_in_lesson_00_naming_it(tmp_path):
    server = serve(tmp_path / "served")
    try:
        ml_1m_archive(server.folder / "ml-1m.zip")
        result = run_course_from(server.url, "--dataset", "ml-1m", "--data-dir", str(tmp_path / "data"))
    finally:
        server.stop()

    assert result.returncode == 1
    assert "00_download.ipynb failed" in result.stderr and "DownloadError" in result.stderr
    assert "c4d9eecfca2ab87c1945afe126590906 GroupLens published" in result.stderr and "--accept-new-edition" in result.stderr
    assert not (tmp_path / "data" / "raw" / "ml-1m").exists()


def test_the_whole_course_on_an_accepted_ml_1m_served_over_http(tmp_path):
    data_dir = tmp_path / "data"
    server = serve(tmp_path / "served")
    try:
        n_ratings, title = ml_1m_archive(server.folder / "ml-1m.zip")
        result = run_course_from(server.url, "--dataset", "ml-1m", "--data-dir", str(data_dir), "--accept-new-edition",
                                 *TINY_PARAMETERS, "-p", f"query_movie={title!r}", "-p", f"my_ratings={{{title!r}: 5}}")
    finally:
        server.stop()

    assert result.returncode == 0, result.stderr[-3000:]
    assert all(lesson in result.stdout for lesson in LESSONS)
    assert server.requests == ["/ml-1m.zip"]
    edition = data_edition("ml-1m", data_dir)
    assert edition.startswith("accepted-")
    assert json.loads((data_dir / "processed" / "ml-1m" / "split.json").read_text())["edition"] == edition
    lesson_00 = lesson_text(data_dir, "ml-1m", "00_download", TINY_RUN)
    assert f"{n_ratings:,} ratings of" in lesson_00 and f"edition: {edition}" in lesson_00
    assert "sha256 of the extracted files" in lesson_00 and "ml-1m/ratings.dat" in lesson_00


def test_the_whole_course_on_an_accepted_altered_ml_latest_small(tmp_path):
    data_dir, mirror = tmp_path / "data", tmp_path / "mirror"
    mirror.mkdir()
    n_ratings, title = altered_ml_latest_small_archive(mirror / "ml-latest-small.zip")

    result = run_course_from(str(mirror), "--data-dir", str(data_dir), "--accept-new-edition",
                             *TINY_PARAMETERS, "-p", f"query_movie={title!r}", "-p", f"my_ratings={{{title!r}: 5}}")

    assert result.returncode == 0, result.stderr[-3000:]
    edition = data_edition("ml-latest-small", data_dir)
    assert edition.startswith("accepted-")
    assert f"{n_ratings:,} ratings of" in lesson_text(data_dir, "ml-latest-small", "00_download", TINY_RUN)
    assert "different edition: no published number to compare" in lesson_text(data_dir, "ml-latest-small", "02_dot_product", TINY_RUN)

    # The edition is named wherever the run's numbers are: the final tables, the summary, the ranking files.
    named = f"ml-latest-small (edition {edition})"
    tables = result.stdout.split(" ran in ")[1]
    assert f"on {named}, run {TINY_RUN!r}; edition {edition} is not the one the course published" in tables
    assert tables.count(named) >= 1 + 3 + 1, "the closing line, each model's row and the ranking table's title"
    summary = json.loads((data_dir / "metrics" / "summary.json").read_text())
    assert {row["edition"] for row in summary} == {edition}
    run = course_paths("ml-latest-small", data_dir, TINY_RUN)
    for ranking_file in (run.ranking_file, run.list_ranking_file):
        assert json.loads(ranking_file.read_text())["edition"] == edition
    # Its executed lessons have a folder of their own, never the published edition's.
    executed = data_dir / "executed"
    assert sorted(p.name for p in (executed / f"ml-latest-small-{edition}" / TINY_RUN).iterdir()) == [
        f"{lesson}.ipynb" for lesson in LESSONS]
    assert not (executed / "ml-latest-small").exists()


def test_lesson_00_keeps_an_accepted_edition_even_where_the_published_one_is_at_hand(tmp_path, monkeypatch):
    if not (MIRROR_FOLDER / "ml-latest-small.zip").is_file():
        pytest.skip("needs the published ml-latest-small in the shared mirror")
    data_dir, altered = tmp_path / "data", tmp_path / "altered"
    altered.mkdir()
    n_ratings, _ = altered_ml_latest_small_archive(altered / "ml-latest-small.zip")
    monkeypatch.setenv("MOVIELENS_MIRROR", str(altered))
    run_lesson("00_download", tmp_path, data_dir=str(data_dir), accept_new_edition=True)
    accepted = data_edition("ml-latest-small", data_dir)

    # Now the published edition is one source away, and the switch is off: lesson 00 must still keep the accepted one.
    monkeypatch.setenv("MOVIELENS_MIRROR", str(MIRROR_FOLDER))
    (tmp_path / "again").mkdir()
    run_lesson("00_download", tmp_path / "again", data_dir=str(data_dir))

    assert accepted.startswith("accepted-") and data_edition("ml-latest-small", data_dir) == accepted
    text = "\n".join("".join(output.get("text", "")) for output in outputs_of(tmp_path / "again" / "00_download.ipynb"))
    assert f"is the edition {accepted}, accepted earlier instead of the course's; keeping it" in text
    assert f"{n_ratings:,} ratings of" in text


def test_run_course_and_lesson_00_say_plainly_how_long_ml_32m_takes(tmp_path):
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    result = run_course_from(str(empty_mirror), "--dataset", "ml-32m", "--data-dir", str(tmp_path / "data"))

    note = "note: ml-32m has 32,000,204 ratings: expect the whole course to take about"
    assert result.stdout.startswith(note)
    assert result.returncode == 1 and "has no ml-32m.zip" in result.stderr, "the download itself then fails: no archive"
    assert note in lesson_text(tmp_path / "data", "ml-32m", "00_download")
