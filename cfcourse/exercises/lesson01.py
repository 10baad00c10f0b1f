"""Lesson 01's exercises: the ratings, their split and their encoding. Context: ``data``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cfcourse.exercises.answers import call, judge_array, judge_choice, judge_number, number, vector
from cfcourse.exercises.definitions import QUESTION, Exercise, Question
from cfcourse.exercises.probes import rmse


#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. The
expected answers are computed from the data this lesson just prepared, so they hold for any dataset you
run it on. Worked solutions wait at the very end of the notebook, folded under **Solutions**: try first.

The exercises read the split back the way every later lesson reads it:
"""
SETUP = """
import numpy as np
import pandas as pd

from cfcourse.exercises import check
from cfcourse.processed import load_processed

data = load_processed(run.paths)  # what this lesson just saved: data.train, data.val, data.test, data.movies
"""


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


TRAIN_MEAN = Exercise(
    "01.train_mean", judge_train_mean, title="The training mean", prompt="""
What is the mean rating of the *training* ratings (`data.train`)?
Give the full number (within 1e-6), not a rounded one.
""", stub="""
train_mean = ...
check("01.train_mean", train_mean, data=data)
""", solution_text="""
The training ratings are the rows of `data.train`; their mean is the number every later baseline
starts from. The mean of *all* ratings would include validation and test: a small leak, but a leak.
""", solution_code="""
train_mean = data.train.rating.mean()
check("01.train_mean", train_mean, data=data, solution=True)
""")


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


MOVIE_MEAN_RMSE = Exercise(
    "01.movie_mean_rmse", judge_movie_mean_rmse, title="A better baseline", prompt="""
Predict each validation rating by its movie's mean *training* rating (a movie
with no training rating gets the global training mean). What RMSE does that give on the validation
ratings? (Within 1e-6.) Compare it with the global mean's RMSE the lesson printed.
""", stub="""
movie_mean_rmse = ...
check("01.movie_mean_rmse", movie_mean_rmse, data=data)
""", solution_text="""
Group the training ratings by movie, look each validation rating's movie up in the result, and fill
the movies that training never shows with the global training mean. The means must come from
`data.train` alone: means over all ratings would include the very validation ratings we predict.
""", solution_code="""
movie_means = data.train.groupby("movie_idx").rating.mean()
predicted = data.val.movie_idx.map(movie_means).fillna(data.train.rating.mean())
movie_mean_rmse = np.sqrt(((data.val.rating - predicted) ** 2).mean())
check("01.movie_mean_rmse", movie_mean_rmse, data=data, solution=True)
""")


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


ENCODE = Exercise(
    "01.encode", judge_encode, title="Encode IDs yourself", prompt="""
Write `encode(ids)`: given an array of original IDs (with repeats and gaps),
return each one's index `0 .. n-1`, numbering the distinct IDs in increasing order, as
`encode_ratings` does. The check calls it on a shuffled sample of movie IDs.
""", stub="""
encode = ...  # a function: encode(ids) -> array of indices, one per ID
check("01.encode", encode, data=data)
""", solution_text="""
`np.unique` sorts the distinct IDs, and with `return_inverse=True` also says where in that sorted
list each ID sits: exactly the index we want. (`pd.factorize` numbers IDs in the order they first
appear, the 2017 way, which changes when the rows are shuffled.)
""", solution_code="""
def encode_ids(ids):
    return np.unique(ids, return_inverse=True)[1]


check("01.encode", encode_ids, data=data, solution=True)
""")


def judge_tuning_split(answer, context):
    judge_choice("01.q.tuning_split", answer, "5248dc1274894ba6", "abc", {
        "145b66d14a7cb3ed": "the model fits the training ratings: a choice judged on them rewards memorising",
        "abee96bad16374bd": "test is touched once, at the end: a choice tuned on it makes the reported number "
                            "look better than it is",
    })


TUNING_SPLIT = Exercise(
    "01.q.tuning_split", judge_tuning_split, kind=QUESTION, prompt="""
Which split may you use to choose the number of epochs or the learning rate: (a) train,
(b) validation, (c) test? Answer with a letter:
""", stub="""
tuning_split = ...  # "a", "b" or "c"
check("01.q.tuning_split", tuning_split, data=data)
""", solution_text="""
**(b) validation.** The model fits the training ratings, so choices judged on them reward memorising;
test is touched once, at the end, so that its number is not tuned on.
""", solution_code="""
check("01.q.tuning_split", "b", data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("Why does an embedding layer need indices `0 .. n-1` without gaps, rather than MovieLens IDs?", """
An embedding is a table looked up by row number: row *i* belongs to item *i*. With raw IDs the table
would need as many rows as the largest ID, most of them never used.
"""),
    Question("Why is the split saved to disk rather than drawn again by each lesson?", """
So that every lesson trains and evaluates on exactly the same rows: results are comparable, and no
lesson's test ratings can leak into another lesson's training.
"""),
    Question("What did `np.random.seed = 42` do in the 2017 lesson, and why did nothing complain?", """
It replaced numpy's `seed` function with the number 42; assigning to a module attribute is allowed in
Python, so nothing was seeded and nothing complained.
"""),
    Question("Why can no model predict the validation ratings of movies absent from the training split well?", """
The model has learned nothing about such a movie: its vector is still the random one it started with
(or shrunk to zero by the penalty), so it can only guess from the user's side.
"""),
    TUNING_SPLIT,
    Question("The long tail: what does it mean for what a model can learn about most movies?", """
Most movies have only a handful of ratings, so the model has little evidence about them: their learned
vectors are mostly noise, which is why later lessons inspect only movies with enough ratings.
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [TRAIN_MEAN, MOVIE_MEAN_RMSE, ENCODE, TUNING_SPLIT]
