"""Lesson 03's exercises: the bias model. Context: ``data`` and the trained bias ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import judge_movies, judge_number, number, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise
from cfcourse.exercises.lesson02 import PREDICT_TOLERANCE, judge_predict, range_mistakes
from cfcourse.exercises.probes import predictions, rating_range_layer, rmse, sigmoid, table

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
             "you left out the biases: this model has two more layers than lesson 2's (model.summary())"),
            (lambda: sigmoid(dot) * scale + offset + bias,
             "the biases come in too late: in the model they join the dot product in the `score` layer, before the "
             "sigmoid"),
            *range_mistakes(dot + bias, scale, offset),
        ]

    judge_predict(answer, context, mistakes)


def judge_lowest_bias_movies(answer, context):
    data, model = context.data, context.model
    movie_bias = table(model, "movie_bias")[:, 0]
    n_ratings = data.movies.n_ratings.to_numpy()
    well_rated = n_ratings >= MIN_RATINGS

    def lowest(scores, keep):
        candidates = np.flatnonzero(keep)
        return candidates[np.argsort(scores[candidates], kind="stable")][:TOP]

    train_mean = data.train.groupby("movie_idx").rating.mean().reindex(range(data.n_movies)).to_numpy()
    judge_movies(answer, list(lowest(movie_bias, well_rated)), data.movies, [
        (lambda: lowest(movie_bias, n_ratings >= 0),
         f"some of those have fewer than {MIN_RATINGS} ratings, whose biases rest on too little evidence: keep only "
         f"the movies with at least {MIN_RATINGS} (data.movies.n_ratings)"),
        (lambda: lowest(-movie_bias, well_rated), "those have the highest biases: the exercise asks for the lowest"),
        (lambda: lowest(np.nan_to_num(train_mean, nan=np.inf), well_rated),
         "those have the lowest mean ratings; the exercise asks for the learned bias (the movie_bias layer)"),
    ])


def judge_bias_only_rmse(answer, context):
    data, model = context.data, context.model
    scale, offset = rating_range_layer(model)

    def bias_only(rows, squashed=True):
        score = biases(model, rows.user_idx.to_numpy(), rows.movie_idx.to_numpy())
        return rmse(rows.rating, sigmoid(score) * scale + offset if squashed else score + offset)

    expected = bias_only(data.val)
    judge_number(number(answer), expected, 1e-4, [
        (lambda: rmse(data.val.rating, predictions(model, data.val.user_idx, data.val.movie_idx)),
         "that is the full model's RMSE: leave the dot product out and keep only the two biases"),
        (lambda: bias_only(data.val, squashed=False),
         "the biases alone still go through the model's last layers, the sigmoid and the `rating` layer"),
        (lambda: expected**2, "that is the mean squared error, a squared quantity: the exercise asks for the root"),
        (lambda: bias_only(data.test), "that is measured on test, which stays untouched until the end: compare "
                                       "models on the validation ratings (data.val)"),
        (lambda: bias_only(data.train), "that is measured on the training ratings, which the model has fitted: use "
                                        "the validation ratings (data.val)"),
    ])


def judge_bias_parameters(answer, context):
    data = context.data
    judge_number(whole_number(answer), data.n_users + data.n_movies, 0, [
        (lambda: 2, "not one number per layer: one per user and one per movie"),
        (lambda: data.n_users * data.n_movies, "one bias per user plus one per movie, not one per pair"),
    ], otherwise="look at the two bias layers' shapes in model.summary(): how many rows, how many columns?")


EXERCISES = [
    Exercise("03.predict",
             "A numpy function predict(users, movies) from the bias model's weights that equals model.predict.",
             judge_bias_predict, tolerance=f"within {PREDICT_TOLERANCE:g} per pair"),
    Exercise("03.lowest_bias_movies",
             f"The {TOP} movies with the lowest learned bias among those with at least {MIN_RATINGS} ratings, "
             "lowest first (movie indices or titles).", judge_lowest_bias_movies, tolerance="exact"),
    Exercise("03.bias_only_rmse",
             "The validation RMSE of the model's prediction with the dot product left out: the two biases "
             "through the sigmoid and the rating range.", judge_bias_only_rmse, tolerance="within 1e-4"),
    Exercise("03.q.bias_parameters", "How many parameters do the two bias embeddings add to lesson 2's model?",
             judge_bias_parameters, kind=QUESTION, tolerance="exact"),
]
