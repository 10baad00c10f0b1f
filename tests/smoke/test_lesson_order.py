"""A lesson run before the one it builds on stops at once, naming what to run first.

Also: a wrong parameter value stops a lesson with a message naming the parameter, and the course
runner stops at the first failing lesson, naming the notebook and the cell.
"""

from __future__ import annotations

import json

import papermill
import pytest

from cfcourse.course import LESSONS
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


@pytest.mark.parametrize("lesson, parameter", [("02_dot_product", {"epochs": 0}),
                                               ("04_neural_net", {"dropout_hidden": 1.5}),
                                               ("05_inspect_embeddings", {"n_top": -3}),
                                               ("06_evaluate_recommendations", {"k": 0})])
def test_a_wrong_parameter_value_is_the_error_alone_before_tensorflow_is_imported(preprocessed, lesson, parameter):
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        run_lesson(lesson, preprocessed, dataset="synthetic", data_dir=str(preprocessed), **parameter)
    (name, value), = parameter.items()
    assert failure.value.ename == "ParameterError"
    assert failure.value.evalue.startswith(f"parameter {name!r} must be") and failure.value.evalue.endswith(f"got {value!r}")
    failed = [cell for cell in json.loads((preprocessed / f"{lesson}.ipynb").read_text())["cells"]
              if any(output["output_type"] == "error" for output in cell.get("outputs", []))]
    assert len(failed) == 1 and f"lesson.start(\"{lesson}\", globals())" in "".join(failed[0]["source"])
    assert [output["traceback"] for output in failed[0]["outputs"]] == [[f"ParameterError: {failure.value.evalue}"]]


@pytest.mark.parametrize("parameter, message", [
    ("epochs=-3", "error: lesson 02_dot_product, 03_bias, 04_neural_net: parameter 'epochs' must be a whole number > 0, got -3"),
    ("epoch=3", "error: no lesson has a parameter 'epoch'"),
    ("dataset=ml-20m", "error: parameter 'dataset' must be one of"),
])
def test_course_run_checks_every_value_before_any_lesson_runs(tmp_path, parameter, message):
    result = run_course("--data-dir", str(tmp_path), "-p", parameter)
    assert result.returncode == 1
    assert result.stdout == "" and result.stderr.count("\n") == 1 and result.stderr.startswith(message)
    assert list(tmp_path.iterdir()) == [], "nothing may run or be written"


def test_course_run_stops_at_the_first_failing_lesson(tmp_path):
    result = run_course("--dataset", "synthetic", "--data-dir", str(tmp_path), "-p", "epochs=1", "-p", "run=stops",
                        "-p", "query_movie=No such film")
    assert result.returncode == 1
    assert "05_inspect_embeddings.ipynb failed in cell" in result.stderr
    assert "ParameterError: parameter 'query_movie': no movie titled 'No such film'" in result.stderr
    executed = sorted(p.name for p in (tmp_path / "executed" / "synthetic" / "stops").iterdir())
    assert executed == [f"{lesson}.ipynb" for lesson in LESSONS[:LESSONS.index("05_inspect_embeddings") + 1]]
