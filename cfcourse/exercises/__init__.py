"""Checked exercises and questionnaire questions at the end of each lesson.

In a lesson::

    from cfcourse.exercises import check
    check("02.predict", predict, data=data, model=model)

prints ``02.predict: correct``, ``02.predict: not yet: <hint>`` or ``02.predict: not attempted``,
and returns a result whose ``.passed`` says which. The expected answer is computed from the data
and model passed in, never stored, so the exercises hold on every dataset and every run. See
:mod:`cfcourse.exercises.checking` for strict mode and :mod:`cfcourse.exercises.record` for the
``exercises.json`` each run writes.

:data:`EXERCISES` maps every exercise id to its lesson; the lessons' own modules
(``lesson01.py`` ...) hold the definitions, each exercise's judge beside the texts of its notebook cells
(``scripts/maintainers/insert_exercises.py`` writes the cells from them), and
:mod:`cfcourse.exercises.registry` says how to add one.
"""

from cfcourse.exercises.checking import CheckResult, SolutionNotCorrect, check
from cfcourse.exercises.definitions import Exercise, NotYet
from cfcourse.exercises.registry import DEFINITIONS, EXERCISES, exercises_of

__all__ = ["DEFINITIONS", "EXERCISES", "CheckResult", "Exercise", "NotYet", "SolutionNotCorrect", "check",
           "exercises_of"]
