"""The line scripts/run_course.py prints about the exercises, from the run's exercises.json."""

from __future__ import annotations

import json

from cfcourse.exercises import EXERCISES
from cfcourse.paths import course_paths
from course_testing import load_script

run_course = load_script("run_course")
DECLARED = {"01_preprocessing": {"dataset": None}, **{lesson: {"dataset": None, "run": None}
                                                     for lesson in set(EXERCISES.values()) - {"01_preprocessing"}}}


def all_correct(lessons) -> dict:
    return {lesson: {id_: {"stub": "not_attempted", "solution": "correct"}
                     for id_, of in EXERCISES.items() if of == lesson} for lesson in lessons}


def write(paths, record):
    paths.metrics.mkdir(parents=True, exist_ok=True)
    paths.exercises_file.write_text(json.dumps(record))


def test_all_correct_in_the_courses_own_run(tmp_path):
    paths = course_paths("synthetic", tmp_path)
    write(paths, all_correct(set(EXERCISES.values())))
    assert run_course.exercises_line(paths, DECLARED) == f"Exercises: {len(EXERCISES)} solutions checked, all correct"


def test_an_experiment_counts_lesson_01_from_the_courses_own_folder(tmp_path):
    """Lesson 01 has no `run` parameter: its checks land in the course's own metrics folder."""
    experiment = course_paths("synthetic", tmp_path, "small")
    write(experiment, all_correct(set(EXERCISES.values()) - {"01_preprocessing"}))
    write(experiment.course_run(), all_correct({"01_preprocessing"}))
    assert run_course.exercises_line(experiment, DECLARED).endswith("all correct")


def test_no_record_says_nothing_was_checked(tmp_path):
    line = run_course.exercises_line(course_paths("synthetic", tmp_path), DECLARED)
    assert line.startswith("Exercises: 0 solutions checked; never checked: ")
