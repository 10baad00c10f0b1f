"""Every exercise, judged on generated data and tiny models: its solution passes, ``...`` is not attempted,
each likely mistake gets its hint, and a wrong type is "not yet", never a traceback. The answers and
mistakes are in tests/exercise_answers.py; tests/nbval/ tries the same mistakes on the course's data."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from cfcourse.exercises import EXERCISES, SolutionNotCorrect, check, exercises_of
from cfcourse.exercises.answers import judge_number
from cfcourse.exercises.definitions import CODING, NotYet
from cfcourse.exercises.record import summary_line
from cfcourse.paths import course_paths
from cfcourse.published import STRICT_VARIABLE
from exercise_answers import ALL_MISTAKES, MISTAKES, SOLUTIONS, lesson_contexts
from exercise_testing import bias_model, bpr_model, dot_product_model, neural_net, synthetic_lesson_data

LESSONS_WITH_EXERCISES = ["01_preprocessing", "02_dot_product", "03_bias", "04_neural_net", "05_inspect_embeddings",
                          "06_evaluate_recommendations", "07_train_for_the_list", "08_next_movie"]


@pytest.fixture(scope="module")
def data():
    return synthetic_lesson_data()


@pytest.fixture(scope="module")
def contexts(data):
    """What each lesson's cells pass to check, by the exercise id's lesson number."""
    models = {"dot_product": dot_product_model(data), "bias": bias_model(data), "neural_net": neural_net(data)}
    return lesson_contexts(data, models, bpr_model(data))


WRONG_TYPES = {
    "an object": object(),
    "a string": "3.5",
    "an array of the wrong shape": np.zeros((3, 3)),
    "a function that raises": lambda *arguments: 1 / 0,
    "a boolean": True,
}

IDS = list(EXERCISES)
#: Questionnaire questions with one right answer whatever the data: their checks read no context.
CONTEXT_FREE = {"01.q.tuning_split", "02.q.learning_rate", "04.q.dropout", "05.q.bias_units", "06.q.recall_example",
                "07.q.bpr_at_zero", "07.q.ease_identity", "08.causal_mask", "08.q.window_examples", "08.q.hides_future"}


def context_of(contexts, exercise_id):
    return contexts[exercise_id[:2]]


@pytest.fixture(autouse=True)
def learner_mode(monkeypatch):
    monkeypatch.delenv(STRICT_VARIABLE, raising=False)


def test_every_exercise_has_a_solution_and_a_likely_mistake_here():
    assert set(SOLUTIONS) == set(EXERCISES) == set(MISTAKES)


@pytest.mark.parametrize("lesson", LESSONS_WITH_EXERCISES)
def test_every_lesson_from_01_has_three_coding_exercises(lesson):
    assert len([e for e in exercises_of(lesson) if e.kind == CODING]) >= 3


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_solution_is_correct(contexts, exercise_id, capsys):
    context = context_of(contexts, exercise_id)
    result = check(exercise_id, SOLUTIONS[exercise_id](context), solution=True, **context)
    assert result.passed, result.line
    assert capsys.readouterr().out == f"{exercise_id}: correct\n"


@pytest.mark.parametrize("answer", [..., None], ids=["ellipsis", "none"])
@pytest.mark.parametrize("exercise_id", IDS)
def test_the_answer_as_given_is_not_attempted(contexts, exercise_id, answer, capsys):
    result = check(exercise_id, answer, **context_of(contexts, exercise_id))
    assert (result.status, result.passed) == ("not_attempted", False)
    assert capsys.readouterr().out == f"{exercise_id}: not attempted\n"


#: Mistakes that give the right answer on the small generated data, which has no validation rating of a movie
#: absent from train, no user with more than 10 relevant movies, and near-identical lists from its tiny models.
#: tests/nbval/test_exercises_on_course_data.py tries them on ml-latest-small, where each is wrong.
SAME_ON_GENERATED_DATA = {("01.movie_mean_rmse", "unseen movies dropped"), ("06.recall_at_k", "capped"),
                          ("06.hit_rate", "dot-product lists"), ("08.time_order", "default sort")}


@pytest.mark.parametrize("exercise_id, mistake",
                         [(i, m) for i, m in ALL_MISTAKES if (i, m.what) not in SAME_ON_GENERATED_DATA],
                         ids=lambda value: str(value))
def test_the_likely_mistake_gets_its_hint(contexts, exercise_id, mistake):
    context = context_of(contexts, exercise_id)
    result = check(exercise_id, mistake.answer(context), **context)
    assert result.status == "not_yet" and mistake.hint in result.hint, result.line


@pytest.mark.parametrize("kind", WRONG_TYPES)
@pytest.mark.parametrize("exercise_id", IDS)
def test_a_wrong_type_is_not_yet_without_a_traceback(contexts, exercise_id, kind, capsys):
    result = check(exercise_id, WRONG_TYPES[kind], **context_of(contexts, exercise_id))
    assert result.status == "not_yet" and result.hint, result.line
    assert "Traceback" not in result.hint and capsys.readouterr().out.count("\n") == 1


@pytest.mark.parametrize("exercise_id", IDS)
def test_an_object_without_any_context_is_not_yet(exercise_id):
    assert check(exercise_id, object()).status == "not_yet"


@pytest.mark.parametrize("places", [2, 3, 4])
def test_a_rounded_mean_is_told_it_is_rounded_and_nothing_else(contexts, places):
    context = contexts["01"]
    result = check("01.train_mean", round(SOLUTIONS["01.train_mean"](context), places), **context)
    assert result.hint.startswith(f"that looks rounded to {places} decimal places"), result.line


@pytest.mark.parametrize("value, expected, hint", [
    (516_701, 516_700, "not it"),  # a count off by one is not a rounding
    (0.8893, 0.8877, "not it"),  # another quantity, close by
    (0.888, 0.8877, "rounded to 3 decimal places"),
    (0.89, 0.8877, "rounded to 2 decimal places"),
])
def test_the_rounding_hint_is_for_a_real_rounding_only(value, expected, hint):
    with pytest.raises(NotYet, match=hint):
        judge_number(value, expected, 1e-6)


@pytest.mark.parametrize("given", [None, "the data", 3.5], ids=["None", "a str", "a float"])
@pytest.mark.parametrize("exercise_id", IDS)
def test_a_wrong_context_is_blamed_on_the_context_not_the_answer(contexts, exercise_id, given):
    right = context_of(contexts, exercise_id)
    result = check(exercise_id, SOLUTIONS[exercise_id](right), **{name: given for name in right})
    if exercise_id in CONTEXT_FREE:
        assert result.passed, result.line
    else:
        assert "this check was given " in result.hint and "your answer was not judged" in result.hint, result.line


@pytest.mark.parametrize("exercise_id", ["03.lowest_bias_movies", "05.nearest_movies", "06.popular_list"])
def test_a_set_of_the_right_movies_is_told_it_has_no_order(contexts, exercise_id):
    context = context_of(contexts, exercise_id)
    result = check(exercise_id, set(SOLUTIONS[exercise_id](context)), **context)
    assert "a set, which has no order" in result.hint, result.line


def test_a_popular_list_that_orders_a_tie_otherwise_is_correct(data):
    """value_counts may order movies with as many train ratings either way: both orders are right."""
    tied = with_a_tie_at_the_top_of_user_0s_list(data)
    expected = SOLUTIONS["06.popular_list"]({"data": tied})
    counts = np.bincount(tied.train.movie_idx, minlength=tied.n_movies)
    reordered = sorted(expected, key=lambda movie: (-counts[movie], -movie))  # ties to the larger index
    assert reordered != expected
    assert check("06.popular_list", reordered, data=tied).passed


def with_a_tie_at_the_top_of_user_0s_list(data):
    """The generated data with the first of user 0's popular list made as popular as the second, by leaving out
    some of its train ratings by other users."""
    first, second = SOLUTIONS["06.popular_list"]({"data": data})[:2]
    counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)
    ratings = data.ratings
    its_train_rows = ratings.index[(ratings.split == "train") & (ratings.movie_idx == first) & (ratings.user_idx != 0)]
    kept = ratings.drop(its_train_rows[: counts[first] - counts[second]]).reset_index(drop=True)
    return dataclasses.replace(data, ratings=kept)


@pytest.mark.parametrize("exercise_id, what", sorted(SAME_ON_GENERATED_DATA))
def test_the_mistakes_tried_only_on_the_course_data_are_right_answers_here(contexts, exercise_id, what):
    """Kept honest: each one still gives the right answer on the generated data, so only tests/nbval can try it."""
    context = context_of(contexts, exercise_id)
    mistake = next(each for each in MISTAKES[exercise_id] if each.what == what)
    assert check(exercise_id, mistake.answer(context), **context).passed


def test_an_unknown_id_is_not_yet():
    result = check("02.no_such_exercise", 3)
    assert result.status == "not_yet" and "no exercise" in result.hint


def test_strict_mode_fails_a_wrong_solution_but_never_a_learners_answer(contexts, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    context = contexts["01"]
    assert check("01.train_mean", 0.0, **context).status == "not_yet"  # a learner's cell: never raises
    with pytest.raises(SolutionNotCorrect, match="01.train_mean: not yet"):
        check("01.train_mean", 0.0, solution=True, **context)
    assert check("01.train_mean", SOLUTIONS["01.train_mean"](context), solution=True, **context).passed


def test_without_strict_mode_a_wrong_solution_only_says_so(contexts):
    assert check("01.train_mean", 0.0, solution=True, **contexts["01"]).status == "not_yet"


def test_a_result_shows_its_line_once():
    result = check("06.q.recall_example", 0.5)
    assert str(result) == "06.q.recall_example: correct" and result._ipython_display_() is None


def test_each_check_is_recorded_in_the_runs_metrics_folder(tmp_path):
    paths = course_paths("synthetic", tmp_path, "smoke")
    data = synthetic_lesson_data(paths=paths)
    check("01.train_mean", ..., data=data)
    check("01.train_mean", data.train.rating.mean(), data=data, solution=True)
    check("01.encode", object(), data=data)
    record = json.loads(paths.exercises_file.read_text())
    assert paths.exercises_file == tmp_path / "experiments" / "synthetic" / "smoke" / "metrics" / "exercises.json"
    assert record == {"01_preprocessing": {"01.train_mean": {"stub": "not_attempted", "solution": "correct"},
                                           "01.encode": {"stub": "not_yet"}}}


def test_the_record_drops_exercises_that_no_longer_exist(tmp_path):
    paths = course_paths("synthetic", tmp_path)
    paths.metrics.mkdir(parents=True)
    paths.exercises_file.write_text(json.dumps({"01_preprocessing": {"01.renamed": {"stub": "correct"}}}))
    check("01.q.tuning_split", "b", data=synthetic_lesson_data(paths=paths))
    assert json.loads(paths.exercises_file.read_text()) == {"01_preprocessing": {"01.q.tuning_split": {"stub": "correct"}}}


def test_the_summary_line_says_all_correct_or_which_not():
    expected = {"01.a": "01_x", "01.b": "01_x", "02.c": "02_y"}
    all_right = {"01_x": {"01.a": {"stub": "not_attempted", "solution": "correct"}, "01.b": {"solution": "correct"}},
                 "02_y": {"02.c": {"solution": "correct"}}}
    assert summary_line(all_right, expected) == "Exercises: 3 solutions checked, all correct"
    one_wrong = {**all_right, "02_y": {"02.c": {"solution": "not_yet"}}}
    assert summary_line(one_wrong, expected) == "Exercises: 3 solutions checked; not correct: 02.c"
    assert summary_line({}, expected) == "Exercises: 0 solutions checked; never checked: 01.a, 01.b, 02.c"


def test_rare_movies_on_data_with_none_in_validation_is_not_yet_with_the_reason(contexts, data):
    """Large generated data has no rare movie in validation: the exercise says so instead of an RMSE of nothing."""
    frequent = np.bincount(data.train.movie_idx, minlength=data.n_movies) >= 20
    kept = (data.ratings.split != "val").to_numpy() | frequent[data.ratings.movie_idx.to_numpy()]
    no_rare = dataclasses.replace(data, ratings=data.ratings[kept].reset_index(drop=True))
    result = check("04.rare_movie_rmse", 0.9, data=no_rare, model=contexts["04"]["model"])
    assert not result.passed
    assert "no validation rating of this dataset is of a movie with fewer than 20 training ratings" in result.line
