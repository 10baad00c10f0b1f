"""split_labels: the seeded train / validation / test split every lesson shares."""

from __future__ import annotations

import numpy as np
import pytest

from cfcourse.data.split import SPLIT_NAMES, split_labels


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
