"""A lesson run before the one it builds on stops at once, naming what to run first.

Also: a wrong parameter value stops a lesson with a message naming the parameter, and the course
runner stops at the first failing lesson, naming the notebook and the cell.
"""

from __future__ import annotations

import papermill
import pytest

from course_testing import run_course, run_lesson

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def preprocessed(tmp_path_factory):
    """A data folder where lessons 00 and 01 ran on synthetic data, and nothing after them."""
    data_dir = tmp_path_factory.mktemp("preprocessed")
    for lesson in ["00_download", "01_preprocessing"]:
        run_lesson(lesson, data_dir, dataset="synthetic", data_dir=str(data_dir))
    return data_dir


def assert_lesson_stops(lesson, data_dir, needed, **parameters):
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        run_lesson(lesson, data_dir, dataset="synthetic", data_dir=str(data_dir), **parameters)
    assert failure.value.ename == "MissingPrerequisiteError"
    assert f"run notebooks/{needed}.ipynb first" in failure.value.evalue


@pytest.mark.parametrize("lesson, needed", [("01_preprocessing", "00_download"), ("02_dot_product", "01_preprocessing")])
def test_lesson_on_an_empty_data_folder_names_the_lesson_to_run_first(tmp_path, lesson, needed):
    assert_lesson_stops(lesson, tmp_path, needed)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{lesson}.ipynb"], "the lesson must write nothing"


@pytest.mark.parametrize("lesson, needed", [
    ("03_bias", "02_dot_product"),
    ("04_neural_net", "02_dot_product"),
    ("05_inspect_embeddings", "03_bias"),
    ("06_evaluate_recommendations", "02_dot_product"),
])
def test_lesson_after_preprocessing_names_the_missing_training_lesson(preprocessed, lesson, needed):
    assert_lesson_stops(lesson, preprocessed, needed)


def test_wrong_parameter_value_is_named(preprocessed):
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        run_lesson("02_dot_product", preprocessed, dataset="synthetic", data_dir=str(preprocessed), epochs=0)
    assert failure.value.ename == "ParameterError"
    assert "'epochs' must be a whole number > 0, got 0" in failure.value.evalue


def test_course_run_stops_at_the_first_failing_lesson(tmp_path):
    result = run_course("--dataset", "synthetic", "--data-dir", str(tmp_path), "-p", "learning_rate=-1")
    assert result.returncode == 1
    assert "02_dot_product.ipynb failed in cell" in result.stderr
    assert "ParameterError" in result.stderr
    executed = sorted(p.name for p in (tmp_path / "executed" / "synthetic").iterdir())
    assert executed == ["00_download.ipynb", "01_preprocessing.ipynb", "02_dot_product.ipynb"]
