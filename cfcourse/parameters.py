"""Checks for the values a lesson's ``parameters`` cell may be given.

Papermill can run any lesson with other values (``-p epochs 3``); a wrong value
should stop the lesson at its first cell with a message naming the parameter,
not fail obscurely half-way through training.
"""

from __future__ import annotations

import numbers

from cfcourse.datasets import DATASETS


class ParameterError(ValueError):
    """A lesson parameter has a value the lesson cannot use."""


def check_dataset(dataset) -> None:
    """``dataset`` must be a name in the registry."""
    if dataset not in DATASETS:
        raise ParameterError(f"parameter 'dataset' must be one of {sorted(DATASETS)}, got {dataset!r}")


def check_positive_int(name: str, value, *, allow_zero: bool = False) -> None:
    """``value`` must be a whole number above zero (or zero, where ``allow_zero``)."""
    low_ok = value >= 0 if allow_zero else value > 0
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low_ok:
        kind = "a whole number >= 0" if allow_zero else "a whole number > 0"
        raise ParameterError(f"parameter {name!r} must be {kind}, got {value!r}")


def check_positive_float(name: str, value, *, allow_zero: bool = False) -> None:
    """``value`` must be a number above zero (or zero, where ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0 or (value == 0 and not allow_zero):
        kind = "a number >= 0" if allow_zero else "a number > 0"
        raise ParameterError(f"parameter {name!r} must be {kind}, got {value!r}")


def check_fraction(name: str, value) -> None:
    """``value`` must lie in ``[0, 1)``, like a dropout rate."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ParameterError(f"parameter {name!r} must be a number in [0, 1), got {value!r}")
