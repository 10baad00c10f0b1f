"""Lesson 06's exercises: judging top-k lists. Context: ``data``; the hit rate also takes the lesson's
``recommended`` (each model's top-k lists, by name) and ``relevant`` mask."""

from __future__ import annotations

import numpy as np

from cfcourse import ranking
from cfcourse.exercises.answers import (call, judge_array, judge_hashed_number, judge_movies, judge_number, number,
                                        vector)
from cfcourse.exercises.definitions import QUESTION, Exercise, NotYet

K = 10
THRESHOLD = 4.0  # the course's protocol: a test rating of 4.0 or more is relevant
PROBE_USERS = 20
#: The model whose lists the hit-rate exercise asks about: on ml-latest-small the bias and dot-product lists
#: reach the same hit rate, so a learner who took the wrong one of those could not be told.
HIT_RATE_MODEL = "neural_net"


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
        (lambda: hits / K, "that is precision@k: look at what recall divides by"),
        (lambda: hits / np.minimum(n_relevant, K),
         "that caps the number of relevant movies at k, a variant some papers use; the lesson's recall does not"),
        (lambda: hits, "that is the number of hits, not a share"),
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
    expected = list(top(train_counts, seen))

    def a_tie_ordered_otherwise(given):
        # Movies with as many train ratings are equally popular: a list that orders them differently, or picks
        # another of them at the last place, is as right as the course's (which breaks ties by the smaller index).
        return (len(set(given)) == len(given) == len(expected) and all(0 <= movie < data.n_movies for movie in given)
                and not seen[given].any() and list(train_counts[given]) == list(train_counts[expected]))

    judge_movies(answer, expected, data.movies, accepted=a_tie_ordered_otherwise, mistakes=[
        (lambda: top(train_counts, np.zeros_like(seen)),
         "that list holds movies user 0 already rated in train or validation: leave those out"),
        (lambda: top(data.movies.n_ratings.to_numpy(), seen),
         "data.movies.n_ratings counts all three splits, test too: popularity counts the training ratings only"),
        (lambda: top(train_counts, seen | rated_by_user(data.test)),
         "movies user 0 rated only in test stay candidates: they are exactly the ones we hope to find"),
        (lambda: top(train_counts, rated_by_user(data.train)),
         "leave out the movies rated in validation too, not only those rated in train"),
    ])


def judge_hit_rate(answer, context):
    relevant = np.asarray(context.relevant, dtype=bool)
    recommended = context.recommended
    hits = ranking.hits_at_k(np.asarray(recommended[HIT_RATE_MODEL]), relevant)
    other_models = [(lambda lists=lists: ranking.hits_at_k(np.asarray(lists), relevant).any(axis=1).mean(),
                     f"that is another model's hit rate (the {name} lists): the exercise asks about the "
                     f"{HIT_RATE_MODEL} lists") for name, lists in recommended.items() if name != HIT_RATE_MODEL]
    judge_number(number(answer), float(hits.any(axis=1).mean()), 1e-9, [
        (lambda: hits.mean(), "that is the mean precision@k: the exercise counts users, not hits"),
        (lambda: hits.any(axis=1).sum(), "that is a number of users, not a share of them"),
        (lambda: hits.sum(axis=1).mean(), "that is the mean number of hits per list: the exercise counts users, "
                                          "not hits"),
        *other_models,
    ])


def judge_recall_example(answer, context):
    judge_hashed_number("06.q.recall_example", answer, "dae1f4e09012749d", {
        "993f9511db39d287": "that is precision@10: look at what recall divides by",
        "4e180d269cdd753c": "that is the number of hits, not a share",
    }, otherwise="not that: re-read the lesson's definition of recall@k")


EXERCISES = [
    Exercise("06.recall_at_k",
             "A function recall_at_k(recommended, relevant) for one user: a list of movie indices, best first, "
             "and the set of that user's relevant movies.", judge_recall_at_k, tolerance="within 1e-9"),
    Exercise("06.popular_list",
             f"The most-popular top-{K} list of the user with user_idx 0 under the lesson's protocol "
             "(movie indices or titles).", judge_popular_list, tolerance="exact"),
    Exercise("06.hit_rate",
             "The share of evaluated users whose neural network's list holds at least one relevant movie "
             "(hit rate@k).",
             judge_hit_rate, tolerance="within 1e-9"),
    Exercise("06.q.recall_example",
             "A list of 10 holds 2 of a user's 4 relevant movies: what is its recall@10?", judge_recall_example,
             kind=QUESTION),
]
