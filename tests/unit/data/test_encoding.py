"""IdMap: MovieLens IDs with gaps to contiguous embedding indices and back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cfcourse.data.encoding import IdMap, encode_ratings

IDS = np.array([193609, 1, 50, 7, 50, 1, 2959])


def test_round_trip():
    id_map = IdMap.fit(IDS)
    np.testing.assert_array_equal(id_map.decode(id_map.encode(IDS)), IDS)


def test_indices_are_contiguous_from_zero():
    id_map = IdMap.fit(IDS)
    assert len(id_map) == 5
    np.testing.assert_array_equal(np.sort(id_map.encode(np.unique(IDS))), np.arange(5))


def test_map_does_not_depend_on_row_order():
    shuffled = np.random.default_rng(0).permutation(IDS)
    np.testing.assert_array_equal(IdMap.fit(shuffled).ids, IdMap.fit(IDS).ids)
    np.testing.assert_array_equal(IdMap.fit(pd.Series(shuffled)).encode(IDS), IdMap.fit(IDS).encode(IDS))


@pytest.mark.parametrize("unknown", [0, 8, 999_999])
def test_unknown_id_raises_key_error_naming_it(unknown):
    with pytest.raises(KeyError, match=rf"ID {unknown} "):
        IdMap.fit(IDS).encode([1, unknown, 7])


def test_encode_ratings_adds_indices_consistent_with_maps():
    ratings = pd.DataFrame({"user": [30, 10, 30, 20], "movie": [500, 7, 7, 90], "rating": [4.0, 3.0, 5.0, 2.5]})

    encoded, users, movies = encode_ratings(ratings)

    pd.testing.assert_frame_equal(encoded[ratings.columns], ratings)
    assert encoded["user_idx"].tolist() == [2, 0, 2, 1]
    assert encoded["movie_idx"].tolist() == [2, 0, 0, 1]
    np.testing.assert_array_equal(users.decode(encoded["user_idx"]), ratings["user"])
    np.testing.assert_array_equal(movies.decode(encoded["movie_idx"]), ratings["movie"])
    assert (len(users), len(movies)) == (3, 3)
