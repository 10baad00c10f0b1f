"""The committed lessons hold one clean top-to-bottom run: what a learner sees before running anything."""

from __future__ import annotations

import json
import re

import pytest

from cfcourse.course import LESSONS
from cfcourse.course import NOTEBOOKS_DIR as NOTEBOOKS
from cfcourse.published import PUBLISHED
from course_testing import MACHINE_PATH as ANY_MACHINE_PATH

LESSON_FILES = [NOTEBOOKS / f"{lesson}.ipynb" for lesson in LESSONS]  # a learner's own notebooks beside them are not lessons
TRAINING_LESSONS = sorted(PUBLISHED)
#: Every machine path the repository may not hold (course_testing), and in outputs any Windows drive or installation.
MACHINE_PATH = re.compile(rf"{ANY_MACHINE_PATH.pattern}|[A-Z]:\\\\|\.pyenv|site-packages")


def cells_of(path):
    return json.loads(path.read_text())["cells"]


def lesson_cells_of(path):
    """The lesson's own cells, without the Exercises and Solutions after its Summary (tagged ``exercises``:
    see scripts/maintainers/insert_exercises.py)."""
    return [cell for cell in cells_of(path) if "exercises" not in cell["metadata"].get("tags", [])]


def code_cells(path):
    return [cell for cell in cells_of(path) if cell["cell_type"] == "code"]


def test_every_lesson_of_the_course_is_there():
    assert [path.name for path in LESSON_FILES if not path.exists()] == []


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.stem)
def test_one_clean_top_to_bottom_run(path):
    counts = [cell["execution_count"] for cell in code_cells(path)]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.stem)
def test_no_errors_no_stderr_no_carriage_returns(path):
    for cell in code_cells(path):
        for output in cell["outputs"]:
            assert output["output_type"] != "error"
            assert output.get("name") != "stderr", "".join(output.get("text", ""))[:200]
            assert "\r" not in "".join(output.get("text", ""))


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.stem)
def test_no_paths_of_the_machine_that_ran_it(path):
    for cell in code_cells(path):
        match = MACHINE_PATH.search(json.dumps(cell["outputs"]))
        assert match is None, f"output names {match.group(0)!r}"


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.stem)
def test_no_papermill_metadata(path):
    notebook = json.loads(path.read_text())
    assert "papermill" not in notebook["metadata"]
    for cell in notebook["cells"]:
        assert not {"papermill", "execution"} & cell["metadata"].keys()
        assert "injected-parameters" not in cell["metadata"].get("tags", [])


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda p: p.stem)
def test_reads_as_a_lesson(path):
    cells = lesson_cells_of(path)
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# Lesson")
    assert "What you will learn" in "".join(cells[0]["source"])
    assert "## Summary" in "".join(cells[-1]["source"]) and "Things to try" in "".join(cells[-1]["source"])
    tagged = [cell for cell in code_cells(path) if "parameters" in cell["metadata"].get("tags", [])]
    assert len(tagged) == 1 and 'dataset = "ml-latest-small"' in "".join(tagged[0]["source"])


@pytest.mark.parametrize("lesson", TRAINING_LESSONS)
def test_training_lesson_closes_with_a_check_against_its_published_rmse(lesson):
    finishing = [cell for cell in code_cells(NOTEBOOKS / f"{lesson}.ipynb") if "run.finish(" in "".join(cell["source"])]
    assert len(finishing) == 1, f"{lesson} must call run.finish once"
    check = finishing[0]
    assert "nbval-ignore-output" not in check["metadata"].get("tags", []), "nbval must compare the check cell"
    published = PUBLISHED[lesson].test_rmse["ml-latest-small"]
    stored = "".join("".join(output.get("text", [])) for output in check["outputs"])
    assert stored.strip().splitlines()[-1] == f"test RMSE is within 0.01 of the published {published:.4f}"

