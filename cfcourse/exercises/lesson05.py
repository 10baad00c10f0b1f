"""Lesson 05's exercises: inside the trained bias model. Context: ``data`` and the loaded bias ``model``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cfcourse.exercises.answers import judge_choice, judge_movies, judge_number, number
from cfcourse.exercises.definitions import QUESTION, Exercise
from cfcourse.exercises.probes import table

MIN_RATINGS = 50
MIN_RATINGS_CORRELATION = 20
NEAREST = 3


def unit_rows(matrix):
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def judge_nearest_movies(answer, context):
    data, model = context.data, context.model
    factors = table(model, "movie_factors")
    n_ratings = data.movies.n_ratings.to_numpy()
    query = int(np.argmax(n_ratings))  # the most-rated movie; the first of any tie
    others = np.arange(len(n_ratings)) != query
    well_rated = n_ratings >= MIN_RATINGS

    def nearest(similarity, keep):
        candidates = np.flatnonzero(keep)
        return candidates[np.argsort(-similarity[candidates], kind="stable")][:NEAREST]

    cosine = unit_rows(factors) @ unit_rows(factors)[query]
    judge_movies(answer, list(nearest(cosine, well_rated & others)), data.movies, [
        (lambda: nearest(cosine, well_rated),
         "the most-rated movie itself is in your list: every vector is most similar to itself; leave it out"),
        (lambda: nearest(factors @ factors[query], well_rated & others),
         "those have the largest dot products, which favour long vectors: cosine similarity ignores the lengths"),
        (lambda: nearest(cosine, others),
         f"some of those have fewer than {MIN_RATINGS} ratings, whose vectors are mostly noise: keep only the movies "
         f"with at least {MIN_RATINGS} (data.movies.n_ratings)"),
    ])


def first_direction_share(matrix, centre=True, square=True):
    values = np.linalg.svd(matrix - matrix.mean(axis=0) if centre else matrix, compute_uv=False)
    weights = values**2 if square else values
    return float(weights[0] / weights.sum())


def judge_user_pca_share(answer, context):
    model = context.model
    users = table(model, "user_factors")
    judge_number(number(answer), first_direction_share(users), 1e-6, [
        (lambda: first_direction_share(users, centre=False),
         "the factors were not centred: PCA measures the variation around each column's mean"),
        (lambda: first_direction_share(users, square=False),
         "a singular value is not itself a variation: re-read how the lesson turned singular values into shares"),
        (lambda: first_direction_share(table(model, "movie_factors")),
         "those are the movie factors; this exercise is about the user factors"),
        (lambda: 100 * first_direction_share(users), "give a share between 0 and 1, not a percentage"),
    ])


def judge_bias_mean_correlation(answer, context):
    data, model = context.data, context.model
    bias = table(model, "movie_bias")[:, 0]
    train_mean = data.train.groupby("movie_idx").rating.mean().reindex(range(data.n_movies)).to_numpy()
    all_mean = data.ratings.groupby("movie_idx").rating.mean().reindex(range(data.n_movies)).to_numpy()
    counted = data.movies.n_ratings.to_numpy() >= MIN_RATINGS_CORRELATION

    def correlation(means, keep, method="pearson"):
        keep = keep & ~np.isnan(means)
        return float(pd.Series(bias[keep]).corr(pd.Series(means[keep]), method=method))

    spearman = ("that is a rank (Spearman) correlation: the exercise asks for Pearson's, on the values themselves")
    judge_number(number(answer), correlation(train_mean, counted), 1e-6, [
        (lambda: correlation(train_mean, np.ones_like(counted)),
         f"that includes movies with fewer than {MIN_RATINGS_CORRELATION} ratings, whose biases are mostly noise"),
        (lambda: correlation(train_mean, data.movies.n_ratings.to_numpy() >= MIN_RATINGS),
         f"that keeps the movies with at least {MIN_RATINGS} ratings, the nearest-movies exercise's rule; this one "
         f"keeps those with at least {MIN_RATINGS_CORRELATION}"),
        (lambda: correlation(all_mean, counted),
         "those means include validation and test ratings: the exercise asks for each movie's training ratings"),
        (lambda: correlation(train_mean, counted, method="spearman"), spearman),
        (lambda: spearman_ordinal(bias, train_mean, counted), spearman),
    ])


def spearman_ordinal(bias, means, keep) -> float:
    """Spearman's correlation with ties broken by position (double argsort), as a hand-made rank gives."""
    keep = keep & ~np.isnan(means)
    ranks = [np.argsort(np.argsort(values[keep], kind="stable"), kind="stable") for values in (bias, means)]
    return float(np.corrcoef(*ranks)[0, 1])


def judge_bias_units(answer, context):
    judge_choice("05.q.bias_units", answer, "a943077e90d7cd3e", "ab", {
        "5a401d4ea6f0c342": "look at where the bias is added, before or after the sigmoid, and at how steep the "
                            "sigmoid is in the middle and at the ends",
    })


EXERCISES = [
    Exercise("05.nearest_movies",
             f"Among movies with at least {MIN_RATINGS} ratings, the {NEAREST} whose factors have the highest cosine "
             "similarity with the most-rated movie's (not the movie itself), most similar first.",
             judge_nearest_movies, tolerance="exact"),
    Exercise("05.user_pca_share",
             "The share of the variation of the user factors along their first principal direction.",
             judge_user_pca_share, tolerance="within 1e-6"),
    Exercise("05.bias_mean_correlation",
             f"Among movies with at least {MIN_RATINGS_CORRELATION} ratings, the correlation (Pearson) of the "
             "learned movie bias with the movie's mean training rating.", judge_bias_mean_correlation,
             tolerance="within 1e-6"),
    Exercise("05.q.bias_units", "Is a movie bias of 0.5 worth half a star: (a) yes, (b) no?",
             judge_bias_units, kind=QUESTION),
]
