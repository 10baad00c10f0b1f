"""Lesson 07's exercises: training for the list. Context: ``data``; the BPR loss also takes the lesson's
trained ``model`` (``bpr``: layers ``users``, ``movies`` and ``movie_bias``)."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import (call, describe, judge_array, judge_choice, judge_hashed_number, vector,
                                        whole_number)
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet
from cfcourse.exercises.probes import PROBE_PAIRS, sigmoid, table


#: float32 weights put a numpy loss this close to one from float64 weights.
BPR_TOLERANCE = 1e-4
#: EASE's weights from a float32 solve (as ``ease_weights`` makes them) are this close to float64 ones.
EASE_TOLERANCE = 1e-4
EASE_MOVIES = 30  # the check's small X: every user, the most-rated movies in train
EASE_L2 = 50.0
ZERO_DIAGONAL = "the diagonal of B must be 0, EASE's one constraint: a movie may not predict itself"
LOG_Q_TOLERANCE = 1e-6
SAMPLER_USERS = 5  # the users with the most train ratings: where a sampler that forgets them fails most
SAMPLER_DRAWS = 200  # per user
POPULAR_SHARE = 0.1  # the check's "popular" movies: the most-rated tenth of each user's unrated ones
SAMPLER_SLACK = 0.06  # about five standard deviations of the share of 1,000 uniform draws


# -- 07.bpr_loss --------------------------------------------------------------------------------------------

def bpr_probe(data, n: int = PROBE_PAIRS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The users and movies of the first ``n`` train ratings, and for each a movie (seeded) its user did not rate."""
    rows = data.train.head(n)
    users, movies = rows.user_idx.to_numpy().astype(np.int64), rows.movie_idx.to_numpy().astype(np.int64)
    rated = set(zip(data.train.user_idx.to_numpy().tolist(), data.train.movie_idx.to_numpy().tolist()))
    rng = np.random.default_rng(0)
    sampled = np.empty(len(rows), dtype=np.int64)
    for i, user in enumerate(users.tolist()):
        movie = int(rng.integers(data.n_movies))
        while (user, movie) in rated:
            movie = int(rng.integers(data.n_movies))
        sampled[i] = movie
    return users, movies, sampled


def judge_bpr_loss(answer, context):
    data, model = context.data, context.model
    users, movies, sampled = bpr_probe(data)
    user_table, movie_table = table(model, "users"), table(model, "movies")
    bias = table(model, "movie_bias")[:, 0]
    interaction = np.sum(user_table[users] * movie_table[movies], axis=1) - np.sum(
        user_table[users] * movie_table[sampled], axis=1)
    differences = interaction + bias[movies] - bias[sampled]
    result = call(answer, users.copy(), movies.copy(), sampled.copy())
    if np.ndim(result) == 0 or np.size(result) == 1:
        raise NotYet(f"one loss per (user, rated movie, sampled movie) triple, {len(users)} of them, not their mean")
    given = vector(result, len(users), "losses")
    judge_array(given, np.logaddexp(0, -differences), BPR_TOLERANCE, [
        (lambda: np.logaddexp(0, differences),
         "the two movies are the wrong way round: the loss should be small when the rated movie scores higher "
         "than the sampled one, so that the rated movie wins"),
        (lambda: -np.logaddexp(0, -differences),
         "those are all negative, and a loss is not: look at the sign in the lesson's bpr_loss"),
        (lambda: sigmoid(differences), "those are probabilities between 0 and 1 that the rated movie wins, not yet "
                                       "losses: look at what the lesson's bpr_loss does with them"),
        (lambda: np.logaddexp(0, -interaction),
         "the scores leave out the movie bias: the bpr model has a `movie_bias` layer too"),
    ], otherwise="follow the lesson's bpr_loss step by step: each movie's score from the three layers, the "
                 "difference of the two scores, then the loss")


# -- 07.uniform_negative ------------------------------------------------------------------------------------

