"""Lesson 03's exercises: the bias model. Context: ``data`` and the trained bias ``model``."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import judge_movies, judge_number, number, whole_number
from cfcourse.exercises.definitions import QUESTION, Exercise, Question
from cfcourse.exercises.lesson02 import PREDICT_TOLERANCE, judge_predict, range_mistakes
from cfcourse.exercises.probes import PROBE_PAIRS, predictions, rating_range_layer, rmse, sigmoid, table

MIN_RATINGS = 50
TOP = 5


#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. It
computes the expected answer from this lesson's `data` and the bias `model` it just trained. Worked
solutions wait at the very end of the notebook, folded under **Solutions**: try first.
"""
SETUP = """
import numpy as np

from cfcourse.exercises import check
"""


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


PREDICT = Exercise(
    "03.predict", judge_bias_predict, title="Predict with biases", prompt=f"""
Write a numpy function `predict(users, movies)` from the bias model's
weights: the dot product of the two factor vectors plus the user's and the movie's bias, through the
sigmoid and the `rating` layer's scale and offset. The check compares it with `model.predict` on {PROBE_PAIRS}
validation pairs (within 1e-4 each).
""", stub="""
predict = ...  # a function: predict(users, movies) -> array of ratings
check("03.predict", predict, data=data, model=model)
""", solution_text="""
The same steps as lesson 2's, with the two biases added to the dot product *before* the sigmoid,
where the model's `Add` layer puts them. Each bias table has one column, hence `[..., 0]`.
""", solution_code="""
weights = {name: model.get_layer(name).get_weights()[0]
           for name in ["user_factors", "movie_factors", "user_bias", "movie_bias"]}
rating_layer = model.get_layer("rating")


def predict_with_biases(users, movies):
    score = (np.sum(weights["user_factors"][users] * weights["movie_factors"][movies], axis=1)
             + weights["user_bias"][users, 0] + weights["movie_bias"][movies, 0])
    return 1 / (1 + np.exp(-score)) * rating_layer.scale + rating_layer.offset


check("03.predict", predict_with_biases, data=data, model=model, solution=True)
""")


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


LOWEST_BIAS_MOVIES = Exercise(
    "03.lowest_bias_movies", judge_lowest_bias_movies, title="The least liked movies", prompt=f"""
Which {TOP} movies have the lowest learned bias (the `movie_bias` layer)
among those with at least {MIN_RATINGS} ratings (`data.movies.n_ratings`)? Give their movie indices or titles,
lowest bias first.
""", stub="""
lowest_movies = ...  # a list of 5 movie indices or titles
check("03.lowest_bias_movies", lowest_movies, data=data, model=model)
""", solution_text="""
Put each movie's bias beside its row of `data.movies`, keep the movies with enough ratings (a
bias learned from three ratings is mostly noise), and take the 5 smallest.
""", solution_code="""
movies_with_bias = data.movies.assign(bias=weights["movie_bias"][:, 0])
lowest_movies = movies_with_bias[movies_with_bias.n_ratings >= 50].nsmallest(5, "bias")
check("03.lowest_bias_movies", lowest_movies.movie_idx.tolist(), data=data, model=model, solution=True)
""")


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


BIAS_ONLY_RMSE = Exercise(
    "03.bias_only_rmse", judge_bias_only_rmse, title="The biases alone", prompt="""
Leave the dot product out: predict each validation rating from the two biases
only, through the sigmoid and the rating range. What validation RMSE does that give (within 1e-4)?
Compare it with the full model's and with lesson 2's.
""", stub="""
bias_only_rmse = ...
check("03.bias_only_rmse", bias_only_rmse, data=data, model=model)
""", solution_text="""
The same formula as in 1 without the dot product. On ml-latest-small the biases alone already
do much of the work: compare the number with the full model's validation RMSE above.
""", solution_code="""
val_users, val_movies = data.val.user_idx.to_numpy(), data.val.movie_idx.to_numpy()
bias_score = weights["user_bias"][val_users, 0] + weights["movie_bias"][val_movies, 0]
bias_predictions = 1 / (1 + np.exp(-bias_score)) * rating_layer.scale + rating_layer.offset
bias_only_rmse = np.sqrt(np.mean((data.val.rating.to_numpy() - bias_predictions) ** 2))
check("03.bias_only_rmse", bias_only_rmse, data=data, model=model, solution=True)
""")


def judge_bias_parameters(answer, context):
    data = context.data
    judge_number(whole_number(answer), data.n_users + data.n_movies, 0, [
        (lambda: 2, "not one number per layer: one per user and one per movie"),
        (lambda: data.n_users * data.n_movies, "one bias per user plus one per movie, not one per pair"),
    ], otherwise="look at the two bias layers' shapes in model.summary(): how many rows, how many columns?")


BIAS_PARAMETERS = Exercise(
    "03.q.bias_parameters", judge_bias_parameters, kind=QUESTION, prompt="""
How many parameters do the two bias embeddings add to lesson 2's model? (A number; work it out
from `data`.)
""", stub="""
bias_parameters = ...
check("03.q.bias_parameters", bias_parameters, data=data)
""", solution_text="""
One per user plus one per movie: `data.n_users + data.n_movies`.
""", solution_code="""
check("03.q.bias_parameters", data.n_users + data.n_movies, data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("What does a user's bias capture that a dot product of taste vectors captures only awkwardly?", """
Generosity: a user who rates everything high gets one number for it, instead of spending some of
the taste factors on it. A movie's bias likewise captures its general appeal.
"""),
    Question("Why are the biases not regularised here?", """
There is only one per user or movie, so they cannot memorise much; pulling them towards zero would
only fight the rating scale.
"""),
    Question("What went wrong when the 2017 lesson built its bias model from the dot-product model's layers?", """
It reused the trained layers, so the bias model started from trained factors and training it changed
the dot-product model too: they shared the same weights.
"""),
    BIAS_PARAMETERS,
    Question("Why does the model without the output range add the mean training rating to its score?", """
So that the biases start out centred: with a score of zero the prediction is the mean rating, and
each bias only has to learn a difference from it.
"""),
    Question("""
Lesson 3 uses a different L2 penalty from lesson 2. What does that mean for reading the difference
between the two lessons' RMSEs as "what the biases add"?
""", """
Two things changed at once, so the difference mixes the effect of the biases with the effect of the
penalty. To measure the biases alone, train both models with the same L2 (the `l2` parameter).
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [PREDICT, LOWEST_BIAS_MOVIES, BIAS_ONLY_RMSE, BIAS_PARAMETERS]
