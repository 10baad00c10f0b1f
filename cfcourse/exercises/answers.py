"""Reading a learner's answer and comparing it with the expected one, kindly.

Every function here either returns a clean value or raises :class:`NotYet` with a hint: a string
where a number was asked, an array of the wrong shape or a function that raises all end as
"not yet: ..." in the lesson, never as a traceback.
"""

from __future__ import annotations

import hashlib
import math
from numbers import Integral, Real
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from cfcourse.exercises.definitions import NotYet

#: A likely mistake: how to compute the value it gives, and the hint for a learner who gave that value.
Mistake = tuple[Callable[[], object], str]


def describe(answer) -> str:
    """A short name for what the learner gave: "a str", "an array of shape (3, 2)", "a function"."""
    if isinstance(answer, np.ndarray):
        return f"an array of shape {answer.shape}"
    if callable(answer):
        return "a function"
    name = type(answer).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def number(answer) -> float:
    """The answer as a float, when it is one number (a numpy scalar or a one-element array counts)."""
    if isinstance(answer, (bool, np.bool_)):
        raise NotYet("expected a number, got True or False")
    if isinstance(answer, np.ndarray) and answer.size == 1 and answer.dtype.kind in "iuf":
        answer = answer.item()
    if not isinstance(answer, Real):
        raise NotYet(f"expected one number, got {describe(answer)}")
    value = float(answer)
    if math.isnan(value):
        raise NotYet("your answer is NaN: a mean over no rows, or a NaN in the data, gives one")
    return value


def whole_number(answer) -> int:
    """The answer as an int, when it is a whole number (3.0 counts, 3.5 does not)."""
    value = number(answer)
    if not float(value).is_integer():
        raise NotYet(f"expected a whole number (a count), got {value}")
    return int(value)


def vector(answer, length: int, what: str = "values") -> np.ndarray:
    """The answer as a 1-D float array of ``length`` values; an (n, 1) column is accepted and flattened."""
    if isinstance(answer, (set, frozenset, dict)):
        raise NotYet(f"expected {length} {what} in order, got {describe(answer)}, which has no order: give an array")
    if isinstance(answer, pd.Series) and not answer.index.equals(pd.RangeIndex(len(answer))):
        # value_counts() and groupby() give such Series: sorted by value, or missing the rows with nothing.
        raise NotYet(f"expected {length} {what}, one per row in order, got a Series whose index is not 0, 1, 2, ...: "
                     "its values are ordered by its index labels, not by row; look at its index")
    try:
        array = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise NotYet(f"expected {length} {what} (an array or a list), got {describe(answer)}") from None
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.shape != (length,):
        raise NotYet(f"expected {length} {what}, one per row asked for, got an array of shape {array.shape}")
    return array


def call(function, *arguments):
    """Call the learner's function; what it raises becomes a hint."""
    if not callable(function):
        raise NotYet(f"expected a function, got {describe(function)}")
    try:
        result = function(*arguments)
    except Exception as error:  # the learner's code: anything may go wrong in it
        raise NotYet(f"your function raised {type(error).__name__}: {error}") from None
    if result is None or result is Ellipsis:
        raise NotYet("your function returned nothing: did it forget `return`?")
    return result


