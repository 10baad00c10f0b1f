"""Every exercise, judged on generated data and tiny models: its solution passes, ``...`` is not attempted,
its likely mistake gets its hint, and a wrong type is "not yet", never a traceback."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from cfcourse import ranking
from cfcourse.exercises import EXERCISES, SolutionNotCorrect, check, exercises_of
from cfcourse.exercises.definitions import CODING
from cfcourse.exercises.record import summary_line
from cfcourse.paths import course_paths
from cfcourse.protocol import Protocol
from cfcourse.published import STRICT_VARIABLE
from exercise_testing import bias_model, bpr_model, dot_product_model, neural_net, synthetic_lesson_data

LESSONS_WITH_EXERCISES = ["01_preprocessing", "02_dot_product", "03_bias", "04_neural_net", "05_inspect_embeddings",
                          "06_evaluate_recommendations", "07_train_for_the_list"]


@pytest.fixture(scope="module")
def data():
    return synthetic_lesson_data()


@pytest.fixture(scope="module")
def contexts(data):
    """What each lesson's cells pass to check, by the exercise id's lesson number."""
    bias = bias_model(data)
    lists, relevant = bias_lists(data, bias)
    return {"01": {"data": data}, "02": {"data": data, "model": dot_product_model(data)},
            "03": {"data": data, "model": bias}, "04": {"data": data, "model": neural_net(data)},
            "05": {"data": data, "model": bias}, "06": {"data": data, "lists": lists, "relevant": relevant},
            "07": {"data": data, "model": bpr_model(data)}}


def bias_lists(data, model, k=10):
    """Top-k lists of every user with a liked test movie, on lesson 06's protocol."""
    protocol = Protocol(data, data.train, data.test, also_excluded=[data.val], threshold=4.0,
                        max_users=data.n_users, seed=0)
    pairs = {"user": np.repeat(protocol.users, data.n_movies).astype("int32"),
             "movie": np.tile(np.arange(data.n_movies), len(protocol.users)).astype("int32")}
    scores = model.predict(pairs, batch_size=65536, verbose=0).reshape(len(protocol.users), data.n_movies)
    return ranking.top_k_movies(scores, protocol.exclude, k), protocol.relevant


def weights(model, name):
    return [np.asarray(w, dtype=np.float64) for w in model.get_layer(name).get_weights()]


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def rmse(a, b):
    return float(np.sqrt(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2)))


def predictions(model, frame):
    inputs = {"user": frame.user_idx.to_numpy(), "movie": frame.movie_idx.to_numpy()}
    return model.predict(inputs, verbose=0).ravel()


# -- the reference solutions, one per exercise: what the notebooks' worked solutions compute ---------------

def movie_mean_rmse(c):
    train, val = c["data"].train, c["data"].val
    means = val.movie_idx.map(train.groupby("movie_idx").rating.mean()).fillna(train.rating.mean())
    return rmse(val.rating, means)


def dot_product_predict(model):
    (users,), (movies,) = weights(model, "user_factors"), weights(model, "movie_factors")
    scale, offset = model.get_layer("rating").scale, model.get_layer("rating").offset
    return lambda u, m: sigmoid(np.sum(users[u] * movies[m], axis=1)) * scale + offset


def bias_predict(model):
    (users,), (movies,) = weights(model, "user_factors"), weights(model, "movie_factors")
    (user_bias,), (movie_bias,) = weights(model, "user_bias"), weights(model, "movie_bias")
    scale, offset = model.get_layer("rating").scale, model.get_layer("rating").offset
    return lambda u, m: sigmoid(np.sum(users[u] * movies[m], axis=1) + user_bias[u, 0] + movie_bias[m, 0]) * scale + offset


def network_predict(model, keep=1.0):
    (users,), (movies,) = weights(model, "user_factors"), weights(model, "movie_factors")
    (hidden_kernel, hidden_bias), (score_kernel, score_bias) = weights(model, "hidden"), weights(model, "score")
    scale, offset = model.get_layer("rating").scale, model.get_layer("rating").offset

    def predict(u, m):
        both = np.concatenate([users[u], movies[m]], axis=1) * keep
        hidden = np.maximum(both @ hidden_kernel + hidden_bias, 0)
        return sigmoid(hidden @ score_kernel + score_bias).ravel() * scale + offset
    return predict


