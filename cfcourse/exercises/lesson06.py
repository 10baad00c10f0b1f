"""Lesson 06's exercises: judging top-k lists. Context: ``data``; the hit rate also takes the lesson's
``lists`` (one model's top-k lists) and ``relevant`` mask."""

from __future__ import annotations

import numpy as np

from cfcourse import ranking
from cfcourse.exercises.answers import (call, judge_array, judge_hashed_number, judge_movies, judge_number, number,
                                        vector)
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet

LESSON = "06_evaluate_recommendations"
K = 10
THRESHOLD = 4.0  # the course's protocol: a test rating of 4.0 or more is relevant
PROBE_USERS = 20


def recall_probes(data) -> list[tuple[list[int], set[int]]]:
    """(list, relevant movies) for a few users: each list mixes some of the user's liked test movies with
    movies chosen at random (seeded), shuffled, so hits land at different ranks."""
    liked = data.test[data.test.rating >= THRESHOLD].groupby("user_idx").movie_idx.apply(list)
    rng = np.random.default_rng(0)
    probes = []
    for relevant in list(liked)[:PROBE_USERS]:
        hits = rng.choice(relevant, size=min(len(relevant), int(rng.integers(0, 4))), replace=False).tolist()
        others = [int(m) for m in rng.permutation(data.n_movies) if m not in relevant][: K - len(hits)]
        movies = [int(m) for m in rng.permutation(hits + others)]
        probes.append((movies, {int(m) for m in relevant}))
    return probes


def judge_recall_at_k(answer, context):
    probes = recall_probes(context.data)
    if not probes:
        raise NotYet("this data has no test rating of 4.0 or more, so no list can be judged")
    given = vector([number(call(answer, list(movies), set(relevant))) for movies, relevant in probes],
                   len(probes), "recalls")
    hits = np.array([len(set(movies) & relevant) for movies, relevant in probes], dtype=float)
    n_relevant = np.array([len(relevant) for _, relevant in probes], dtype=float)
    judge_array(given, hits / n_relevant, 1e-9, [
        (lambda: hits / K, "that divides by k, which is precision@k; recall divides by the number of relevant movies"),
        (lambda: hits / np.minimum(n_relevant, K),
         "that divides by min(k, relevant movies); recall divides by all of the user's relevant movies"),
        (lambda: hits, "that is the number of hits; divide it by the number of relevant movies"),
    ])


def judge_popular_list(answer, context):
    data = context.data
    user = 0
    train_counts = np.bincount(data.train.movie_idx, minlength=data.n_movies)

    def rated_by_user(*frames):
        mask = np.zeros(data.n_movies, dtype=bool)
        for frame in frames:
            mask[frame.movie_idx[frame.user_idx == user].to_numpy()] = True
        return mask

    def top(scores, exclude):
        return ranking.top_k_movies(scores[None, :], exclude[None, :], K)[0]

    seen = rated_by_user(data.train, data.val)
    judge_movies(answer, list(top(train_counts, seen)), data.movies.title.to_numpy(), [
        (lambda: top(train_counts, np.zeros_like(seen)),
         "that list holds movies user 0 already rated in train or validation: leave those out"),
        (lambda: top(data.movies.n_ratings.to_numpy(), seen),
         "data.movies.n_ratings counts all three splits, test too: count training ratings only"),
        (lambda: top(train_counts, seen | rated_by_user(data.test)),
         "movies user 0 rated only in test stay candidates: they are exactly the ones we hope to find"),
        (lambda: top(train_counts, rated_by_user(data.train)),
         "leave out the movies rated in validation too, not only those rated in train"),
    ])


def judge_hit_rate(answer, context):
    lists = np.asarray(context.lists)
    hits = ranking.hits_at_k(lists, np.asarray(context.relevant, dtype=bool))
    judge_number(number(answer), float(hits.any(axis=1).mean()), 1e-9, [
        (lambda: hits.mean(), "that is the mean precision@k; count a user once if their list has any hit"),
        (lambda: hits.any(axis=1).sum(), "give a share between 0 and 1: divide by the number of users"),
        (lambda: hits.sum(axis=1).mean(), "that is the mean number of hits per list; count a user once if their "
                                          "list has any hit"),
    ])


def judge_recall_example(answer, context):
    judge_hashed_number("06.q.recall_example", answer, "dae1f4e09012749d", {
        "993f9511db39d287": "that divides by k, which is precision@10; recall divides by the relevant movies",
        "4e180d269cdd753c": "that is the number of hits; divide by the number of relevant movies",
    }, otherwise="not that: the hits in the list divided by the user's relevant movies")


EXERCISES = [
    Exercise("06.recall_at_k", LESSON,
             "A function recall_at_k(recommended, relevant) for one user: a list of movie indices, best first, "
             "and the set of that user's relevant movies.", judge_recall_at_k, tolerance="within 1e-9"),
    Exercise("06.popular_list", LESSON,
             f"The most-popular top-{K} list of the user with user_idx 0 under the lesson's protocol "
             "(movie indices or titles).", judge_popular_list, tolerance="exact"),
    Exercise("06.hit_rate", LESSON,
             "The share of evaluated users whose bias-model list holds at least one relevant movie (hit rate@k).",
             judge_hit_rate, tolerance="within 1e-9"),
    Exercise("06.q.recall_example", LESSON,
             "A list of 10 holds 2 of a user's 4 relevant movies: what is its recall@10?", judge_recall_example,
             kind=QUESTION),
]
