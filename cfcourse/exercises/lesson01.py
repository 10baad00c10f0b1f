"""Lesson 01's exercises: the ratings, their split and their encoding. Context: ``data``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cfcourse.exercises.answers import call, judge_array, judge_choice, judge_number, number, vector
from cfcourse.exercises.definitions import QUESTION, Exercise
from cfcourse.exercises.probes import rmse

LESSON = "01_preprocessing"


def judge_train_mean(answer, context):
    data = context.data
    judge_number(number(answer), float(data.train.rating.mean()), 1e-6, [
        (lambda: data.ratings.rating.mean(),
         "that is the mean of all ratings; the exercise asks for the training ratings' mean (data.train)"),
        (lambda: data.val.rating.mean(), "that is the validation ratings' mean; the exercise asks for data.train's"),
        (lambda: data.train.rating.median(), "that is the median; the exercise asks for the mean"),
    ])


def movie_mean_predictions(train: pd.DataFrame, rows: pd.DataFrame, fallback: float) -> pd.Series:
    """Each row's movie's mean rating in ``train``, or ``fallback`` for a movie ``train`` never shows."""
    return rows.movie_idx.map(train.groupby("movie_idx").rating.mean()).fillna(fallback)


def judge_movie_mean_rmse(answer, context):
    data = context.data
    train, val = data.train, data.val
    global_mean = float(train.rating.mean())
    expected = rmse(val.rating, movie_mean_predictions(train, val, global_mean))
    seen = val[val.movie_idx.isin(train.movie_idx)]
    judge_number(number(answer), expected, 1e-6, [
        (lambda: rmse(val.rating, np.full(len(val), global_mean)),
         "that is the RMSE of predicting the one global mean for every rating: predict each movie's own "
         "training mean"),
        (lambda: rmse(val.rating, movie_mean_predictions(data.ratings, val, global_mean)),
         "your movie means include the validation ratings themselves (data.ratings): compute them from "
         "data.train only, or the baseline peeks at the answers"),
        (lambda: rmse(seen.rating, movie_mean_predictions(train, seen, global_mean)),
         "you left out the validation ratings of movies absent from train: predict the global training mean "
         "for those"),
        (lambda: expected**2, "that is the mean squared error: take its square root"),
        (lambda: rmse(train.rating, movie_mean_predictions(train, train, global_mean)),
         "that is measured on the training ratings; the exercise asks for the validation ratings (data.val)"),
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
         "those indices follow the order in which IDs first appear; number them in increasing ID order, as "
         "encode_ratings does, so shuffling the rows changes nothing"),
        (lambda: expected + 1, "indices start at 0, not 1: row 0 of an embedding table is a movie too"),
        (lambda: ids - ids.min(), "those keep the gaps between IDs: an embedding needs indices 0 to n-1 with none "
                                  "missing (np.unique with return_inverse=True gives them)"),
        (lambda: ids, "those are the IDs unchanged; the exercise asks for contiguous indices 0 to n-1"),
    ])


def judge_tuning_split(answer, context):
    judge_choice("01.q.tuning_split", answer, "5248dc1274894ba6", "abc", {
        "145b66d14a7cb3ed": "the model fits the training ratings: a choice judged on them rewards memorising",
        "abee96bad16374bd": "test is touched once, at the end: a choice tuned on it makes the reported number "
                            "look better than it is",
    })


EXERCISES = [
    Exercise("01.train_mean", LESSON, "The mean rating of the training ratings.", judge_train_mean,
             tolerance="within 1e-6"),
    Exercise("01.movie_mean_rmse", LESSON,
             "The RMSE on the validation ratings of predicting each movie's mean training rating "
             "(the global training mean for a movie absent from train).", judge_movie_mean_rmse,
             tolerance="within 1e-6"),
    Exercise("01.encode", LESSON,
             "A function encode(ids) giving each original ID its index 0..n-1 in increasing ID order.",
             judge_encode, tolerance="exact"),
    Exercise("01.q.tuning_split", LESSON,
             "Which split may you use to choose the number of epochs or the learning rate: "
             "(a) train, (b) validation, (c) test?", judge_tuning_split, kind=QUESTION),
]
