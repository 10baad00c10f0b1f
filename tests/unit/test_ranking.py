"""The ranking metrics of lesson 06: hand-computed cases, a brute-force top-k, and scikit-learn's NDCG."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cfcourse.ranking import (
    NO_MOVIE,
    catalogue_coverage,
    evaluate_rankings,
    hits_at_k,
    mean_popularity,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    top_k_movies,
)

NOTHING_EXCLUDED = np.zeros((1, 5), dtype=bool)


def test_ties_go_to_the_smaller_movie_index():
    scores = np.array([[2.0, 5.0, 5.0, 1.0, 5.0]])
    assert top_k_movies(scores, NOTHING_EXCLUDED, 2).tolist() == [[1, 2]]
    assert top_k_movies(scores, NOTHING_EXCLUDED, 4).tolist() == [[1, 2, 4, 0]]


def test_excluded_movies_are_never_recommended_however_high_their_score():
    scores = np.array([[9.0, 1.0, 8.0, 2.0, 3.0]])
    exclude = np.array([[True, False, True, False, False]])
    assert top_k_movies(scores, exclude, 3).tolist() == [[4, 3, 1]]


def test_fewer_candidates_than_k_leaves_empty_places_that_count_as_misses():
    scores = np.array([[0.1, 0.9, 0.5, 0.7]])
    exclude = np.array([[True, False, True, False]])
    recommended = top_k_movies(scores, exclude, 3)
    assert recommended.tolist() == [[1, 3, NO_MOVIE]]
    relevant = np.array([[False, False, False, True]])  # the only relevant movie, at rank 2
    hits = hits_at_k(recommended, relevant)
    assert hits.tolist() == [[False, True, False]]
    assert precision_at_k(hits).tolist() == [1 / 3]
    assert recall_at_k(hits, [1]).tolist() == [1.0]
    # DCG = 1/log2(3); the ideal list has its one hit at rank 1, DCG 1.
    assert ndcg_at_k(hits, [1])[0] == pytest.approx(1 / math.log2(3))


def test_a_catalogue_smaller_than_k_still_gives_k_places():
    recommended = top_k_movies(np.array([[0.3, 0.2]]), np.zeros((1, 2), dtype=bool), 4)
    assert recommended.tolist() == [[0, 1, NO_MOVIE, NO_MOVIE]]
    assert precision_at_k(hits_at_k(recommended, [[True, True]])).tolist() == [0.5]


def test_a_nan_score_or_an_empty_list_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        top_k_movies(np.array([[0.5, np.nan, 0.1, 0.2, 0.3]]), NOTHING_EXCLUDED, 2)
    with pytest.raises(ValueError, match="at least one movie"):
        top_k_movies(np.ones((1, 5)), NOTHING_EXCLUDED, 0)


def test_an_empty_place_is_not_read_as_the_last_movie():
    relevant = np.array([[False, False, True]])
    assert hits_at_k(np.array([[NO_MOVIE, 2]]), relevant).tolist() == [[False, True]]


def test_a_user_with_more_relevant_movies_than_k():
    # 4 relevant movies, k = 2: a hit at rank 1 and a miss at rank 2.
    hits = np.array([[True, False]])
    assert precision_at_k(hits).tolist() == [0.5]
    assert recall_at_k(hits, [4]).tolist() == [0.25]
    # The ideal list holds min(4, 2) = 2 hits: DCG 1 + 1/log2(3).
    assert ndcg_at_k(hits, [4])[0] == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert ndcg_at_k(np.array([[True, True]]), [4])[0] == pytest.approx(1.0)


def test_ndcg_rewards_the_same_hit_more_at_a_higher_rank():
    hit_first, hit_third = ndcg_at_k(np.array([[True, False, False], [False, False, True]]), [1, 1])
    assert hit_first == pytest.approx(1.0)
    assert hit_third == pytest.approx(0.5)  # 1 / log2(3 + 1)


def test_coverage_and_mean_popularity_by_hand():
    recommended = np.array([[0, 2, NO_MOVIE], [2, 3, 0]])
    assert catalogue_coverage(recommended, n_movies=6) == pytest.approx(3 / 6)
    train_ratings_per_movie = np.array([10, 99, 4, 1, 99, 99])
    # Five filled places: movies 0, 2, 2, 3, 0.
    assert mean_popularity(recommended, train_ratings_per_movie) == pytest.approx((10 + 4 + 4 + 1 + 10) / 5)


def test_evaluate_rankings_averages_over_users():
    recommended = np.array([[0, 1], [2, 3]])
    relevant = np.array([[True, False, False, False], [False, False, False, True]])
    result = evaluate_rankings(recommended, relevant, np.array([4, 3, 2, 1]))
    assert result == pytest.approx({
        "precision": (0.5 + 0.5) / 2,
        "recall": (1.0 + 1.0) / 2,
        "ndcg": (1.0 + 1 / math.log2(3)) / 2,
        "coverage": 1.0,
        "mean_popularity": 2.5,
    })


def test_evaluate_rankings_refuses_a_user_with_nothing_relevant():
    with pytest.raises(ValueError, match="at least one relevant"):
        evaluate_rankings(np.array([[0, 1]]), np.zeros((1, 3), dtype=bool), np.ones(3))


def sorted_by_score_then_index(scores, exclude, k):
    """Top-k lists the slow, obvious way: sort each user's candidates by (-score, movie index)."""
    lists = []
    for user_scores, user_exclude in zip(scores, exclude):
        candidates = sorted((-score, movie) for movie, score in enumerate(user_scores) if not user_exclude[movie])
        ranked = [movie for _, movie in candidates[:k]]
        lists.append(ranked + [NO_MOVIE] * (k - len(ranked)))
    return lists


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("k", [1, 3, 10, 30])
def test_top_k_matches_sorting_each_user_by_score_then_index(seed, k):
    generator = np.random.default_rng(seed)
    # Few distinct scores, so ties are everywhere, and many users with fewer than k candidates.
    scores = generator.integers(0, 4, size=(60, 25)).astype(float)
    exclude = generator.random((60, 25)) < generator.uniform(0, 1, size=(60, 1))
    exclude[0] = True  # a user who rated every movie already
    assert top_k_movies(scores, exclude, k).tolist() == sorted_by_score_then_index(scores, exclude, k)


def random_ranking_problem(seed: int, n_users=200, n_movies=60):
    """Random scores, excluded (already rated) movies, and relevant movies among the others."""
    generator = np.random.default_rng(seed)
    scores = generator.normal(size=(n_users, n_movies))
    exclude = generator.random((n_users, n_movies)) < 0.5
    relevant = (generator.random((n_users, n_movies)) < 0.15) & ~exclude
    keep = relevant.any(axis=1)
    return scores[keep], exclude[keep], relevant[keep]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("k", [1, 5, 10, 40])
def test_ndcg_agrees_with_scikit_learn(seed, k):
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    scores, exclude, relevant = random_ranking_problem(seed)
    hits = hits_at_k(top_k_movies(scores, exclude, k), relevant)
    ours = ndcg_at_k(hits, relevant.sum(axis=1)).mean()
    # scikit-learn ranks every column; excluded movies are never relevant, so scoring them below
    # every candidate leaves both DCG and the ideal DCG exactly as when they are left out.
    below_every_candidate = scores.min() - 1
    theirs = sklearn_metrics.ndcg_score(relevant.astype(int), np.where(exclude, below_every_candidate, scores),
                                        k=k, ignore_ties=True)
    assert ours == pytest.approx(theirs, rel=1e-12)
