"""Which run a lesson saves into, and what `lesson.start` says about parameters before anything slow."""

from __future__ import annotations

import pytest

from cfcourse import lesson
from cfcourse.course import LESSON_PARAMETERS
from cfcourse.parameters import ParameterError
from cfcourse.prerequisites import MissingPrerequisiteError
from cfcourse.published import PUBLISHED, PUBLISHED_RANKING_PROTOCOL

RANKING = "06_evaluate_recommendations"


def ranking_parameters(tmp_path, **changes) -> dict:
    return {"dataset": "synthetic", "data_dir": str(tmp_path), "run": None, **PUBLISHED_RANKING_PROTOCOL, **changes}


def test_the_published_protocol_ranks_into_the_courses_own_run(tmp_path, capsys):
    paths = lesson.choose_run(RANKING, ranking_parameters(tmp_path))
    assert paths.run is None and paths.ranking_file == tmp_path / "metrics" / "synthetic" / "ranking.json"
    assert capsys.readouterr().out == ""


def test_another_k_ranks_into_a_run_named_after_it(tmp_path, capsys):
    paths = lesson.choose_run(RANKING, ranking_parameters(tmp_path, k=5))
    assert paths.run == "k-5"
    assert paths.ranking_file == tmp_path / "experiments" / "synthetic" / "k-5" / "metrics" / "ranking.json"
    assert "Your parameters: k=5 (course: 10). This run, 'k-5', saves to" in capsys.readouterr().out


def test_a_named_run_is_used_as_it_is(tmp_path):
    assert lesson.choose_run(RANKING, ranking_parameters(tmp_path, run="mine")).run == "mine"


def test_a_changed_training_value_makes_an_experiment_named_after_it(tmp_path):
    values = {"dataset": "synthetic", "data_dir": str(tmp_path), "run": None,
              **PUBLISHED["02_dot_product"].parameters, "n_factors": 10}
    assert lesson.choose_run("02_dot_product", values).run == "n_factors-10"


@pytest.mark.parametrize("name, value", [("k", 0), ("k", 2.5), ("threshold", -1), ("threshold", "4")])
def test_a_bad_protocol_value_is_named_before_anything_else(tmp_path, name, value):
    with pytest.raises(ParameterError, match=f"parameter '{name}'"):
        lesson.start(RANKING, ranking_parameters(tmp_path, **{name: value}))


def test_a_parameter_left_unset_is_named(tmp_path):
    values = ranking_parameters(tmp_path)
    del values["max_users"]
    with pytest.raises(ParameterError, match="parameter 'max_users' is not set: run the parameters cell first"):
        lesson.start(RANKING, values)


def test_a_lesson_before_its_data_says_which_lesson_to_run(tmp_path):
    with pytest.raises(MissingPrerequisiteError, match="run notebooks/03_bias.ipynb first"):
        lesson.start("05_inspect_embeddings", {"dataset": "synthetic", "data_dir": str(tmp_path), "run": None,
                                               "min_ratings": 20, "query_movie": "Toy Story (1995)", "user_id": 1,
                                               "n_top": 10})


def test_every_lesson_declares_its_parameters():
    from cfcourse.course import LESSONS

    assert set(LESSON_PARAMETERS) == set(LESSONS)


def test_a_run_missing_a_model_names_the_command_with_the_values_it_was_made_with(tmp_path):
    """Lesson 05 on an experiment begun in lesson 02 must not send the learner to train lesson 03 with its defaults."""
    from cfcourse.metrics import write_model_metrics
    from cfcourse.paths import course_paths

    run_paths = course_paths("synthetic", tmp_path, "epochs-3_n_factors-8")
    lesson_02 = {**PUBLISHED["02_dot_product"].parameters, "n_factors": 8, "epochs": 3}
    write_model_metrics(run_paths, "dot_product", val_rmse=0.9, test_rmse=0.9, epochs=3, train_seconds=1.0,
                        parameters=lesson_02)
    values = {"dataset": "synthetic", "data_dir": str(tmp_path), "run": "epochs-3_n_factors-8", "min_ratings": 20,
              "query_movie": "Toy Story (1995)", "user_id": 1, "n_top": 10}
    with pytest.raises(MissingPrerequisiteError) as missing:
        lesson.start("05_inspect_embeddings", values)
    assert ('run `make experiment DATASET=synthetic LESSON=03_bias PARAMS="epochs=3 n_factors=8 '
            'run=epochs-3_n_factors-8"` first') in str(missing.value)
    assert "l2" not in str(missing.value), "lesson 02's own l2 is not a change the learner made"
