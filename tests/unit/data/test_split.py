"""split_labels: the seeded train / validation / test split every lesson shares; split_ratings: lesson 01's choice
of split (random, per user, by time, or a learner's file)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cfcourse.data.split import SPLIT_NAMES, SplitError, split_labels, split_ratings


def test_same_seed_gives_same_split():
    np.testing.assert_array_equal(split_labels(1001, seed=7), split_labels(1001, seed=7))


def test_other_seed_gives_other_split():
    assert (split_labels(1001, seed=7) != split_labels(1001, seed=8)).any()


def test_every_row_gets_exactly_one_label():
    labels = split_labels(1001)
    assert labels.shape == (1001,)
    rows = {name: set(np.flatnonzero(labels == name)) for name in SPLIT_NAMES}
    assert set().union(*rows.values()) == set(range(1001))
    assert sum(len(part) for part in rows.values()) == 1001


def test_sizes_follow_the_fractions():
    labels = split_labels(1001, (0.8, 0.1, 0.1))
    assert {name: int((labels == name).sum()) for name in SPLIT_NAMES} == {"train": 801, "val": 100, "test": 100}


def test_rows_are_shuffled_not_cut_in_order():
    labels = split_labels(1001)
    assert set(labels[:100]) == set(SPLIT_NAMES)


@pytest.mark.parametrize(
    "fractions",
    [(0.8, 0.2), (0.8, 0.1, 0.05, 0.05), (0.9, 0.1, 0.0), (1.1, -0.05, -0.05), (0.8, 0.3, 0.3), (0.5, 0.1, 0.1)],
)
def test_bad_fractions_raise(fractions):
    with pytest.raises(ValueError, match="fractions"):
        split_labels(1001, fractions)


@pytest.mark.parametrize("n_rows", [0, 2])
def test_too_few_rows_raise(n_rows):
    with pytest.raises(ValueError, match=f"{n_rows} rows"):
        split_labels(n_rows)


def test_a_part_rounded_down_to_nothing_raises():
    """10 rows at 1% validation would leave the validation part empty: an error, not a silent empty split."""
    with pytest.raises(ValueError, match="val part of 10 rows"):
        split_labels(10, (0.89, 0.01, 0.1))


def test_labels_take_one_byte_per_row_and_compare_like_strings():
    """25 million labels must not be 25 million Python strings."""
    labels = split_labels(10_000)
    assert labels.codes.dtype == np.int8 and list(labels.categories) == list(SPLIT_NAMES)
    assert ((labels == "train") | (labels == "val") | (labels == "test")).all()


# The splits lesson 01 offers besides the random one.

def _ratings(n_users=30, per_user=20, seed=0):
    """Encoded ratings of ``n_users`` users with ``per_user`` ratings each, at shuffled times."""
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(n_users), per_user)
    movies = np.tile(np.arange(per_user), n_users)
    return pd.DataFrame({"user": users + 100, "movie": movies + 1000, "user_idx": users, "movie_idx": movies,
                         "rating": 4.0, "timestamp": rng.permutation(len(users)) * 10})


def test_per_user_split_takes_each_users_share_seeded():
    ratings = _ratings()
    labels, info = split_ratings(ratings, "per_user", val_fraction=0.1, test_fraction=0.25, seed=3)
    counts = pd.crosstab(ratings.user_idx, np.asarray(labels))
    assert (counts["test"] == 5).all() and (counts["val"] == 2).all() and (counts["train"] == 13).all()
    assert info == {"method": "per_user", "seed": 3, "val_fraction": 0.1, "test_fraction": 0.25}
    again, _ = split_ratings(ratings, "per_user", 0.1, 0.25, seed=3)
    other, _ = split_ratings(ratings, "per_user", 0.1, 0.25, seed=4)
    assert (np.asarray(again) == np.asarray(labels)).all() and (np.asarray(other) != np.asarray(labels)).any()


@pytest.mark.parametrize("per_user", [1, 2, 3])
def test_per_user_split_keeps_a_train_rating_for_every_user(per_user):
    ratings = pd.concat([_ratings(per_user=20), _ratings(per_user=per_user).assign(user_idx=lambda r: r.user_idx + 30)])
    labels, _ = split_ratings(ratings, "per_user", val_fraction=0.49, test_fraction=0.49, seed=3)
    assert (pd.crosstab(ratings.user_idx, np.asarray(labels))["train"] >= 1).all()


def test_time_split_tests_each_users_latest_ratings():
    ratings = _ratings()
    labels, info = split_ratings(ratings, "time", val_fraction=0.1, test_fraction=0.25, seed=3)
    ratings["split"] = np.asarray(labels)
    assert info == {"method": "time", "val_fraction": 0.1, "test_fraction": 0.25}
    for _, mine in ratings.groupby("user_idx"):
        times = {name: mine.timestamp[mine.split == name] for name in SPLIT_NAMES}
        assert times["train"].max() < times["val"].min() and times["val"].max() < times["test"].min()
        assert len(times["test"]) == 5


def _split_file(tmp_path, table):
    path = tmp_path / "my_split.csv"
    table.to_csv(path, index=False)
    return path


def test_a_split_file_labels_each_rating_by_its_ids(tmp_path):
    ratings = _ratings()
    chosen = np.array(SPLIT_NAMES)[np.arange(len(ratings)) % 3]
    table = ratings[["user", "movie"]].assign(split=chosen).sample(frac=1, random_state=1)
    labels, info = split_ratings(ratings, str(_split_file(tmp_path, table)), 0.1, 0.1, seed=3)
    assert (np.asarray(labels) == chosen).all()
    assert info == {"method": "file", "file": "my_split.csv"}


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="split"), "my_split.csv has no column 'split'"),
    (lambda t: t.assign(split="valid"), "labels a rating 'valid'"),
    (lambda t: pd.concat([t, t.iloc[:1]]), "labels (user 100, movie 1000) more than once"),
    (lambda t: t.iloc[1:], "but not all 600: none for (user 100, movie 1000)"),
    (lambda t: pd.concat([t, pd.DataFrame({"user": [1], "movie": [2], "split": ["train"]})]), "1 (user, movie) pairs"),
    (lambda t: t.assign(split="train"), "the val part of my_split.csv would be empty"),
])
def test_a_wrong_split_file_gets_one_line(tmp_path, change, message):
    ratings = _ratings()
    table = ratings[["user", "movie"]].assign(split=np.array(SPLIT_NAMES)[np.arange(len(ratings)) % 3])
    with pytest.raises(SplitError, match=re.escape(message)):
        split_ratings(ratings, str(_split_file(tmp_path, change(table))), 0.1, 0.1, seed=3)


def test_the_random_split_is_the_course_split():
    ratings = _ratings()
    labels, info = split_ratings(ratings, "random", val_fraction=0.1, test_fraction=0.1, seed=42)
    assert (np.asarray(labels) == np.asarray(split_labels(len(ratings), (0.8, 0.1, 0.1), seed=42))).all()
    assert info["method"] == "random" and info["seed"] == 42
