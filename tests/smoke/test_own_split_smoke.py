"""A per-user 75/25 split with a 10% validation carve, every test rating relevant: lessons 00-07 end to end
through the runner, as the README's command runs them (`make run-all DATA_DIR=... SPLIT=per_user PARAMS=...`),
on synthetic data with tiny parameters."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import papermill
import pytest

from cfcourse.course import LESSONS, LIST_MODELS, MODELS
from cfcourse.data.datasets import DATASETS
from cfcourse.data.readers import read_ratings
from cfcourse.processed import load_processed
from cfcourse.exercises import EXERCISES
from cfcourse.paths import course_paths
from course_testing import most_rated_synthetic_title, printed_text, run_course, run_lesson

pytestmark = pytest.mark.smoke

RUN = "per-user"  # tiny parameters and another protocol make an experiment: named here


@pytest.fixture(scope="module")
def per_user_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("per-user")
    result = run_course(
        "--dataset", "synthetic", "--data-dir", str(data_dir), "--split", "per_user",
        "-p", "test_fraction=0.25", "-p", "val_fraction=0.1", "-p", "threshold=all",
        "-p", "epochs=3", "-p", "batch_size=256", "-p", "n_factors=8", "-p", "min_ratings=10",
        "-p", "embedding_size=16", "-p", "max_epochs=2", "-p", f"query_movie={most_rated_synthetic_title()!r}",
        "-p", f"run={RUN}")
    assert result.returncode == 0, result.stderr[-3000:]
    return course_paths("synthetic", data_dir, RUN), result


def test_lesson_01_split_each_user_75_25_with_a_validation_carve(per_user_run):
    paths, _ = per_user_run
    info = json.loads((paths.processed / "split.json").read_text())
    assert (info["method"], info["test_fraction"], info["val_fraction"]) == ("per_user", 0.25, 0.1)
    sizes = info["sizes"]
    total = sum(sizes.values())
    assert sizes["test"] / total == pytest.approx(0.25, abs=0.01)
    assert sizes["val"] / total == pytest.approx(0.075, abs=0.01)


def test_every_test_rating_is_relevant_in_both_ranking_tables(per_user_run):
    paths, result = per_user_run
    ranking = json.loads(paths.ranking_file.read_text())
    list_ranking = json.loads(paths.list_ranking_file.read_text())
    assert ranking["threshold"] == list_ranking["threshold"] == "all"
    assert set(ranking["models"]) >= {"most_popular", *MODELS} and set(list_ranking["models"]) == set(LIST_MODELS)
    assert "(relevant: any test rating)" in result.stdout
    for model in [*MODELS, *LIST_MODELS]:
        assert model in result.stdout.split("Top-10 lists")[1]


def test_the_rating_lessons_compare_nothing_on_another_split(per_user_run):
    paths, _ = per_user_run
    lesson_02 = (paths.executed / "02_dot_product.ipynb").read_text()
    assert "on your split (per_user): the course publishes numbers for its own random split only" in lesson_02


def test_leave_latest_out_says_it_draws_its_own(per_user_run):
    paths, _ = per_user_run
    lesson_07 = (paths.executed / "07_train_for_the_list.ipynb").read_text()
    assert "This run's split is 'per_user', so leave-latest-out draws its own split, by time, here." in lesson_07


def test_the_exercises_line_counts_every_lesson_that_ran(per_user_run):
    _, result = per_user_run
    assert all(lesson in result.stdout for lesson in LESSONS)
    checked = sum(lesson != "00_download" for lesson in EXERCISES.values())
    assert f"Exercises: {checked} solutions checked, all correct" in result.stdout


@pytest.fixture(scope="module")
def time_split_lesson_07(tmp_path_factory):
    """Lesson 07 with refit on a time split: lessons 00 and 01 (split = "time"), then 07."""
    data_dir = tmp_path_factory.mktemp("time-split")
    common = dict(dataset="synthetic", data_dir=str(data_dir))
    run_lesson("00_download", data_dir, **common)
    run_lesson("01_preprocessing", data_dir, split="time", **common)
    notebook = run_lesson("07_train_for_the_list", data_dir, embedding_size=16, max_epochs=2, refit=True,
                          run="time-refit", **common)
    return json.loads(course_paths("synthetic", data_dir, "time-refit").list_ranking_file.read_text()), notebook


def test_on_a_time_split_leave_latest_out_is_the_split(time_split_lesson_07):
    record, notebook = time_split_lesson_07
    assert record["leave_latest_out_split"] == "this run's own"
    assert "This run's split is each user's latest ratings already" in printed_text(notebook)


def test_refit_reports_the_models_refit_on_train_and_validation(time_split_lesson_07):
    record, _ = time_split_lesson_07
    assert record["fitted_on"] == "train + validation"
    assert set(record["refit_ndcg"]) == {"most_popular", *LIST_MODELS}
    assert {name: row["ndcg"] for name, row in record["models"].items()} == {
        name: record["refit_ndcg"][name] for name in LIST_MODELS}


def test_lessons_stop_in_one_line_on_a_hand_made_folder_and_leave_it(tmp_path):
    """Lesson 01 never replaces a learner's folder; lesson 02 names the missing column at its start, before training."""
    common = dict(dataset="synthetic", data_dir=str(tmp_path))
    run_lesson("00_download", tmp_path, **common)
    run_lesson("01_preprocessing", tmp_path, **common)
    processed = course_paths("synthetic", tmp_path).processed
    ratings = pd.read_parquet(processed / "ratings.parquet")
    ratings.drop(columns="timestamp").to_parquet(processed / "ratings.parquet", index=False)
    (processed / "split.json").write_text(json.dumps({"method": "mine"}))
    before = {file.name: file.read_bytes() for file in processed.iterdir()}
    for lesson, message in [("01_preprocessing", "was not made by lesson 01"),
                            ("02_dot_product", "has no column 'timestamp'")]:
        with pytest.raises(papermill.PapermillExecutionError) as raised:
            run_lesson(lesson, tmp_path, **common)
        assert raised.value.ename == "ProcessedDataError" and message in raised.value.evalue
        assert "lesson.start(" in raised.value.source  # the set-up cell, before any training
    assert {file.name: file.read_bytes() for file in processed.iterdir()} == before


def test_a_split_file_through_the_runner_labels_each_rating_as_it_says(tmp_path):
    """`make run-all SPLIT=my_split.csv`, lessons 00-01 only: the saved split is the file's, rating by rating."""
    assert run_course("--dataset", "synthetic", "--data-dir", str(tmp_path), "--lesson", "00").returncode == 0
    ratings = read_ratings(DATASETS["synthetic"], tmp_path / "raw")
    labels = np.array(["train", "train", "train", "val", "test"])[np.arange(len(ratings)) % 5]
    split_file = tmp_path / "my_split.csv"
    ratings[["user", "movie"]].assign(split=labels).to_csv(split_file, index=False)
    result = run_course("--dataset", "synthetic", "--data-dir", str(tmp_path), "--lesson", "01", "--split", str(split_file))
    assert result.returncode == 0, result.stderr[-2000:]
    data = load_processed(course_paths("synthetic", tmp_path))
    assert data.split_info["method"] == "file" and data.split_info["file"] == "my_split.csv"
    saved = data.ratings.merge(ratings[["user", "movie"]].assign(expected=labels), on=["user", "movie"])
    assert len(saved) == len(ratings) and (saved.split.astype(str) == saved.expected).all()
