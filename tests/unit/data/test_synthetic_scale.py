"""The generated datasets shaped like ml-25m (synthetic-100k, -1m, -25m), tested at small sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cfcourse.data.datasets import DATASETS, get_dataset
from cfcourse.data.download import fetch_dataset
from cfcourse.data.editions import GENERATED, data_edition
from cfcourse.data.readers import read_movies, read_ratings
from cfcourse.data.synthetic import movielens_like_ratings, movielens_shape

N = 50_000


@pytest.fixture(scope="module")
def generated() -> tuple[pd.DataFrame, pd.DataFrame]:
    return movielens_like_ratings(N, seed=0)


def test_same_seed_gives_same_data(generated):
    ratings, movies = movielens_like_ratings(N, seed=0)
    pd.testing.assert_frame_equal(ratings, generated[0])
    pd.testing.assert_frame_equal(movies, generated[1])
    assert not movielens_like_ratings(N, seed=1)[0].equals(generated[0])


def test_exactly_the_ratings_asked_for_one_per_pair(generated):
    ratings, movies = generated
    assert len(ratings) == N
    assert not ratings.duplicated(["userId", "movieId"]).any()
    assert set(ratings.movieId) <= set(movies.movieId)
    assert list(ratings.columns) == ["userId", "movieId", "rating", "timestamp"]
    assert list(movies.columns) == ["movieId", "title", "genres"]


def test_shape_scales_from_ml_25m():
    assert movielens_shape(25_000_095) == (162_541, 59_047)
    users, movies = movielens_shape(1_000_000)
    assert 6_000 < users < 7_000 and 10_000 < movies < 13_000  # ml-1m: 6,040 users, 3,706 movies


def test_long_tails_of_users_and_movies(generated):
    ratings = generated[0]
    per_user, per_movie = ratings.userId.value_counts(), ratings.movieId.value_counts()
    assert per_user.min() >= 20  # as in ml-25m, no user with fewer than 20 ratings
    assert per_user.max() > 5 * per_user.median()
    assert per_movie.max() > 20 * per_movie.median()


def test_ratings_look_like_movielens(generated):
    stars = generated[0].rating
    assert stars.between(0.5, 5.0).all() and (stars * 2 == (stars * 2).round()).all()
    assert 3.3 < stars.mean() < 3.7  # ml-25m: 3.53
    whole = (stars == stars.round()).mean()
    assert 0.6 < whole < 0.95  # whole stars are commoner than half stars, as in the real data


def test_biases_leave_structure_for_the_factors(generated):
    """After each user's and movie's mean, the ratings still vary more than the generator's noise
    (0.45, plus rounding to stars): the rest is the planted tastes lessons 02-04 can learn."""
    ratings = generated[0]
    mean = ratings.rating.mean()
    user_bias = ratings.groupby("userId").rating.transform("mean") - mean
    movie_bias = (ratings.rating - mean - user_bias).groupby(ratings.movieId).transform("mean")
    residual = ratings.rating - mean - user_bias - movie_bias
    assert np.sqrt((residual**2).mean()) > 0.6


def test_too_few_ratings_is_one_clear_error():
    with pytest.raises(ValueError, match="at least 1,000"):
        movielens_like_ratings(999)


@pytest.mark.parametrize("name", ["synthetic-100k", "synthetic-1m", "synthetic-25m"])
def test_registry_entries_are_generated_not_downloaded(name):
    spec = get_dataset(name)
    assert not spec.downloadable and spec.format == "csv" and spec.n_ratings >= 100_000


def test_fetching_generates_in_the_ml_25m_format(tmp_path):
    folder = fetch_dataset("synthetic-100k", tmp_path)
    assert folder == tmp_path / "raw" / "synthetic-100k"
    assert (folder / "ratings.csv").read_text().splitlines()[0] == "userId,movieId,rating,timestamp"
    ratings = read_ratings(DATASETS["synthetic-100k"], tmp_path / "raw")
    assert len(ratings) == 100_000
    assert ratings.dtypes.to_dict() == {"user": np.int32, "movie": np.int32, "rating": np.float32, "timestamp": np.int64}
    assert read_movies(DATASETS["synthetic-100k"], tmp_path / "raw").movie.is_unique
    assert data_edition("synthetic-100k", tmp_path) == GENERATED
