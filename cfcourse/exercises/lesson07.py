"""Lesson 07's exercises: training for the list. Context: ``data``; the BPR loss also takes the lesson's
trained ``model`` (``bpr``: layers ``users``, ``movies`` and ``movie_bias``)."""

from __future__ import annotations

import numpy as np

from cfcourse.exercises.answers import (call, describe, judge_array, judge_choice, judge_hashed_number, vector,
                                        whole_number)
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet, Question
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

#: The Exercises' first cell, under its heading, and the code cell under it.
INTRO = """
Each exercise below has a cell to fill in: replace the `...` with your answer and run the cell. `check`
then says `correct`, or `not yet` with a hint, or `not attempted` while the `...` is still there. It
computes the expected answer from this lesson's `data` and models. Worked solutions wait at the very end
of the notebook, folded under **Solutions**: try first.
"""
SETUP = """
import numpy as np

from cfcourse.exercises import check
"""


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


BPR_LOSS = Exercise(
    "07.bpr_loss", judge_bpr_loss, title="The BPR loss by hand", prompt=f"""
Write a numpy function `bpr_by_hand(users, rated_movies, sampled_movies)`
that gives, for each triple, the BPR loss of the trained `bpr` model: score each movie as the lesson's
model does, from the weights of its layers `users`, `movies` and `movie_bias`, and return one loss per
triple, as `bpr_loss` does. The check tries it on the first {PROBE_PAIRS} train ratings, each with a sampled movie.
""", stub="""
bpr_by_hand = ...  # a function: bpr_by_hand(users, rated_movies, sampled_movies) -> one loss per triple
check("07.bpr_loss", bpr_by_hand, data=data, model=bpr)
""", solution_text="""
A movie's score is the user vector times the movie vector plus the movie's bias; `d` is the rated
movie's score less the sampled one's, and the loss is `-log sigmoid(d)`, which `np.logaddexp(0, -d)`
computes without overflow (as `softplus(-d)` does in `bpr_loss`).
""", solution_code="""
bpr_users, bpr_movies, bpr_bias = (bpr.get_layer(name).get_weights()[0] for name in ("users", "movies", "movie_bias"))


def bpr_loss_by_hand(users, rated_movies, sampled_movies):
    def score(movies):
        return np.sum(bpr_users[users] * bpr_movies[movies], axis=1) + bpr_bias[movies, 0]
    return np.logaddexp(0, -(score(rated_movies) - score(sampled_movies)))


check("07.bpr_loss", bpr_loss_by_hand, data=data, model=bpr, solution=True)
""")


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


UNIFORM_NEGATIVE = Exercise(
    "07.uniform_negative", judge_uniform_negative, title="A uniform negative", prompt=f"""
Write `sample_uniform_negative(user, rng)`: it returns one movie index,
drawn with the same chance for every movie that `user` did *not* rate in `data.train`, using the numpy
generator `rng`. The check draws {SAMPLER_DRAWS} negatives for each of the five users with the most train ratings:
none may be a movie they rated, and popular movies may come up no more often than the others.
""", stub="""
sample_uniform_negative = ...  # a function: sample_uniform_negative(user, rng) -> a movie index
check("07.uniform_negative", sample_uniform_negative, data=data)
""", solution_text="""
Draw a movie index uniformly with `rng.integers`, and draw again while it is one the user rated:
each unrated movie keeps the same chance. (Drawing the movie of a random train rating instead would
favour popular movies: that is sampling by popularity.)
""", solution_code="""
rated_in_train = data.train.groupby("user_idx").movie_idx.apply(set)


def uniform_negative(user, rng):
    movie = int(rng.integers(data.n_movies))
    while movie in rated_in_train.get(user, set()):
        movie = int(rng.integers(data.n_movies))
    return movie


check("07.uniform_negative", uniform_negative, data=data, solution=True)
""")


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


EASE_WEIGHTS = Exercise(
    "07.ease_weights", judge_ease_weights, title="EASE by hand", prompt=f"""
Write `ease_by_hand(X, l2)` in numpy: for a users x movies 0/1 matrix `X`, EASE's
movies x movies weights `B`, with its zero diagonal. The check tries it on a small `X` made from this
dataset's train ratings (every user, the {EASE_MOVIES} most-rated movies).
""", stub="""
ease_by_hand = ...  # a function: ease_by_hand(X, l2) -> a movies x movies matrix
check("07.ease_weights", ease_by_hand, data=data)
""", solution_text="""
`P` is the inverse of `XᵀX + λI`; `B = -P / diag(P)` divides each column by its diagonal entry
(numpy's broadcasting does exactly that), then the diagonal is set to 0, the constraint that stops a
movie from predicting itself.
""", solution_code="""
def ease_weights_by_hand(interactions, l2):
    inverse = np.linalg.inv(interactions.T @ interactions + l2 * np.eye(interactions.shape[1]))
    weights = -inverse / np.diag(inverse)
    np.fill_diagonal(weights, 0.0)
    return weights


check("07.ease_weights", ease_weights_by_hand, data=data, solution=True)
""")


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