def judge_uniform_negative(answer, context):
    data = context.data
    users = heaviest_users(data)
    rated = {user: rated_mask(data, user) for user in users}
    draws = sampler_draws(answer, users)
    if draws == sampler_draws(shifted_sampler(rated, data.n_movies), users):
        raise NotYet("your draws come from a range shifted by one: movie index 0 never comes up, and one past the "
                     "last movie can; look at the two bounds you draw between")
    for user, movie in draws:
        if not 0 <= movie < data.n_movies:
            raise NotYet(f"{movie} is no movie index: they run from 0 to {data.n_movies - 1}")
    total = len(draws)
    rated_draws = sum(bool(rated[user][movie]) for user, movie in draws)
    if rated_draws:
        raise NotYet(f"{rated_draws} of {total} draws are movies the user rated in train, which are no negatives: "
                     "look at what your function does when it draws one")
    popular = {user: popular_unrated(data, rated[user]) for user in users}
    share = sum(bool(popular[user][movie]) for user, movie in draws) / total
    expected = float(np.mean([popular[user].sum() / (~rated[user]).sum() for user in users]))
    if share > expected + SAMPLER_SLACK:
        raise NotYet(f"{share:.0%} of your draws are among each user's most-rated tenth of unrated movies, where a "
                     f"uniform draw lands {expected:.0%} of the time: your draws favour popular movies, as drawing "
                     "from the rows of the ratings does; every unrated movie should have the same chance")
    if share < expected - SAMPLER_SLACK or len({movie for _, movie in draws}) < min(50, data.n_movies // 4):
        raise NotYet(f"your {total} draws hit only {len({movie for _, movie in draws})} different movies "
                     f"({share:.0%} among the popular tenth): every unrated movie should have the same chance")


def heaviest_users(data) -> list[int]:
    """The users with the most train ratings: where a sampler that forgets what they rated fails most."""
    sizes = data.train.groupby("user_idx").size().sort_values(ascending=False, kind="stable")
    return [int(user) for user in sizes.index[:SAMPLER_USERS]]


def rated_mask(data, user: int) -> np.ndarray:
    rated = np.zeros(data.n_movies, dtype=bool)
    rated[data.train.movie_idx[data.train.user_idx == user].to_numpy()] = True
    return rated


def popular_unrated(data, rated: np.ndarray) -> np.ndarray:
    """The most-rated :data:`POPULAR_SHARE` of the movies the user did not rate, as a mask."""
    counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)
    unrated = np.flatnonzero(~rated)
    by_count = unrated[np.argsort(-counts[unrated], kind="stable")]
    popular = np.zeros(data.n_movies, dtype=bool)
    popular[by_count[: max(1, int(round(POPULAR_SHARE * len(unrated))))]] = True
    return popular


def sampler_draws(sampler, users: list[int]) -> list[tuple[int, int]]:
    """``SAMPLER_DRAWS`` draws of ``sampler`` for each user, from one seeded generator, as (user, movie) pairs."""
    rng = np.random.default_rng(0)
    draws = []
    for user in users:
        for _ in range(SAMPLER_DRAWS):
            movie = call(sampler, user, rng)
            try:
                draws.append((user, whole_number(movie)))
            except NotYet:
                raise NotYet(f"expected one movie index (a whole number), got {describe(movie)}") from None
    return draws


def shifted_sampler(rated: dict[int, np.ndarray], n_movies: int):
    """The likely slip of drawing between 1 and n_movies instead of 0 and n_movies - 1, redrawing rated movies.

    numpy's ``integers(low, high)`` adds ``low`` to the same draw, so from the same seed this gives exactly
    what a learner's shifted sampler gives, whichever way they wrote the bounds.
    """
    def sample(user, rng):
        movie = int(rng.integers(1, n_movies + 1))
        while movie < n_movies and rated[user][movie]:
            movie = int(rng.integers(1, n_movies + 1))
        return movie
    return sample


# -- 07.ease_weights ----------------------------------------------------------------------------------------

def ease_probe(data) -> np.ndarray:
    """Every user x the ``EASE_MOVIES`` most-rated train movies, as a 0/1 float64 matrix."""
    counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)
    movies = np.argsort(-counts, kind="stable")[:EASE_MOVIES]
    column = np.full(data.n_movies, -1)
    column[movies] = np.arange(len(movies))
    kept = column[data.train.movie_idx.to_numpy()] >= 0
    matrix = np.zeros((data.n_users, len(movies)))
    matrix[data.train.user_idx.to_numpy()[kept], column[data.train.movie_idx.to_numpy()[kept]]] = 1.0
    return matrix


def ease_solution(interactions, l2, *, by_rows=False, zero_diagonal=True, sign=-1.0):
    inverse = np.linalg.inv(interactions.T @ interactions + l2 * np.eye(interactions.shape[1]))
    diagonal = np.diag(inverse)
    weights = sign * (inverse / diagonal[:, None] if by_rows else inverse / diagonal)
    if zero_diagonal:
        np.fill_diagonal(weights, 0.0)
    return weights


def judge_ease_weights(answer, context):
    interactions = ease_probe(context.data)
    n = interactions.shape[1]
    result = call(answer, interactions.copy(), EASE_L2)
    try:
        given = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise NotYet(f"expected a {n} x {n} matrix of weights, got {describe(result)}") from None
    if given.shape != (n, n):
        raise NotYet(f"expected a {n} x {n} matrix (movies x movies) for a users x {n} matrix X, "
                     f"got {describe(given) if given.ndim else 'one number'}")
    expected = ease_solution(interactions, EASE_L2)
    off_diagonal = ~np.eye(n, dtype=bool)
    if (np.any(np.abs(np.diag(given)) > EASE_TOLERANCE)
            and np.all(np.abs(given[off_diagonal] - expected[off_diagonal]) <= EASE_TOLERANCE)):
        raise NotYet(ZERO_DIAGONAL)
    judge_array(given.ravel(), expected.ravel(), EASE_TOLERANCE, [
        (lambda: ease_solution(interactions, EASE_L2, by_rows=True).ravel(),
         "each row is divided by its own diagonal entry, where EASE divides each column by its own: check which "
         "axis the division broadcasts along"),
        (lambda: ease_solution(interactions, EASE_L2, sign=1.0).ravel(), "every weight has the wrong sign"),
        (lambda: ease_solution(interactions, 0.0).ravel(),
         "that leaves out the penalty l2: look at where the lesson adds it before inverting"),
        (lambda: ease_solution(interactions, EASE_L2, zero_diagonal=False).ravel(), ZERO_DIAGONAL),
    ], otherwise="not that: follow the lesson's EASE cell step by step, with this X and l2")


