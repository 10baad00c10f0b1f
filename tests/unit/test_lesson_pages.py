"""What a student sees first: each lesson opens on its parameters, one short set-up cell, then its idea;
and the training lessons 02-04 are not copies of each other."""

from __future__ import annotations

import json

import pytest

from cfcourse.course import LESSON_PARAMETERS, LESSONS, NOTEBOOKS_DIR

#: The most non-blank lines the set-up cell after the parameters may have.
SETUP_LINES = 6
#: The most code lines lessons 02, 03 and 04 may share word for word, outside their parameters cells.
SHARED_LINES = 12


def code_cells(lesson: str) -> list[dict]:
    cells = json.loads((NOTEBOOKS_DIR / f"{lesson}.ipynb").read_text())["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


def code_lines(cell: dict) -> list[str]:
    """The cell's lines of code, without blank lines and comment lines."""
    stripped = (line.strip() for line in "".join(cell["source"]).splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_setup_cell_is_short_and_calls_lesson_start(lesson):
    cells = code_cells(lesson)
    assert "parameters" in cells[0]["metadata"].get("tags", []), f"{lesson}: the first code cell is not the parameters"
    setup = code_lines(cells[1])
    assert len(setup) <= SETUP_LINES, f"{lesson}'s set-up cell has {len(setup)} lines: {setup}"
    assert f'run = lesson.start("{lesson}", globals())' in "\n".join(setup)


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_parameters_cell_names_what_lesson_start_reads(lesson):
    assigned = [line.split("=")[0].strip() for line in code_lines(code_cells(lesson)[0])]
    assert tuple(assigned) == LESSON_PARAMETERS[lesson]


def test_the_training_lessons_share_few_lines_word_for_word():
    """The lessons' own cells; their exercise sections (tagged ``exercises``) share a stub format on purpose."""
    lessons = ["02_dot_product", "03_bias", "04_neural_net"]
    line_sets = [{line for cell in code_cells(lesson)[1:] if "exercises" not in cell["metadata"].get("tags", [])
                  for line in code_lines(cell)} for lesson in lessons]
    shared = set.intersection(*line_sets)
    assert len(shared) <= SHARED_LINES, sorted(shared)


def test_nbval_runs_the_lessons_and_nothing_else():
    """A learner's copy of a lesson (``notebooks/02_dot_product-Copy1.ipynb``) must never be run by the tests."""
    import subprocess

    from course_testing import outside_make

    planned = subprocess.run(["make", "-n", "test-nbval"], cwd=NOTEBOOKS_DIR.parent, capture_output=True, text=True,
                             env=outside_make()).stdout
    nbval_line = next(line for line in planned.splitlines() if "--nbval " in line)
    listed = [word for word in nbval_line.split() if word.endswith(".ipynb")]
    assert listed == [f"notebooks/{lesson}.ipynb" for lesson in LESSONS]
