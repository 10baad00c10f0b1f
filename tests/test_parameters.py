"""The checks a lesson's parameters cell runs: good values pass, bad ones stop with the parameter's name."""

from __future__ import annotations

import numpy as np
import pytest

from cfcourse.parameters import (
    ParameterError,
    check_dataset,
    check_fraction,
    check_positive_float,
    check_positive_int,
)

NOT_NUMBERS = [True, False, "3", None, [3]]


@pytest.mark.parametrize("dataset", ["ml-latest-small", "ml-100k", "ml-1m", "ml-25m", "ml-32m", "synthetic"])
def test_dataset_accepts_registry_names(dataset):
    check_dataset(dataset)


@pytest.mark.parametrize("dataset", ["ml-20m", "ML-100K", "", None, ["ml-100k"]])
def test_dataset_rejects_other_values(dataset):
    with pytest.raises(ParameterError, match="parameter 'dataset' must be one of"):
        check_dataset(dataset)


@pytest.mark.parametrize("value", [1, 30, np.int64(5)])
def test_positive_int_accepts_whole_numbers_above_zero(value):
    check_positive_int("epochs", value)


@pytest.mark.parametrize("value", [0, -1, 2.0, 0.5, *NOT_NUMBERS])
def test_positive_int_rejects(value):
    with pytest.raises(ParameterError, match="parameter 'epochs' must be a whole number > 0"):
        check_positive_int("epochs", value)


def test_positive_int_allow_zero():
    check_positive_int("seed", 0, allow_zero=True)
    with pytest.raises(ParameterError, match="parameter 'seed' must be a whole number >= 0"):
        check_positive_int("seed", -1, allow_zero=True)


@pytest.mark.parametrize("value", [1e-3, 1, np.float32(0.01)])
def test_positive_float_accepts_numbers_above_zero(value):
    check_positive_float("learning_rate", value)


@pytest.mark.parametrize("value", [0, 0.0, -1e-3, float("nan"), float("inf"), *NOT_NUMBERS])
def test_positive_float_rejects(value):
    with pytest.raises(ParameterError, match="parameter 'learning_rate' must be a number > 0"):
        check_positive_float("learning_rate", value)


def test_positive_float_allow_zero():
    check_positive_float("l2", 0.0, allow_zero=True)
    with pytest.raises(ParameterError, match="parameter 'l2' must be a number >= 0"):
        check_positive_float("l2", -1e-6, allow_zero=True)


@pytest.mark.parametrize("value", [0, 0.0, 0.2, 0.999])
def test_fraction_accepts_values_in_zero_to_one(value):
    check_fraction("dropout_hidden", value)


@pytest.mark.parametrize("value", [1, 1.0, -0.1, float("nan"), *NOT_NUMBERS])
def test_fraction_rejects(value):
    with pytest.raises(ParameterError, match=r"parameter 'dropout_hidden' must be a number in \[0, 1\)"):
        check_fraction("dropout_hidden", value)
