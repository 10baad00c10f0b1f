"""Every MovieLens file format read into the same columns, from small files written here in each format,
then from the real archives of the local mirror where it is there."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cfcourse.data.datasets import DATASETS
from cfcourse.data.readers import read_genres, read_movies, read_ratings
from course_testing import MIRROR_FOLDER


ML_1M = DATASETS["ml-1m"]  # the registry entry as it is: the dat reader with its real file paths


def ratings_frame(users, movies, ratings, timestamps) -> pd.DataFrame:
    frame = pd.DataFrame({"user": users, "movie": movies, "rating": ratings, "timestamp": timestamps})
    return frame.astype({"user": "int32", "movie": "int32", "rating": "float32", "timestamp": "int64"})


def movies_frame(titles: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"movie": pd.Series(list(titles), dtype="int32"), "title": pd.Series(list(titles.values()), dtype="str")}
    )


def write(path: Path, text: str, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def test_csv_format(tmp_path):
    """UTF-8 with a header; a title with commas is quoted and one with quotes doubles them."""
    write(
        tmp_path / "ml-latest-small/ratings.csv",
        "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,29,3.5,964981247\n610,1,0.5,1493845360\n",
        "utf-8",
    )
    write(
        tmp_path / "ml-latest-small/movies.csv",
        "movieId,title,genres\n"
        "1,Toy Story (1995),Adventure|Animation\n"
        '29,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Drama\n'
        '3635,"""Great Performances"" Cats (1998)",Musical\n',
        "utf-8",
    )
    spec = DATASETS["ml-latest-small"]

    expected_ratings = ratings_frame([1, 1, 610], [1, 29, 1], [4.0, 3.5, 0.5], [964982703, 964981247, 1493845360])
    pd.testing.assert_frame_equal(read_ratings(spec, tmp_path), expected_ratings)
    expected_movies = movies_frame(
        {
            1: "Toy Story (1995)",
            29: "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
            3635: '"Great Performances" Cats (1998)',
        }
    )
    pd.testing.assert_frame_equal(read_movies(spec, tmp_path), expected_movies)
    assert read_genres(spec, tmp_path).genres.tolist() == ["Adventure|Animation", "Drama", "Musical"]


def test_100k_format(tmp_path):
    """u.data tab-separated without a header; u.item '|'-separated latin-1 with 24 unquoted columns."""
    write(tmp_path / "ml-100k/u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n", "utf-8")
    genres = "|".join("0" * 19)
    comedy_and_western = "|".join("1" if i in (5, 18) else "0" for i in range(19))
    write(
        tmp_path / "ml-100k/u.item",
        f"242|Kolya (1996)|24-Jan-1997||http://us.imdb.com/M/title-exact?Kolya%20(1996)|{comedy_and_western}\n"
        f"302|Misérables, Les (1995)|01-Jan-1995||http://us.imdb.com/Title?Mis%E9rables|{genres}\n"
        f'377|"Quoted" Title (1994)|01-Jan-1994|||{genres}\n',
        "latin-1",
    )
    spec = DATASETS["ml-100k"]

    expected_ratings = ratings_frame([196, 186, 22], [242, 302, 377], [3.0, 3.0, 1.0], [881250949, 891717742, 878887116])
    pd.testing.assert_frame_equal(read_ratings(spec, tmp_path), expected_ratings)
    expected_movies = movies_frame({242: "Kolya (1996)", 302: "Misérables, Les (1995)", 377: '"Quoted" Title (1994)'})
    pd.testing.assert_frame_equal(read_movies(spec, tmp_path), expected_movies)
    genres = read_genres(spec, tmp_path)
    assert genres.movie.tolist() == [242, 302, 377] and genres.genres.tolist() == ["Comedy|Western", "", ""]


def test_dat_format(tmp_path):
    """ml-1m: '::'-separated latin-1 without a header; single colons and quotes inside titles stay."""
    write(tmp_path / "ml-1m/ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n6040::1::4::956703977\n", "latin-1")
    write(
        tmp_path / "ml-1m/movies.dat",
        "1::Toy Story (1995)::Animation|Children's|Comedy\n"
        "661::Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1963)::Sci-Fi|War\n"
        '1193::"Great Performances" Cats (1998)::Musical\n'
        "3089::Bicycle Thief, The (Ladri di biciclette) (1948)::Drama\n"
        "3114::Misérables, Les (1995)::Drama\n",
        "latin-1",
    )

    expected_ratings = ratings_frame([1, 1, 6040], [1193, 661, 1], [5.0, 3.0, 4.0], [978300760, 978302109, 956703977])
    pd.testing.assert_frame_equal(read_ratings(ML_1M, tmp_path), expected_ratings)
    expected_movies = movies_frame(
        {
            1: "Toy Story (1995)",
            661: "Dr. Strangelove or: How I Learned to Stop Worrying and Love the Bomb (1963)",
            1193: '"Great Performances" Cats (1998)',
            3089: "Bicycle Thief, The (Ladri di biciclette) (1948)",
            3114: "Misérables, Les (1995)",
        }
    )
    pd.testing.assert_frame_equal(read_movies(ML_1M, tmp_path), expected_movies)
    assert read_genres(ML_1M, tmp_path).genres.tolist()[:2] == ["Animation|Children's|Comedy", "Sci-Fi|War"]


@pytest.mark.parametrize(
    ("dataset", "n_ratings", "n_users", "n_rated_movies", "n_titles"),
    [("ml-100k", 100_000, 943, 1_682, 1_682), ("ml-latest-small", 100_836, 610, 9_724, 9_742)],
)
def test_real_archive(tmp_path, dataset, n_ratings, n_users, n_rated_movies, n_titles):
    """The mirror's archives, read with the registry entries as they are."""
    archive = MIRROR_FOLDER / f"{dataset}.zip"
    if not archive.exists():
        pytest.skip(f"no local mirror of {dataset} in {MIRROR_FOLDER}")
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path)
    spec = DATASETS[dataset]

    ratings = read_ratings(spec, tmp_path)
    movies = read_movies(spec, tmp_path)

    assert len(ratings) == n_ratings
    assert ratings["user"].nunique() == n_users
    assert ratings["movie"].nunique() == n_rated_movies
    assert len(movies) == movies["movie"].nunique() == n_titles
    genres = read_genres(spec, tmp_path)
    assert genres.movie.tolist() == movies.movie.tolist() and (genres.genres != "").mean() > 0.99
    assert movies["title"].notna().all()
    assert set(ratings["movie"]) <= set(movies["movie"])
    assert ratings["rating"].between(0.5, 5.0).all()
    assert "Misérables, Les (1995)" in set(movies["title"])
