"""The nbval tier fails when it should: on a changed stored output, and on a quietly worse model.

These run nbval itself on altered copies of committed lessons, in a data folder of their own, so
the course's data/ is untouched. They belong to the nbval tier (`make test-nbval`), after the
committed lessons ran there and left the downloaded and processed ml-latest-small in data/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from cfcourse.course import NOTEBOOKS_DIR as NOTEBOOKS
from cfcourse.paths import course_paths
from cfcourse.published import PUBLISHED, STRICT_VARIABLE

pytestmark = pytest.mark.nbval

COURSE_DATA = course_paths("ml-latest-small")


@pytest.fixture
def data_copy(tmp_path):
    """A data folder holding the raw and processed ml-latest-small of data/, for altered lessons to use."""
    if not COURSE_DATA.processed.exists():
        pytest.skip("needs data/processed/ml-latest-small: run as part of `make test-nbval`, after the lessons")
    copy = course_paths("ml-latest-small", tmp_path / "data")
    shutil.copytree(COURSE_DATA.raw, copy.raw)
    shutil.copytree(COURSE_DATA.processed, copy.processed)
    return copy.data_dir


def altered_lesson(name, folder, old, new):
    """A copy of a committed lesson in ``folder`` with one piece of its JSON text replaced."""
    text = (NOTEBOOKS / f"{name}.ipynb").read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {name}"
    target = folder / f"{name}.ipynb"
    target.write_text(text.replace(old, new))
    return target


def run_nbval(notebook, data_dir):
    environment = {**os.environ, "CFCOURSE_DATA_DIR": str(data_dir), STRICT_VARIABLE: "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", str(notebook), "--nbval-current-env", "-p", "no:cacheprovider",
         "--rootdir", str(notebook.parent), "--nbval-sanitize-with", str(NOTEBOOKS / "nbval_sanitize.cfg")],
        capture_output=True, text=True, env=environment, timeout=600)


def test_a_changed_number_in_a_stored_output_fails(tmp_path, data_copy):
    notebook = altered_lesson("01_preprocessing", tmp_path, "100,836 ratings of 9,724 movies",
                              "100,837 ratings of 9,724 movies")
    result = run_nbval(notebook, data_copy)
    assert result.returncode != 0
    # nbval's diff: "-" is what the lesson printed now, "+" what the notebook had stored.
    assert "- 100,836 ratings of 9,724 movies" in result.stdout
    assert "+ 100,837 ratings of 9,724 movies" in result.stdout


def test_a_markedly_worse_model_fails_its_check_cell(tmp_path, data_copy):
    parameters = "epochs = 20             # at most; early stopping usually ends sooner"
    notebook = altered_lesson("02_dot_product", tmp_path, json.dumps(parameters)[1:-1], "epochs = 1")
    result = run_nbval(notebook, data_copy)
    assert result.returncode != 0
    published = PUBLISHED["02_dot_product"].test_rmse["ml-latest-small"]
    assert f"is not within 0.01 of the published {published:.4f}" in result.stdout
