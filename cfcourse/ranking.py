"""Judging recommendations the way a user meets them: as a short ranked list.

Lesson 06 scores every candidate movie for every user, keeps each user's top ``k``
and asks how good those lists are. The functions here do the counting; each works
on whole arrays at once, one row per user, so no Python loop runs over users or movies.

The shapes they share:

- ``scores``, ``exclude`` and ``relevant``: ``(n_users, n_movies)``, one column per
  encoded movie index;
- ``recommended``: ``(n_users, k)`` movie indices, best first, padded with
  :data:`NO_MOVIE` where a user had fewer than ``k`` candidates;
- ``hits``: ``(n_users, k)`` booleans, ``True`` where the movie at that rank is relevant.

The metrics follow the usual definitions (as in recommenders-team/recommenders,
``python_evaluation.py``), with binary relevance. For one user with ``R`` relevant
movies and hits ``h_1 .. h_k`` (1 or 0 at ranks 1 to ``k``)::

    precision@k = (h_1 + ... + h_k) / k
    recall@k    = (h_1 + ... + h_k) / R
    DCG@k       = sum over ranks r of h_r / log2(r + 1)
    NDCG@k      = DCG@k / (DCG@k of a perfect list: min(R, k) hits at the top)
"""

from __future__ import annotations

import numpy as np

#: The movie index that fills a list's empty places when a user had fewer than ``k`` candidates.
NO_MOVIE = -1


def top_k_movies(scores, exclude, k: int) -> np.ndarray:
    """Each row's ``k`` highest-scoring movies that ``exclude`` does not mark, best first.

    Ties go to the smaller movie index, so the lists never depend on how a sort
    happened to order equal scores. A row with fewer than ``k`` candidates is
    padded with :data:`NO_MOVIE`.

    Sorting thousands of movies to keep ten wastes most of the work, so this
    works in two steps: choose each row's ``k`` movies, then sort only those.
    """
    scores = np.asarray(scores, dtype=np.float64)
    exclude = np.asarray(exclude, dtype=bool)
    if scores.shape != exclude.shape:
        raise ValueError(f"scores {scores.shape} and exclude {exclude.shape} must have the same shape")
    if k < 1:
        raise ValueError(f"a list holds at least one movie, got k={k}")
    # A NaN is neither better nor worse than any score, so it has no place in a ranking
    # (a model that diverged in training predicts NaN).
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN: the model that made them is broken")
    n_users, n_movies = scores.shape
    places = min(k, n_movies)
    # Smaller is better: the negated score, and +inf for an excluded movie, so that one is only
    # ever chosen to fill a place no candidate can take (it then becomes NO_MOVIE below).
    key = np.where(exclude, np.inf, -scores)

    # Step 1, choose a few movies per row that surely hold its k best. Cut each row into blocks and
    # take each block's best key: the k-th best of those block bests is a bound that at least k
    # movies reach, so every movie of the row's top k has a key no larger. Only the movies within
    # the bound (usually a few dozen) go on to step 2; finding them takes two passes over the row,
    # cheaper than np.partition.
    blocks = min(n_movies, max(places, 128))
    starts = np.linspace(0, n_movies, blocks, endpoint=False).astype(np.intp)
    block_best = np.minimum.reduceat(key, starts, axis=1)
    bound = np.partition(block_best, places - 1, axis=1)[:, [places - 1]]
    rows, movies = np.nonzero(key <= bound)

    # Step 2, order each row's chosen movies by key, then by movie index (ties go to the smaller
    # index), and keep the first k. np.nonzero lists the movies row by row, so each row's movies
    # start where the previous row's end.
    order = np.lexsort((movies, key[rows, movies], rows))
    per_row = np.bincount(rows, minlength=n_users)
    first = np.cumsum(per_row) - per_row
    ranked = movies[order][first[:, None] + np.arange(places)]

    # Always k columns, even in a catalogue of fewer than k movies, so that precision divides by k.
    recommended = np.full((n_users, k), NO_MOVIE)
    is_candidate = ~np.take_along_axis(exclude, ranked, axis=1)
    recommended[:, :places] = np.where(is_candidate, ranked, NO_MOVIE)
    return recommended


def hits_at_k(recommended, relevant) -> np.ndarray:
    """``True`` where the recommended movie is one of that user's relevant movies."""
    recommended = np.asarray(recommended)
    relevant = np.asarray(relevant, dtype=bool)
    # NO_MOVIE (-1) would index the last column; look it up safely, then mark it as no hit.
    looked_up = np.take_along_axis(relevant, np.maximum(recommended, 0), axis=1)
    return looked_up & (recommended != NO_MOVIE)


def precision_at_k(hits) -> np.ndarray:
    """Per user: hits / k. An empty place in a short list counts as a miss."""
    hits = np.asarray(hits, dtype=bool)
    return hits.sum(axis=1) / hits.shape[1]


def recall_at_k(hits, n_relevant) -> np.ndarray:
    """Per user: hits / number of relevant movies (every user must have at least one)."""
    return np.asarray(hits, dtype=bool).sum(axis=1) / np.asarray(n_relevant)


def discounts(k: int) -> np.ndarray:
    """``1 / log2(rank + 1)`` for ranks 1 to ``k``: a hit at rank 1 counts 1, at rank 3 counts 0.5."""
    return 1.0 / np.log2(np.arange(1, k + 1) + 1)


def ndcg_at_k(hits, n_relevant) -> np.ndarray:
    """Per user: DCG of the list over DCG of a perfect list with min(relevant, k) hits at the top."""
    hits = np.asarray(hits, dtype=bool)
    k = hits.shape[1]
    weights = discounts(k)
    dcg = hits @ weights
    # cumsum(weights)[n - 1] is the DCG of n hits in the first n places.
    ideal_dcg = np.cumsum(weights)[np.minimum(np.asarray(n_relevant), k) - 1]
    return dcg / ideal_dcg


def catalogue_coverage(recommended, n_movies: int) -> float:
    """Share of all ``n_movies`` movies that appear in at least one of the lists."""
    recommended = np.asarray(recommended)
    return len(np.unique(recommended[recommended != NO_MOVIE])) / n_movies


def mean_popularity(recommended, train_ratings_per_movie) -> float:
    """Mean number of train ratings per recommended movie.

    The mean runs over every filled place of every list (all user-movie pairs
    recommended), not over users first: a user with a short list weighs less.
    With ``k`` movies for every user the two readings agree.
    """
    recommended = np.asarray(recommended)
    return float(np.asarray(train_ratings_per_movie)[recommended[recommended != NO_MOVIE]].mean())


def evaluate_rankings(recommended, relevant, train_ratings_per_movie) -> dict[str, float]:
    """All five numbers for one model's lists; precision, recall and NDCG are means over the users.

    Every row of ``recommended`` and ``relevant`` is one evaluated user, who has
    at least one relevant movie.
    """
    relevant = np.asarray(relevant, dtype=bool)
    n_relevant = relevant.sum(axis=1)
    if not n_relevant.all():
        raise ValueError("every evaluated user needs at least one relevant movie")
    hits = hits_at_k(recommended, relevant)
    return {
        "precision": float(precision_at_k(hits).mean()),
        "recall": float(recall_at_k(hits, n_relevant).mean()),
        "ndcg": float(ndcg_at_k(hits, n_relevant).mean()),
        "coverage": catalogue_coverage(recommended, relevant.shape[1]),
        "mean_popularity": mean_popularity(recommended, train_ratings_per_movie),
    }
