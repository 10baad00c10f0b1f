"""cfcourse.lists: lesson 07's plumbing, on a small hand-made dataset where every answer can be counted."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from cfcourse import lists, ranking
from cfcourse.parameters import ParameterError
from cfcourse.processed import LessonData
from cfcourse.published import STRICT_VARIABLE, ClaimNotBorneOut

# Four users, six movies; (user, movie, rating, split, timestamp). Movie 0 is the most rated.
ROWS = [(0, 0, 5.0, "train", 1), (0, 1, 4.0, "train", 2), (0, 2, 2.0, "val", 3), (0, 3, 4.5, "test", 4),
        (1, 0, 4.0, "train", 1), (1, 4, 3.0, "train", 2), (1, 5, 5.0, "test", 3),
        (2, 0, 3.0, "train", 5), (2, 1, 5.0, "val", 6), (2, 2, 4.0, "test", 7),
        (3, 0, 4.0, "train", 1), (3, 3, 1.0, "train", 2), (3, 4, 4.0, "val", 3), (3, 1, 4.0, "test", 4)]
PARAMETERS = {"dataset": "synthetic", "k": 2, "threshold": 4.0, "max_users": 2000, "seed": 42, "refit": False}


def small_data(edition="published", method="random") -> LessonData:
    ratings = pd.DataFrame(ROWS, columns=["user_idx", "movie_idx", "rating", "split", "timestamp"])
    movies = pd.DataFrame({"movie_idx": range(6), "title": [f"Movie {m} (1990)" for m in range(6)],
                           "n_ratings": np.bincount(ratings.movie_idx, minlength=6)})
    users = pd.DataFrame({"user_idx": range(4), "user": range(1, 5)})
    return LessonData(ratings, movies, users, {"edition": edition, "method": method})


def small_run(data=None, **parameters) -> SimpleNamespace:
    return SimpleNamespace(data=data or small_data(), parameters={**PARAMETERS, **parameters})


def test_rated_pairs_answer_whether_each_user_rated_each_movie():
    data = small_data()
    rated = lists.RatedPairs(data.train.user_idx, data.train.movie_idx, data.n_movies)
    users, movies = np.meshgrid(np.arange(4), np.arange(6), indexing="ij")
    expected = np.zeros((4, 6), dtype=bool)
    expected[data.train.user_idx, data.train.movie_idx] = True
    assert (rated.contains(users, movies) == expected).all()
    assert rated.keys.tolist() == sorted(set((data.train.user_idx * 6 + data.train.movie_idx).tolist()))
    assert not lists.RatedPairs([], [], 6).contains([0, 1], [2, 3]).any(), "no ratings: nothing rated"


def test_protocol_uses_the_lessons_parameters_and_judge_gives_lesson_6s_numbers():
    run = small_run()
    protocol = lists.protocol(run, run.data.train, run.data.test, also_excluded=[run.data.val])
    assert protocol.users.tolist() == [0, 1, 2, 3]  # each liked a test movie (4.0 or more)
    assert protocol.exclude[0, [0, 1, 2]].all() and not protocol.exclude[0, 3]
    scores = np.tile(np.arange(6.0)[::-1], (4, 1))  # everyone: movie 0 best, then 1, ...
    expected = ranking.evaluate_rankings(ranking.top_k_movies(scores, protocol.exclude, 2), protocol.relevant,
                                         protocol.ratings_per_movie)
    assert lists.judge(lambda users: scores[users], protocol, 2) == expected
    with pytest.MonkeyPatch.context() as patch:  # judged a user at a time: the same numbers
        patch.setattr(lists, "USERS_AT_ONCE", 1)
        assert lists.judge(lambda users: scores[users], protocol, 2) == expected
    assert lists.protocol(small_run(max_users=2), run.data.train, run.data.test).users.size == 2


def test_most_popular_ranks_by_the_fits_ratings_for_everyone():
    run = small_run()
    protocol = lists.protocol(run, run.data.train, run.data.test)
    scores = lists.most_popular(protocol)(np.array([0, 3]))
    assert scores.shape == (2, 6) and (scores == np.bincount(run.data.train.movie_idx, minlength=6)).all()


def test_on_movies_puts_scores_in_their_columns_and_minus_infinity_elsewhere():
    spread = lists.on_movies(np.array([1, 4]), np.array([[0.5, 2.0], [1.0, -1.0]]), 6)
    assert spread[:, [1, 4]].tolist() == [[0.5, 2.0], [1.0, -1.0]]
    assert np.isneginf(spread[:, [0, 2, 3, 5]]).all()


def test_interactions_is_who_rated_what_over_the_movies_asked_for():
    data = small_data()
    matrix = lists.interactions(data, data.train, np.array([4, 0])).toarray()
    assert matrix.shape == (4, 2) and matrix.dtype == np.float32
    assert matrix.tolist() == [[0, 1], [1, 1], [0, 1], [0, 1]]  # user 3 rated movie 4 in validation


def test_ease_movies_are_those_with_enough_ratings_and_none_past_the_limit(monkeypatch, capsys):
    data = small_data()
    assert lists.ease_movies(data, data.train, 2).tolist() == [0]
    assert lists.ease_movies(data, data.train, 1).tolist() == [0, 1, 3, 4]
    assert capsys.readouterr().out == ""
    monkeypatch.setattr(lists, "EASE_MAX_MOVIES", 3)
    assert lists.ease_movies(data, data.train, 1) is None
    assert capsys.readouterr().out.startswith("EASE skipped: 4 movies have 1 or more train ratings, more than 3 ")


class Model:
    """A stand-in for a Keras model: its layers' names and weights."""

    def __init__(self, **tables):
        self.layers = [SimpleNamespace(name=name, get_weights=lambda table=table: [table]) for name, table in
                       tables.items()]

    def get_layer(self, name):
        return next(layer for layer in self.layers if layer.name == name)


