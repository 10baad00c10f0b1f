"""Lesson 04's exercises: the neural network. Context: ``data`` and the trained network ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import judge_choice, judge_number, number, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet, Question
from cfcourse.exercises.lesson02 import (ASKED_FACTORS, PREDICT_TOLERANCE, SIGMOID_ONLY, TRAINED_MODELS_COUNT,
                                         judge_predict, range_mistakes)
from cfcourse.exercises.probes import PROBE_PAIRS, predictions, rating_range_layer, rmse, table, trainable_parameters

RARE = 20  # a movie with fewer training ratings than this is "rare"


#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. It
computes the expected answer from this lesson's `data` and the network `model` it just trained. Worked
solutions wait at the very end of the notebook, folded under **Solutions**: try first.
"""
SETUP = """
import numpy as np

from cfcourse.exercises import check
"""


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


N_PARAMETERS = Exercise(
    "04.n_parameters", judge_n_parameters, title="Count the parameters", prompt=f"""
`model.summary()` above counts the trained network's parameters. How many
trainable parameters would the same network have with **{ASKED_FACTORS}** factors (and the lesson's `hidden_units`)?
Count the two embedding tables, then each `Dense` layer's kernel and bias; your rule should also give
`model.summary()`'s count for the lesson's `n_factors`.
""", stub="""
n_parameters = ...
check("04.n_parameters", n_parameters, data=data, model=model)
""", solution_text="""
The tables hold `(n_users + n_movies) × n_factors`. The hidden layer sees both vectors,
concatenated: `2 × n_factors` inputs, so `2 × n_factors × hidden_units` weights plus one bias per unit.
The last layer has `hidden_units` weights and one bias.
""", solution_code="""
units = model.get_layer("hidden").units


def network_parameters(factors):
    return (data.n_users + data.n_movies) * factors + (2 * factors * units + units) + (units + 1)


assert network_parameters(model.get_layer("user_factors").output_dim) == model.count_params()
n_parameters = network_parameters(20)
check("04.n_parameters", n_parameters, data=data, model=model, solution=True)
""")


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


PREDICT = Exercise(
    "04.predict", judge_network_predict, title="A forward pass in numpy", prompt=f"""
Write `predict(users, movies)` from the weights alone: concatenate
the user's and the movie's vectors, apply the `hidden` layer (kernel, bias, ReLU), then the `score`
layer (kernel, bias, sigmoid) and the `rating` layer's scale and offset. What do the `Dropout` layers
do at prediction time? The check compares it with `model.predict` on {PROBE_PAIRS} validation pairs (within 1e-4).
""", stub="""
predict = ...  # a function: predict(users, movies) -> array of ratings
check("04.predict", predict, data=data, model=model)
""", solution_text="""
Dropout does nothing at prediction time: Keras scales the kept values up *during training*
(inverted dropout), so the weights are used as they are.
""", solution_code="""
user_table = model.get_layer("user_factors").get_weights()[0]
movie_table = model.get_layer("movie_factors").get_weights()[0]
hidden_kernel, hidden_bias = model.get_layer("hidden").get_weights()
score_kernel, score_bias = model.get_layer("score").get_weights()
rating_layer = model.get_layer("rating")


def forward_pass(users, movies):
    both = np.concatenate([user_table[users], movie_table[movies]], axis=1)
    hidden = np.maximum(both @ hidden_kernel + hidden_bias, 0)
    score = 1 / (1 + np.exp(-(hidden @ score_kernel + score_bias)))
    return score.ravel() * rating_layer.scale + rating_layer.offset


check("04.predict", forward_pass, data=data, model=model, solution=True)
""")


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


RARE_MOVIE_RMSE = Exercise(
    "04.rare_movie_rmse", judge_rare_movie_rmse, title="Rare movies", prompt=f"""
What is the network's RMSE on the validation ratings of movies with fewer than {RARE}
*training* ratings (within 1e-4)? Compare it with its RMSE on all validation ratings.
""", stub="""
rare_movie_rmse = ...
check("04.rare_movie_rmse", rare_movie_rmse, data=data, model=model)
""", solution_text="""
Count each movie's training ratings with `np.bincount` (`data.movies.n_ratings` counts all three
splits), keep the validation rows whose movie has fewer than 20, and compute the RMSE on those.
The model knows least about these movies, and it shows.
""", solution_code="""
train_counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)
rare = data.val[train_counts[data.val.movie_idx] < 20]
if len(rare) > 0:  # large generated data has none: there the check says so to a learner who tries
    rare_predictions = model.predict({"user": rare.user_idx.to_numpy(), "movie": rare.movie_idx.to_numpy()},
                                     batch_size=8192, verbose=0).ravel()
    rare_movie_rmse = np.sqrt(np.mean((rare.rating.to_numpy() - rare_predictions) ** 2))
    check("04.rare_movie_rmse", rare_movie_rmse, data=data, model=model, solution=True)
""")


def judge_dropout(answer, context):
    judge_choice("04.q.dropout", answer, "894ef318e3d7baa6", "abc", {
        "34a9a743a0bdc147": "try it: call model.predict twice on the same pairs; if it dropped values at random, "
                            "would the two answers agree?",
        "d3ed92b9102b1266": "look at what Keras does to the kept values during training (inverted dropout), and "
                            "what is left to do at prediction time",
    })


DROPOUT = Exercise(
    "04.q.dropout", judge_dropout, kind=QUESTION, prompt="""
What does a Dropout layer do when the model predicts: (a) drops the same share of values,
(b) nothing, (c) halves every value?
""", stub="""
dropout_at_prediction = ...  # "a", "b" or "c"
check("04.q.dropout", dropout_at_prediction, data=data)
""", solution_text="""
**(b) nothing.** Keras turns dropout off outside training.
""", solution_code="""
check("04.q.dropout", "b", data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("What can the hidden layer learn that a dot product cannot?", """
Interactions of any shape between the user's and the movie's factors, not only the sum of their
products.
"""),
    Question("With dropout on, why can the training RMSE sit above the validation RMSE?", """
The training RMSE is measured with dropout on, on a crippled network; validation runs every unit.
"""),
    DROPOUT,
    Question("Why do `ReduceLROnPlateau` and `EarlyStopping` use the same `min_delta` here?", """
So that they agree on what counts as progress: with different bars, a small gain was progress for one
and noise for the other, and the rate was never cut before training stopped.
"""),
    Question("""
The network could in principle learn a dot product plus biases. Why does the bias model still do
better on this data?
""", """
The bias model is *given* that structure; the network must discover it through a hidden layer from
80,000 ratings, and does not quite.
"""),
    Question("""
The table shows seconds per epoch for each model. What would you need before calling one model
slower than another?
""", """
Several timed runs of each, and a difference larger than their spread: a few milliseconds per epoch
between single runs is noise.
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [N_PARAMETERS, PREDICT, RARE_MOVIE_RMSE, DROPOUT]
