"""What the exercise tests share: a lesson's data made in memory from generated ratings, and tiny models
with the lessons' architectures (the layer names the exercises read), so no MovieLens is needed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cfcourse.backend import import_keras
from cfcourse.data.encoding import encode_ratings
from cfcourse.data.split import split_labels
from cfcourse.data.synthetic import synthetic_ratings
from cfcourse.processed import LessonData


def synthetic_lesson_data(seed: int = 0, paths=None) -> LessonData:
    """The small generated dataset, encoded and split as lesson 01 does, without touching the disk."""
    ratings, titles = synthetic_ratings(seed=seed)
    ratings = ratings.rename(columns={"userId": "user", "movieId": "movie"})
    titles = titles.rename(columns={"movieId": "movie"})
    ratings, users, movies = encode_ratings(ratings)
    ratings["split"] = split_labels(len(ratings), (0.8, 0.1, 0.1), seed=42)
    counts = np.bincount(ratings.movie_idx, minlength=len(movies))
    movie_table = pd.DataFrame({"movie_idx": np.arange(len(movies)), "movie": movies.ids, "n_ratings": counts})
    movie_table = movie_table.merge(titles[["movie", "title"]], on="movie", how="left")
    user_table = pd.DataFrame({"user_idx": np.arange(len(users)), "user": users.ids})
    return LessonData(ratings=ratings, movies=movie_table, users=user_table, split_info={"dataset": "synthetic"},
                      paths=paths)


def _inputs(keras):
    return keras.Input(shape=(), dtype="int32", name="user"), keras.Input(shape=(), dtype="int32", name="movie")


def _rating(keras, score, low=0.5, high=5.0):
    squashed = keras.layers.Activation("sigmoid", name="squash")(score)
    return keras.layers.Rescaling(scale=high - low, offset=low, name="rating")(squashed)


def _spread(model, seed: int):
    """Weights drawn wider than Keras's initial ones, so predictions spread over the rating range as a
    trained model's do (and each likely mistake gives a clearly different answer)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def dot_product_model(data: LessonData, n_factors: int = 4):
    keras = import_keras()
    user, movie = _inputs(keras)
    user_factors = keras.layers.Embedding(data.n_users, n_factors, name="user_factors")(user)
    movie_factors = keras.layers.Embedding(data.n_movies, n_factors, name="movie_factors")(movie)
    affinity = keras.layers.Dot(axes=1, name="affinity")([user_factors, movie_factors])
    return _spread(keras.Model([user, movie], _rating(keras, affinity), name="dot_product"), 1)


def bias_model(data: LessonData, n_factors: int = 4):
    keras = import_keras()
    user, movie = _inputs(keras)
    user_factors = keras.layers.Embedding(data.n_users, n_factors, name="user_factors")(user)
    movie_factors = keras.layers.Embedding(data.n_movies, n_factors, name="movie_factors")(movie)
    user_bias = keras.layers.Embedding(data.n_users, 1, name="user_bias")(user)
    movie_bias = keras.layers.Embedding(data.n_movies, 1, name="movie_bias")(movie)
    affinity = keras.layers.Dot(axes=1, name="affinity")([user_factors, movie_factors])
    score = keras.layers.Add(name="score")([affinity, user_bias, movie_bias])
    return _spread(keras.Model([user, movie], _rating(keras, score), name="bias"), 2)


def neural_net(data: LessonData, n_factors: int = 4, hidden_units: int = 6):
    keras = import_keras()
    user, movie = _inputs(keras)
    user_factors = keras.layers.Embedding(data.n_users, n_factors, name="user_factors")(user)
    movie_factors = keras.layers.Embedding(data.n_movies, n_factors, name="movie_factors")(movie)
    both = keras.layers.Concatenate(name="both")([user_factors, movie_factors])
    both = keras.layers.Dropout(0.5, name="drop_embeddings")(both)
    hidden = keras.layers.Dense(hidden_units, activation="relu", name="hidden")(both)
    hidden = keras.layers.Dropout(0.2, name="drop_hidden")(hidden)
    score = keras.layers.Dense(1, activation="sigmoid", name="score")(hidden)
    rating = keras.layers.Rescaling(scale=4.5, offset=0.5, name="rating")(score)
    return _spread(keras.Model([user, movie], rating, name="neural_net"), 3)


def bpr_model(data: LessonData, n_factors: int = 4):
    """Lesson 07's BPR scorer, reduced to the layers its exercise reads: ``users``, ``movies``, ``movie_bias``."""
    keras = import_keras()
    user, movie = _inputs(keras)
    users = keras.layers.Embedding(data.n_users, n_factors, name="users")(user)
    movies = keras.layers.Embedding(data.n_movies, n_factors, name="movies")(movie)
    movie_bias = keras.layers.Embedding(data.n_movies, 1, name="movie_bias")(movie)
    score = keras.ops.sum(users * movies, axis=-1) + movie_bias[:, 0]
    return _spread(keras.Model([user, movie], score, name="bpr"), 4)
