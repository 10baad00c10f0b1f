"""Lesson 04's exercises: the neural network. Context: ``data`` and the trained network ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import judge_choice, judge_number, number, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet
from cfcourse.exercises.lesson02 import PREDICT_TOLERANCE, judge_predict, range_mistakes
from cfcourse.exercises.probes import predictions, rating_range_layer, rmse, table, trainable_parameters

LESSON = "04_neural_net"
RARE = 20  # a movie with fewer training ratings than this is "rare"


def dense(model, name):
    kernel, bias = model.get_layer(name).get_weights()
    return np.asarray(kernel, dtype=np.float64), np.asarray(bias, dtype=np.float64)


def judge_n_parameters(answer, context):
    data, model = context.data, context.model
    factors = model.get_layer("user_factors").output_dim
    hidden = model.get_layer("hidden").units
    tables = (data.n_users + data.n_movies) * factors
    expected = trainable_parameters(model)
    judge_number(whole_number(answer), expected, 0, [
        (lambda: expected - hidden - 1, "you left out the dense layers' biases: one per unit, in both layers"),
        (lambda: expected - hidden * factors,
         "the hidden layer sees both vectors, concatenated: it has 2 × n_factors inputs per unit"),
        (lambda: tables, "that counts the embedding tables only: the two dense layers are trainable too"),
        (lambda: expected - tables, "that counts the dense layers only: the embedding tables are trainable too"),
    ], otherwise="add up every trainable weight: two embedding tables, then each Dense layer's kernel and bias")


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
             "dropout does nothing at prediction time: use the values as they are (Keras scaled them in training)"),
            (lambda: 1 / (1 + np.exp(-score(both, relu=False))) * scale + offset,
             "the hidden layer has a ReLU activation: np.maximum(0, ...) before the last layer"),
            (lambda: sigmoid_score, "those are the sigmoid's outputs, between 0 and 1: stretch them to the rating "
                                    "range, times the `rating` layer's scale plus its offset"),
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

    judge_number(number(answer), rmse_where(train_counts, lambda c: c < RARE), 1e-4, [
        (lambda: rmse_where(data.movies.n_ratings.to_numpy(), lambda c: c < RARE),
         "data.movies.n_ratings counts the ratings of all three splits; the exercise counts training ratings "
         "(np.bincount of data.train.movie_idx)"),
        (lambda: rmse_where(train_counts, lambda c: c <= RARE), f"fewer than {RARE} means at most {RARE - 1}"),
        (lambda: rmse(val.rating, predicted), f"that is the RMSE over all validation ratings; keep only those of "
                                              f"movies with fewer than {RARE} training ratings"),
        (lambda: rmse_where(train_counts, lambda c: c >= RARE),
         f"those are the movies with {RARE} or more training ratings: the exercise asks for the rare ones"),
    ])


def judge_dropout(answer, context):
    judge_choice("04.q.dropout", answer, "894ef318e3d7baa6", "abc", {
        "34a9a743a0bdc147": "Keras turns dropout off outside training: model.predict runs every unit",
        "d3ed92b9102b1266": "Keras scales the kept values up during training instead (inverted dropout), so "
                            "prediction needs no change",
    })


EXERCISES = [
    Exercise("04.n_parameters", LESSON, "The number of trainable parameters of the network.", judge_n_parameters,
             tolerance="exact"),
    Exercise("04.predict", LESSON,
             "A numpy forward pass predict(users, movies) through the network's weights that equals model.predict.",
             judge_network_predict, tolerance=f"within {PREDICT_TOLERANCE:g} per pair"),
    Exercise("04.rare_movie_rmse", LESSON,
             f"The network's validation RMSE on the ratings of movies with fewer than {RARE} training ratings.",
             judge_rare_movie_rmse, tolerance="within 1e-4"),
    Exercise("04.q.dropout", LESSON, "What does a Dropout layer do when the model predicts: (a) drops the same "
             "share of values, (b) nothing, (c) halves every value?", judge_dropout, kind=QUESTION),
]
