"""The processed dataset lesson 01 writes and every later lesson reads.

Under ``data/processed/<dataset>/``:

- ``ratings.parquet``: one row per rating with the original IDs, the
  contiguous ``user_idx`` / ``movie_idx``, the ``rating``, its ``timestamp`` (seconds since 1970)
  and the ``split`` it belongs to. Parquet
  keeps each column's type and reads 25 million rows in a second or two, where
  CSV would take a minute and turn the split labels back into strings;
- ``movies.csv``: ``movie_idx``, original ``movie`` ID, ``title`` and ``n_ratings``
  of every rated movie, so indices can be turned back into titles;
- ``users.csv``: ``user_idx`` and original ``user`` ID;
- ``split.json``: how the split was drawn (its ``method``), its sizes, and the ``edition`` of the raw
  data it was drawn from (see :func:`cfcourse.data.editions.data_edition`).

docs/data.md describes the format for a learner who writes the folder by hand; :func:`check_processed`
names, in one line, the first file or column such a folder lacks. Lesson 01 marks the folders it
writes (``made_by``), and replaces no other: a folder it did not make is the learner's.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from cfcourse.course import PROCESSED, WRITTEN_BY
from cfcourse.data.editions import data_edition
from cfcourse.data.encoding import IdMap
from cfcourse.data.split import DEFAULT_FRACTIONS, DEFAULT_SEED, SPLIT_NAMES
from cfcourse.paths import CoursePaths, shown_path
from cfcourse.prerequisites import require_files

RATINGS_FILE = "ratings.parquet"
#: Column types of the saved ratings: compact, and ``rating`` in float64 so sums and means are exact.
RATING_TYPES = {"user_idx": "int32", "movie_idx": "int32", "rating": "float64", "split": "category"}
MOVIES_FILE = "movies.csv"
USERS_FILE = "users.csv"
SPLIT_FILE = "split.json"
PROCESSED_FILES = (RATINGS_FILE, MOVIES_FILE, USERS_FILE, SPLIT_FILE)
#: The columns each table must have; a lesson may read more, never fewer.
REQUIRED_COLUMNS = {RATINGS_FILE: ("user_idx", "movie_idx", "rating", "timestamp", "split"),
                    MOVIES_FILE: ("movie_idx", "movie", "title", "n_ratings"), USERS_FILE: ("user_idx", "user")}
#: What ``split.json``'s ``made_by`` says of a folder lesson 01 wrote: the name of the lesson that writes it.
MADE_BY = WRITTEN_BY[PROCESSED]
#: The keys every ``split.json`` lesson 01 wrote before it recorded ``made_by`` (so those folders stay its own).
_EARLIER_LESSON_01_KEYS = {"seed", "fractions", "sizes", "edition"}


class ProcessedDataError(ValueError):
    """A processed folder lacks a file or column the lessons need; the message names it in one line."""

    def _render_traceback_(self):
        return [f"ProcessedDataError: {self}"]


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
    require_made_by_lesson_01(paths)
    # Written into a folder beside it, then swapped in: a lesson stopped half-way leaves the old folder whole.
    folder = paths.processed.with_name(f".{paths.processed.name}.writing")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ratings.astype(RATING_TYPES).to_parquet(folder / RATINGS_FILE, index=False)
    counts = np.bincount(ratings["movie_idx"], minlength=len(movies))
    movie_table = pd.DataFrame({"movie_idx": np.arange(len(movies)), "movie": movies.ids, "n_ratings": counts})
    movie_table = movie_table.merge(titles, on="movie", how="left")
    movie_table["title"] = movie_table["title"].fillna("(title missing)")
    movie_table.to_csv(folder / MOVIES_FILE, index=False)
    pd.DataFrame({"user_idx": np.arange(len(users)), "user": users.ids}).to_csv(folder / USERS_FILE, index=False)
    split_info = {**split_info, "edition": data_edition(paths.dataset, paths.data_dir), "made_by": MADE_BY}
    (folder / SPLIT_FILE).write_text(json.dumps(split_info, indent=2) + "\n")
    if paths.processed.exists():
        shutil.rmtree(paths.processed)
    os.replace(folder, paths.processed)


def made_by_lesson_01(processed) -> bool:
    """Whether lesson 01 wrote the processed folder ``processed`` (``True`` where there is none yet)."""
    split_file = processed / SPLIT_FILE
    if not processed.exists() or not any(processed.iterdir()):
        return True
    try:
        info = json.loads(split_file.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and (info.get("made_by") == MADE_BY
                                       or ("made_by" not in info and _EARLIER_LESSON_01_KEYS <= info.keys()))


def require_made_by_lesson_01(paths: CoursePaths) -> None:
    """Stop, in one line and before anything is written, if the processed folder is one lesson 01 did not make."""
    if not made_by_lesson_01(paths.processed):
        raise ProcessedDataError(f"{shown_path(paths.processed)} was not made by lesson 01 (see its {SPLIT_FILE}), so "
                                 "lesson 01 leaves it as it is: the later lessons read it. To have lesson 01 make "
                                 "one, move it away or choose another data folder (data_dir, DATA_DIR=...)")


def check_processed(paths: CoursePaths) -> None:
    """Stop with one line naming the first file, column or value the lessons need that ``paths.processed`` lacks.

    Cheap (Parquet's schema and the CSV headers are read, not the tables), so a lesson runs it before any training."""
    files = [paths.processed / name for name in PROCESSED_FILES]
    if not paths.processed.is_dir() or not any(paths.processed.iterdir()):
        require_files(*files, written_by=MADE_BY, dataset=paths.dataset)
    missing = [file for file in files if not file.is_file()]
    if missing:  # a folder written by hand, not lesson 01's: it is completed by hand, not by running lesson 01
        raise ProcessedDataError(f"{shown_path(missing[0])} is missing: a processed folder holds "
                                 f"{', '.join(PROCESSED_FILES)} (docs/data.md)")
    for name, columns in REQUIRED_COLUMNS.items():
        file = paths.processed / name
        present = (pq.read_schema(file).names if name == RATINGS_FILE
                   else pd.read_csv(file, nrows=0).columns.tolist())
        missing = [column for column in columns if column not in present]
        if missing:
            raise ProcessedDataError(f"{shown_path(file)} has no column {missing[0]!r}: the lessons need "
                                     f"{', '.join(columns)} (docs/data.md)")
    try:
        info = json.loads((paths.processed / SPLIT_FILE).read_text())
    except ValueError as error:
        raise ProcessedDataError(f"{shown_path(paths.processed / SPLIT_FILE)} is not JSON ({error})") from None
    if not isinstance(info, dict) or ("method" not in info and not made_by_lesson_01(paths.processed)):
        raise ProcessedDataError(f"{shown_path(paths.processed / SPLIT_FILE)} must be an object with a \"method\" "
                                 "saying how the split was made (docs/data.md)")


def check_parts(data: LessonData) -> None:
    """Stop with one line if the ratings' split labels or indices are not what the lessons can use."""
    labels = {str(label) for label in data.ratings.split.unique()}
    if labels - set(SPLIT_NAMES) or not set(SPLIT_NAMES) <= labels:
        raise ProcessedDataError(f"the split column must label ratings train, val and test, each at least once; "
                                 f"it holds {sorted(labels)}")
    for column, table in (("user_idx", data.users), ("movie_idx", data.movies)):
        values = data.ratings[column]
        numbered = np.array_equal(table[column].to_numpy(), np.arange(len(table)))
        if not numbered or values.min() < 0 or values.max() >= len(table):
            raise ProcessedDataError(f"{column} must number the rows of its table 0 .. {len(table) - 1} in order, and "
                                     "every rating's must be one of them")


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
    def split_method(self) -> str:
        """How the split was made: ``"random"`` (the course's), ``"per_user"``, ``"time"``, ``"file"``, or a learner's
        own word for a folder written by hand. Folders lesson 01 wrote before it said so hold the random split."""
        return self.split_info.get("method", "random")

    @property
    def course_split(self) -> bool:
        """Whether this is the course's own split (random, seed and fractions as published): the one its numbers
        are published for."""
        info = self.split_info
        fractions = info.get("fractions", [])
        return (self.split_method == "random" and info.get("seed") == DEFAULT_SEED
                and len(fractions) == len(DEFAULT_FRACTIONS) and np.allclose(fractions, DEFAULT_FRACTIONS))

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
    """Read what lesson 01 saved (or a learner wrote, docs/data.md), or stop with one line: run lesson 01 first,
    or what the folder lacks."""
    check_processed(paths)
    folder = paths.processed
    data = LessonData(
        ratings=pd.read_parquet(folder / RATINGS_FILE),
        movies=pd.read_csv(folder / MOVIES_FILE),
        users=pd.read_csv(folder / USERS_FILE),
        split_info=json.loads((folder / SPLIT_FILE).read_text()),
        paths=paths,
    )
    check_parts(data)
    return data
