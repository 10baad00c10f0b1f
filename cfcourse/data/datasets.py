"""The MovieLens editions the course knows, one registry entry each.

An entry says where the archive comes from, which files in it hold the data,
the sha256 each of those files must have once extracted, and which reader
understands its format (see :mod:`cfcourse.data.readers`).

Where GroupLens published only a checksum of the whole archive (ml-1m, ml-25m,
ml-32m), that checksum is enforced instead, and the download prints each
extracted file's sha256 so a maintainer can pin them here.

The ``synthetic`` entries are not downloaded: :mod:`cfcourse.data.synthetic` writes
them on the spot, so tests and quick experiments need no network and no
download. ``synthetic`` is small, in the ml-latest-small format;
``synthetic-100k``, ``synthetic-1m`` and ``synthetic-25m`` are shaped like ml-25m,
to try the course at scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GROUPLENS_BASE_URL = "https://files.grouplens.org/datasets/movielens"

#: The Hugging Face copy that recommenders-team/recommenders#2369 added as a fallback for GroupLens,
#: described there as byte-identical zips of ml-100k, ml-1m, ml-10m and ml-20m. Its file URLs were
#: never fetched while writing the course (no network): the pinned checksums reject a wrong file.
HUGGING_FACE_BASE_URL = "https://huggingface.co/datasets/Recommenders/MovieLens/resolve/main"

#: The least a download may exceed a known archive size by before it is cut off (10 % where that is more).
ARCHIVE_SIZE_MARGIN_BYTES = 1_000_000

#: Past this many ratings a run of the course takes long enough to say so before it starts.
SIZE_NOTE_FROM_RATINGS = 5_000_000
#: What ``make scale-benchmark`` measured for the whole course on 25 million generated ratings,
#: on a 2-core machine (docs/scale.md): minutes, and the largest lesson's peak memory.
MEASURED_25M_MINUTES = 18
MEASURED_25M_PEAK_GB = 4.6

LICENCE_NOTICE = (
    "MovieLens data (c) GroupLens Research, University of Minnesota. Use is subject to the\n"
    "GroupLens usage licence in the archive's README: research use; redistribution only under\n"
    "the same conditions; no commercial use without permission."
)

CITATION = (
    "F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets: History and Context.\n"
    "ACM Transactions on Interactive Intelligent Systems (TiiS) 5, 4, Article 19.\n"
    "https://doi.org/10.1145/2827872"
)


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: its archive, its data files and their format."""

    name: str
    description: str
    #: Reader name in :data:`cfcourse.data.readers.READERS`: ``csv``, ``100k`` or ``dat``.
    format: str
    #: Path inside the archive of the ratings and movies files. Archives are extracted into
    #: ``data/raw/``, and each one's top folder is named after the dataset, so these files
    #: land in ``data/raw/<name>/``.
    ratings_file: str
    movies_file: str
    #: sha256 of every data file once extracted, by its path inside the archive. Every one is checked.
    file_sha256: dict[str, str] = field(default_factory=dict)
    #: Archive name under the base URL; ``None`` for a dataset that is generated, not downloaded.
    archive: str | None = None
    #: A checksum GroupLens published for the archive itself, as ``(algorithm, hex)``, where there is one.
    #: Mirrors may re-zip an archive, so where ``file_sha256`` is pinned the files are what is enforced;
    #: where it is empty, this checksum is.
    published_archive_checksum: tuple[str, str] | None = None
    #: The archive's size in bytes as GroupLens serves it, where known: a too-slow download's message names it
    #: when the server does not say the size, and a download is cut off a margin past it.
    archive_bytes: int | None = None
    #: A generous upper bound on everything the archive unpacks to: extraction stops past it.
    max_unpacked_bytes: int = 4_000_000_000
    #: Ratings in the published edition, where known (the lessons print what is on disk).
    n_ratings: int | None = None
    #: Other URLs of the same archive, tried in order after GroupLens when no mirror is set.
    fallback_urls: tuple[str, ...] = ()
    #: The published archive's files that are not pinned, by path inside it: with the pinned ones, all it holds.
    other_members: tuple[str, ...] = ()

    @property
    def downloadable(self) -> bool:
        return self.archive is not None

    @property
    def published_members(self) -> frozenset[str] | None:
        """Every file the published archive holds, where known (files are pinned); ``None`` where not.

        An archive holding a file beyond these is not the published one, whatever its data files are.
        """
        return frozenset({*self.file_sha256, *self.other_members}) if self.file_sha256 else None

    @property
    def largest_archive_bytes(self) -> int:
        """The most bytes a download of the archive may bring before it is cut off as something else.

        ``archive_bytes`` and a margin where the size is known (a mirror's re-zipped copy
        may be a little larger); else ``max_unpacked_bytes``, which no zip of a dataset
        that fits under it outgrows by more than its few headers.
        """
        if self.archive_bytes is None:
            return self.max_unpacked_bytes
        return self.archive_bytes + max(self.archive_bytes // 10, ARCHIVE_SIZE_MARGIN_BYTES)

    @property
    def archive_checksum_enforced(self) -> bool:
        """True when no file sha256 is pinned, so the archive's published checksum is what proves it genuine."""
        return not self.file_sha256 and self.published_archive_checksum is not None


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        DatasetSpec(
            name="ml-latest-small",
            description="MovieLens latest-small (2018): 100,836 ratings of 9,742 movies by 610 users",
            format="csv",
            archive="ml-latest-small.zip",
            ratings_file="ml-latest-small/ratings.csv",
            movies_file="ml-latest-small/movies.csv",
            file_sha256={
                "ml-latest-small/ratings.csv": "aa289ca83157595d0df6aea1be6a4ded676ddc4385472e8313a8ed9805352646",
                "ml-latest-small/movies.csv": "5a5f32dd9bb3797b8e728a1b98958789d2b13f294a69fdfbc5727f8a9611aa07",
                "ml-latest-small/links.csv": "97ad18e4e56a09363c65676b6cb3482ce3e2cea2372a24620c1599c843325f31",
                "ml-latest-small/tags.csv": "92a9f8bb7916dceef6151209845788c3643f794dfa79d1feaec7121b5960399d",
                "ml-latest-small/README.txt": "63d22ac138e80fae37021797ed8e1b9424b5239dc576a137422adf783ae3f404",
            },
            archive_bytes=978_202,
            max_unpacked_bytes=20_000_000,  # 3.3 MB unpacked
            n_ratings=100_836,
        ),
        DatasetSpec(
            name="ml-100k",
            description="MovieLens 100K (1998): 100,000 ratings of 1,682 movies by 943 users",
            format="100k",
            archive="ml-100k.zip",
            ratings_file="ml-100k/u.data",
            movies_file="ml-100k/u.item",
            file_sha256={
                "ml-100k/u.data": "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490",
                "ml-100k/u.item": "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701",
            },
            published_archive_checksum=("md5", "0e33842e24a9c977be4e0107933c0723"),
            # As GroupLens's archive of 2016-01-29 lists them (the course's mirror leaves out the two scripts).
            other_members=tuple(
                f"ml-100k/{name}"
                for name in [
                    "README", "allbut.pl", "mku.sh", "u.genre", "u.info", "u.occupation", "u.user",
                    *(f"u{fold}.{part}" for fold in [1, 2, 3, 4, 5, "a", "b"] for part in ["base", "test"]),
                ]
            ),
            max_unpacked_bytes=80_000_000,  # 16 MB unpacked
            n_ratings=100_000,
            fallback_urls=(f"{HUGGING_FACE_BASE_URL}/ml-100k.zip",),
        ),
        DatasetSpec(
            name="ml-1m",
            description="MovieLens 1M (2003): 1,000,209 ratings of 3,706 movies by 6,040 users",
            format="dat",
            archive="ml-1m.zip",
            ratings_file="ml-1m/ratings.dat",
            movies_file="ml-1m/movies.dat",
            published_archive_checksum=("md5", "c4d9eecfca2ab87c1945afe126590906"),
            max_unpacked_bytes=200_000_000,  # about 25 MB unpacked
            n_ratings=1_000_209,
            fallback_urls=(f"{HUGGING_FACE_BASE_URL}/ml-1m.zip",),
        ),
        DatasetSpec(
            name="ml-25m",
            description="MovieLens 25M (2019): 25,000,095 ratings of 62,423 movies by 162,541 users",
            format="csv",
            archive="ml-25m.zip",
            ratings_file="ml-25m/ratings.csv",
            movies_file="ml-25m/movies.csv",
            published_archive_checksum=("md5", "6b51fb2759a8657d3bfcbfc42b592ada"),
            archive_bytes=261_978_986,
            max_unpacked_bytes=3_000_000_000,  # about 1.2 GB unpacked
            n_ratings=25_000_095,
        ),
        DatasetSpec(
            name="ml-32m",
            description="MovieLens 32M (2023): 32,000,204 ratings of 87,585 movies by 200,948 users",
            format="csv",
            archive="ml-32m.zip",
            ratings_file="ml-32m/ratings.csv",
            movies_file="ml-32m/movies.csv",
            published_archive_checksum=("md5", "d472be332d4daa821edc399621853b57"),
            archive_bytes=238_950_008,
            max_unpacked_bytes=3_000_000_000,  # about 0.9 GB unpacked
            n_ratings=32_000_204,
        ),
        DatasetSpec(
            name="synthetic",
            description="Synthetic ratings in the ml-latest-small format with planted low-rank structure (no download)",
            format="csv",
            ratings_file="synthetic/ratings.csv",
            movies_file="synthetic/movies.csv",
        ),
        *[
            DatasetSpec(
                name=f"synthetic-{size}",
                description=f"Synthetic ratings shaped like ml-25m, {ratings:,} of them, in its format (no download)",
                format="csv",
                ratings_file=f"synthetic-{size}/ratings.csv",
                movies_file=f"synthetic-{size}/movies.csv",
                n_ratings=ratings,
            )
            for size, ratings in [("100k", 100_000), ("1m", 1_000_000), ("25m", 25_000_000)]
        ],
    ]
}


def size_note(spec: DatasetSpec) -> str | None:
    """One line on how long and how much memory a run on ``spec`` takes, for editions past a few
    million ratings; ``None`` for smaller ones. Scaled linearly from ``make scale-benchmark``."""
    if spec.n_ratings is None or spec.n_ratings <= SIZE_NOTE_FROM_RATINGS:
        return None
    share = spec.n_ratings / 25_000_000
    return (
        f"note: {spec.name} has {spec.n_ratings:,} ratings: expect the whole course to take about "
        f"{MEASURED_25M_MINUTES * share:.0f} minutes on a 2-core laptop and up to {MEASURED_25M_PEAK_GB * share:.0f} GB "
        "of memory (measured on 25 million generated ratings; docs/scale.md)"
    )


class UnknownDatasetError(ValueError):
    """Raised for a dataset name that is not in :data:`DATASETS`."""


def get_dataset(name: str) -> DatasetSpec:
    """The registry entry for ``name``, or one clear error listing the names there are."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise UnknownDatasetError(f"unknown dataset {name!r}; choose one of: {known}") from None
