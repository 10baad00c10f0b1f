"""What lesson 01 saves and every later lesson loads, run here on the synthetic dataset in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cfcourse.data.datasets import DATASETS
from cfcourse.data.encoding import encode_ratings
from cfcourse.paths import REPOSITORY_ROOT, course_paths, shown_path
from cfcourse.prerequisites import MissingPrerequisiteError
from cfcourse.processed import load_processed, sample_users, save_processed
from cfcourse.training import model_inputs
from cfcourse.data.readers import read_movies, read_ratings
from cfcourse.data.split import SPLIT_NAMES, split_labels
from cfcourse.data.synthetic import write_synthetic_dataset

SPLIT_INFO = {"seed": 42, "fractions": [0.8, 0.1, 0.1]}


def run_lesson_01_steps(tmp_path):
    """Lesson 01's steps: read, encode, split, save (one movie's title left out of the titles)."""
    paths = course_paths("synthetic", tmp_path)
    write_synthetic_dataset(paths.raw)
    spec = DATASETS["synthetic"]
    ratings, users, movies = encode_ratings(read_ratings(spec, tmp_path / "raw"))
    ratings["split"] = split_labels(len(ratings), seed=42)
    titles = read_movies(spec, tmp_path / "raw")
    titles = titles[titles["movie"] != movies.ids[0]]
    save_processed(paths, ratings, users, movies, titles, SPLIT_INFO)
    return paths, ratings, users, movies


@pytest.fixture
def saved(tmp_path):
    return run_lesson_01_steps(tmp_path)


def test_round_trip(saved):
    paths, ratings, users, movies = saved

    data = load_processed(paths)

    # Parquet keeps every column's type; only the rating is widened, to float64, so means are exact.
    pd.testing.assert_frame_equal(data.ratings, ratings.astype({"rating": "float64"}))
    assert paths.processed.joinpath("ratings.parquet").is_file()
    assert data.split_info == {**SPLIT_INFO, "edition": "generated", "made_by": "01_preprocessing"}
    assert data.edition == "generated"
    assert (data.n_users, data.n_movies) == (len(users), len(movies))
    assert data.users["user"].tolist() == users.ids.tolist()
    assert data.users["user_idx"].tolist() == list(range(len(users)))
    assert data.movies["movie"].tolist() == movies.ids.tolist()
    assert data.movies["n_ratings"].sum() == len(ratings)
    assert data.movies["n_ratings"].min() >= 1
    assert data.movies["title"].iloc[0] == "(title missing)"
    assert data.movies["title"].iloc[1].startswith("Synthetic Movie")


def test_saved_types_are_compact(saved):
    """At 25 million ratings the saved types decide whether later lessons fit in memory."""
    data = load_processed(saved[0])
    types = data.ratings.dtypes.astype(str).to_dict()
    assert {name: types[name] for name in ("user_idx", "movie_idx", "rating", "split")} == {
        "user_idx": "int32", "movie_idx": "int32", "rating": "float64", "split": "category"}


def test_parts_partition_the_ratings(saved):
    data = load_processed(saved[0])
    parts = {name: data.part(name) for name in SPLIT_NAMES}

    assert sum(len(part) for part in parts.values()) == len(data.ratings)
    keys = [set(zip(part["user"], part["movie"])) for part in parts.values()]
    assert set().union(*keys) == set(zip(data.ratings["user"], data.ratings["movie"]))
    assert sum(len(k) for k in keys) == len(data.ratings)
    pd.testing.assert_frame_equal(data.train, parts["train"])
    assert len(data.val) == len(data.test) == round(0.1 * len(data.ratings))


def test_model_inputs_are_the_indices(saved):
    data = load_processed(saved[0])
    inputs = model_inputs(data.val)
    assert set(inputs) == {"user", "movie"}
    assert inputs["user"].tolist() == data.val["user_idx"].tolist()
    assert inputs["movie"].max() < data.n_movies


def test_loading_before_lesson_01_names_the_lesson(tmp_path):
    expected = r"run notebooks/01_preprocessing\.ipynb first with dataset='synthetic'"
    with pytest.raises(MissingPrerequisiteError, match=expected):
        load_processed(course_paths("synthetic", tmp_path))


def test_missing_file_inside_the_repository_is_shown_relative():
    """No file is written: the folder does not exist, so the message names a path under data/."""
    paths = course_paths("ml-100k", REPOSITORY_ROOT / "data" / "no-such-folder")
    with pytest.raises(MissingPrerequisiteError) as raised:
        load_processed(paths)
    message = str(raised.value)
    assert message.startswith(str(Path("data/no-such-folder/processed/ml-100k/ratings.parquet")) + " is missing")
    assert str(REPOSITORY_ROOT) not in message


def test_shown_path(tmp_path):
    assert shown_path(REPOSITORY_ROOT / "data" / "raw" / "ml-100k") == str(Path("data/raw/ml-100k"))
    assert shown_path(REPOSITORY_ROOT.parent / "shared" / "data") == str(Path("../shared/data"))
    outside = tmp_path.resolve()
    if not outside.is_relative_to(REPOSITORY_ROOT.parent):  # a clone that sits beside the temporary folder sees it as ../
        assert shown_path(outside) == str(outside)


def test_sample_users_keeps_whole_users_within_the_budget_renumbered(saved):
    paths, *_ = saved
    data = load_processed(paths)
    budget = len(data.train) // 3

    sample = sample_users(data, budget, seed=7)

    assert 0 < len(sample.train) <= budget
    assert len(sample.train) > budget - data.train.groupby("user_idx").size().max()  # no user left out who fitted
    assert sample.n_users < data.n_users and sample.n_movies == data.n_movies
    assert sample.users["user_idx"].tolist() == list(range(sample.n_users))
    assert set(sample.ratings.user_idx) == set(range(sample.n_users))
    # Each sampled user keeps every rating, in every split, under their new index.
    original = data.ratings.merge(sample.users[["user"]], on="user")
    pd.testing.assert_frame_equal(
        sample.ratings.drop(columns="user_idx").sort_values(["user", "movie"]).reset_index(drop=True),
        original.drop(columns="user_idx").sort_values(["user", "movie"]).reset_index(drop=True), check_categorical=False)
    assert (sample.ratings.user_idx.to_numpy() == sample.users.set_index("user").user_idx[sample.ratings.user]).all()
    assert sample_users(data, budget, seed=7).users.equals(sample.users)
    assert not sample_users(data, budget, seed=8).users.equals(sample.users)


def test_sample_users_returns_small_data_unchanged(saved):
    data = load_processed(saved[0])
    assert sample_users(data, len(data.train), seed=7) is data
