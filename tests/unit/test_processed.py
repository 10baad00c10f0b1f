"""What lesson 01 saves and every later lesson loads, run here on the synthetic dataset in tmp_path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cfcourse.data.datasets import DATASETS
from cfcourse.data.encoding import encode_ratings
from cfcourse.paths import REPOSITORY_ROOT, course_paths, shown_path
from cfcourse.prerequisites import MissingPrerequisiteError
from cfcourse.processed import ProcessedDataError, load_processed, made_by_lesson_01, sample_users, save_processed
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


# A processed folder a learner wrote by hand (docs/data.md): checked in one line, never replaced.

def _hand_made(saved, drop_column=None, drop_file=None, split_info=None):
    """The saved folder turned into a learner's: split.json says only its method (or ``split_info``)."""
    paths = saved[0]
    (paths.processed / "split.json").write_text(json.dumps(split_info or {"method": "mine"}))
    if drop_column:
        ratings = pd.read_parquet(paths.processed / "ratings.parquet").drop(columns=drop_column)
        ratings.to_parquet(paths.processed / "ratings.parquet", index=False)
    if drop_file:
        (paths.processed / drop_file).unlink()
    return paths


def _contents(folder):
    return {file.name: file.read_bytes() for file in sorted(folder.iterdir())}


def test_a_hand_made_folder_loads_and_says_its_method(saved):
    data = load_processed(_hand_made(saved))
    assert data.split_method == "mine" and not data.course_split


@pytest.mark.parametrize("damage, message", [
    (dict(drop_column="timestamp"), "ratings.parquet has no column 'timestamp': the lessons need user_idx, movie_idx, "
                                    "rating, timestamp, split (docs/data.md)"),
    (dict(drop_file="split.json"), "split.json is missing: a processed folder holds ratings.parquet, movies.csv, "
                                   "users.csv, split.json (docs/data.md)"),
    (dict(drop_file="users.csv"), "users.csv is missing"),
    (dict(split_info={"seed": 1}), "split.json must be an object with a \"method\""),
])
def test_a_hand_made_folder_lacking_something_is_named_in_one_line(saved, damage, message):
    paths = _hand_made(saved, **damage)
    with pytest.raises(ProcessedDataError, match=re.escape(message)) as raised:
        load_processed(paths)
    assert "\n" not in str(raised.value)


def test_wrong_labels_or_indices_are_named(saved):
    paths = _hand_made(saved)
    ratings = pd.read_parquet(paths.processed / "ratings.parquet")
    ratings.assign(split=ratings.split.astype(str).replace("val", "valid")).to_parquet(
        paths.processed / "ratings.parquet", index=False)
    with pytest.raises(ProcessedDataError, match="it holds \\['test', 'train', 'valid'\\]"):
        load_processed(paths)
    ratings.assign(movie_idx=ratings.movie_idx + 10_000).to_parquet(paths.processed / "ratings.parquet", index=False)
    with pytest.raises(ProcessedDataError, match="movie_idx must number the rows of its table"):
        load_processed(paths)


def test_lesson_01_never_replaces_a_hand_made_folder(saved):
    paths, ratings, users, movies = saved
    _hand_made(saved, drop_column="timestamp")
    before = _contents(paths.processed)
    with pytest.raises(ProcessedDataError, match="was not made by lesson 01"):
        save_processed(paths, ratings, users, movies, pd.DataFrame({"movie": [], "title": []}), SPLIT_INFO)
    assert _contents(paths.processed) == before
    assert not any(path.name.endswith(".writing") for path in paths.processed.parent.iterdir())


def test_lesson_01_replaces_its_own_folder_whole(saved):
    paths, ratings, users, movies = saved
    (paths.processed / "left-over.txt").write_text("from an earlier run")
    save_processed(paths, ratings, users, movies, pd.DataFrame({"movie": [], "title": []}), {"method": "time"})
    assert sorted(_contents(paths.processed)) == ["movies.csv", "ratings.parquet", "split.json", "users.csv"]
    assert load_processed(paths).split_method == "time"


def test_a_folder_lesson_01_wrote_before_it_said_so_is_its_own(saved):
    """split.json as lesson 01 wrote it before it recorded made_by and method: the course's random split."""
    paths = saved[0]
    (paths.processed / "split.json").write_text(json.dumps({**SPLIT_INFO, "sizes": {}, "edition": "generated"}))
    assert made_by_lesson_01(paths.processed)
    data = load_processed(paths)
    assert data.split_method == "random" and data.course_split