def test_embedding_scores_are_user_times_movie_plus_bias_where_there_is_one():
    users, movies = np.arange(6.0).reshape(3, 2), np.arange(8.0).reshape(4, 2)
    bias = np.array([[1.0], [2.0], [3.0], [4.0]])
    assert np.allclose(lists.embedding_scores(Model(users=users, movies=movies))([2, 0]), users[[2, 0]] @ movies.T)
    with_bias = Model(users=users, movies=movies, movie_bias=bias)
    assert np.allclose(lists.embedding_scores(with_bias)([1]), users[[1]] @ movies.T + bias[:, 0])
    table, movie_bias = lists.movie_table_and_bias(with_bias)
    assert table is movies and movie_bias.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_latest_split_draws_each_users_latest_ratings_or_keeps_a_time_split(capsys):
    data = small_data()
    user_0 = pd.DataFrame({"user_idx": 0, "movie_idx": range(10), "rating": 4.0, "split": "train",
                           "timestamp": range(100, 90, -1)})  # ten ratings, the latest first
    data = LessonData(pd.concat([data.ratings[data.ratings.user_idx > 0], user_0], ignore_index=True),
                      data.movies, data.users, data.split_info)
    latest = lists.latest_split(data)
    assert latest.drawn_here and latest.label == "its own, by time"
    assert "This run's split is 'random', so leave-latest-out draws its own split" in capsys.readouterr().out
    of_user_0 = {name: sorted(getattr(latest, name).query("user_idx == 0").movie_idx) for name in ("fit", "aside", "test")}
    assert of_user_0 == {"fit": [2, 3, 4, 5, 6, 7, 8, 9], "aside": [1], "test": [0]}
    assert len(latest.fit) + len(latest.aside) + len(latest.test) == len(data.ratings)

    by_time = small_data(method="time")
    own = lists.latest_split(by_time)
    assert not own.drawn_here and own.label == "this run's own"
    assert own.fit.equals(by_time.train) and own.aside.equals(by_time.val) and own.test.equals(by_time.test)
    assert "its test above is leave-latest-out" in capsys.readouterr().out


def test_my_movies_finds_the_titles_or_names_close_ones(capsys):
    data = small_data()
    assert lists.my_movies(data, {"Movie 3 (1990)": 5, "Movie 1 (1990)": 2}, "synthetic").tolist() == [1, 3]
    assert capsys.readouterr().out == "you rated: Movie 3 (1990); Movie 1 (1990)\n"
    with pytest.raises(ParameterError, match=r"no movie titled 'Movie 7 \(1990\)'; close titles: \['Movie"):
        lists.my_movies(data, {"Movie 7 (1990)": 5}, "synthetic")


def test_on_generated_data_the_default_ratings_become_its_most_rated_movies(capsys):
    data = small_data(edition="generated")
    assert lists.my_movies(data, {"Toy Story (1995)": 5}, "synthetic").tolist() == [0, 1, 2, 3]
    assert "synthetic has made-up titles, so your ratings become its four most-rated movies" in capsys.readouterr().out
    with pytest.raises(ParameterError):  # one title it has: the others must be there too
        lists.my_movies(data, {"Movie 1 (1990)": 5, "Toy Story (1995)": 4}, "synthetic")


def test_titles_of_lists_leave_empty_places_blank():
    titles = lists.titles_of(small_data(), {"a": np.array([3, ranking.NO_MOVIE])})
    assert titles == {"a": ["Movie 3 (1990)", ""]}


