"""Which edition of a dataset is in ``data/raw``, remembered beside its files.

Every download writes ``data/raw/<dataset>/.edition.json``: the sha256 of every
file it unpacked, where they came from, and which edition they are:

- ``"published"``: the edition the course's numbers were measured on (its files
  match the sha256 pinned in :mod:`cfcourse.data.datasets`, or its archive matches the
  checksum GroupLens published);
- ``"accepted-<12 hex digits>"``: another edition, accepted knowingly with
  ``accept_new_edition``; the digits come from its files' hashes, so the same
  files always get the same name.

Later calls check the files against this record, so damage done to them on disk
is caught even for an edition the course never pinned. Lessons ask which edition
they are working on with :func:`data_edition`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cfcourse.data.datasets import get_dataset
from cfcourse.data.locations import default_data_dir

#: The record's file name inside ``data/raw/<dataset>/``; hidden, so listings of the data skip it.
RECORD_NAME = ".edition.json"
#: The edition the course's stored outputs and published numbers come from.
PUBLISHED = "published"
#: What :func:`data_edition` says of a dataset made by :mod:`cfcourse.data.synthetic`.
GENERATED = "generated"


@dataclass(frozen=True)
class EditionRecord:
    """What one download put in ``data/raw/<dataset>/``."""

    dataset: str
    #: ``"published"`` or ``"accepted-<12 hex>"``.
    edition: str
    #: Where the archive came from, as the download reported it.
    source: str
    #: sha256 of every unpacked file, by its path inside the archive (``ml-1m/ratings.dat``).
    files: dict[str, str]

    @property
    def accepted(self) -> bool:
        """True for an edition other than the course's, taken with ``accept_new_edition``."""
        return self.edition != PUBLISHED


def accepted_edition_name(files: dict[str, str]) -> str:
    """The name of an accepted edition: ``accepted-`` and 12 hex digits of a hash over its files' hashes."""
    listing = "".join(f"{path} {digest}\n" for path, digest in sorted(files.items()))
    return "accepted-" + hashlib.sha256(listing.encode()).hexdigest()[:12]


def record_file(raw_root: Path, dataset: str) -> Path:
    """Where the record of ``dataset`` lives under ``raw_root`` (``data/raw``)."""
    return Path(raw_root) / dataset / RECORD_NAME


def write_record(dataset_folder: Path, record: EditionRecord) -> None:
    """Write ``record`` into ``dataset_folder`` (the unpacked ``<dataset>/`` folder, before it moves into place)."""
    (Path(dataset_folder) / RECORD_NAME).write_text(json.dumps(asdict(record), indent=2) + "\n")


def read_record(raw_root: Path, dataset: str) -> EditionRecord | None:
    """The record of ``dataset`` under ``raw_root``, or ``None`` when there is none or it is unreadable."""
    try:
        fields = json.loads(record_file(raw_root, dataset).read_text())
        return EditionRecord(fields["dataset"], fields["edition"], fields["source"], dict(fields["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        # A damaged record proves nothing about the files, so they are treated as unrecorded.
        return None


def is_accepted(edition: str | None) -> bool:
    """Whether ``edition`` (what :func:`data_edition` says) is one the course was not measured on, taken knowingly."""
    return edition not in (PUBLISHED, GENERATED, None)


def dataset_and_edition(dataset: str, edition: str | None) -> str:
    """``ml-latest-small``, or ``ml-latest-small (edition accepted-0123456789ab)`` for an accepted edition: how
    tables name the data, so numbers from another edition are never taken for the course's."""
    return f"{dataset} (edition {edition})" if is_accepted(edition) else dataset


def data_edition(dataset: str, data_dir: str | os.PathLike | None = None) -> str | None:
    """Which edition of ``dataset`` lesson 00 put in ``data_dir/raw``.

    Returns ``"published"`` for the edition the course's numbers were measured on,
    ``"accepted-<12 hex>"`` for another edition accepted with ``accept_new_edition``,
    ``"generated"`` for the synthetic dataset, and ``None`` when the dataset was not
    fetched by lesson 00 (or ``make download``) into this data folder.

    A check cell compares its result with the course's published number only when
    this says ``"published"``::

        from cfcourse.data.editions import data_edition
        if data_edition(dataset, data_dir) == "published": ...
    """
    spec = get_dataset(dataset)
    raw_root = (Path(data_dir) if data_dir else default_data_dir()) / "raw"
    if not spec.downloadable:
        return GENERATED if (raw_root / spec.ratings_file).is_file() else None
    record = read_record(raw_root, dataset)
    return record.edition if record else None
