"""A new lesson is its notebook, its record and its exercises, and nothing more (docs/maintainers.md, "Adding a lesson").

The test copies the repository, adds a throwaway lesson to the copy exactly that way (a tiny notebook in
``notebooks/``, its record in ``cfcourse/course.py``'s ``COURSE``, its exercises in ``cfcourse/exercises/``)
and runs it with the course's runner on ``synthetic`` data, as ``make experiment LESSON=...`` would: the
lessons it builds on run first, it saves its results through ``run.save_results``, reads them back through
``run.read_results``, and its worked solution is checked. Were another file to need an edit (a lesson name
compared in ``lesson.py``, a list in the runner or the exercise registry), the copy's run would fail here.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cfcourse.course import BY_NAME, COURSE, KERNEL_DISPLAY_NAME, KERNEL_NAME, PROCESSED, RAW, WRITTEN_BY
from cfcourse.paths import REPOSITORY_ROOT

NAME = "99_throwaway"
#: Lesson 01's processed data is all it reads, so it runs right after lesson 01.
AFTER = WRITTEN_BY[PROCESSED]

RECORD = f'''    Lesson("{NAME}", "A throwaway lesson", ("dataset", "data_dir", "run", "decimals"),
           rules={{"decimals": ("a whole number from 1 to 6", lambda v: isinstance(v, int) and 1 <= v <= 6)}},
           reads=("{AFTER}",), results="throwaway.json", exercises="lesson99"),
'''

EXERCISES = '''"""The throwaway lesson's exercise, its judge and its cells' texts together."""

from cfcourse.exercises.definitions import Exercise, NotYet

INTRO = """
Replace the `...` and run the cell.
"""
SETUP = """
from cfcourse.exercises import check
"""


def judge_train_mean(answer, context):
    if abs(float(answer) - context.data.train.rating.mean()) > 1e-9:
        raise NotYet("that is not the mean of the training ratings")


TRAIN_MEAN = Exercise("99.train_mean", judge_train_mean, title="The mean", prompt="""
What is the mean of the training ratings?
""", stub="""
train_mean = ...
check("99.train_mean", train_mean, data=data)
""", solution_text="""
Average the training ratings.
""", solution_code="""
check("99.train_mean", data.train.rating.mean(), data=data, solution=True)
""")

QUESTIONNAIRE = []
EXERCISES = [TRAIN_MEAN]
'''

CELLS = [
    ("markdown", "# Lesson 8 — A throwaway lesson\n\nIt reads the processed data and saves one number."),
    ("parameters", 'dataset = "ml-latest-small"\ndata_dir = None\nrun = None\ndecimals = 4'),
    ("code", f'from cfcourse import lesson\n\nrun = lesson.start("{NAME}", globals())'),
    ("code", 'data = run.data\nrun.save_results({"train_mean": round(float(data.train.rating.mean()), decimals), '
             '"n_users": data.n_users})\nprint("read back:", run.read_results("' + NAME + '"))'),
]


def tracked_files() -> list[str]:
    """The repository's files as a clone would have them, with the working tree's edits."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name and (REPOSITORY_ROOT / name).is_file()]


def throwaway_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    for kind, source in CELLS:
        if kind == "markdown":
            notebook.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["tags"] = ["parameters"] if kind == "parameters" else []
            notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = {"display_name": KERNEL_DISPLAY_NAME, "language": "python", "name": KERNEL_NAME}
    return notebook


def add_the_lesson(copy: Path) -> None:
    """The documented path, and nothing more: the notebook, its record, its exercises."""
    nbformat.write(throwaway_notebook(), copy / "notebooks" / f"{NAME}.ipynb")
    course = copy / "cfcourse" / "course.py"
    following = COURSE[[lesson.name for lesson in COURSE].index(AFTER) + 1].name
    anchor = f'    Lesson("{following}",'
    text = course.read_text()
    assert text.count(anchor) == 1, f"cfcourse/course.py has no single record starting {anchor!r}"
    course.write_text(text.replace(anchor, RECORD + anchor))
    (copy / "cfcourse" / "exercises" / "lesson99.py").write_text(EXERCISES)
    subprocess.run([sys.executable, "scripts/maintainers/insert_exercises.py", NAME], cwd=copy, check=True,
                   env={**os.environ, "PYTHONPATH": str(copy)}, capture_output=True)


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("course") / "repository"
    for name in tracked_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPOSITORY_ROOT / name, copy / name)
    add_the_lesson(copy)
    return copy


def run_copy(copy: Path, data_dir: Path, *arguments: str) -> subprocess.CompletedProcess:
    """The copy's runner on ``synthetic`` with ``arguments``, on the copy's package (not this checkout's) in the
    runner (it puts its own repository first) and in the kernels, strict as the tests are."""
    env = {**os.environ, "PYTHONPATH": str(copy), "CFCOURSE_STRICT_CHECKS": "1"}
    env.pop("CFCOURSE_DATA_DIR", None)
    return subprocess.run([sys.executable, "scripts/run_course.py", "--dataset", "synthetic", "--data-dir",
                           str(data_dir), "--lesson", NAME, *arguments], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def ran(course_copy, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    result = run_copy(course_copy, data_dir, "-p", "decimals=2")
    return result, data_dir / "metrics" / "synthetic", data_dir / "executed" / "synthetic"


def test_this_checkout_has_no_such_lesson():
    assert NAME not in BY_NAME  # else the copy's run would prove nothing


def test_the_lesson_runs_after_what_it_reads(ran):
    result, _, _ = ran
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    ran_lessons = [match.groups() for match in re.finditer(r"^(\d\d_\w+) +\d+\.\d s(.*)$", result.stdout, re.M)]
    # lessons 00 and 01 first, with the course's settings, as for any lesson on a fresh clone; then the new one
    assert ran_lessons == [(WRITTEN_BY[RAW], "   (the course's own run)"),
                           (WRITTEN_BY[PROCESSED], "   (the course's own run)"), (NAME, "")]
    assert "3 lessons ran in " in result.stdout


def test_it_saved_its_results_through_the_run(ran):
    result, metrics, executed = ran
    assert result.returncode == 0, result.stderr
    saved = json.loads((metrics / "throwaway.json").read_text())
    assert saved["n_users"] > 0 and 0.5 <= saved["train_mean"] <= 5
    assert saved["train_mean"] == round(saved["train_mean"], 2)  # its own parameter, -p decimals=2, reached it
    notebook = nbformat.read(executed / f"{NAME}.ipynb", as_version=4)
    printed = "\n".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                        for output in cell.outputs)
    assert "saved " in printed and "throwaway.json" in printed
    assert f"read back: {saved}" in printed
    assert not [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
                if output.get("name") == "stderr" or output.output_type == "error"]


def test_its_exercise_was_checked(ran):
    result, metrics, _ = ran
    assert result.returncode == 0, result.stderr
    record = json.loads((metrics / "exercises.json").read_text())
    # its cells were written by insert_exercises.py from the module: the stub left as given, the solution checked
    assert record[NAME] == {"99.train_mean": {"solution": "correct", "stub": "not_attempted"}}
    summary = [line for line in result.stdout.splitlines() if line.startswith("Exercises:")]
    checked = len(record[NAME]) + len(record[AFTER])
    assert summary == [f"Exercises: {checked} solutions checked, all correct"]


def test_its_own_parameter_is_checked_by_the_rule_in_its_record(course_copy, tmp_path):
    result = run_copy(course_copy, tmp_path, "-p", "decimals=9")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "error: parameter 'decimals' must be a whole number from 1 to 6, got 9\n"
