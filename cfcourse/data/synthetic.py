"""A small MovieLens-shaped dataset with structure planted in it, for tests and quick experiments.

Each user and movie gets a bias and a few hidden "taste" factors; a rating is
the global mean plus both biases plus the dot product of the factors, plus
noise, rounded to half stars like ml-latest-small. A model that learns should
therefore beat the global-mean baseline clearly, and the lessons can run on it
in seconds with no download (``DATASET=synthetic``).

For the scale of the big editions there are ``synthetic-100k``, ``synthetic-1m``
and ``synthetic-25m``: generated in ml-25m's shape and file format (a long tail of
users and movies, half and whole stars), at any size, in seconds, with no download.
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


def write_synthetic_dataset(folder: Path, n_ratings: int | None = None, seed: int = 0) -> None:
    """Write ``ratings.csv`` and ``movies.csv`` of a generated dataset into ``folder``.

    With ``n_ratings`` ``None``, the small default set (``synthetic``); with a number, that many
    ratings shaped like ml-25m (see :func:`movielens_like_ratings`), as the registry's
    ``synthetic-100k``, ``synthetic-1m`` and ``synthetic-25m`` ask. The CSV is written by pyarrow:
    25 million rows take seconds, where pandas' writer takes minutes.
    """
    import pyarrow as pa
    import pyarrow.csv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ratings, movies = synthetic_ratings(seed) if n_ratings is None else movielens_like_ratings(n_ratings, seed)
    for frame, file_name in [(ratings, "ratings.csv"), (movies, "movies.csv")]:
        with open(folder / file_name, "wb") as file:
            # pyarrow quotes every header name; MovieLens writes them bare, so the header goes first by hand.
            file.write((",".join(frame.columns) + "\n").encode())
            pyarrow.csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), file,
                                  pyarrow.csv.WriteOptions(include_header=False, quoting_style="needed"))


# --- MovieLens-25M-shaped data at any size -------------------------------------------------

#: ml-25m's shape: ratings, users and rated movies, which the generated sets scale from.
ML_25M_RATINGS, ML_25M_USERS, ML_25M_MOVIES = 25_000_095, 162_541, 59_047
#: Hidden taste factors in the generated ratings: fewer than the lessons' 50, so 50 can find them all.
SCALE_FACTORS = 8
#: Ratings computed per chunk, which bounds the memory generation takes.
CHUNK_ROWS = 5_000_000
#: Rounds of drawing movies for users still short of their count; two or three are enough.
MAX_DRAWING_ROUNDS = 10
_GENRES = ["Action", "Comedy", "Drama", "Romance", "Thriller", "Animation", "Documentary", "Sci-Fi"]


def movielens_shape(n_ratings: int) -> tuple[int, int]:
    """Users and movies for ``n_ratings`` ratings, scaled from ml-25m.

    Users grow with the ratings (each rates about 154 movies, as in ml-25m); movies
    grow with their square root, as they do across the MovieLens editions (ml-1m
    rates 3,706 movies, ml-25m 59,047).
    """
    share = n_ratings / ML_25M_RATINGS
    return max(20, round(ML_25M_USERS * share)), max(50, round(ML_25M_MOVIES * share**0.5))


def _ratings_per_user(rng: np.random.Generator, n_users: int, n_ratings: int, n_movies: int) -> np.ndarray:
    """At least 20 ratings each, as in ml-25m, and a long tail above: most users rate a few dozen, some thousands."""
    floor = min(20, n_ratings // n_users)
    activity = rng.lognormal(0.0, 1.2, size=n_users)
    extra = np.floor(activity / activity.sum() * (n_ratings - floor * n_users)).astype(np.int64)
    counts = np.minimum(floor + extra, n_movies // 4)
    shortfall = n_ratings - counts.sum()
    # Rounding and the cap leave some ratings over: share them out at random among users with room for more.
    room = np.flatnonzero(counts < n_movies // 4)
    np.add.at(counts, rng.choice(room, size=shortfall), 1)
    return np.minimum(counts, n_movies)


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by sorting, several times faster than numpy 2's hashing on tens of millions of keys."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _draw_pairs(rng: np.random.Generator, counts: np.ndarray, popularity: np.ndarray, n_ratings: int) -> np.ndarray:
    """``n_ratings`` distinct user-movie pairs, each ``user * n_movies + movie``, sorted: about
    ``counts[u]`` movies for user ``u``, drawn by ``popularity``.

    A movie drawn twice for the same user counts once, so users still short of their count draw
    again; a seeded choice then keeps exactly ``n_ratings`` pairs.
    """
    n_users, n_movies = len(counts), len(popularity)
    pairs, short = np.empty(0, dtype=np.int64), counts
    for drawing_round in range(MAX_DRAWING_ROUNDS):
        # Each round mixes in more of a flat draw, so that heavy users can find movies they lack in the tail.
        flat_share = 1 - 0.5**drawing_round
        cumulative = np.cumsum((1 - flat_share) * popularity + flat_share / n_movies)
        drawn = np.repeat(np.arange(n_users, dtype=np.int64), np.ceil(short * 1.1).astype(np.int64))
        movies_drawn = np.minimum(np.searchsorted(cumulative, rng.random(len(drawn)) * cumulative[-1]), n_movies - 1)
        pairs = _distinct_sorted(np.concatenate([pairs, drawn * n_movies + movies_drawn]))
        del drawn, movies_drawn
        if len(pairs) >= n_ratings:
            break
        short = np.maximum(counts - np.bincount(pairs // n_movies, minlength=n_users), 0)
    else:
        raise ValueError(f"could only draw {len(pairs):,} distinct pairs for {n_ratings:,} ratings")
    return pairs[np.sort(rng.choice(len(pairs), size=n_ratings, replace=False))]


def movielens_like_ratings(n_ratings: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n_ratings`` ratings shaped like ml-25m, in its columns, the same for the same arguments.

    - **Users** rate from 20 movies to thousands (a log-normal long tail).
    - **Movies** follow a power law: a few are rated by a large share of users, most by a handful.
    - **Ratings** are ``3.4 + user bias + movie bias + user taste · movie taste + noise``, with
      :data:`SCALE_FACTORS` tastes; better-known movies are liked a little more, as in the real
      data. Six users in ten give whole stars only, the rest use half stars too.
    - **IDs** start at 1 and movie IDs have gaps; titles and genres are made up (a movie's genre
      is its strongest taste), so lesson 05's tables have something to show.

    Returns the ratings (``userId``, ``movieId``, ``rating``, ``timestamp``, one row per
    user-movie pair, sorted by user then movie) and the movies (``movieId``, ``title``, ``genres``).
    """
    if n_ratings < 1_000:
        raise ValueError(f"n_ratings must be at least 1,000 for a MovieLens-shaped dataset, got {n_ratings:,}")
    n_users, n_movies = movielens_shape(n_ratings)
    rng = np.random.default_rng(seed)
    popularity = 1.0 / (np.arange(n_movies) + 10.0) ** 1.1
    popularity = rng.permutation(popularity / popularity.sum())  # so a movie's ID says nothing of its popularity

    pairs = _draw_pairs(rng, _ratings_per_user(rng, n_users, n_ratings, n_movies), popularity, n_ratings)
    users, movies = np.divmod(pairs, n_movies)
    del pairs

    user_taste = rng.normal(0, 0.45, size=(n_users, SCALE_FACTORS)).astype(np.float32)
    movie_taste = rng.normal(0, 0.45, size=(n_movies, SCALE_FACTORS)).astype(np.float32)
    user_bias = rng.normal(0, 0.4, size=n_users).astype(np.float32)
    log_popularity = np.log(popularity)
    movie_bias = (rng.normal(0, 0.4, size=n_movies)
                  + 0.05 * (log_popularity - log_popularity.mean()) / log_popularity.std()).astype(np.float32)
    whole_stars_only = rng.random(n_users) < 0.6

    ratings = np.empty(n_ratings, dtype=np.float32)
    for start in range(0, n_ratings, CHUNK_ROWS):
        u, m = users[start : start + CHUNK_ROWS], movies[start : start + CHUNK_ROWS]
        signal = 3.4 + user_bias[u] + movie_bias[m] + np.einsum("ij,ij->i", user_taste[u], movie_taste[m])
        noisy = signal + rng.normal(0, 0.45, size=len(u)).astype(np.float32)
        steps = np.where(whole_stars_only[u], 1.0, 2.0).astype(np.float32)
        ratings[start : start + CHUNK_ROWS] = np.clip(np.round(noisy * steps) / steps, 0.5, 5.0)
    ratings = np.where(whole_stars_only[users] & (ratings < 1.0), 1.0, ratings).astype(np.float32)

    ratings_frame = pd.DataFrame({
        "userId": (users + 1).astype(np.int32),
        "movieId": (movies * 3 + 1).astype(np.int32),
        "rating": ratings,
        "timestamp": 946_684_800 + rng.integers(0, 20 * 365 * 86_400, size=n_ratings),
    })
    movie_numbers = np.arange(n_movies)
    movies_frame = pd.DataFrame({
        "movieId": movie_numbers * 3 + 1,
        "title": [f"Synthetic Movie {i:06d} ({1920 + i % 100})" for i in movie_numbers],
        "genres": np.array(_GENRES)[np.argmax(movie_taste, axis=1) % len(_GENRES)],
    })
    return ratings_frame, movies_frame
