"""Lesson 01's exercises: the ratings, their split and their encoding. Context: ``data``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cfcourse.exercises.answers import call, judge_array, judge_choice, judge_number, number, vector
from cfcourse.exercises.definitions import QUESTION, Exercise
from cfcourse.exercises.probes import rmse



def judge_train_mean(answer, context):
    data = context.data
    judge_number(number(answer), float(data.train.rating.mean()), 1e-6, [
        (lambda: data.ratings.rating.mean(),
         "that is the mean of all ratings, validation and test included; the exercise asks about the training "
         "ratings only (data.train)"),
        (lambda: pd.concat([data.train, data.val]).rating.mean(),
         "that mean includes the validation ratings; the exercise asks about the training ratings only (data.train)"),
        (lambda: data.val.rating.mean(), "that is the validation ratings' mean; the exercise asks about data.train"),
        (lambda: data.test.rating.mean(), "that is the test ratings' mean; the exercise asks about data.train"),
    ])


def movie_mean_predictions(train: pd.DataFrame, rows: pd.DataFrame, fallback: float) -> pd.Series:
    """Each row's movie's mean rating in ``train``, or ``fallback`` for a movie ``train`` never shows."""
    return rows.movie_idx.map(train.groupby("movie_idx").rating.mean()).fillna(fallback)


def judge_movie_mean_rmse(answer, context):
    data = context.data
    train, val = data.train, data.val
    global_mean = float(train.rating.mean())

    def baseline_rmse(rows, means_from=train):
        return rmse(rows.rating, movie_mean_predictions(means_from, rows, global_mean))

    expected = baseline_rmse(val)
    seen = val[val.movie_idx.isin(train.movie_idx)]
    judge_number(number(answer), expected, 1e-6, [
        (lambda: rmse(val.rating, np.full(len(val), global_mean)),
         "that is the RMSE of predicting one global mean for every rating: predict each movie's own training mean"),
        (lambda: baseline_rmse(val, data.ratings),
         "your movie means include the validation ratings themselves (data.ratings): compute them from the "
         "training ratings only, or the baseline peeks at the answers"),
        (lambda: baseline_rmse(seen),
         "you left out the validation ratings of movies absent from train: they get the global training mean"),
        (lambda: expected**2, "that is the mean squared error, a squared quantity: the exercise asks for the root"),
        (lambda: baseline_rmse(train),
         "that is measured on the training ratings; the exercise asks for the validation ratings (data.val)"),
        (lambda: baseline_rmse(data.test),
         "that is measured on the test ratings, which stay untouched until the end: use the validation ratings "
         "(data.val)"),
    ])


def encoding_probe(data) -> np.ndarray:
    """Original movie IDs of a seeded sample of ratings, in shuffled order, so that the order in which
    IDs first appear is not their sorted order."""
    ids = data.ratings.movie.to_numpy()
    return np.random.default_rng(0).choice(ids, size=min(500, len(ids)), replace=False)


def judge_encode(answer, context):
    ids = encoding_probe(context.data)
    expected = np.unique(ids, return_inverse=True)[1].ravel()
    given = vector(call(answer, ids.copy()), len(ids), "indices")
    judge_array(given, expected, 0, [
        (lambda: pd.factorize(ids)[0],
         "those indices follow the order in which IDs first appear; number the distinct IDs in increasing ID order, "
         "as encode_ratings does, so shuffling the rows changes nothing"),
        (lambda: expected + 1, "indices start at 0, not 1: row 0 of an embedding table is a movie too"),
        (lambda: ids - ids.min(), "those keep the gaps between IDs: an embedding needs indices 0 to n-1 with none "
                                  "missing, one per distinct ID"),
        (lambda: ids, "those are the IDs unchanged; the exercise asks for contiguous indices 0 to n-1"),
    ])


def judge_tuning_split(answer, context):
    judge_choice("01.q.tuning_split", answer, "5248dc1274894ba6", "abc", {
        "145b66d14a7cb3ed": "the model fits the training ratings: a choice judged on them rewards memorising",
        "abee96bad16374bd": "test is touched once, at the end: a choice tuned on it makes the reported number "
                            "look better than it is",
    })


EXERCISES = [
    Exercise("01.train_mean", "The mean rating of the training ratings.", judge_train_mean,
             tolerance="within 1e-6"),
    Exercise("01.movie_mean_rmse",
             "The RMSE on the validation ratings of predicting each movie's mean training rating "
             "(the global training mean for a movie absent from train).", judge_movie_mean_rmse,
             tolerance="within 1e-6"),
    Exercise("01.encode",
             "A function encode(ids) giving each original ID its index 0..n-1 in increasing ID order.",
             judge_encode, tolerance="exact"),
    Exercise("01.q.tuning_split",
             "Which split may you use to choose the number of epochs or the learning rate: "
             "(a) train, (b) validation, (c) test?", judge_tuning_split, kind=QUESTION),
]
