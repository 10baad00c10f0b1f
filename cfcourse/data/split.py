"""One train / validation / test split that every lesson, test and benchmark shares.

- **train** rows fit the model;
- **validation** rows draw the learning curves, stop training early and choose
  settings such as the learning rate;
- **test** rows are touched once per model, at the end, for its headline number.

The split is random but seeded, so the same ratings and seed always give the
same split; lesson 01 saves it with the ratings so later lessons reuse it rather
than drawing their own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SPLIT_NAMES = ("train", "val", "test")
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)
DEFAULT_SEED = 42


def split_labels(n_rows: int, fractions=DEFAULT_FRACTIONS, seed: int = DEFAULT_SEED) -> pd.Categorical:
    """A label ``"train"``, ``"val"`` or ``"test"`` for each of ``n_rows`` rows.

    The sizes are ``fractions`` of ``n_rows`` (rounded, test takes what is left), and none may be
    empty; which rows get which label is a permutation drawn from ``seed``.

    The labels are a pandas ``Categorical``: one byte per row, where 25 million Python strings
    would take over a gigabyte. They compare like strings (``labels == "train"``).
    """
    fractions = tuple(float(f) for f in fractions)
    if len(fractions) != 3 or min(fractions) <= 0 or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be three positive numbers adding up to 1, got {fractions}")
    if n_rows < 3:
        raise ValueError(f"cannot split {n_rows} rows three ways")
    n_train = int(round(n_rows * fractions[0]))
    n_val = int(round(n_rows * fractions[1]))
    for name, size in zip(SPLIT_NAMES, (n_train, n_val, n_rows - n_train - n_val)):
        if size == 0:
            raise ValueError(f"the {name} part of {n_rows} rows split {fractions} would be empty")
    codes = np.empty(n_rows, dtype=np.int8)
    order = np.random.default_rng(seed).permutation(n_rows)
    codes[order[:n_train]] = SPLIT_NAMES.index("train")
    codes[order[n_train : n_train + n_val]] = SPLIT_NAMES.index("val")
    codes[order[n_train + n_val :]] = SPLIT_NAMES.index("test")
    return pd.Categorical.from_codes(codes, categories=SPLIT_NAMES)


#: The splits lesson 01 can draw, by name; any other value of its ``split`` parameter is the path of a split file.
SPLIT_METHODS = ("random", "per_user", "time")


class SplitError(ValueError):
    """The split asked for cannot be drawn (a part would be empty, a split file is wrong); one line says why."""

    def _render_traceback_(self):
        return [f"SplitError: {self}"]


def per_user_labels(ratings: pd.DataFrame, val_fraction: float, test_fraction: float, seed: int) -> pd.Categorical:
    """Each user's ratings split apart: ``test_fraction`` of them to test, then ``val_fraction`` of the rest to
    validation, drawn at random from ``seed`` (the protocol of per-user tables such as RecBole's)."""
    order_key = np.random.default_rng(seed).random(len(ratings))
    return _labels_within_users(ratings.user_idx.to_numpy(), order_key, val_fraction, test_fraction)


def time_labels(ratings: pd.DataFrame, val_fraction: float, test_fraction: float) -> pd.Categorical:
    """Each user's latest ``test_fraction`` of ratings to test, the latest ``val_fraction`` of the rest to
    validation: a model is tested on what came after what it learned from. Equal times go by movie index."""
    order_key = ratings.timestamp.to_numpy(dtype=np.float64) + ratings.movie_idx.to_numpy() / (ratings.movie_idx.max() + 1)
    return _labels_within_users(ratings.user_idx.to_numpy(), order_key, val_fraction, test_fraction)


def _labels_within_users(users: np.ndarray, order_key: np.ndarray, val_fraction: float,
                         test_fraction: float) -> pd.Categorical:
    """Within each user, rows in ``order_key`` order: the last ``test_fraction`` (rounded) to test, the last
    ``val_fraction`` of those left to validation, the first to train. With fractions below 0.5 (lesson 01's rule),
    rounding leaves every user at least one train rating."""
    order = np.lexsort((order_key, users))
    per_user = np.bincount(users)
    starts = np.concatenate([[0], np.cumsum(per_user)[:-1]])
    position = np.empty(len(users), dtype=np.int64)
    position[order] = np.arange(len(users)) - np.repeat(starts, per_user)
    n_test = np.round(per_user * test_fraction).astype(np.int64)
    n_val = np.round((per_user - n_test) * val_fraction).astype(np.int64)
    n_train = per_user - n_test - n_val
    codes = np.where(position < n_train[users], 0, np.where(position < (n_train + n_val)[users], 1, 2)).astype(np.int8)
    return _checked_labels(codes, f"each user's ratings split with val_fraction={val_fraction}, "
                                  f"test_fraction={test_fraction}")


def file_labels(ratings: pd.DataFrame, split_file) -> pd.Categorical:
    """The labels a learner's split file gives: a CSV or Parquet file with one row per rating, columns
    ``user``, ``movie`` (the dataset's own IDs) and ``split`` (``train``, ``val`` or ``test``).

    It must label every rating exactly once; anything else stops with a :class:`SplitError`."""
    path = Path(split_file)
    table = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    missing = [column for column in ("user", "movie", "split") if column not in table.columns]
    if missing:
        raise SplitError(f"{path.name} has no column {missing[0]!r}: it needs user, movie and split")
    unknown = sorted(set(table.split.astype(str)) - set(SPLIT_NAMES))
    if unknown:
        raise SplitError(f"{path.name} labels a rating {unknown[0]!r}: the labels are train, val and test")
    pairs = pd.MultiIndex.from_frame(table[["user", "movie"]])
    if pairs.has_duplicates:
        user, movie = pairs[pairs.duplicated()][0]
        raise SplitError(f"{path.name} labels (user {user}, movie {movie}) more than once")
    position = pairs.get_indexer(pd.MultiIndex.from_frame(ratings[["user", "movie"]]))
    if (position < 0).any():
        first = int(np.argmax(position < 0))
        raise SplitError(f"{path.name} labels {len(table):,} ratings but not all {len(ratings):,}: "
                         f"none for (user {ratings.user.iloc[first]}, movie {ratings.movie.iloc[first]}), for one")
    if len(table) > len(ratings):
        raise SplitError(f"{path.name} labels {len(table) - len(ratings):,} (user, movie) pairs the data has no "
                             "rating of")
    codes = pd.Categorical(table.split.astype(str), categories=SPLIT_NAMES).codes[position].astype(np.int8)
    return _checked_labels(codes, path.name)


def _checked_labels(codes: np.ndarray, described: str) -> pd.Categorical:
    for code, name in enumerate(SPLIT_NAMES):
        if not (codes == code).any():
            raise SplitError(f"the {name} part of {described} would be empty")
    return pd.Categorical.from_codes(codes, categories=SPLIT_NAMES)


def split_ratings(ratings: pd.DataFrame, split: str, val_fraction: float, test_fraction: float,
                  seed: int) -> tuple[pd.Categorical, dict]:
    """Lesson 01's split of the encoded ``ratings``: its labels, and what ``split.json`` says of how it was made.

    ``split`` is ``"random"`` (over all ratings: the course's own), ``"per_user"``, ``"time"`` or the path of a
    split file (see :func:`file_labels`); the fractions and ``seed`` are used where the method has them."""
    if split == "random":
        fractions = [1 - val_fraction - test_fraction, val_fraction, test_fraction]
        return split_labels(len(ratings), fractions, seed), {"method": "random", "seed": seed, "fractions": fractions}
    within_users = {"val_fraction": val_fraction, "test_fraction": test_fraction}
    if split == "per_user":
        return per_user_labels(ratings, val_fraction, test_fraction, seed), {"method": "per_user", "seed": seed,
                                                                               **within_users}
    if split == "time":
        return time_labels(ratings, val_fraction, test_fraction), {"method": "time", **within_users}
    return file_labels(ratings, split), {"method": "file", "file": Path(split).name}