def top_bias_movies(c, at_least=50):
    movies = c["data"].movies.assign(bias=weights(c["model"], "movie_bias")[0][:, 0])
    return movies[movies.n_ratings >= at_least].nlargest(5, "bias").movie_idx.tolist()


def bias_only_rmse(c, frame=None):
    model, frame = c["model"], c["data"].val if frame is None else frame
    score = weights(model, "user_bias")[0][frame.user_idx, 0] + weights(model, "movie_bias")[0][frame.movie_idx, 0]
    return rmse(frame.rating, sigmoid(score) * model.get_layer("rating").scale + model.get_layer("rating").offset)


def rare_movie_rmse(c, counts=None):
    data, model = c["data"], c["model"]
    counts = np.bincount(data.train.movie_idx, minlength=data.n_movies) if counts is None else counts
    rare = data.val[counts[data.val.movie_idx] < 20]
    return rmse(rare.rating, predictions(model, rare))


def nearest_movie(c, cosine=True):
    data, factors = c["data"], weights(c["model"], "movie_factors")[0]
    query = int(data.movies.n_ratings.idxmax())
    unit = factors / np.linalg.norm(factors, axis=1, keepdims=True) if cosine else factors
    similarity = pd.Series(unit @ unit[query])
    candidates = data.movies[(data.movies.n_ratings >= 50) & (data.movies.movie_idx != query)].movie_idx
    return int(similarity[candidates].idxmax())


def user_pca_share(c, centre=True):
    users = weights(c["model"], "user_factors")[0]
    values = np.linalg.svd(users - users.mean(axis=0) if centre else users, compute_uv=False)
    return float(values[0] ** 2 / np.sum(values**2))


def bias_mean_correlation(c, ratings=None):
    data = c["data"]
    means = (data.train if ratings is None else ratings).groupby("movie_idx").rating.mean()
    movies = data.movies.assign(bias=weights(c["model"], "movie_bias")[0][:, 0], mean=means)
    movies = movies[movies.n_ratings >= 20].dropna()
    return float(np.corrcoef(movies.bias, movies["mean"])[0, 1])


def recall_at_k(recommended, relevant):
    return len(set(recommended) & set(relevant)) / len(relevant)


def popular_list(c, exclude_val=True):
    data = c["data"]
    counts = data.train.movie_idx.value_counts().reindex(range(data.n_movies), fill_value=0)
    frames = [data.train, data.val] if exclude_val else [data.train]
    rated = set(pd.concat(frames).query("user_idx == 0").movie_idx)
    ranked = counts.drop(list(rated)).reset_index().sort_values(["count", "movie_idx"], ascending=[False, True])
    return ranked.movie_idx.head(10).tolist()


def hit_rate(c):
    return float(ranking.hits_at_k(c["lists"], c["relevant"]).any(axis=1).mean())


def uniform_negative(c, exclude_rated=True):
    data = c["data"]
    rated = data.train.groupby("user_idx").movie_idx.apply(set)

    def sample(user, rng):
        movie = int(rng.integers(data.n_movies))
        while exclude_rated and movie in rated.get(user, set()):
            movie = int(rng.integers(data.n_movies))
        return movie
    return sample


def popular_negative(c):
    """Draws the movie of a random train rating (popularity), then redraws rated ones: the popularity mistake."""
    data = c["data"]
    rated, movies = data.train.groupby("user_idx").movie_idx.apply(set), data.train.movie_idx.to_numpy()

    def sample(user, rng):
        movie = int(movies[rng.integers(len(movies))])
        while movie in rated.get(user, set()):
            movie = int(movies[rng.integers(len(movies))])
        return movie
    return sample


def bpr_by_hand(c, with_bias=True):
    (users,), (movies,), (bias,) = (weights(c["model"], name) for name in ("users", "movies", "movie_bias"))

    def loss(u, rated, sampled):
        d = np.sum(users[u] * (movies[rated] - movies[sampled]), axis=1)
        if with_bias:
            d = d + bias[rated, 0] - bias[sampled, 0]
        return np.logaddexp(0, -d)
    return loss


