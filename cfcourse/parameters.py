"""Checks for the values a lesson's ``parameters`` cell may be given.

Papermill can run any lesson with other values (``-p epochs 3``); a wrong value
should stop the lesson at its first cell with a message naming the parameter,
not fail obscurely half-way through training.
"""

from __future__ import annotations

import math
import numbers

from cfcourse.datasets import DATASETS


class ParameterError(ValueError):
    """A lesson parameter has a value the lesson cannot use."""


def check_dataset(dataset) -> None:
    """``dataset`` must be a name in the registry."""
    if not isinstance(dataset, str) or dataset not in DATASETS:
        raise ParameterError(f"parameter 'dataset' must be one of {sorted(DATASETS)}, got {dataset!r}")


def check_positive_int(name: str, value, *, allow_zero: bool = False) -> None:
    """``value`` must be a whole number above zero (or zero, where ``allow_zero``)."""
    # The type is checked before the comparison: ``"3" > 0`` would raise a TypeError, not a ParameterError.
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not is_int or not (value >= 0 if allow_zero else value > 0):
        kind = "a whole number >= 0" if allow_zero else "a whole number > 0"
        raise ParameterError(f"parameter {name!r} must be {kind}, got {value!r}")


def check_positive_float(name: str, value, *, allow_zero: bool = False) -> None:
    """``value`` must be a finite number above zero (or zero, where ``allow_zero``)."""
    is_real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not is_real or not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "a number >= 0" if allow_zero else "a number > 0"
        raise ParameterError(f"parameter {name!r} must be {kind}, got {value!r}")


def check_fraction(name: str, value) -> None:
    """``value`` must lie in ``[0, 1)``, like a dropout rate."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ParameterError(f"parameter {name!r} must be a number in [0, 1), got {value!r}")
