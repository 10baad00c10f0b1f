"""Turn MovieLens IDs into contiguous indices an embedding layer can use.

An ``Embedding(input_dim=n)`` layer looks rows up by index ``0 .. n-1``, but
MovieLens IDs have gaps (ml-latest-small's movie IDs run up to 193,609 for
9,724 rated movies). Encoding maps each distinct ID to its position, and keeps
the map so predictions can be translated back to users and titles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IdMap:
    """A bijection between original IDs and indices ``0 .. len-1``.

    ``ids[i]`` is the original ID of index ``i``; :meth:`encode` goes the other way.
    """

    ids: np.ndarray

    @classmethod
    def fit(cls, values: pd.Series | np.ndarray) -> "IdMap":
        """The map of the distinct values, in increasing ID order (so it does not depend on row order)."""
        return cls(np.unique(np.asarray(values)))

    def __len__(self) -> int:
        return len(self.ids)

    def encode(self, values) -> np.ndarray:
        """Indices of ``values``; raises ``KeyError`` naming the first ID the map has never seen."""
        values = np.asarray(values)
        positions = np.searchsorted(self.ids, values)
        positions = np.clip(positions, 0, len(self.ids) - 1)
        unknown = self.ids[positions] != values
        if unknown.any():
            # .item(): numpy 2 would show the ID as ``np.int64(8)``.
            raise KeyError(f"ID {values[unknown][0].item()!r} is not in this map of {len(self)} IDs")
        return positions

    def decode(self, indices) -> np.ndarray:
        """Original IDs of ``indices``."""
        return self.ids[np.asarray(indices)]


def encode_ratings(ratings: pd.DataFrame) -> tuple[pd.DataFrame, IdMap, IdMap]:
    """Add ``user_idx`` and ``movie_idx`` columns; return the frame and the user and movie maps."""
    users, movies = IdMap.fit(ratings["user"]), IdMap.fit(ratings["movie"])
    # int32 indices (what the models' inputs take) and no copy of the rating columns: at 25 million
    # ratings, each copy of the table is most of a gigabyte.
    indices = pd.DataFrame({"user_idx": users.encode(ratings["user"]).astype(np.int32),
                            "movie_idx": movies.encode(ratings["movie"]).astype(np.int32)}, index=ratings.index)
    encoded = pd.concat([ratings, indices], axis=1, copy=False)
    return encoded, users, movies
