"""The lessons' records (cfcourse/course.py) say what the lessons do: their titles, what their notebooks call
to end and to read earlier results, what they read, their set-up steps and exercises. And no other module of
the package or the scripts compares a lesson's name: they all read the records."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from cfcourse import lesson as lesson_module
from cfcourse.course import BY_NAME, COURSE, LESSONS, PROCESSED, RAW, WRITTEN_BY, Lesson
from cfcourse.exercises import DEFINITIONS, exercises_of
from cfcourse.exercises.registry import LESSON_MODULES, gather
from cfcourse.paths import REPOSITORY_ROOT


def notebook_text(record: Lesson) -> str:
    cells = json.loads(record.notebook.read_text())["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")


@pytest.mark.parametrize("record", COURSE, ids=LESSONS)
def test_the_title_is_the_notebooks_heading(record):
    first = json.loads(record.notebook.read_text())["cells"][0]
    assert "".join(first["source"]).splitlines()[0] == f"# Lesson {int(record.number)} — {record.title}"


@pytest.mark.parametrize("record", COURSE, ids=LESSONS)
def test_a_lesson_ends_as_its_record_says(record):
    source = notebook_text(record)
    assert ("run.finish(" in source) == (record.trains is not None)
    assert ("run.save_results(" in source) == (record.results is not None)


def results_read(record: Lesson) -> set[str]:
    """The lessons whose results the notebook reads: ``run.read_results("...")``, or in a loop over a tuple."""
    read = set(re.findall(r'run\.read_results\("(\w+)"\)', notebook_text(record)))
    in_loops = re.findall(r"run\.read_results\(lesson\) for lesson in \(([^)]*)\)", notebook_text(record))
    return read | {name.strip().strip('"') for names in in_loops for name in names.split(",") if name.strip()}


def test_the_results_read_are_found():
    assert sum(len(results_read(record)) for record in COURSE) >= 5


@pytest.mark.parametrize("record", COURSE, ids=LESSONS)
def test_a_lesson_reads_only_the_earlier_results_its_record_names(record):
    assert results_read(record) <= {*record.reads, *record.reads_if_there, record.name}


def test_a_lesson_reads_only_what_earlier_lessons_write():
    for position, record in enumerate(COURSE):
        assert set(record.reads) | set(record.reads_if_there) <= set(LESSONS[:position]), record.name
    assert list(WRITTEN_BY) == [RAW, PROCESSED] and COURSE[0].reads == ()


def test_every_set_up_step_is_one_lesson_start_takes():
    assert {step for record in COURSE for step in record.set_up} <= set(lesson_module.SET_UP_STEPS)


def test_names_and_numbers_are_unique():
    assert len(BY_NAME) == len(COURSE) and len({record.number for record in COURSE}) == len(COURSE)


def test_every_exercise_belongs_to_the_lesson_whose_record_names_its_module():
    for record in COURSE:
        for exercise in exercises_of(record.name):
            assert exercise.id.startswith(f"{record.number}.") and exercise.lesson == record.name
    assert len(DEFINITIONS) == sum(len(exercises_of(record.name)) for record in COURSE)
    assert LESSON_MODULES == [record.exercises for record in COURSE if record.exercises]


def test_an_exercise_module_named_by_the_wrong_lesson_is_refused():
    wrong = Lesson("09_elsewhere", "Elsewhere", ("dataset",), exercises=BY_NAME[LESSONS[2]].exercises)
    with pytest.raises(ValueError, match="must start with its lesson's number, 09"):
        gather([wrong])


def string_constants(path: Path) -> list[tuple[int, str]]:
    return [(node.lineno, node.value) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_no_module_outside_the_records_names_a_lesson():
    """A lesson's name as a string anywhere in the package or the scripts (its docstrings' examples aside)."""
    files = [path for folder in ("cfcourse", "scripts") for path in sorted((REPOSITORY_ROOT / folder).rglob("*.py"))
             if path != REPOSITORY_ROOT / "cfcourse" / "course.py"]
    named = [f"{path.relative_to(REPOSITORY_ROOT)}:{line}: {text!r}" for path in files
             for line, text in string_constants(path) if text in BY_NAME]
    assert len(files) > 40 and named == []
