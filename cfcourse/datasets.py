"""The MovieLens editions the course knows, one registry entry each.

An entry says where the archive comes from, which files in it hold the data,
the sha256 each of those files must have once extracted, and which reader
understands its format (see :mod:`cfcourse.readers`). Adding ``ml-1m``,
``ml-25m`` or ``ml-32m`` is one more entry here: their readers already exist.

The ``synthetic`` entry is not downloaded: :mod:`cfcourse.synthetic` writes it
on the spot, in the ml-latest-small format, so tests and quick experiments
need no network and no download.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GROUPLENS_BASE_URL = "https://files.grouplens.org/datasets/movielens"

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
    #: Reader name in :data:`cfcourse.readers.READERS`: ``csv``, ``100k`` or ``dat``.
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
    #: Mirrors may re-zip an archive, so the extracted files' sha256 are what is enforced.
    published_archive_checksum: tuple[str, str] | None = None

    @property
    def downloadable(self) -> bool:
        return self.archive is not None


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
        ),
        DatasetSpec(
            name="synthetic",
            description="Synthetic ratings in the ml-latest-small format with planted low-rank structure (no download)",
            format="csv",
            ratings_file="synthetic/ratings.csv",
            movies_file="synthetic/movies.csv",
        ),
    ]
}


class UnknownDatasetError(ValueError):
    """Raised for a dataset name that is not in :data:`DATASETS`."""


def get_dataset(name: str) -> DatasetSpec:
    """The registry entry for ``name``, or one clear error listing the names there are."""
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise UnknownDatasetError(f"unknown dataset {name!r}; choose one of: {known}") from None