def log_q(c, frame=None):
    data = c["data"]
    frame = data.train if frame is None else frame
    with np.errstate(divide="ignore"):
        return np.log(np.bincount(frame.movie_idx, minlength=data.n_movies) / len(frame))


def ease_by_hand(zero_diagonal=True):
    def weights_of(x, l2):
        p = np.linalg.inv(x.T @ x + l2 * np.eye(x.shape[1]))
        b = -p / np.diag(p)
        if zero_diagonal:
            np.fill_diagonal(b, 0.0)
        return b
    return weights_of


SOLUTIONS = {
    "01.train_mean": lambda c: c["data"].train.rating.mean(),
    "01.movie_mean_rmse": movie_mean_rmse,
    "01.encode": lambda c: lambda ids: np.unique(ids, return_inverse=True)[1],
    "01.q.tuning_split": lambda c: "b",
    "02.n_parameters": lambda c: (c["data"].n_users + c["data"].n_movies) * 4,
    "02.predict": lambda c: dot_product_predict(c["model"]),
    "02.within_half_star": lambda c: np.mean(np.abs(predictions(c["model"], c["data"].val) - c["data"].val.rating) <= 0.5),
    "02.q.learning_rate": lambda c: "(b)",
    "03.predict": lambda c: bias_predict(c["model"]),
    "03.top_bias_movies": top_bias_movies,
    "03.bias_only_rmse": bias_only_rmse,
    "03.q.bias_parameters": lambda c: c["data"].n_users + c["data"].n_movies,
    "04.n_parameters": lambda c: (c["data"].n_users + c["data"].n_movies) * 4 + (8 * 6 + 6) + (6 + 1),
    "04.predict": lambda c: network_predict(c["model"]),
    "04.rare_movie_rmse": rare_movie_rmse,
    "04.q.dropout": lambda c: "B",
    "05.nearest_movie": nearest_movie,
    "05.user_pca_share": user_pca_share,
    "05.bias_mean_correlation": bias_mean_correlation,
    "05.q.bias_units": lambda c: "b",
    "06.recall_at_k": lambda c: recall_at_k,
    "06.popular_list": popular_list,
    "06.hit_rate": hit_rate,
    "06.q.recall_example": lambda c: 2 / 4,
    "07.uniform_negative": uniform_negative,
    "07.bpr_loss": bpr_by_hand,
    "07.log_q": log_q,
    "07.ease_weights": lambda c: ease_by_hand(),
    "07.q.bpr_at_zero": lambda c: float(np.log(2)),
    "07.q.ease_identity": lambda c: "(b)",
}

