"""What several lessons' exercises compute their expected answers from: pairs to try, a model's
predictions and the weights of its named layers."""

from __future__ import annotations

import numpy as np

#: How many validation pairs a learner's ``predict`` is tried on: enough to catch a wrong formula,
#: few enough to stay instant on any dataset.
PROBE_PAIRS = 200


def rmse(actual, predicted) -> float:
    return float(np.sqrt(np.mean((np.asarray(actual, float).ravel() - np.asarray(predicted, float).ravel()) ** 2)))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def probe_pairs(data, n: int = PROBE_PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """The users and movies of the first ``n`` validation ratings, as int32 arrays."""
    rows = data.val.head(n)
    return rows.user_idx.to_numpy().astype("int32"), rows.movie_idx.to_numpy().astype("int32")


def predictions(model, users, movies) -> np.ndarray:
    """The model's predicted ratings of (user, movie) pairs, one float64 per pair."""
    inputs = {"user": np.asarray(users, dtype="int32"), "movie": np.asarray(movies, dtype="int32")}
    return np.asarray(model.predict(inputs, batch_size=8192, verbose=0), dtype=np.float64).ravel()


def table(model, layer: str) -> np.ndarray:
    """The weight table of an ``Embedding`` layer, as float64."""
    return np.asarray(model.get_layer(layer).get_weights()[0], dtype=np.float64)


def rating_range_layer(model) -> tuple[float, float]:
    """The ``scale`` and ``offset`` of the model's ``rating`` layer (``Rescaling``)."""
    layer = model.get_layer("rating")
    return float(layer.scale), float(layer.offset)


def trainable_parameters(model) -> int:
    return int(sum(np.prod(weight.shape) for weight in model.trainable_weights))
