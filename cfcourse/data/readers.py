"""Read each MovieLens file format into the same columns.

Whatever the edition, :func:`read_ratings` returns one row per rating with the
columns ``user``, ``movie``, ``rating`` and ``timestamp`` (the IDs as GroupLens
numbers them), :func:`read_movies` returns ``movie`` and ``title``, and :func:`read_genres` returns
``movie`` and ``genres`` (names joined by ``|``, empty where none is listed).

Three formats exist:

- ``csv``: UTF-8 CSV with a header (ml-latest-small, ml-25m, ml-32m), e.g.
  ``userId,movieId,rating,timestamp`` and ``movieId,title,genres``;
- ``100k``: ``u.data`` tab-separated without a header, and ``u.item``
  ``|``-separated in latin-1 (ml-100k);
- ``dat``: ``::``-separated ``ratings.dat`` and ``movies.dat`` (ml-1m), latin-1.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from cfcourse.data.datasets import DatasetSpec

RATING_COLUMNS = ["user", "movie", "rating", "timestamp"]
MOVIE_COLUMNS = ["movie", "title"]
#: Four bytes per ID and rating, so 25 million ratings take 400 MB, not 800 MB (half stars are exact in float32).
_RATING_DTYPES = {"user": "int32", "movie": "int32", "rating": "float32", "timestamp": "int64"}


def _read_csv_ratings(path: Path) -> pd.DataFrame:
    # pyarrow's parser reads ml-25m's 25 million rows in seconds on all cores, typed as it goes;
    # pandas' own takes about a minute.
    frame = pd.read_csv(path, encoding="utf-8", engine="pyarrow",
                        dtype={"userId": "int32", "movieId": "int32", "rating": "float32", "timestamp": "int64"})
    return frame.rename(columns={"userId": "user", "movieId": "movie"})


def _read_csv_movies(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, encoding="utf-8")
    return frame.rename(columns={"movieId": "movie"})


def _read_100k_ratings(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", header=None, names=RATING_COLUMNS, dtype=_RATING_DTYPES)


def _read_100k_movies(path: Path) -> pd.DataFrame:
    # u.item has 24 columns; the first two are the ID and the title. Fields are never quoted, so a
    # title that starts with '"' must be read as it is, not as the start of a quoted field.
    return pd.read_csv(
        path, sep="|", header=None, encoding="latin-1", usecols=[0, 1], names=MOVIE_COLUMNS, quoting=csv.QUOTE_NONE
    )


def _read_dat_ratings(path: Path) -> pd.DataFrame:
    # A two-character separator needs the python engine; the C engine takes one character only.
    return pd.read_csv(path, sep="::", header=None, names=RATING_COLUMNS, engine="python", encoding="latin-1")


def _read_dat_movies(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path, sep="::", header=None, names=["movie", "title", "genres"], engine="python", encoding="latin-1"
    )


#: ml-100k's 19 genres, in the order of u.item's 0/1 columns (its u.genre file lists them so).
GENRES_100K = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
               "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]
#: What the csv files write for a movie with no genre.
NO_GENRES = "(no genres listed)"


def _read_100k_genres(path: Path) -> pd.DataFrame:
    flags = pd.read_csv(path, sep="|", header=None, encoding="latin-1", quoting=csv.QUOTE_NONE,
                        usecols=[0, *range(5, 5 + len(GENRES_100K))])
    names = pd.Series(GENRES_100K)
    genres = ["|".join(names[row.astype(bool)]) for row in flags.iloc[:, 1:].to_numpy()]
    return pd.DataFrame({"movie": flags[0], "genres": genres})


#: For each format, the function that reads the genres of its movies file.
GENRE_READERS = {
    "csv": lambda path: _read_csv_movies(path)[["movie", "genres"]],
    "100k": _read_100k_genres,
    "dat": lambda path: _read_dat_movies(path)[["movie", "genres"]],
}


#: For each format, the function that reads its ratings file and the one that reads its movies file.
READERS = {
    "csv": (_read_csv_ratings, _read_csv_movies),
    "100k": (_read_100k_ratings, _read_100k_movies),
    "dat": (_read_dat_ratings, _read_dat_movies),
}


def read_ratings(spec: DatasetSpec, raw_root: Path) -> pd.DataFrame:
    """The ratings of ``spec`` extracted under ``raw_root`` (``data/raw``): user, movie, rating, timestamp."""
    read, _ = READERS[spec.format]
    frame = read(Path(raw_root) / spec.ratings_file)
    return frame[RATING_COLUMNS].astype(_RATING_DTYPES)


def read_movies(spec: DatasetSpec, raw_root: Path) -> pd.DataFrame:
    """The movie titles of ``spec`` extracted under ``raw_root``: movie, title."""
    _, read = READERS[spec.format]
    frame = read(Path(raw_root) / spec.movies_file)
    return frame[MOVIE_COLUMNS].astype({"movie": "int32", "title": "str"})


def read_genres(spec: DatasetSpec, raw_root: Path) -> pd.DataFrame:
    """The genres of the movies of ``spec`` extracted under ``raw_root``: movie, genres (``"Action|Comedy"``;
    an empty string where the file lists none)."""
    frame = GENRE_READERS[spec.format](Path(raw_root) / spec.movies_file)
    genres = frame["genres"].fillna("").astype("str").replace(NO_GENRES, "")
    return pd.DataFrame({"movie": frame["movie"].astype("int32"), "genres": genres})