#: Per exercise: the likely mistake, and a piece of the hint it must get.
MISTAKES = {
    "01.train_mean": (lambda c: c["data"].ratings.rating.mean(), "mean of all ratings"),
    "01.movie_mean_rmse": (lambda c: rmse(c["data"].val.rating, np.full(len(c["data"].val), c["data"].train.rating.mean())),
                           "one global mean"),
    "01.encode": (lambda c: lambda ids: pd.factorize(ids)[0], "first appear"),
    "01.q.tuning_split": (lambda c: "c", "test is touched once"),
    "02.n_parameters": (lambda c: c["data"].n_users * 4, "user table only"),
    "02.predict": (lambda c: lambda u, m: np.sum(weights(c["model"], "user_factors")[0][u]
                                                 * weights(c["model"], "movie_factors")[0][m], axis=1), "raw score"),
    "02.within_half_star": (lambda c: 100 * SOLUTIONS["02.within_half_star"](c), "not a percentage"),
    "02.q.learning_rate": (lambda c: "a", "still says 0.001"),
    "03.predict": (lambda c: dot_product_predict(c["model"]), "left out the biases"),
    "03.top_bias_movies": (lambda c: top_bias_movies(c, at_least=0), "fewer than 50 ratings"),
    "03.bias_only_rmse": (lambda c: bias_only_rmse(c, c["data"].test), "measured on test"),
    "03.q.bias_parameters": (lambda c: 2, "not one number per layer"),
    "04.n_parameters": (lambda c: (c["data"].n_users + c["data"].n_movies) * 4 + 8 * 6 + 6, "biases"),
    "04.predict": (lambda c: network_predict(c["model"], keep=0.5), "dropout does nothing at prediction"),
    "04.rare_movie_rmse": (lambda c: rare_movie_rmse(c, c["data"].movies.n_ratings.to_numpy()), "all three splits"),
    "04.q.dropout": (lambda c: "a", "turns dropout off"),
    "05.nearest_movie": (lambda c: nearest_movie(c, cosine=False), "largest dot product"),
    "05.user_pca_share": (lambda c: user_pca_share(c, centre=False), "centre the factors"),
    "05.bias_mean_correlation": (lambda c: bias_mean_correlation(c, c["data"].ratings), "include validation and test"),
    "05.q.bias_units": (lambda c: "a", "before the sigmoid"),
    "06.recall_at_k": (lambda c: lambda recommended, relevant: len(set(recommended) & relevant) / 10, "precision@k"),
    "06.popular_list": (lambda c: popular_list(c, exclude_val=False), "rated in validation too"),
    "06.hit_rate": (lambda c: float(ranking.hits_at_k(c["lists"], c["relevant"]).mean()), "mean precision@k"),
    "06.q.recall_example": (lambda c: 2 / 10, "precision@10"),
    "07.uniform_negative": (lambda c: uniform_negative(c, exclude_rated=False), "rated in train"),
    "07.bpr_loss": (lambda c: bpr_by_hand(c, with_bias=False), "movie bias"),
    "07.log_q": (lambda c: log_q(c, c["data"].ratings), "validation and test too"),
    "07.ease_weights": (lambda c: ease_by_hand(zero_diagonal=False), "diagonal of B must be 0"),
    "07.q.bpr_at_zero": (lambda c: 0.5, "sigmoid(0)"),
    "07.q.ease_identity": (lambda c: "a", "rebuilds nothing"),
}

WRONG_TYPES = {
    "an object": object(),
    "a string": "3.5",
    "an array of the wrong shape": np.zeros((3, 3)),
    "a function that raises": lambda *arguments: 1 / 0,
    "a boolean": True,
}

IDS = list(EXERCISES)


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


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_likely_mistake_gets_its_hint(contexts, exercise_id):
    context = context_of(contexts, exercise_id)
    mistake, hint = MISTAKES[exercise_id]
    result = check(exercise_id, mistake(context), **context)
    assert result.status == "not_yet" and hint in result.hint, result.line


@pytest.mark.parametrize("kind", WRONG_TYPES)
@pytest.mark.parametrize("exercise_id", IDS)
def test_a_wrong_type_is_not_yet_without_a_traceback(contexts, exercise_id, kind, capsys):
    result = check(exercise_id, WRONG_TYPES[kind], **context_of(contexts, exercise_id))
    assert result.status == "not_yet" and result.hint, result.line
    assert "Traceback" not in result.hint and capsys.readouterr().out.count("\n") == 1


@pytest.mark.parametrize("exercise_id", IDS)
def test_an_object_without_any_context_is_not_yet(exercise_id):
    assert check(exercise_id, object()).status == "not_yet"


def test_a_negative_sampler_that_favours_popular_movies_is_told_so(contexts):
    result = check("07.uniform_negative", popular_negative(contexts["07"]), **contexts["07"])
    assert result.status == "not_yet" and "uniformly" in result.hint, result.line


def test_the_bpr_hint_for_a_flipped_sign_and_for_a_mean(contexts):
    context, solution = contexts["07"], bpr_by_hand(contexts["07"])
    flipped = check("07.bpr_loss", lambda u, m, s: solution(u, s, m), **context)
    assert flipped.status == "not_yet" and "should win" in flipped.hint, flipped.line
    mean = check("07.bpr_loss", lambda u, m, s: solution(u, m, s).mean(), **context)
    assert mean.status == "not_yet" and "not their mean" in mean.hint, mean.line


def test_log_q_per_train_rating_rather_than_per_movie_is_told_so(contexts):
    data = contexts["07"]["data"]
    result = check("07.log_q", log_q(contexts["07"])[data.train.movie_idx], **contexts["07"])
    assert result.status == "not_yet" and "one value per movie" in result.hint, result.line


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
