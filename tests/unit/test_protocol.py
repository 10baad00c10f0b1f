"""Lesson 06's protocol (cfcourse.protocol): who is judged, their candidates and their relevant movies."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from cfcourse.protocol import Protocol

DATA = SimpleNamespace(n_users=4, n_movies=5)


def ratings(*triples):
    return pd.DataFrame(triples, columns=["user_idx", "movie_idx", "rating"])


FIT = ratings((0, 0, 5.0), (1, 1, 3.0), (1, 2, 4.0), (3, 4, 1.0))
HELD_OUT = ratings((0, 1, 2.0), (2, 2, 5.0))
TARGET = ratings((0, 3, 4.0), (0, 4, 3.5), (1, 0, 5.0), (2, 4, 4.5), (3, 1, 2.0))


def test_users_with_a_liked_target_movie_are_judged_on_it_among_what_they_did_not_rate():
    protocol = Protocol(DATA, FIT, TARGET, also_excluded=[HELD_OUT], threshold=4.0, max_users=10, seed=1)

    assert protocol.users.tolist() == protocol.qualifying.tolist() == [0, 1, 2]  # user 3 liked nothing
    assert protocol.exclude.tolist() == [[True, True, False, False, False],     # fit and held out
                                         [False, True, True, False, False],
                                         [False, False, True, False, False]]
    assert protocol.relevant.tolist() == [[False, False, False, True, False],   # 3.5 is below the threshold
                                          [True, False, False, False, False],
                                          [False, False, False, False, True]]
    assert protocol.ratings_per_movie.tolist() == [1, 1, 1, 0, 1]


def test_more_qualifying_users_than_max_users_gives_a_seeded_sorted_sample():
    samples = {seed: Protocol(DATA, FIT, TARGET, threshold=4.0, max_users=2, seed=seed).users.tolist()
               for seed in range(20)}

    assert all(len(users) == 2 and users == sorted(users) and set(users) <= {0, 1, 2} for users in samples.values())
    assert Protocol(DATA, FIT, TARGET, threshold=4.0, max_users=2, seed=3).users.tolist() == samples[3]
    assert len({tuple(users) for users in samples.values()}) > 1
    protocol = Protocol(DATA, FIT, TARGET, threshold=4.0, max_users=2, seed=3)
    assert protocol.exclude.shape == protocol.relevant.shape == (2, DATA.n_movies)
    assert np.array_equal(protocol.relevant.any(axis=1), [True, True])
