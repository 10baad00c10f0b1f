"""What lesson 07 (training for the list) teaches and the tests check: the negative sampler, the BPR
loss, the two-tower logQ correction, EASE and the fold-in of a new user.

Everything below the imports is lesson 07's cells marked ``#@save``, in order, word for word: read it
there, with the reasons. ``tests/unit/test_saved_code.py`` keeps the two identical.
"""

import numpy as np
import scipy.linalg

from cfcourse.backend import import_keras

keras = import_keras()

# Lesson 07's #@save cells follow.


def rated_keys(users, movies, n_movies):
    """Each rated (user, movie) pair as one number, ``user * n_movies + movie``, sorted: a fast "has rated?"."""
    return np.unique(np.asarray(users, dtype=np.int64) * n_movies + np.asarray(movies, dtype=np.int64))


def sample_negatives(users, rated, n_movies, rng, weights=None):
    """For each entry of ``users``, a movie that user has not rated (``rated`` from :func:`rated_keys`).

    Movies are drawn with probability proportional to ``weights`` (uniformly when ``None``); a draw
    of a movie the user rated is drawn again, so each user's draws follow ``weights`` over the
    movies they did not rate. ``users`` may have any shape; the result has the same shape.
    """
    users = np.asarray(users, dtype=np.int64)
    cumulative = None if weights is None else np.cumsum(weights) / np.sum(weights)
    negatives = np.empty(users.size, dtype=np.int64)
    flat_users, todo = users.ravel(), np.arange(users.size)
    while len(todo):
        if cumulative is None:
            draws = rng.integers(n_movies, size=len(todo))
        else:
            draws = np.minimum(np.searchsorted(cumulative, rng.random(len(todo)), side="right"), n_movies - 1)
        negatives[todo] = draws
        keys = flat_users[todo] * n_movies + draws
        found = rated[np.minimum(np.searchsorted(rated, keys), len(rated) - 1)] == keys
        todo = todo[found]
    return negatives.reshape(users.shape)


def bpr_loss(_, score_differences):
    """BPR: ``-log sigmoid(d)`` for each score difference d = score(rated movie) - score(sampled movie).

    Keras passes the (unused) targets first; ``softplus(-d)`` equals ``-log sigmoid(d)`` without overflow.
    """
    return keras.ops.softplus(-score_differences)


def logq_corrected_logits(user_vectors, movie_vectors, log_q):
    """Every user of a batch scored against every movie of it (B x B), less each movie's log sampling probability."""
    return keras.ops.matmul(user_vectors, keras.ops.transpose(movie_vectors)) - log_q[None, :]


def in_batch_softmax_loss(_, logits):
    """Softmax cross-entropy of each row of the B x B logits, whose true movie is on the diagonal."""
    labels = keras.ops.eye(keras.ops.shape(logits)[0])
    return keras.losses.categorical_crossentropy(labels, logits, from_logits=True)


def ease_weights(interactions, l2):
    """EASE's movies x movies weights B for a users x movies 0/1 matrix (dense or scipy sparse).

    B minimises ||X - X B||² + l2 ||B||² with diag(B) = 0; with P = (XᵀX + l2 I)⁻¹ the answer is
    B = -P / diag(P) (each column divided by its diagonal entry), then the diagonal set to 0.
    """
    gram = interactions.T @ interactions
    gram = np.array(gram.todense() if hasattr(gram, "todense") else gram, dtype=np.float32)
    gram[np.diag_indices_from(gram)] += l2
    inverse = scipy.linalg.cho_solve(scipy.linalg.cho_factor(gram, overwrite_a=True),
                                     np.eye(len(gram), dtype=np.float32), overwrite_b=True)
    weights = inverse / -np.diag(inverse)
    np.fill_diagonal(weights, 0.0)
    return weights


def fold_in(movie_vectors, interactions, l2):
    """New users' vectors against a frozen movie table: the ridge regression of 1 (rated) / 0 (not) on it.

    ``interactions`` has one 0/1 row per new user (dense or scipy sparse). For the row y, minimises
    ``||movie_vectors @ u - y||² + l2 ||u||²``: ``u = (VᵀV + l2 I)⁻¹ Vᵀ y``, where ``Vᵀ y`` is the sum
    of the rated movies' vectors. One matrix serves every new user, so all rows are solved at once.
    """
    movie_vectors = np.asarray(movie_vectors, dtype=np.float64)
    gram = movie_vectors.T @ movie_vectors + l2 * np.eye(movie_vectors.shape[1])
    return np.linalg.solve(gram, (interactions @ movie_vectors).T).T