LOG_Q = Exercise(
    "07.log_q", judge_log_q, title="The logQ correction", prompt="""
The two-tower model subtracts from each logit the log of its movie's
chance of being in a batch. Give that value for every movie: the log of its share of the train
ratings, an array of `data.n_movies` values. (A movie with no train rating is never in a batch; its
value is not checked.)
""", stub="""
log_q = ...  # data.n_movies values
check("07.log_q", log_q, data=data)
""", solution_text="""
Each movie's number of train ratings over the number of train ratings is its share, the chance
that a random train rating, and so a place in a batch, is that movie's; the correction is its natural log.
""", solution_code="""
with np.errstate(divide="ignore"):  # movies with no train rating: log(0) = -inf, never used
    log_q_of_movies = np.log(np.bincount(data.train.movie_idx, minlength=data.n_movies) / len(data.train))
check("07.log_q", log_q_of_movies, data=data, solution=True)
""")


# -- the questionnaire --------------------------------------------------------------------------------------

def judge_bpr_at_zero(answer, context):
    judge_hashed_number("07.q.bpr_at_zero", answer, "76316cb864816c0c", {
        "191db6b57fbb40a7": "that is the model's probability that the rated movie wins, not yet the loss",
        "59679fbd9096e95b": "a loss is not negative: check the sign",
        "b6aff11ce7d068db": "a tie is not a win: the loss is 0 only when the rated movie scores far higher",
        "946cd839ae7ed3c6": "that is a base-10 log: the loss uses the natural log",
    }, otherwise="not that: work through the lesson's bpr_loss for two equal scores, to 4 decimals")


BPR_AT_ZERO = Exercise(
    "07.q.bpr_at_zero", judge_bpr_at_zero, kind=QUESTION, prompt="""
What is the BPR loss of a pair whose two scores are equal (d = 0)? (A number, to 4 decimals.)
""", stub="""
bpr_at_zero = ...
check("07.q.bpr_at_zero", bpr_at_zero, data=data)
""", solution_text="""
`sigmoid(0) = 0.5`, so the loss is `-log 0.5 = log 2`, about **0.6931**: a tie is half a win.
""", solution_code="""
check("07.q.bpr_at_zero", float(np.log(2)), data=data, solution=True)
""")


def judge_ease_identity(answer, context):
    judge_choice("07.q.ease_identity", answer, "6bfe48dee0f7a2e8", "abc", {
        "4f30a654cde30b64": "X times the all-zero matrix is all zeros: it rebuilds nothing of X",
        "e1240d980071e75a": "X times XᵀX counts co-ratings; it does not give X back",
    })


EASE_IDENTITY = Exercise(
    "07.q.ease_identity", judge_ease_identity, kind=QUESTION, prompt="""
Without the constraint diag(B) = 0 and with λ = 0, which `B` rebuilds `X` perfectly: (a) the
all-zero matrix, (b) the identity matrix, (c) XᵀX?
""", stub="""
ease_identity = ...  # "a", "b" or "c"
check("07.q.ease_identity", ease_identity, data=data)
""", solution_text="""
**(b)** the identity: `X @ I = X`, each movie predicting itself, which is useless for unrated movies.
The zero diagonal forbids exactly that and forces each movie to be predicted from the *other* movies.
""", solution_code="""
check("07.q.ease_identity", "b", data=data, solution=True)
""")


#: The questionnaire, in the order asked: its checked questions are exercises above.
QUESTIONNAIRE = [
    Question("Why can a model trained only on the pairs users rated make poor lists, however good its RMSE?", """
Its loss is a sum over rated pairs only, so it never learns how to score the thousands of unrated
movies a list is made from; and *which* movies a user rates says more about their next hit than the
stars they give.
"""),
    BPR_AT_ZERO,
    Question("""
Why must a sampled negative never be a movie the user rated in train, and why may it be one they
rated in test?
""", """
A movie the user rated in train is a positive: teaching the model to score it below others fights
the positives. The sampler may only know train; a movie rated only in test is, to it, just an unrated
movie, and avoiding test movies would leak the test set into training.
"""),
    Question("""
In an in-batch softmax, why are popular movies pushed down too hard, and what does subtracting
log Q do about it?
""", """
Every movie of a batch is a negative for the other users of the batch, and popular movies are in
batches far more often, so they are pushed down far more often than a uniform sample would. Subtracting
log Q, the log of each movie's chance of being sampled, lowers popular movies' logits in the loss, so the
model need not lower their scores to make up for it.
"""),
    EASE_IDENTITY,
    Question("""
Why does every model, most popular too, score lower on each user's latest ratings than on a random
split?
""", """
On a random split, a user's test movies come from the same periods and sessions as their train
movies. The latest ratings lie in their future: new films, changed tastes, things no model has seen
them near, and popularity itself changes over time.
"""),
    Question("How does fold-in give a new user a list without retraining the model?", """
The movie table stays frozen: the user's vector alone is fitted to their rated movies, a ridge
regression with a closed form, `(VᵀV + λI)⁻¹ Vᵀ y`, which takes milliseconds; EASE needs no user
vector at all, only the user's row of `X` times `B`.
"""),
]

#: Every exercise of the lesson, in the order its notebook asks them.
EXERCISES = [UNIFORM_NEGATIVE, BPR_LOSS, LOG_Q, EASE_WEIGHTS, BPR_AT_ZERO, EASE_IDENTITY]
