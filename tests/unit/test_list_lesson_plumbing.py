"""Lesson 07's plumbing: its parameters, its run, its claims' checks, and its rows in run_course.py's table."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from cfcourse.parameters import ParameterError, check_parameters
from cfcourse.published import PUBLISHED_LIST_TRAINING, STRICT_VARIABLE, ClaimNotBorneOut, check_claim
from cfcourse import lesson
from cfcourse.paths import course_paths
from course_testing import load_script
from test_processed import run_lesson_01_steps

run_course = load_script("run_course")
PROTOCOL = dict(k=10, threshold=4.0, seed=42, max_users=2000)
LIST_LESSON = "07_train_for_the_list"


def list_parameters(tmp_path, **settings) -> dict:
    return {"dataset": "synthetic", "data_dir": str(tmp_path), "run": None, **PROTOCOL, **PUBLISHED_LIST_TRAINING,
            "my_ratings": {"Toy Story (1995)": 5}, **settings}


@pytest.mark.parametrize("value", [{"Toy Story (1995)": 5}, {"A": 0.5, "B": 4}])
def test_my_ratings_takes_titles_with_ratings(value):
    check_parameters(my_ratings=value)


@pytest.mark.parametrize("value", [{}, {"Toy Story (1995)": 6}, {"": 3}, ["Toy Story (1995)"], {"A": True}])
def test_my_ratings_refuses_anything_else(value):
    with pytest.raises(ParameterError, match="parameter 'my_ratings' must be a non-empty dict"):
        check_parameters(my_ratings=value)


def test_the_published_settings_are_the_course_run_and_others_an_experiment(tmp_path, capsys):
    assert lesson.choose_run(LIST_LESSON, list_parameters(tmp_path)).run is None
    paths = lesson.choose_run(LIST_LESSON, list_parameters(tmp_path, embedding_size=8))
    assert paths.run == "embedding_size-8"
    assert paths.list_ranking_file == tmp_path / "experiments" / "synthetic" / "embedding_size-8" / "metrics" / "ranking_07.json"
    assert "embedding_size=8 (course: 64)" in capsys.readouterr().out
    assert run_course.run_name({"max_epochs": 3}, [LIST_LESSON]) == "max_epochs-3"


def test_a_large_dataset_trains_for_the_list_on_a_sample_of_its_users(tmp_path, monkeypatch, capsys):
    run_lesson_01_steps(tmp_path)
    whole = lesson.start(LIST_LESSON, list_parameters(tmp_path)).data
    assert "seeded sample" not in capsys.readouterr().out
    monkeypatch.setattr(lesson, "LIST_TRAINING_RATINGS", len(whole.train) // 4)

    sampled = lesson.start(LIST_LESSON, list_parameters(tmp_path)).data

    assert 0 < len(sampled.train) <= len(whole.train) // 4 and sampled.n_users < whole.n_users
    assert f"seeded sample of {sampled.n_users:,} users" in capsys.readouterr().out


def test_a_lessons_record_may_name_its_own_limit_and_the_run_says_it_sampled(tmp_path, monkeypatch, capsys):
    run_lesson_01_steps(tmp_path)
    whole = lesson.start(LIST_LESSON, list_parameters(tmp_path))
    assert not whole.users_sampled
    limit = len(whole.data.train) // 3
    monkeypatch.setitem(lesson.BY_NAME, LIST_LESSON, replace(lesson.BY_NAME[LIST_LESSON], most_train_ratings=limit))

    sampled = lesson.start(LIST_LESSON, list_parameters(tmp_path))

    assert sampled.users_sampled and 0 < len(sampled.data.train) <= limit < len(whole.data.train)
    assert f"more than this lesson's {limit:,}" in capsys.readouterr().out


def test_a_wrong_setting_stops_with_its_rule(tmp_path):
    with pytest.raises(ParameterError, match="parameter 'ease_min_ratings' must be a whole number > 0"):
        lesson.start(LIST_LESSON, list_parameters(tmp_path, ease_min_ratings=0))


def test_a_claim_that_holds_says_so(capsys, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    check_claim("a beats b", True, "0.2 against 0.1")
    assert capsys.readouterr().out == "As the text says, a beats b (0.2 against 0.1).\n"


def test_a_claim_that_does_not_hold_is_a_note_and_in_strict_mode_an_error(capsys, monkeypatch):
    monkeypatch.delenv(STRICT_VARIABLE, raising=False)
    check_claim("a beats b", False, "0.1 against 0.2")
    assert capsys.readouterr().out.startswith("Note: the text says a beats b, but not in this run (0.1 against 0.2)")
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    with pytest.raises(ClaimNotBorneOut, match="the lesson says a beats b, but this run gives"):
        check_claim("a beats b", False, "0.1 against 0.2")


def ranking(models, **changes):
    return {"dataset": "ml-100k", "k": 10, "threshold": 4.0, "users_evaluated": 854, "users_qualifying": 854,
            "max_users": 2000, "models": models, **changes}


def test_lesson_07_rows_follow_lesson_06_rows_on_the_same_protocol():
    row = {"precision": 0.1, "recall": 0.2, "ndcg": 0.3, "coverage": 0.05, "mean_popularity": 120.0}
    lesson_06 = ranking({"random": row, "most_popular": row})
    merged = run_course.with_list_models(lesson_06, ranking({"bpr": row, "ease": row}, fitted_on="train"))
    assert list(merged["models"]) == ["random", "most_popular", "bpr", "ease"]
    assert list(lesson_06["models"]) == ["random", "most_popular"], "lesson 06's results are left as they were"
    lines = run_course.format_ranking_table(merged).splitlines()
    assert [line.split()[0] for line in lines[3:]] == ["random", "most_popular", "bpr", "ease"]


def test_lesson_07_rows_on_another_protocol_or_none_are_left_out():
    lesson_06 = ranking({})
    assert run_course.with_list_models(lesson_06, None) is lesson_06
    assert run_course.with_list_models(lesson_06, ranking({"bpr": {}}, k=5)) is lesson_06


def test_a_claim_made_of_the_committed_run_is_only_a_note_on_another_dataset(capsys, monkeypatch):
    """The prose describes ml-latest-small: on generated data a contradicting run informs, even in strict mode."""
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    check_claim("a beats b", False, "0.1 against 0.2", dataset="synthetic")
    assert capsys.readouterr().out.startswith("Note: the text says a beats b, but not in this run")
    with pytest.raises(ClaimNotBorneOut):
        check_claim("a beats b", False, "0.1 against 0.2", dataset="ml-latest-small")


def write_results(paths, lesson_06=None, lesson_07=None):
    for file, record in ((paths.ranking_file, lesson_06), (paths.list_ranking_file, lesson_07)):
        if record is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(json.dumps(record))


def test_an_experiment_of_lesson_07_alone_is_listed_below_the_courses_lesson_06(tmp_path):
    row = {"precision": 0.1, "recall": 0.2, "ndcg": 0.3, "coverage": 0.05, "mean_popularity": 120.0}
    course, experiment = course_paths("ml-100k", tmp_path), course_paths("ml-100k", tmp_path, "embedding_size-32")
    assert run_course.ranking_to_print(experiment) is None
    write_results(course, lesson_06=ranking({"most_popular": row}))
    write_results(experiment, lesson_07=ranking({"bpr": row}))
    merged = run_course.ranking_to_print(experiment)
    assert list(merged["models"]) == ["most_popular", "bpr"]
    assert merged["row_runs"] == {"most_popular": None, "bpr": "embedding_size-32"}, "each row says whose it is"
    # Lesson 07 on another protocol: its own rows, not lesson 06's on the course's protocol.
    write_results(experiment, lesson_07=ranking({"bpr": row}, k=5))
    assert run_course.ranking_to_print(experiment) == {**ranking({"bpr": row}, k=5),
                                                       "row_runs": {"bpr": "embedding_size-32"}}
    # An experiment that ran lesson 06 itself shows its own rows, not the course's, and lesson 07's on its protocol.
    write_results(experiment, lesson_06=ranking({"random": row}, k=5))
    assert list(run_course.ranking_to_print(experiment)["models"]) == ["random", "bpr"]
    write_results(experiment, lesson_07=ranking({"bpr": row}))
    assert list(run_course.ranking_to_print(experiment)["models"]) == ["random"]


def test_lesson_07_rows_refit_on_train_and_validation_say_so():
    row = {"precision": 0.1, "recall": 0.2, "ndcg": 0.3, "coverage": 0.05, "mean_popularity": 120.0}
    merged = run_course.with_list_models(ranking({"most_popular": row}),
                                         ranking({"bpr": row}, fitted_on="train + validation"))
    assert list(merged["models"]) == ["most_popular", "bpr (refit)"]
