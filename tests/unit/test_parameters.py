"""The rules for lesson parameters: good values pass, bad ones stop with one line naming the parameter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import papermill
import pytest

from cfcourse.course import BY_NAME, LESSONS, NOTEBOOKS_DIR
from cfcourse.parameters import RULES, ParameterError, check_parameters, parameter_problem, rule_of

NOT_NUMBERS = [True, False, "3", None, [3]]


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_parameter_has_a_rule_that_its_own_default_meets(lesson):
    declared = papermill.inspect_notebook(str(NOTEBOOKS_DIR / f"{lesson}.ipynb"))
    for name, parameter in declared.items():
        assert name == "dataset" or name in RULES or name in BY_NAME[lesson].rules, f"{lesson}: no rule for {name!r}"
        default = eval(parameter["default"])  # the parameters cell's own literal, e.g. '1e-2'
        assert parameter_problem(name, default) is None, f"{lesson}: {name} = {default!r}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_parameter_comment_describes_one_dataset_as_if_it_were_every_one(lesson):
    """A parameters cell runs on every dataset: its comments say what a value does, not what it gives on
    ml-latest-small (lesson 06's max_users once said "all 559 qualifying users are evaluated")."""
    from cfcourse.data.datasets import DATASETS

    declared = papermill.inspect_notebook(str(NOTEBOOKS_DIR / f"{lesson}.ipynb"))
    for name, parameter in declared.items():
        comment = parameter["help"]
        assert not [dataset for dataset in DATASETS if dataset in comment], f"{lesson}: {name}  # {comment}"


@pytest.mark.parametrize("dataset", ["ml-latest-small", "ml-100k", "ml-1m", "ml-25m", "ml-32m", "synthetic"])
def test_dataset_accepts_registry_names(dataset):
    check_parameters(dataset=dataset)


@pytest.mark.parametrize("dataset", ["ML-100K", "", None, ["ml-100k"], "ml-latest", "ml-20m"])
def test_dataset_rejects_other_values(dataset):
    with pytest.raises(ParameterError, match="parameter 'dataset' must be one of"):
        check_parameters(dataset=dataset)


@pytest.mark.parametrize("value", [1, 30, np.int64(5)])
def test_whole_numbers_above_zero_pass(value):
    check_parameters(epochs=value)


@pytest.mark.parametrize("value", [0, -1, -3, 2.0, 0.5, *NOT_NUMBERS])
def test_epochs_must_be_a_whole_number_above_zero(value):
    with pytest.raises(ParameterError) as failure:
        check_parameters(epochs=value)
    assert str(failure.value) == f"parameter 'epochs' must be a whole number > 0, got {value!r}"


def test_seed_may_be_zero_but_not_negative():
    check_parameters(seed=0, split_seed=0)
    with pytest.raises(ParameterError, match="parameter 'seed' must be a whole number >= 0, got -1"):
        check_parameters(seed=-1)


@pytest.mark.parametrize("value", [1e-3, 1, np.float32(0.01)])
def test_learning_rate_accepts_numbers_above_zero(value):
    check_parameters(learning_rate=value)


@pytest.mark.parametrize("value", [0, 0.0, -1e-3, float("nan"), float("inf"), *NOT_NUMBERS])
def test_learning_rate_rejects(value):
    with pytest.raises(ParameterError, match="parameter 'learning_rate' must be a number > 0"):
        check_parameters(learning_rate=value)


def test_l2_may_be_zero():
    check_parameters(l2=0.0)
    with pytest.raises(ParameterError, match="parameter 'l2' must be a number >= 0"):
        check_parameters(l2=-1e-6)


@pytest.mark.parametrize("value", [0, 0.0, 0.2, 0.999])
def test_dropout_accepts_values_in_zero_to_one(value):
    check_parameters(dropout_hidden=value)


@pytest.mark.parametrize("value", [1, 1.0, 1.5, -0.1, float("nan"), *NOT_NUMBERS])
def test_dropout_rejects(value):
    with pytest.raises(ParameterError, match=r"parameter 'dropout_hidden' must be a number in \[0, 1\)"):
        check_parameters(dropout_hidden=value)


@pytest.mark.parametrize("value", [0, 0.5, -0.1, 1])
def test_split_shares_lie_strictly_between_zero_and_a_half(value):
    with pytest.raises(ParameterError, match="parameter 'test_fraction' must be a number strictly between 0 and 0.5"):
        check_parameters(test_fraction=value)


@pytest.mark.parametrize("folder", [None, "data", Path("data")])
def test_a_data_folder_may_be_text_or_a_path(folder):
    check_parameters(data_dir=folder)


@pytest.mark.parametrize("folder", ["", 3, ["data"]])
def test_a_data_folder_must_name_a_folder(folder):
    with pytest.raises(ParameterError, match="parameter 'data_dir' must be None or a folder path"):
        check_parameters(data_dir=folder)


@pytest.mark.parametrize("run", [None, "small", "n_factors-10_epochs-5", "try.2"])
def test_run_names_that_make_folder_names(run):
    check_parameters(run=run)


@pytest.mark.parametrize("run", ["", "../course", "a/b", "has space", "-starts-with-dash", 3, "x" * 81])
def test_run_names_that_would_not_make_a_plain_folder_name_are_refused(run):
    with pytest.raises(ParameterError, match="parameter 'run' must be None"):
        check_parameters(run=run)


def test_the_first_bad_value_is_named_and_nothing_after_it_matters():
    with pytest.raises(ParameterError, match="'n_factors'"):
        check_parameters(dataset="synthetic", n_factors=0, epochs=-1)


def test_a_parameter_without_a_rule_is_a_mistake_in_the_course_not_the_learner():
    with pytest.raises(KeyError, match="no rule for the parameter 'n_factor'"):
        check_parameters(n_factor=3)


def test_a_notebook_shows_the_error_as_one_line():
    assert ParameterError("parameter 'epochs' must be x")._render_traceback_() == [
        "ParameterError: parameter 'epochs' must be x"]


@pytest.mark.parametrize("value", ["random", "per_user", "time"])
def test_split_accepts_lesson_01s_methods(value):
    assert parameter_problem("split", value) is None


def test_split_accepts_an_existing_file_only(tmp_path):
    split_file = tmp_path / "my_split.csv"
    assert "the path of a split file (user, movie, split) that exists" in parameter_problem("split", str(split_file))
    split_file.write_text("user,movie,split\n")
    assert parameter_problem("split", str(split_file)) is None
    for wrong in ["per-user", "", None, 3]:
        assert parameter_problem("split", wrong) is not None


@pytest.mark.parametrize("value, allowed", [(4.0, True), ("all", True), (0, False), ("every", False), (None, False)])
def test_threshold_is_a_rating_or_all(value, allowed):
    assert (parameter_problem("threshold", value) is None) == allowed


def test_a_parameter_of_one_lesson_may_have_its_rule_in_that_lessons_record(monkeypatch):
    import cfcourse.parameters as parameters
    from cfcourse.course import Lesson

    own = Lesson("09_own", "Own", ("dataset", "n_neighbours"), rules={"n_neighbours": ("odd", lambda v: v % 2 == 1)})
    monkeypatch.setattr(parameters, "COURSE", (*parameters.COURSE, own))
    assert rule_of("n_neighbours")[0] == "odd"
    assert parameter_problem("n_neighbours", 3) is None
    assert parameter_problem("n_neighbours", 4) == "parameter 'n_neighbours' must be odd, got 4"
    with pytest.raises(KeyError, match="no rule for the parameter 'n_nieghbours'"):
        parameter_problem("n_nieghbours", 3)
