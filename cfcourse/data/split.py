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
