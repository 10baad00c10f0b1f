"""The rules for the values a lesson's ``parameters`` cell may hold.

Papermill, ``scripts/run_course.py -p`` and a learner editing a cell can give any
lesson other values (``-p epochs 3``). Each parameter name has one rule, here (or, for a parameter
only one lesson has, in that lesson's record, ``Lesson.rules`` in :mod:`cfcourse.course`), used
by the lessons (before they import TensorFlow, so a wrong value stops at once) and
by the course runner (before it runs any lesson). A wrong value stops with one
line naming the parameter, what is allowed and what it got.
"""

from __future__ import annotations

import math
import numbers
import os
import re
from typing import Callable

from cfcourse.course import COURSE
from cfcourse.data.datasets import DATASETS
from cfcourse.data.split import SPLIT_METHODS


class ParameterError(ValueError):
    """A lesson parameter has a value the lesson cannot use."""

    def _render_traceback_(self):
        # IPython (and so a notebook) shows this instead of a traceback: the message is the whole story.
        return [f"ParameterError: {self}"]


def _is_whole_number(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


#: A rule: (what is allowed, in words; a test of a value).
Rule = tuple[str, Callable[[object], bool]]

WHOLE_ABOVE_ZERO: Rule = ("a whole number > 0", lambda v: _is_whole_number(v) and v > 0)
WHOLE_AT_LEAST_ZERO: Rule = ("a whole number >= 0", lambda v: _is_whole_number(v) and v >= 0)
NUMBER_ABOVE_ZERO: Rule = ("a number > 0", lambda v: _is_real_number(v) and v > 0)
NUMBER_AT_LEAST_ZERO: Rule = ("a number >= 0", lambda v: _is_real_number(v) and v >= 0)
FRACTION: Rule = ("a number in [0, 1)", lambda v: _is_real_number(v) and 0 <= v < 1)
SPLIT_SHARE: Rule = ("a number strictly between 0 and 0.5", lambda v: _is_real_number(v) and 0 < v < 0.5)
FOLDER: Rule = ("None or a folder path", lambda v: v is None or (isinstance(v, (str, os.PathLike)) and str(v) != ""))
TEXT: Rule = ("a non-empty text", lambda v: isinstance(v, str) and v.strip() != "")
YES_OR_NO: Rule = ("True or False", lambda v: isinstance(v, bool))

#: What a run name may look like: it becomes a folder name on every operating system.
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
RUN: Rule = ("None (the course's own run) or a name of letters, digits, '.', '_' and '-'",
             lambda v: v is None or (isinstance(v, str) and RUN_NAME.fullmatch(v) is not None))

def _is_ratings(value) -> bool:
    return (isinstance(value, dict) and len(value) > 0
            and all(isinstance(title, str) and title.strip() and _is_real_number(rating) and 0.5 <= rating <= 5
                    for title, rating in value.items()))


RATINGS: Rule = ("a non-empty dict of movie title: rating from 0.5 to 5", _is_ratings)

#: Lesson 06's ``threshold`` that makes every test rating relevant (binary relevance, as per-user tables use).
EVERY_RATING = "all"
THRESHOLD: Rule = (f"a number > 0 (the lowest relevant test rating) or {EVERY_RATING!r} (every test rating)",
                   lambda v: v == EVERY_RATING or NUMBER_ABOVE_ZERO[1](v))


def describe_relevance(threshold) -> str:
    """What makes a movie relevant, in words: ``"a test rating of 4.0 or more"``, or ``"any test rating"``."""
    return "any test rating" if threshold == EVERY_RATING else f"a test rating of {threshold} or more"


SPLIT: Rule = (f"one of {', '.join(SPLIT_METHODS)} or the path of a split file (user, movie, split) that exists",
               lambda v: isinstance(v, (str, os.PathLike)) and (v in SPLIT_METHODS or os.path.isfile(v)))

#: One rule per parameter name, whichever lesson declares it.
RULES: dict[str, Rule] = {
    "data_dir": FOLDER,
    "mirror": ("None, or a folder, file or URL", lambda v: v is None or (isinstance(v, str) and v != "")),
    "accept_new_edition": YES_OR_NO,
    "run": RUN,
    "split": SPLIT,
    "split_seed": WHOLE_AT_LEAST_ZERO,
    "val_fraction": SPLIT_SHARE,
    "test_fraction": SPLIT_SHARE,
    "seed": WHOLE_AT_LEAST_ZERO,
    "n_factors": WHOLE_ABOVE_ZERO,
    "hidden_units": WHOLE_ABOVE_ZERO,
    "epochs": WHOLE_ABOVE_ZERO,
    "batch_size": WHOLE_ABOVE_ZERO,
    "patience": WHOLE_ABOVE_ZERO,
    "l2": NUMBER_AT_LEAST_ZERO,
    "learning_rate": NUMBER_ABOVE_ZERO,
    "dropout_embeddings": FRACTION,
    "dropout_hidden": FRACTION,
    "min_ratings": WHOLE_ABOVE_ZERO,
    "n_top": WHOLE_ABOVE_ZERO,
    "user_id": WHOLE_AT_LEAST_ZERO,
    "query_movie": TEXT,
    "k": WHOLE_ABOVE_ZERO,
    "threshold": THRESHOLD,
    "max_users": WHOLE_ABOVE_ZERO,
    "embedding_size": WHOLE_ABOVE_ZERO,
    "max_epochs": WHOLE_ABOVE_ZERO,
    "list_learning_rate": NUMBER_ABOVE_ZERO,
    "ease_min_ratings": WHOLE_ABOVE_ZERO,
    "refit": YES_OR_NO,
    "my_ratings": RATINGS,
}


def rule_of(name: str) -> Rule:
    """The rule of the parameter ``name``: the shared one in :data:`RULES`, else the one a lesson's record gives
    for a parameter of its own (``Lesson.rules``)."""
    if name in RULES:
        return RULES[name]
    for lesson in COURSE:
        if name in lesson.rules:
            return lesson.rules[name]
    raise KeyError(f"no rule for the parameter {name!r}: add one to cfcourse.parameters.RULES, or to the record "
                   "of the lesson that has it (Lesson.rules in cfcourse/course.py)")


def parameter_problem(name: str, value) -> str | None:
    """What is wrong with ``value`` for the parameter ``name``, in one sentence; ``None`` if nothing."""
    if name == "dataset":
        if isinstance(value, str) and value in DATASETS:
            return None
        return f"parameter 'dataset' must be one of {sorted(DATASETS)}, got {value!r}"
    allowed, is_allowed = rule_of(name)
    return None if is_allowed(value) else f"parameter {name!r} must be {allowed}, got {value!r}"


def check_parameters(**values) -> None:
    """Stop with a :class:`ParameterError` at the first value its rule does not allow.

    A lesson calls it with every value of its ``parameters`` cell, by name::

        check_parameters(dataset=dataset, epochs=epochs, learning_rate=learning_rate)
    """
    for name, value in values.items():
        problem = parameter_problem(name, value)
        if problem:
            raise ParameterError(problem)