# -- 07.log_q -----------------------------------------------------------------------------------------------

def judge_log_q(answer, context):
    data = context.data
    counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)
    try:
        length = len(answer)
    except TypeError:
        length = None
    if length == len(data.train) and length != data.n_movies:
        raise NotYet("one value per movie (data.n_movies of them), not one per train rating")
    with np.errstate(divide="ignore", invalid="ignore"):
        given = vector(answer, data.n_movies, "values (one per movie)")
        rated = counts > 0  # a movie with no train rating is never in a batch: its value is not checked
        share = counts / len(data.train)
        all_counts = np.bincount(data.ratings.movie_idx, minlength=data.n_movies)
        judge_array(given[rated], np.log(share[rated]), LOG_Q_TOLERANCE, [
            (lambda: np.log(counts[rated]), "those are the logs of each movie's count, not of its share of the "
                                            "train ratings"),
            (lambda: share[rated], "those are the shares themselves, before the log"),
            (lambda: np.log10(share[rated]), "that is a base-10 log: the softmax's logits are natural logs"),
            (lambda: np.log(all_counts[rated] / len(data.ratings)),
             "that counts all ratings, validation and test too: the batches are drawn from train only"),
            (lambda: -np.log(share[rated]), "those are all positive, and the log of a share is not: the minus sign "
                                            "belongs where the correction is subtracted from the logits"),
        ], otherwise="not that: for each movie, its share of the train ratings, and then that share's natural log")


# -- the questionnaire --------------------------------------------------------------------------------------

def judge_bpr_at_zero(answer, context):
    judge_hashed_number("07.q.bpr_at_zero", answer, "76316cb864816c0c", {
        "191db6b57fbb40a7": "that is the model's probability that the rated movie wins, not yet the loss",
        "59679fbd9096e95b": "a loss is not negative: check the sign",
        "b6aff11ce7d068db": "a tie is not a win: the loss is 0 only when the rated movie scores far higher",
        "946cd839ae7ed3c6": "that is a base-10 log: the loss uses the natural log",
    }, otherwise="not that: work through the lesson's bpr_loss for two equal scores, to 4 decimals")


def judge_ease_identity(answer, context):
    judge_choice("07.q.ease_identity", answer, "6bfe48dee0f7a2e8", "abc", {
        "4f30a654cde30b64": "X times the all-zero matrix is all zeros: it rebuilds nothing of X",
        "e1240d980071e75a": "X times XᵀX counts co-ratings; it does not give X back",
    })


EXERCISES = [
    Exercise("07.uniform_negative",
             "A function sample_uniform_negative(user, rng) that returns a movie index drawn uniformly among the "
             "movies the user did not rate in train.", judge_uniform_negative,
             tolerance="no rated movie at all; the share of popular movies within about 5 standard deviations"),
    Exercise("07.bpr_loss",
             "A numpy function bpr_by_hand(users, rated_movies, sampled_movies) giving the BPR loss of each "
             "triple from the trained bpr model's weights, as bpr_loss does.", judge_bpr_loss,
             tolerance=f"within {BPR_TOLERANCE:g} per triple"),
    Exercise("07.log_q",
             "The logQ correction of the two-tower model: for every movie, the log of its share of the train "
             "ratings.", judge_log_q, tolerance=f"within {LOG_Q_TOLERANCE:g} per movie with a train rating"),
    Exercise("07.ease_weights",
             "A numpy function ease_by_hand(X, l2) giving EASE's weights B, with its zero diagonal.",
             judge_ease_weights, tolerance=f"within {EASE_TOLERANCE:g} per weight"),
    Exercise("07.q.bpr_at_zero",
             "What is the BPR loss of a pair whose two scores are equal (d = 0)? (To 4 decimals.)",
             judge_bpr_at_zero, kind=QUESTION),
    Exercise("07.q.ease_identity",
             "Without the constraint diag(B) = 0 and with λ = 0, which B rebuilds X perfectly: (a) the all-zero "
             "matrix, (b) the identity matrix, (c) XᵀX?", judge_ease_identity, kind=QUESTION),
]
