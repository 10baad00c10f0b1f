"""Every exercise of the course, gathered from one module per lesson.

A lesson's exercises live in ``cfcourse/exercises/lessonNN.py`` as a list named ``EXERCISES``.
To add a lesson's: write that module and name it in :data:`LESSON_MODULES`.
"""

from __future__ import annotations

from importlib import import_module

from cfcourse.exercises.definitions import Exercise

LESSON_MODULES = ["lesson01", "lesson02", "lesson03", "lesson04", "lesson05", "lesson06", "lesson07"]


def _gather() -> dict[str, Exercise]:
    definitions: dict[str, Exercise] = {}
    for name in LESSON_MODULES:
        for exercise in import_module(f"cfcourse.exercises.{name}").EXERCISES:
            if exercise.id in definitions:
                raise ValueError(f"two exercises have the id {exercise.id!r}")
            definitions[exercise.id] = exercise
    return definitions


#: Every exercise by id, in lesson order.
DEFINITIONS: dict[str, Exercise] = _gather()

#: Every exercise id with its lesson (the notebook name, as in ``cfcourse.course.LESSONS``).
EXERCISES: dict[str, str] = {exercise_id: exercise.lesson for exercise_id, exercise in DEFINITIONS.items()}


def exercises_of(lesson: str) -> list[Exercise]:
    """The exercises of one lesson, in the order its notebook asks them."""
    return [exercise for exercise in DEFINITIONS.values() if exercise.lesson == lesson]
