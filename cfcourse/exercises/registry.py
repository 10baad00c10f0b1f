"""Every exercise of the course, gathered from the lessons' records.

A lesson's exercises live in the module its record names (``Lesson.exercises`` in :mod:`cfcourse.course`,
e.g. ``cfcourse/exercises/lesson03.py``) as a list named ``EXERCISES``; each exercise belongs to that lesson.
To add a lesson's: write that module and name it in the lesson's record.
"""

from __future__ import annotations

from dataclasses import replace
from importlib import import_module

from cfcourse.course import COURSE
from cfcourse.exercises.definitions import Exercise

#: The exercises' modules, in lesson order, as the lessons' records name them.
LESSON_MODULES = [lesson.exercises for lesson in COURSE if lesson.exercises]


def gather(course=COURSE) -> dict[str, Exercise]:
    """Every exercise of the lessons of ``course`` by id, each with its lesson's name; a ``ValueError`` for an id
    twice or one that does not start with its lesson's number."""
    definitions: dict[str, Exercise] = {}
    for lesson in course:
        if not lesson.exercises:
            continue
        for exercise in import_module(f"cfcourse.exercises.{lesson.exercises}").EXERCISES:
            if exercise.id in definitions:
                raise ValueError(f"two exercises have the id {exercise.id!r}")
            if not exercise.id.startswith(lesson.number + "."):
                raise ValueError(f"exercise id {exercise.id!r} must start with its lesson's number, {lesson.number}.")
            definitions[exercise.id] = replace(exercise, lesson=lesson.name)
    return definitions


#: Every exercise by id, in lesson order.
DEFINITIONS: dict[str, Exercise] = gather()

#: Every exercise id with its lesson (the notebook name, as in ``cfcourse.course.LESSONS``).
EXERCISES: dict[str, str] = {exercise_id: exercise.lesson for exercise_id, exercise in DEFINITIONS.items()}


def exercises_of(lesson: str) -> list[Exercise]:
    """The exercises of one lesson, in the order its notebook asks them."""
    return [exercise for exercise in DEFINITIONS.values() if exercise.lesson == lesson]
