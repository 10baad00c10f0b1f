"""The smoke tier for the exercises: every lesson, with its Exercises and Solutions cells put in as
``scripts/maintainers/insert_exercises.py`` puts them, run on synthetic data in strict mode. Every worked
solution must be correct there too, and every stub "not attempted".

The lessons run from copies of the notebooks, so this holds whether or not the committed ones carry the
cells yet (another change may be rewriting their first cells).
"""

from __future__ import annotations

import json
import re
import shutil

import papermill
import pytest

from cfcourse.course import LESSONS, NOTEBOOKS_DIR
from cfcourse.exercises import EXERCISES
from cfcourse.headless import execute_lesson
from cfcourse.paths import course_paths
from cfcourse.published import STRICT_VARIABLE
from course_testing import load_script, most_rated_synthetic_title, outputs_of

pytestmark = pytest.mark.smoke

RUN = "exercises-smoke"
TINY = dict(epochs=5, batch_size=256, n_factors=8, min_ratings=10)


@pytest.fixture(scope="module")
def exercised_course(tmp_path_factory):
    """The whole course with exercise cells, run on synthetic data in strict mode into a fresh data folder."""
    notebooks = tmp_path_factory.mktemp("notebooks")
    data_dir = tmp_path_factory.mktemp("exercises-data")
    executed = tmp_path_factory.mktemp("executed")
    for lesson in LESSONS:
        shutil.copy(NOTEBOOKS_DIR / f"{lesson}.ipynb", notebooks)
    assert load_script("maintainers/insert_exercises").main(["--notebooks", str(notebooks)]) == 0
    values = {**TINY, "dataset": "synthetic", "data_dir": str(data_dir), "run": RUN,
              "query_movie": most_rated_synthetic_title()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STRICT_VARIABLE, "1")  # the kernels inherit it: a solution that is not correct fails its cell
        for lesson in LESSONS:
            declared = papermill.inspect_notebook(str(notebooks / f"{lesson}.ipynb"))
            execute_lesson(lesson, executed / f"{lesson}.ipynb",
                           {name: value for name, value in values.items() if name in declared},
                           notebooks_dir=notebooks)
    return data_dir, executed


def recorded(data_dir) -> dict:
    """The exercises' record: lesson 01 has no `run` parameter, so it records in the course's own folder."""
    record = json.loads(course_paths("synthetic", data_dir, RUN).exercises_file.read_text())
    record.update(json.loads(course_paths("synthetic", data_dir).exercises_file.read_text()))
    return record


def test_every_solution_is_correct_and_every_stub_not_attempted(exercised_course):
    data_dir, _ = exercised_course
    record = recorded(data_dir)
    for exercise_id, lesson in EXERCISES.items():
        assert record[lesson][exercise_id] == {"stub": "not_attempted", "solution": "correct"}, exercise_id


def test_the_exercise_cells_print_their_verdicts_and_no_errors(exercised_course):
    _, executed = exercised_course
    for lesson in LESSONS:
        outputs = outputs_of(executed / f"{lesson}.ipynb")
        assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"], lesson
        text = "".join("".join(o.get("text", "")) for o in outputs)
        for exercise_id, exercise_lesson in EXERCISES.items():
            if exercise_lesson == lesson:
                assert f"{exercise_id}: not attempted" in text and f"{exercise_id}: correct" in text


def test_the_exercise_cells_print_nothing_but_verdicts(exercised_course):
    """"Run All" shows no answer: neither under a stub nor under a worked solution, only "<id>: correct" lines."""
    _, executed = exercised_course
    verdict = re.compile(r"^\d\d\.[\w.]+: (correct|not attempted)$")
    for lesson in LESSONS:
        for cell in json.loads((executed / f"{lesson}.ipynb").read_text())["cells"]:
            if cell["cell_type"] == "code" and "exercises" in cell["metadata"].get("tags", []):
                printed = "".join("".join(output.get("text", "")) for output in cell["outputs"]).splitlines()
                shown = [output for output in cell["outputs"] if output["output_type"] != "stream"]
                assert shown == [] and [line for line in printed if not verdict.match(line)] == [], cell["id"]
