"""Lesson 03's exercises: the bias model. Context: ``data`` and the trained bias ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import judge_movies, judge_number, number, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise
from cfcourse.exercises.lesson02 import PREDICT_TOLERANCE, judge_predict, range_mistakes
from cfcourse.exercises.probes import predictions, rating_range_layer, rmse, sigmoid, table

LESSON = "03_bias"
MIN_RATINGS = 50
TOP = 5


def dot_products(model, users, movies):
    return np.sum(table(model, "user_factors")[users] * table(model, "movie_factors")[movies], axis=1)


def biases(model, users, movies):
    return table(model, "user_bias")[users, 0] + table(model, "movie_bias")[movies, 0]


def judge_bias_predict(answer, context):
    model = context.model

    def mistakes(users, movies):
        scale, offset = rating_range_layer(model)
        dot, bias = dot_products(model, users, movies), biases(model, users, movies)
        return [
            (lambda: sigmoid(dot) * scale + offset,
             "you left out the biases: add the user's and the movie's bias to the dot product, before the sigmoid"),
            (lambda: sigmoid(dot) * scale + offset + bias,
             "the biases go inside the sigmoid, added to the dot product, not to the rating after it"),
            *range_mistakes(dot + bias, scale, offset),
        ]

    judge_predict(answer, context, mistakes)


def judge_top_bias_movies(answer, context):
    data, model = context.data, context.model
    movie_bias = table(model, "movie_bias")[:, 0]
    n_ratings = data.movies.n_ratings.to_numpy()

    def top(scores, keep):
        candidates = np.flatnonzero(keep)
        return candidates[np.argsort(-scores[candidates], kind="stable")][:TOP]

    train_mean = data.train.groupby("movie_idx").rating.mean().reindex(range(data.n_movies)).to_numpy()
    judge_movies(answer, list(top(movie_bias, n_ratings >= MIN_RATINGS)), data.movies.title.to_numpy(), [
        (lambda: top(movie_bias, n_ratings >= 0),
         f"some of those have fewer than {MIN_RATINGS} ratings: keep only movies with data.movies.n_ratings >= "
         f"{MIN_RATINGS} first, whose biases rest on enough evidence"),
        (lambda: top(-movie_bias, n_ratings >= MIN_RATINGS), "those have the lowest biases: sort the other way"),
        (lambda: top(movie_bias, n_ratings > MIN_RATINGS), f"at least {MIN_RATINGS} includes exactly {MIN_RATINGS}"),
        (lambda: top(np.nan_to_num(train_mean, nan=-np.inf), n_ratings >= MIN_RATINGS),
         "those have the highest mean ratings; the exercise asks for the learned bias (the movie_bias layer)"),
    ])


def judge_bias_only_rmse(answer, context):
    data, model = context.data, context.model
    val = data.val
    users, movies = val.user_idx.to_numpy(), val.movie_idx.to_numpy()
    scale, offset = rating_range_layer(model)
    expected = rmse(val.rating, sigmoid(biases(model, users, movies)) * scale + offset)
    judge_number(number(answer), expected, 1e-4, [
        (lambda: rmse(val.rating, predictions(model, users, movies)),
         "that is the full model's RMSE: leave the dot product out and keep only the two biases"),
        (lambda: rmse(val.rating, biases(model, users, movies) + offset),
         "the biases alone still go through the sigmoid and the rating range, as in the model"),
        (lambda: rmse(data.test.rating, sigmoid(biases(model, data.test.user_idx.to_numpy(),
                                                        data.test.movie_idx.to_numpy())) * scale + offset),
         "that is measured on test; compare models on validation (data.val)"),
    ])


def judge_bias_parameters(answer, context):
    data = context.data
    judge_number(whole_number(answer), data.n_users + data.n_movies, 0, [
        (lambda: 2, "not one number per layer: one per user and one per movie"),
        (lambda: data.n_users * data.n_movies, "one bias per user plus one per movie, not one per pair"),
    ], otherwise="count one bias per user and one per movie")


EXERCISES = [
    Exercise("03.predict", LESSON,
             "A numpy function predict(users, movies) from the bias model's weights that equals model.predict.",
             judge_bias_predict, tolerance=f"within {PREDICT_TOLERANCE:g} per pair"),
    Exercise("03.top_bias_movies", LESSON,
             f"The {TOP} movies with the highest learned bias among those with at least {MIN_RATINGS} ratings, "
             "best first (movie indices or titles).", judge_top_bias_movies, tolerance="exact"),
    Exercise("03.bias_only_rmse", LESSON,
             "The validation RMSE of the model's prediction with the dot product left out: the two biases "
             "through the sigmoid and the rating range.", judge_bias_only_rmse, tolerance="within 1e-4"),
    Exercise("03.q.bias_parameters", LESSON, "How many parameters do the two bias embeddings add to lesson 2's model?",
             judge_bias_parameters, kind=QUESTION, tolerance="exact"),
]
