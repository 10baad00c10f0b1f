"""The synthetic dataset: reproducible, MovieLens-shaped, and with structure a model can learn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cfcourse.metrics import rmse
from cfcourse.data.synthetic import N_MOVIES, N_RATINGS, N_USERS, synthetic_ratings, write_synthetic_dataset


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic_ratings(seed=0)


def test_same_seed_gives_same_data(data):
    ratings, movies = synthetic_ratings(seed=0)
    pd.testing.assert_frame_equal(ratings, data[0])
    pd.testing.assert_frame_equal(movies, data[1])


def test_other_seed_gives_other_data(data):
    assert not synthetic_ratings(seed=1)[0].equals(data[0])


def test_columns_are_those_of_ml_latest_small(data):
    ratings, movies = data
    assert list(ratings.columns) == ["userId", "movieId", "rating", "timestamp"]
    assert list(movies.columns) == ["movieId", "title", "genres"]


def test_sizes_and_ids(data):
    ratings, movies = data
    assert len(ratings) == N_RATINGS
    assert len(movies) == movies["movieId"].nunique() == N_MOVIES
    assert ratings["userId"].between(1, N_USERS).all()
    assert set(ratings["movieId"]) <= set(movies["movieId"])


def test_ratings_are_half_stars_from_half_to_five(data):
    ratings = data[0]["rating"]
    assert ratings.between(0.5, 5.0).all()
    assert (ratings * 2 == (ratings * 2).round()).all()


def test_no_user_rates_a_movie_twice(data):
    assert not data[0].duplicated(["userId", "movieId"]).any()


def test_too_many_ratings_for_the_pairs_raises():
    with pytest.raises(ValueError, match="exceeds the 6 user-movie pairs"):
        synthetic_ratings(n_users=2, n_movies=3, n_ratings=7)


def test_written_dataset_reads_back(tmp_path, data):
    write_synthetic_dataset(tmp_path / "synthetic")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "synthetic" / "ratings.csv"), data[0])
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "synthetic" / "movies.csv"), data[1], check_dtype=False)


def fit_biases(users, movies, ratings, regularisation=5.0, passes=5):
    """Global mean plus regularised user and movie biases, by alternating closed-form updates."""
    mean = ratings.mean()

    def bias(groups, residual):
        size = groups.max() + 1
        return np.bincount(groups, residual, size) / (np.bincount(groups, minlength=size) + regularisation)

    movie_bias = np.zeros(movies.max() + 1)
    for _ in range(passes):
        user_bias = bias(users, ratings - mean - movie_bias[movies])
        movie_bias = bias(movies, ratings - mean - user_bias[users])
    return mean, user_bias, movie_bias


def bias_gain(ratings: pd.DataFrame) -> float:
    """Test RMSE of biases fitted on a random 80% of ``ratings``, over that of the global mean."""
    users, movies, stars = ratings["userId"].to_numpy(), ratings["movieId"].to_numpy(), ratings["rating"].to_numpy()
    train = np.random.default_rng(0).random(len(ratings)) < 0.8
    test = ~train
    mean, user_bias, movie_bias = fit_biases(users[train], movies[train], stars[train])
    baseline = rmse(stars[test], np.full(test.sum(), mean))
    return rmse(stars[test], mean + user_bias[users[test]] + movie_bias[movies[test]]) / baseline


def test_planted_structure_is_learnable(data):
    """Biases fitted on 80% of the ratings predict the other 20% clearly better than the global mean."""
    assert bias_gain(data[0]) <= 0.85


def test_shuffled_ratings_are_not_learnable(data):
    """The control: with the ratings shuffled across rows, the same fit gains nothing, so the
    test above measures planted structure, not an artefact of the fit."""
    ratings = data[0].copy()
    ratings["rating"] = np.random.default_rng(1).permutation(ratings["rating"].to_numpy())
    assert bias_gain(ratings) > 0.97
