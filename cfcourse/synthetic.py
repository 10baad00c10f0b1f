"""A small MovieLens-shaped dataset with structure planted in it, for tests and quick experiments.

Each user and movie gets a bias and a few hidden "taste" factors; a rating is
the global mean plus both biases plus the dot product of the factors, plus
noise, rounded to half stars like ml-latest-small. A model that learns should
therefore beat the global-mean baseline clearly, and the lessons can run on it
in seconds with no download (``DATASET=synthetic``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Sizes of the default dataset: small enough for a whole course run in well under a minute.
N_USERS = 300
N_MOVIES = 200
N_RATINGS = 15_000
N_FACTORS = 3


def synthetic_ratings(
    seed: int = 0,
    n_users: int = N_USERS,
    n_movies: int = N_MOVIES,
    n_ratings: int = N_RATINGS,
    n_factors: int = N_FACTORS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ratings and movies frames in the ml-latest-small columns, the same for the same arguments."""
    if n_ratings > n_users * n_movies:
        raise ValueError(f"n_ratings={n_ratings} exceeds the {n_users * n_movies} user-movie pairs there are")
    rng = np.random.default_rng(seed)
    user_taste = rng.normal(0, 0.6, size=(n_users, n_factors))
    movie_taste = rng.normal(0, 0.6, size=(n_movies, n_factors))
    user_bias = rng.normal(0, 0.4, size=n_users)
    movie_bias = rng.normal(0, 0.4, size=n_movies)

    # Popular movies get rated far more often than the rest: the long tail of real data.
    popularity = rng.zipf(1.6, size=n_movies).astype(float)
    pair_weights = np.outer(np.ones(n_users), popularity / popularity.sum()).ravel()
    pairs = rng.choice(n_users * n_movies, size=n_ratings, replace=False, p=pair_weights / pair_weights.sum())
    users, movies = np.divmod(pairs, n_movies)

    signal = 3.5 + user_bias[users] + movie_bias[movies] + np.einsum("ij,ij->i", user_taste[users], movie_taste[movies])
    noisy = signal + rng.normal(0, 0.3, size=n_ratings)
    ratings = np.clip(np.round(noisy * 2) / 2, 0.5, 5.0)

    # IDs start at 1 and movie IDs have gaps, as in MovieLens, so encoding has something to do.
    ratings_frame = pd.DataFrame(
        {
            "userId": users + 1,
            "movieId": movies * 3 + 1,
            "rating": ratings,
            "timestamp": 1_500_000_000 + rng.integers(0, 10**8, size=n_ratings),
        }
    ).sort_values(["userId", "movieId"], ignore_index=True)
    movies_frame = pd.DataFrame(
        {
            "movieId": np.arange(n_movies) * 3 + 1,
            "title": [f"Synthetic Movie {i:03d} ({1950 + i % 70})" for i in range(n_movies)],
            "genres": "Drama",
        }
    )
    return ratings_frame, movies_frame


def write_synthetic_dataset(folder: Path, seed: int = 0) -> None:
    """Write ``ratings.csv`` and ``movies.csv`` of the default synthetic dataset into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ratings, movies = synthetic_ratings(seed)
    ratings.to_csv(folder / "ratings.csv", index=False)
    movies.to_csv(folder / "movies.csv", index=False)
