"""Lesson 02's exercises: the dot-product model. Context: ``data`` and the trained ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import call, judge_array, judge_choice, judge_number, number, vector, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet
from cfcourse.exercises.probes import (predictions, probe_pairs, rating_range_layer, sigmoid, table,
                                       trainable_parameters)

#: The parameter-counting exercises ask about a model with this many factors, not the trained one, whose count
#: model.summary() prints in the lesson.
ASKED_FACTORS = 20
TRAINED_MODELS_COUNT = (f"that is the trained model's count, for its own number of factors (model.summary() shows "
                        f"it): the exercise asks about the same model with {ASKED_FACTORS} factors")
#: The hint for a prediction left between 0 and 1; lesson 04's network makes the same slip.
SIGMOID_ONLY = ("those are between 0 and 1, the sigmoid's outputs: the model's `rating` layer still stretches them "
                "to the rating range")

#: float32 weights and a different order of summing put a numpy forward pass this close to Keras's.
PREDICT_TOLERANCE = 1e-4


def judge_predict(answer, context, mistakes) -> None:
    """Try the learner's ``predict(users, movies)`` on validation pairs against ``model.predict``.

    ``mistakes(users, movies)`` gives the likely mistakes for those pairs.
    """
    users, movies = probe_pairs(context.data)
    result = call(answer, users.copy(), movies.copy())
    if np.shape(result) == (len(users), len(users)):
        raise NotYet("that is a table of every user with every movie (a matrix product): the model predicts one "
                     "rating per (user, movie) pair, from that pair's own two vectors")
    given = vector(result, len(users), "predictions")
    judge_array(given, predictions(context.model, users, movies), PREDICT_TOLERANCE, mistakes(users, movies),
                otherwise="compare your steps with the model's layers, in order: model.summary() lists them")


def range_mistakes(score, scale: float, offset: float) -> list:
    """The likely slips after the score: no sigmoid, sigmoid but no rescaling, rescaling but no offset."""
    return [
        (lambda: score, "that is the raw score, before the model's last layers: follow model.summary() past it, "
                        "through the sigmoid and the `rating` layer"),
        (lambda: sigmoid(score), SIGMOID_ONLY),
        (lambda: sigmoid(score) * scale, "those are stretched but not shifted: the `rating` layer has an offset too"),
    ]


def judge_dot_product_predict(answer, context):
    model = context.model

    def mistakes(users, movies):
        score = np.sum(table(model, "user_factors")[users] * table(model, "movie_factors")[movies], axis=1)
        return range_mistakes(score, *rating_range_layer(model))

    judge_predict(answer, context, mistakes)


def judge_n_parameters(answer, context):
    data, model = context.data, context.model
    factors = ASKED_FACTORS
    judge_number(whole_number(answer), (data.n_users + data.n_movies) * factors, 0, [
        (lambda: trainable_parameters(model), TRAINED_MODELS_COUNT),
        (lambda: data.n_users * factors, "that counts the user table only: the movie table is trainable too"),
        (lambda: data.n_movies * factors, "that counts the movie table only: the user table is trainable too"),
        (lambda: data.n_users + data.n_movies,
         "that is one number per user and movie; each has a whole vector of n_factors numbers"),
        (lambda: data.n_users * data.n_movies,
         "that is the size of the full user × movie table, which the model never stores: it stores two thin ones"),
    ], otherwise="count the weights of each trainable layer: which layers have weights, and how big is each one?")


def judge_within_half_star(answer, context):
    data, model = context.data, context.model
    val = data.val
    errors = predictions(model, val.user_idx, val.movie_idx) - val.rating.to_numpy()
    expected = float(np.mean(np.abs(errors) <= 0.5))
    # A prediction a hair's breadth from the half-star line can cross it with float noise: one rating either way.
    tolerance = 1.5 / len(val)
    judge_number(number(answer), expected, tolerance, [
        (lambda: 100 * expected, "give a share between 0 and 1, not a percentage"),
        (lambda: np.mean(errors <= 0.5), "take the absolute error: a prediction two stars too low is not within "
                                         "half a star"),
        (lambda: np.mean(np.abs(predictions(model, data.test.user_idx, data.test.movie_idx)
                                - data.test.rating.to_numpy()) <= 0.5),
         "that is measured on the test ratings, which stay untouched until the end: use the validation ratings "
         "(data.val)"),
        (lambda: np.mean(np.abs(predictions(model, data.train.user_idx, data.train.movie_idx)
                                - data.train.rating.to_numpy()) <= 0.5),
         "that is measured on the training ratings, which the model has fitted; the exercise asks for data.val"),
    ])


def judge_learning_rate(answer, context):
    judge_choice("02.q.learning_rate", answer, "8c048a9b50637881", "abc", {
        "156c77acf34b9673": "run the lesson's cell again: optimizer.learning_rate, what training reads, still says "
                            "0.001",
        "550f21b635f3e129": "try it in a cell: does Python complain when you set an attribute an object never had?",
    })


EXERCISES = [
    Exercise("02.n_parameters",
             f"The number of trainable parameters of the dot-product model with {ASKED_FACTORS} factors.",
             judge_n_parameters, tolerance="exact"),
    Exercise("02.predict",
             "A numpy function predict(users, movies) from the model's weights that equals model.predict.",
             judge_dot_product_predict, tolerance=f"within {PREDICT_TOLERANCE:g} per pair"),
    Exercise("02.within_half_star",
             "The share of validation ratings the model predicts within half a star (|error| <= 0.5).",
             judge_within_half_star, tolerance="within one validation rating"),
    Exercise("02.q.learning_rate",
             "What does `model.optimizer.lr = 0.01` do to training in Keras 3: (a) sets the rate to 0.01, "
             "(b) nothing training reads, (c) raises an error?", judge_learning_rate, kind=QUESTION),
]
