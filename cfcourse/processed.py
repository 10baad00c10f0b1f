"""The processed dataset lesson 01 writes and every later lesson reads.

Under ``data/processed/<dataset>/``:

- ``ratings.parquet``: one row per rating with the original IDs, the
  contiguous ``user_idx`` / ``movie_idx`` and the ``split`` it belongs to. Parquet
  keeps each column's type and reads 25 million rows in a second or two, where
  CSV would take a minute and turn the split labels back into strings;
- ``movies.csv``: ``movie_idx``, original ``movie`` ID, ``title`` and ``n_ratings``
  of every rated movie, so indices can be turned back into titles;
- ``users.csv``: ``user_idx`` and original ``user`` ID;
- ``split.json``: how the split was drawn, its sizes, and the ``edition`` of the raw
  data it was drawn from (see :func:`cfcourse.data.editions.data_edition`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from cfcourse.data.editions import data_edition
from cfcourse.data.encoding import IdMap
from cfcourse.paths import CoursePaths
from cfcourse.prerequisites import require_files

RATINGS_FILE = "ratings.parquet"
#: Column types of the saved ratings: compact, and ``rating`` in float64 so sums and means are exact.
RATING_TYPES = {"user_idx": "int32", "movie_idx": "int32", "rating": "float64", "split": "category"}
MOVIES_FILE = "movies.csv"
USERS_FILE = "users.csv"
SPLIT_FILE = "split.json"


def save_processed(
    paths: CoursePaths,
    ratings: pd.DataFrame,
    users: IdMap,
    movies: IdMap,
    titles: pd.DataFrame,
    split_info: dict,
) -> None:
    """Write what later lessons need. ``ratings`` carries ``user_idx``, ``movie_idx`` and ``split``.

    ``split.json`` also records which edition of the raw data was processed, so a
    later lesson knows whether the course's published numbers apply to it.
    """
    paths.processed.mkdir(parents=True, exist_ok=True)
    ratings.astype(RATING_TYPES).to_parquet(paths.processed / RATINGS_FILE, index=False)
    counts = np.bincount(ratings["movie_idx"], minlength=len(movies))
    movie_table = pd.DataFrame({"movie_idx": np.arange(len(movies)), "movie": movies.ids, "n_ratings": counts})
    movie_table = movie_table.merge(titles, on="movie", how="left")
    movie_table["title"] = movie_table["title"].fillna("(title missing)")
    movie_table.to_csv(paths.processed / MOVIES_FILE, index=False)
    pd.DataFrame({"user_idx": np.arange(len(users)), "user": users.ids}).to_csv(paths.processed / USERS_FILE, index=False)
    split_info = {**split_info, "edition": data_edition(paths.dataset, paths.data_dir)}
    (paths.processed / SPLIT_FILE).write_text(json.dumps(split_info, indent=2) + "\n")


@dataclass(frozen=True)
class LessonData:
    """The encoded ratings split three ways, with the tables to translate indices back."""

    ratings: pd.DataFrame
    movies: pd.DataFrame
    users: pd.DataFrame
    split_info: dict
    #: The run's folders it was loaded for, so what a lesson records about this data (the exercises'
    #: checks) lands in that run's metrics folder; ``None`` for data made in memory (tests).
    paths: CoursePaths | None = field(default=None, repr=False, compare=False)

    def part(self, name: str) -> pd.DataFrame:
        """The rows of one split: ``"train"``, ``"val"`` or ``"test"``."""
        return self.ratings[self.ratings["split"] == name].reset_index(drop=True)

    # Each part is cut once and kept: at 25 million ratings a cut takes a second and a gigabyte.
    @cached_property
    def train(self) -> pd.DataFrame:
        return self.part("train")

    @cached_property
    def val(self) -> pd.DataFrame:
        return self.part("val")

    @cached_property
    def test(self) -> pd.DataFrame:
        return self.part("test")

    @property
    def edition(self) -> str | None:
        """The edition of the raw data lesson 01 processed: ``"published"``, ``"accepted-..."``, ``"generated"``."""
        return self.split_info.get("edition")

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_movies(self) -> int:
        return len(self.movies)


def sample_users(data: LessonData, max_train_ratings: int, seed: int) -> LessonData:
    """``data`` cut to a seeded sample of users whose train ratings total at most ``max_train_ratings``.

    The sampled users are renumbered ``0 .. n - 1`` in their original order, so a model's user table
    has a row for each of them and no others; movies keep their indices. When all the train ratings
    are that few already, ``data`` itself.
    """
    train_per_user = np.bincount(data.train.user_idx, minlength=data.n_users)
    if train_per_user.sum() <= max_train_ratings:
        return data
    shuffled = np.random.default_rng(seed).permutation(data.n_users)
    fitting = np.searchsorted(np.cumsum(train_per_user[shuffled]), max_train_ratings, side="right")
    kept = np.sort(shuffled[:fitting])
    new_index = np.full(data.n_users, -1, dtype=np.int32)
    new_index[kept] = np.arange(len(kept), dtype=np.int32)
    ratings = data.ratings[new_index[data.ratings.user_idx.to_numpy()] >= 0].reset_index(drop=True)
    ratings["user_idx"] = new_index[ratings.user_idx.to_numpy()]
    users = data.users.iloc[kept].reset_index(drop=True).assign(user_idx=np.arange(len(kept)))
    return replace(data, ratings=ratings, users=users)


def load_processed(paths: CoursePaths) -> LessonData:
    """Read what lesson 01 saved, or stop with a message saying to run lesson 01 first."""
    files = [paths.processed / name for name in (RATINGS_FILE, MOVIES_FILE, USERS_FILE, SPLIT_FILE)]
    require_files(*files, written_by="01_preprocessing", dataset=paths.dataset)
    return LessonData(
        ratings=pd.read_parquet(files[0]),
        movies=pd.read_csv(files[1]),
        users=pd.read_csv(files[2]),
        split_info=json.loads(files[3].read_text()),
        paths=paths,
    )
