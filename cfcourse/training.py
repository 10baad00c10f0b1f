"""Generated: edit the cells marked ``#@save`` in notebooks/02_dot_product.ipynb, not this file.

Lesson 2 — The dot-product recommender (matrix factorisation). Defined here: user_and_movie_factors,
warm_up_then_hold, model_inputs, Training, train_rating_model.

Regenerate with ``python scripts/maintainers/generate_saved_code.py`` (``make execute-notebooks`` runs it).
"""

import time
from dataclasses import dataclass

from cfcourse.backend import import_keras

keras = import_keras()


def user_and_movie_factors(n_users, n_movies, n_factors, penalty):
    """The two inputs every model of the course takes, and a fresh factor table looked up by each."""
    user = keras.Input(shape=(), dtype="int32", name="user")
    movie = keras.Input(shape=(), dtype="int32", name="movie")
    user_factors = keras.layers.Embedding(n_users, n_factors, **penalty, name="user_factors")(user)
    movie_factors = keras.layers.Embedding(n_movies, n_factors, **penalty, name="movie_factors")(movie)
    return user, movie, user_factors, movie_factors


def warm_up_then_hold(full_rate):
    """A schedule for ``LearningRateScheduler``: a tenth of ``full_rate`` in the first epoch, then
    ``full_rate``; from the third epoch on it keeps whatever rate the other callbacks set."""
    def scheduled_learning_rate(epoch, current_rate):
        if epoch == 0:
            return full_rate / 10  # warm up
        if epoch == 1:
            return full_rate
        return current_rate  # from here on, ReduceLROnPlateau decides
    return scheduled_learning_rate


def model_inputs(ratings):
    """The two inputs every model of the course takes, by their ``Input`` names."""
    return {"user": ratings["user_idx"].to_numpy(), "movie": ratings["movie_idx"].to_numpy()}


@dataclass
class Training:
    """What one call of ``train_rating_model`` did."""

    history: keras.callbacks.History
    seconds: float
    best_epoch: int  # the epoch whose weights early stopping kept, counted from 1

    @property
    def epochs(self):
        return len(self.history.history["loss"])


def train_rating_model(model, data, plan, patience, warm_up=True, rate_cut=0.1, min_improvement=5e-4):
    """Fit ``model`` to the training ratings, watching validation RMSE (never test).

    An optional warm-up epoch; the rate cut by ``rate_cut`` whenever an epoch fails to improve the
    best validation RMSE by ``min_improvement``; a stop after ``patience`` such epochs in a row,
    keeping the weights of the best epoch. ``plan`` gives the optimiser, rate, batch and epochs.
    """
    model.compile(optimizer=plan.make_optimizer(), loss="mse", metrics=[keras.metrics.RootMeanSquaredError(name="rmse")],
                  steps_per_execution=plan.steps_per_execution)
    schedule = [keras.callbacks.LearningRateScheduler(warm_up_then_hold(plan.learning_rate))] if warm_up else []
    cut_rate = keras.callbacks.ReduceLROnPlateau(monitor="val_rmse", factor=rate_cut, patience=0,
                                                 min_delta=min_improvement, verbose=1)
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_rmse", patience=patience, min_delta=min_improvement,
                                                   restore_best_weights=True, verbose=1)
    started = time.perf_counter()
    history = model.fit(model_inputs(data.train), data.train.rating.to_numpy(), batch_size=plan.batch_size,
                        epochs=plan.epochs, validation_data=(model_inputs(data.val), data.val.rating.to_numpy()),
                        callbacks=[*schedule, cut_rate, early_stopping], verbose=2)
    return Training(history, time.perf_counter() - started, early_stopping.best_epoch + 1)
