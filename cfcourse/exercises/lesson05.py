"""Lesson 05's exercises: inside the trained bias model. Context: ``data`` and the loaded bias ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import judge_choice, judge_movies, judge_number, number
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet
from cfcourse.exercises.probes import table

LESSON = "05_inspect_embeddings"
MIN_RATINGS = 50
MIN_RATINGS_CORRELATION = 20


def unit_rows(matrix):
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def judge_nearest_movie(answer, context):
    data, model = context.data, context.model
    factors = table(model, "movie_factors")
    n_ratings = data.movies.n_ratings.to_numpy()
    query = int(np.argmax(n_ratings))  # the most-rated movie; the first of any tie

    def nearest(similarity, keep):
        candidates = np.flatnonzero(keep & (np.arange(len(keep)) != query))
        return [int(candidates[np.argmax(similarity[candidates])])]

    cosine = unit_rows(factors) @ unit_rows(factors)[query]
    well_rated = n_ratings >= MIN_RATINGS
    if isinstance(answer, (int, np.integer, str)) and not isinstance(answer, bool):
        answer = [answer]  # one movie: its index or its title
    elif not isinstance(answer, (list, tuple, np.ndarray)) or len(answer) != 1:
        raise NotYet("expected one movie: its index (a whole number) or its title (a string)")
    judge_movies(answer, nearest(cosine, well_rated), data.movies.title.to_numpy(), [
        (lambda: [query], "that is the most-rated movie itself: every vector is most similar to itself; leave it out"),
        (lambda: nearest(factors @ factors[query], well_rated),
         "that is the largest dot product, which favours long vectors: divide by both lengths (cosine similarity)"),
        (lambda: nearest(cosine, np.ones_like(well_rated)),
         f"that movie has fewer than {MIN_RATINGS} ratings: keep only movies with data.movies.n_ratings >= "
         f"{MIN_RATINGS}"),
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
         "centre the factors first (subtract each column's mean): PCA measures variation around the mean"),
        (lambda: first_direction_share(users, square=False),
         "square the singular values: the variation along a direction goes with the square of its singular value"),
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

    def correlation(means, keep, ranks=False):
        keep = keep & ~np.isnan(means)
        x, y = bias[keep], means[keep]
        if ranks:
            x, y = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
        return float(np.corrcoef(x, y)[0, 1])

    judge_number(number(answer), correlation(train_mean, counted), 1e-6, [
        (lambda: correlation(train_mean, np.ones_like(counted)),
         f"that includes movies with fewer than {MIN_RATINGS_CORRELATION} ratings, whose biases are mostly noise"),
        (lambda: correlation(all_mean, counted),
         "those means include validation and test ratings: take the mean of data.train's ratings"),
        (lambda: correlation(train_mean, counted, ranks=True),
         "that is a rank (Spearman) correlation: the exercise asks for Pearson's, as np.corrcoef gives"),
    ])


def judge_bias_units(answer, context):
    judge_choice("05.q.bias_units", answer, "a943077e90d7cd3e", "ab", {
        "5a401d4ea6f0c342": "the bias is added before the sigmoid: how many stars it is worth depends on the rest "
                            "of the score, as the sigmoid is steep in the middle and flat at the ends",
    })


EXERCISES = [
    Exercise("05.nearest_movie", LESSON,
             f"Among movies with at least {MIN_RATINGS} ratings, the one whose factors have the highest cosine "
             "similarity with the most-rated movie's (not the movie itself).", judge_nearest_movie,
             tolerance="exact"),
    Exercise("05.user_pca_share", LESSON,
             "The share of the variation of the user factors along their first principal direction.",
             judge_user_pca_share, tolerance="within 1e-6"),
    Exercise("05.bias_mean_correlation", LESSON,
             f"Among movies with at least {MIN_RATINGS_CORRELATION} ratings, the correlation (Pearson) of the "
             "learned movie bias with the movie's mean training rating.", judge_bias_mean_correlation,
             tolerance="within 1e-6"),
    Exercise("05.q.bias_units", LESSON, "Is a movie bias of 0.5 worth half a star: (a) yes, (b) no?",
             judge_bias_units, kind=QUESTION),
]
