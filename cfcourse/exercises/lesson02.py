"""Lesson 02's exercises: the dot-product model. Context: ``data`` and the trained ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import call, judge_array, judge_choice, judge_number, number, vector, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet, Question
from cfcourse.exercises.probes import (PROBE_PAIRS, predictions, probe_pairs, rating_range_layer, sigmoid, table,
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


#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. It
computes the expected answer from this lesson's `data` and the `model` it just trained, so it holds for
any dataset and any parameters you run. Worked solutions wait at the very end of the notebook, folded
under **Solutions**: try first.
"""
SETUP = """
import numpy as np

from cfcourse.exercises import check
"""


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


PREDICT = Exercise(
    "02.predict", judge_dot_product_predict, title="Predict without Keras", prompt=f"""
Write a numpy function `predict(users, movies)` that takes two integer
arrays of the same length and returns one predicted rating per pair, computed from the weights alone
(`model.get_layer("user_factors").get_weights()[0]` is the user table; the `rating` layer has a
`scale` and an `offset`). The check compares it with `model.predict` on {PROBE_PAIRS} validation pairs
(within 1e-4 each).
""", stub="""
predict = ...  # a function: predict(users, movies) -> array of ratings
check("02.predict", predict, data=data, model=model)
""", solution_text="""
Look up each pair's two vectors, multiply them element by element and sum along each row (a
dot product per pair, not a matrix product of all users with all movies), then apply the sigmoid and
the `rating` layer's scale and offset, exactly as the model does.
""", solution_code="""
user_table = model.get_layer("user_factors").get_weights()[0]
movie_table = model.get_layer("movie_factors").get_weights()[0]
rating_layer = model.get_layer("rating")


def predict_by_hand(users, movies):
    affinity = np.sum(user_table[users] * movie_table[movies], axis=1)
    return 1 / (1 + np.exp(-affinity)) * rating_layer.scale + rating_layer.offset


check("02.predict", predict_by_hand, data=data, model=model, solution=True)
""")


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


N_PARAMETERS = Exercise(
    "02.n_parameters", judge_n_parameters, title="Count the parameters", prompt=f"""
`model.summary()` above counts the trained model's parameters. How many
trainable parameters would the same model have with **{ASKED_FACTORS}** factors? Work it out from `data.n_users`,
`data.n_movies` and the number of factors; your rule should also give `model.summary()`'s count for the
lesson's `n_factors`.
""", stub="""
n_parameters = ...
check("02.n_parameters", n_parameters, data=data, model=model)
""", solution_text="""
Nothing but the two tables is trainable: `n_users × n_factors` plus `n_movies × n_factors`.
The `Dot`, `Activation` and `Rescaling` layers have no trainable weights.
""", solution_code="""
def dot_product_parameters(factors):
    return (data.n_users + data.n_movies) * factors


assert dot_product_parameters(model.get_layer("user_factors").output_dim) == model.count_params()
n_parameters = dot_product_parameters(20)
check("02.n_parameters", n_parameters, data=data, model=model, solution=True)
""")


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


WITHIN_HALF_STAR = Exercise(
    "02.within_half_star", judge_within_half_star, title="Within half a star", prompt="""
What share of the validation ratings does the model predict within half a
star, `|predicted - actual| <= 0.5`? Give a share between 0 and 1.
""", stub="""
share_within_half_star = ...
check("02.within_half_star", share_within_half_star, data=data, model=model)
""", solution_text="""
Predict every validation pair once, take the absolute errors, and the mean of a boolean array is
the share of `True`s.
""", solution_code="""
val_predictions = model.predict({"user": data.val.user_idx.to_numpy(), "movie": data.val.movie_idx.to_numpy()},
                                batch_size=8192, verbose=0).ravel()
share_within_half_star = np.mean(np.abs(val_predictions - data.val.rating.to_numpy()) <= 0.5)
check("02.within_half_star", share_within_half_star, data=data, model=model, solution=True)
""")


def judge_learning_rate(answer, context):
    judge_choice("02.q.learning_rate", answer, "8c048a9b50637881", "abc", {
        "156c77acf34b9673": "run the lesson's cell again: optimizer.learning_rate, what training reads, still says "
                            "0.001",
        "550f21b635f3e129": "try it in a cell: does Python complain when you set an attribute an object never had?",
    })


LEARNING_RATE = Exercise(
    "02.q.learning_rate", judge_learning_rate, kind=QUESTION, prompt="""
In Keras 3, what does `model.optimizer.lr = 0.01` do to training: (a) sets the rate to 0.01,
(b) nothing training reads, (c) raises an error?
""", stub="""
what_lr_does = ...  # "a", "b" or "c"
check("02.q.learning_rate", what_lr_does, data=data)
""", solution_text="""
**(b)** It creates a new attribute `lr` that nothing reads; training reads the optimizer's
`learning_rate` variable, which stays as it was.
""", solution_code="""
check("02.q.learning_rate", "b", data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("""
What does an embedding layer hold, and what does a lookup in it cost compared with a one-hot
input multiplied by a weight matrix?
""", """
One row of numbers per index. A lookup reads one row; a one-hot vector times a weight matrix gives
the same row, after multiplying by thousands of zeros.
"""),
    Question("Why does the model put the dot product through a sigmoid and `Rescaling`?", """
Ratings lie in a fixed range; the sigmoid and `Rescaling` keep every prediction inside it, so the
model spends no effort learning to avoid impossible values.
"""),
    Question("""
What does L2 regularisation add to the loss, and why does it matter most for users and movies
with few ratings?
""", """
`l2 ×` the sum of the squared embedding values. A user or movie with a handful of ratings could
otherwise get extreme vectors that fit those few ratings exactly and generalise badly.
"""),
    LEARNING_RATE,
    Question("Why does early stopping watch the validation RMSE and never the test RMSE?", """
Early stopping *chooses* an epoch; a number used to make a choice is no longer an unbiased estimate.
Test must stay untouched until the end so that its RMSE is honest.
"""),
    Question("""
Why is the loss Keras reports not the RMSE, even with `loss="mse"`?
""", """
The loss includes the L2 penalty, and it is a mean *squared* error; the RMSE metric is the square
root of the error alone.
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [N_PARAMETERS, PREDICT, WITHIN_HALF_STAR, LEARNING_RATE]
