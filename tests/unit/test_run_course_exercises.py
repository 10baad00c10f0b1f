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


def test_lessons_run_first_for_an_experiment_count_from_the_courses_own_folder(tmp_path):
    """`--lesson 06 -p threshold=all` on a fresh data folder: 00-05 run first, in the course's own run, and record
    there; the line counts them, and no stale verdict of another run."""
    experiment = course_paths("synthetic", tmp_path, "threshold-all")
    first = ["00_download", "01_preprocessing", "02_dot_product", "03_bias", "04_neural_net", "05_inspect_embeddings"]
    ran = [*first, "06_evaluate_recommendations"]
    write(experiment, all_correct({"06_evaluate_recommendations"}))
    write(experiment.course_run(), all_correct(set(first)))
    line = run_course.exercises_line(experiment, DECLARED, ran, first)
    expected = sum(lesson in ran for lesson in EXERCISES.values())
    assert line == f"Exercises: {expected} solutions checked, all correct"
    assert run_course.exercises_line(experiment, DECLARED, ran).startswith(
        f"Exercises: {expected - sum(lesson in first[2:] for lesson in EXERCISES.values())} solutions checked; never")


def test_the_lessons_about_to_run_forget_their_verdicts_where_they_record(tmp_path):
    experiment = course_paths("synthetic", tmp_path, "threshold-all")
    write(experiment, all_correct({"06_evaluate_recommendations", "03_bias"}))
    write(experiment.course_run(), all_correct({"02_dot_product", "03_bias"}))
    run_course.forget_checks(experiment, DECLARED, ["02_dot_product", "06_evaluate_recommendations"], ["02_dot_product"])
    assert set(json.loads(experiment.exercises_file.read_text())) == {"03_bias"}
    assert set(json.loads(experiment.course_run().exercises_file.read_text())) == {"03_bias"}