def test_claims_of_real_data_are_checked_there_and_only_said_on_generated_data(capsys, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    with pytest.raises(ClaimNotBorneOut):
        lists.check_real_data_claim(small_data(), "a beats b", False, "0.1 against 0.2")
    lists.check_real_data_claim(small_data(edition="generated"), "a beats b", False, "0.1 against 0.2")
    assert capsys.readouterr().out == "Not checked on generated data, which the text does not describe: a beats b.\n"
    assert lists.aim_over_most_popular(small_data()) == 1.5
    assert lists.aim_over_most_popular(small_data(edition="generated")) == 1.0


def row(ndcg, coverage=0.1, mean_popularity=50.0):
    return {"precision": 0.1, "recall": 0.1, "ndcg": ndcg, "coverage": coverage, "mean_popularity": mean_popularity}


def test_the_test_claims_hold_or_fail_as_the_numbers_say(capsys, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    results = {"most_popular": row(0.1, 0.01, 200.0), "bpr": row(0.16), "two_tower": row(0.19), "ease": row(0.24)}
    earlier = {"bias": row(0.13)}
    lists.check_test_claims(small_data(), results, earlier, "two_tower", 10, "ml-latest-small")
    printed = capsys.readouterr().out
    assert "the best Keras ranking model (two_tower) reaches 1.5x most popular's test NDCG@10 (0.1900 against " \
           "0.1000: 1.90x)" in printed
    assert printed.count("As the text says") == 1 + 3 + 3 + 1
    with pytest.raises(ClaimNotBorneOut, match="EASE makes the best lists of all"):
        lists.check_test_claims(small_data(), {**results, "ease": row(0.18)}, earlier, "two_tower", 10,
                                "ml-latest-small")
    with pytest.raises(ClaimNotBorneOut, match=r"reaches 1.5x"):
        lists.check_test_claims(small_data(), {**results, "two_tower": row(0.14)}, earlier, "two_tower", 10,
                                "ml-latest-small")


def test_the_latest_claims_compare_with_the_runs_split_unless_it_is_by_time(capsys, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    split = {"most_popular": row(0.12), "ease": row(0.24)}
    latest = {"most_popular": row(0.05), "ease": row(0.06)}
    lists.check_latest_claims(small_data(), SimpleNamespace(drawn_here=True), latest, split, "ml-latest-small")
    assert capsys.readouterr().out.count("As the text says") == 2
    with pytest.raises(ClaimNotBorneOut, match="ease beats most popular on the latest ratings too"):
        lists.check_latest_claims(small_data(), SimpleNamespace(drawn_here=True), {**latest, "ease": row(0.04)},
                                  split, "ml-latest-small")
    lists.check_latest_claims(small_data(), SimpleNamespace(drawn_here=False), {}, {}, "ml-latest-small")
    assert "no other split here to compare it with" in capsys.readouterr().out


def test_the_fold_in_claims_say_the_chosen_penalty(capsys, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    lists.check_fold_in_claims({10: 0.09, 1000: 0.15, 10_000: 0.16}, 0.155, 0.10, 10, "ml-latest-small")
    printed = capsys.readouterr().out
    assert printed.startswith("chosen on validation: l2 = 10,000, NDCG@10 0.1600; at l2 = 10: 0.0900")
    assert printed.count("As the text says") == 3
    with pytest.raises(ClaimNotBorneOut, match="the smallest penalty makes lists no better"):
        lists.check_fold_in_claims({10: 0.12, 10_000: 0.16}, 0.155, 0.10, 10, "ml-latest-small")


def test_the_sampler_claim(capsys, monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    lists.check_sampler_claim({"uniform": 0.007, "by popularity": 0.111, "of the train ratings": 0.161})
    printed = capsys.readouterr().out
    assert printed.startswith("those 100 movies hold 16.1% of the train ratings\n")
    assert "(11.1% against 0.7% and a share of 16.1%)" in printed
    with pytest.raises(ClaimNotBorneOut):
        lists.check_sampler_claim({"uniform": 0.007, "by popularity": 0.2, "of the train ratings": 0.161})


def test_rating_models_are_lesson_6s_rows_for_lessons_2_to_4():
    saved = {"models": {"random": row(0.0), "most_popular": row(0.1), "bias": row(0.13), "dot_product": row(0.12)}}
    run = SimpleNamespace(lesson="07_train_for_the_list",
                          read_results=lambda lesson: saved if lesson == "06_evaluate_recommendations" else None)
    assert list(lists.rating_models(run)) == ["dot_product", "bias"]
    assert lists.rating_models(SimpleNamespace(lesson=run.lesson, read_results=lambda lesson: None)) == {}


def test_the_record_keeps_the_models_choices_and_leave_latest_out():
    run = small_run()
    protocol = lists.protocol(run, run.data.train, run.data.test)
    results = {"most_popular": row(0.1), "bpr": row(0.16), "ease": row(0.24)}
    record = lists.record(run, protocol, results, {"most_popular": row(0.11), "ease": row(0.25)}, {"best_keras": "bpr"},
                          {"bpr": 0.13}, {"most_popular": row(0.05)}, SimpleNamespace(label="its own, by time"))
    assert list(record["models"]) == ["bpr", "ease"] and record["fitted_on"] == "train"
    assert (record["dataset"], record["k"], record["users_evaluated"], record["users_qualifying"]) == ("synthetic", 2, 4, 4)
    assert record["refit_ndcg"] == {"most_popular": 0.11, "ease": 0.25}
    assert record["leave_latest_out"] == {"most_popular": 0.05}
    assert record["leave_latest_out_split"] == "its own, by time" and record["chosen_on_validation"] == {"best_keras": "bpr"}
    assert lists.record(small_run(refit=True), protocol, results, {}, {}, {}, {}, SimpleNamespace(label=""))[
        "fitted_on"] == "train + validation"
