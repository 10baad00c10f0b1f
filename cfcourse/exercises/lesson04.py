"""Lesson 04's exercises: the neural network. Context: ``data`` and the trained network ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import judge_choice, judge_number, number, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet
from cfcourse.exercises.lesson02 import (ASKED_FACTORS, PREDICT_TOLERANCE, SIGMOID_ONLY, TRAINED_MODELS_COUNT,
                                         judge_predict, range_mistakes)
from cfcourse.exercises.probes import predictions, rating_range_layer, rmse, table, trainable_parameters

RARE = 20  # a movie with fewer training ratings than this is "rare"


def dense(model, name):
    kernel, bias = model.get_layer(name).get_weights()
    return np.asarray(kernel, dtype=np.float64), np.asarray(bias, dtype=np.float64)


def judge_n_parameters(answer, context):
    data, model = context.data, context.model
    factors = ASKED_FACTORS
    hidden = model.get_layer("hidden").units
    tables = (data.n_users + data.n_movies) * factors
    expected = tables + (2 * factors * hidden + hidden) + (hidden + 1)
    judge_number(whole_number(answer), expected, 0, [
        (lambda: trainable_parameters(model), TRAINED_MODELS_COUNT),
        (lambda: expected - hidden - 1, "you left out the Dense layers' biases, which are trainable too"),
        (lambda: expected - hidden * factors,
         "the hidden layer sees both vectors side by side (the `both` layer): count its inputs again"),
        (lambda: tables, "that counts the embedding tables only: the two dense layers are trainable too"),
        (lambda: expected - tables, "that counts the dense layers only: the embedding tables are trainable too"),
    ], otherwise="count the weights of each trainable layer: the two tables, then each Dense layer's weights and "
                 "biases")


def judge_network_predict(answer, context):
    model = context.model

    def mistakes(users, movies):
        both = np.concatenate([table(model, "user_factors")[users], table(model, "movie_factors")[movies]], axis=1)
        hidden_kernel, hidden_bias = dense(model, "hidden")
        score_kernel, score_bias = dense(model, "score")
        keep = 1 - model.get_layer("drop_embeddings").rate

        def score(inputs, relu=True):
            hidden = inputs @ hidden_kernel + hidden_bias
            return ((np.maximum(hidden, 0) if relu else hidden) @ score_kernel + score_bias).ravel()

        scale, offset = rating_range_layer(model)
        sigmoid_score = 1 / (1 + np.exp(-score(both)))
        return [
            (lambda: 1 / (1 + np.exp(-score(both * keep))) * scale + offset,
             "dropout does nothing at prediction time: look at what the Dropout layers do outside training"),
            (lambda: 1 / (1 + np.exp(-score(both, relu=False))) * scale + offset,
             "the `hidden` layer has an activation you left out: look at its config"),
            (lambda: sigmoid_score, SIGMOID_ONLY),
            *range_mistakes(score(both), scale, offset)[:1],
        ]

    judge_predict(answer, context, mistakes)


def judge_rare_movie_rmse(answer, context):
    data, model = context.data, context.model
    val = data.val
    train_counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)
    if not (train_counts[val.movie_idx.to_numpy()] < RARE).any():
        raise NotYet(f"no validation rating of this dataset is of a movie with fewer than {RARE} training ratings, "
                     "so there is no such RMSE: try the exercise on ml-latest-small")
    predicted = predictions(model, val.user_idx, val.movie_idx)

    def rmse_where(counts, keep):
        rows = keep(counts[val.movie_idx.to_numpy()])
        return rmse(val.rating.to_numpy()[rows], predicted[rows])

    expected = rmse_where(train_counts, lambda c: c < RARE)
    judge_number(number(answer), expected, 1e-4, [
        (lambda: rmse_where(data.movies.n_ratings.to_numpy(), lambda c: c < RARE),
         "data.movies.n_ratings counts the ratings of all three splits; the exercise counts each movie's "
         "training ratings only (data.train)"),
        (lambda: rmse_where(train_counts, lambda c: c <= RARE), f"fewer than {RARE} leaves out exactly {RARE}"),
        (lambda: rmse(val.rating, predicted), f"that is the RMSE over all validation ratings; keep only those of "
                                              f"movies with fewer than {RARE} training ratings"),
        (lambda: expected**2, "that is the mean squared error, a squared quantity: the exercise asks for the root"),
        (lambda: rmse_where(train_counts, lambda c: c >= RARE),
         f"those are the movies with {RARE} or more training ratings: the exercise asks for the rare ones"),
    ])


def judge_dropout(answer, context):
    judge_choice("04.q.dropout", answer, "894ef318e3d7baa6", "abc", {
        "34a9a743a0bdc147": "try it: call model.predict twice on the same pairs; if it dropped values at random, "
                            "would the two answers agree?",
        "d3ed92b9102b1266": "look at what Keras does to the kept values during training (inverted dropout), and "
                            "what is left to do at prediction time",
    })


EXERCISES = [
    Exercise("04.n_parameters",
             f"The number of trainable parameters of the network with {ASKED_FACTORS} factors (and the lesson's "
             "hidden units).", judge_n_parameters, tolerance="exact"),
    Exercise("04.predict",
             "A numpy forward pass predict(users, movies) through the network's weights that equals model.predict.",
             judge_network_predict, tolerance=f"within {PREDICT_TOLERANCE:g} per pair"),
    Exercise("04.rare_movie_rmse",
             f"The network's validation RMSE on the ratings of movies with fewer than {RARE} training ratings.",
             judge_rare_movie_rmse, tolerance="within 1e-4"),
    Exercise("04.q.dropout", "What does a Dropout layer do when the model predicts: (a) drops the same "
             "share of values, (b) nothing, (c) halves every value?", judge_dropout, kind=QUESTION),
]