def matches(value, expected, tolerance: float) -> bool:
    """Whether ``value`` is within ``tolerance`` of ``expected`` (absolute), for numbers or arrays."""
    try:
        value = np.asarray(value, dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        return value.shape == expected.shape and bool(np.all(np.abs(value - expected) <= tolerance))
    except (TypeError, ValueError):
        return False


def first_mistake(value, mistakes: Iterable[Mistake], tolerance: float) -> str | None:
    """The hint of the first likely mistake whose value ``value`` matches, or ``None``.

    A mistake that cannot be computed for this data or model (a layer it does not have) is skipped.
    """
    for compute, hint in mistakes:
        try:
            mistaken = compute()
        except Exception:
            continue
        if matches(value, mistaken, tolerance):
            return hint
    return None


def judge_number(value: float, expected: float, tolerance: float, mistakes: Iterable[Mistake] = (),
                 otherwise: str = "") -> None:
    """Return if ``value`` is within ``tolerance`` of ``expected``; else raise the best hint there is."""
    if abs(value - expected) <= tolerance:
        return
    hint = first_mistake(value, mistakes, tolerance)
    if hint:
        raise NotYet(hint)
    places = rounded_places(value, expected)
    if places is not None:
        raise NotYet(f"that looks rounded to {places} decimal place{'s' if places > 1 else ''}: give the full value, "
                     f"not a rounded one (the check wants it within {tolerance:g})")
    raise NotYet(otherwise or f"{value:g} is not it; re-read the task and check each step on a few rows")


def rounded_places(value: float, expected: float, most: int = 8) -> int | None:
    """The number of decimal places ``value`` is ``expected`` rounded to, or ``None`` if it is not a rounding.

    Only a real rounding counts, so that another quantity that happens to be close (a mean over other rows,
    a count off by one) is never told it was merely rounded.
    """
    for places in range(1, most + 1):
        if value != expected and math.isclose(value, round(expected, places), rel_tol=0, abs_tol=1e-12):
            return places
    return None


def judge_array(values: np.ndarray, expected: np.ndarray, tolerance: float, mistakes: Iterable[Mistake] = (),
                otherwise: str = "") -> None:
    """Return if every value is within ``tolerance`` of its expected value; else raise the best hint."""
    if matches(values, expected, tolerance):
        return
    hint = first_mistake(values, mistakes, tolerance)
    if hint:
        raise NotYet(hint)
    wrong = int(np.sum(np.abs(values - expected) > tolerance))
    raise NotYet(otherwise or f"{wrong} of {len(expected)} values are off by more than {tolerance:g}")


def judge_movies(answer, expected: list[int], movies: pd.DataFrame, mistakes: Iterable[Mistake] = (),
                 otherwise: str = "", accepted: Callable[[list[int]], bool] | None = None) -> None:
    """Compare an ordered list of movies, given as encoded indices or as titles, with ``expected`` indices.

    ``movies`` is ``data.movies`` (its ``title`` and MovieLens ``movie`` id by row). Mistakes give lists of
    indices too. ``accepted(given)`` may accept another list that is just as right (one that orders a tie
    differently).
    """
    given = movie_list(answer, movies.title.to_numpy())
    if given == list(expected) or (accepted is not None and accepted(given)):
        return
    for compute, hint in mistakes:
        try:
            if given == [int(movie) for movie in compute()]:
                raise NotYet(hint)
        except NotYet:
            raise
        except Exception:
            continue
    if isinstance(answer, pd.Series) and _index_is_the_answer(answer, expected, accepted):
        raise NotYet("that Series holds scores or counts, not movies: the movies it is about are in its index")
    movielens_ids = movies.movie.to_numpy()
    if given == [int(movielens_ids[movie]) for movie in expected] or max(given, default=0) >= len(movies):
        raise NotYet("those look like MovieLens ids (the `movie` column): the exercise wants movie indices "
                     "(`movie_idx`, 0 to n_movies - 1) or titles")
    if sorted(given) == sorted(expected):
        raise NotYet("the right movies, in the wrong order: re-read which comes first")
    if len(given) != len(expected):
        raise NotYet(f"expected {len(expected)} movies, got {len(given)}")
    raise NotYet(otherwise or f"{len(set(given) & set(expected))} of your {len(given)} movies are right")


def movie_list(answer, titles: np.ndarray) -> list[int]:
    """The answer as a list of movie indices: it may hold indices or titles (a Series or an array of either)."""
    if isinstance(answer, (set, frozenset, dict)):
        raise NotYet(f"expected a list of movies, best first, got {describe(answer)}, which has no order: give a list")
    if isinstance(answer, (str, bytes)) or not _is_sequence(answer):
        raise NotYet(f"expected a list of movies (indices or titles), got {describe(answer)}")
    items = list(np.asarray(answer, dtype=object).ravel()) if not isinstance(answer, list) else answer
    if all(isinstance(item, str) for item in items):
        positions = {title: index for index, title in enumerate(titles)}
        unknown = [item for item in items if item not in positions]
        if unknown:
            raise NotYet(f"no movie is titled {unknown[0]!r}: copy titles from data.movies.title")
        return [positions[item] for item in items]
    if all(isinstance(item, (Integral, np.integer)) and not isinstance(item, bool) for item in items):
        return [int(item) for item in items]
    if isinstance(answer, pd.Series):
        raise NotYet("that Series holds scores or counts, not movies: the movies it is about are in its index")
    raise NotYet("expected movie indices (whole numbers) or titles (strings), not a mix or other things")


def _index_is_the_answer(series: pd.Series, expected, accepted) -> bool:
    try:
        labels = [int(label) for label in series.index]
    except (TypeError, ValueError):
        return False
    return labels == list(expected) or (accepted is not None and accepted(labels))


def _is_sequence(answer) -> bool:
    try:
        iter(answer)
        len(answer)
    except TypeError:
        return False
    return True


def hashed(exercise_id: str, answer) -> str:
    """A questionnaire answer, normalised ("(B)" is "b", "0.50" is "0.5") and hashed with its exercise's id,
    so the course's code holds the answers without showing them."""
    return hashlib.sha256(f"{exercise_id}:{normalised(answer)}".encode()).hexdigest()[:16]


def normalised(answer) -> str:
    if isinstance(answer, (Real, np.number)) and not isinstance(answer, bool):
        return f"{float(answer):g}"
    return str(answer).strip().strip("().").strip().lower()


def judge_choice(exercise_id: str, answer, correct_hash: str, choices: str, hints: dict[str, str]) -> None:
    """A multiple-choice question: ``answer`` is one of the letters in ``choices``; ``hints`` are keyed by
    the hash of a wrong letter (:func:`hashed`), so a wrong letter's hint does not reveal the right one."""
    if not isinstance(answer, str) or normalised(answer) not in choices:
        raise NotYet(f"answer with one letter: {', '.join(repr(c) for c in choices)}")
    digest = hashed(exercise_id, answer)
    if digest == correct_hash:
        return
    raise NotYet(hints.get(digest, "not that one: re-read the part of the lesson the question is about"))


def judge_hashed_number(exercise_id: str, answer, correct_hash: str, hints: dict[str, str], otherwise: str) -> None:
    """A questionnaire number, compared through its hash after rounding to 4 decimals; ``hints`` are keyed by
    the hash of a likely wrong number."""
    digest = hashed(exercise_id, round(number(answer), 4))
    if digest != correct_hash:
        raise NotYet(hints.get(digest, otherwise))
