"""Where the course keeps what it downloads and what it produces.

Everything lives under one data folder (``data/`` at the top of the repository
unless told otherwise) and nothing in it is committed to git::

    data/
      raw/<dataset>/          the verified files of the downloaded archive (its top folder)
      processed/<dataset>/    encoded ratings with their split, and the ID maps
      models/<dataset>/       trained models, one ``<model>.keras`` each
      metrics/<dataset>/      one ``<model>.json`` per trained model, and lesson 06's ``ranking.json``
      metrics/summary.json    the table ``make run-all`` prints at the end
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent

#: Environment variable that moves the data folder elsewhere (for example a bigger disk).
DATA_DIR_VARIABLE = "CFCOURSE_DATA_DIR"


def default_data_dir() -> Path:
    """The data folder: ``$CFCOURSE_DATA_DIR`` if set, else ``data/`` in the repository."""
    return Path(os.environ.get(DATA_DIR_VARIABLE) or REPOSITORY_ROOT / "data")


@dataclass(frozen=True)
class CoursePaths:
    """The folders one dataset uses under a data folder."""

    data_dir: Path
    dataset: str

    @property
    def raw(self) -> Path:
        """The downloaded, verified files of the dataset's archive."""
        return self.data_dir / "raw" / self.dataset

    @property
    def processed(self) -> Path:
        """What lesson 01 writes: encoded ratings with their split, and the ID maps."""
        return self.data_dir / "processed" / self.dataset

    @property
    def models(self) -> Path:
        """Trained models, one ``<model>.keras`` file each."""
        return self.data_dir / "models" / self.dataset

    @property
    def metrics(self) -> Path:
        """One ``<model>.json`` metrics file per trained model."""
        return self.data_dir / "metrics" / self.dataset

    def model_file(self, model_name: str) -> Path:
        return self.models / f"{model_name}.keras"

    def metrics_file(self, model_name: str) -> Path:
        return self.metrics / f"{model_name}.json"

    @property
    def ranking_file(self) -> Path:
        """What lesson 06 writes: every model's top-10 lists judged by precision, recall, NDCG, coverage."""
        return self.metrics / "ranking.json"


def shown_path(path: str | os.PathLike) -> str:
    """``path`` as a message or a notebook should show it: relative to the repository when it lies
    inside it or beside it (``data/raw/...``, ``../shared/...``), so output names no machine's folders."""
    path = Path(path).resolve()
    for base, prefix in ((REPOSITORY_ROOT, ""), (REPOSITORY_ROOT.parent, "..")):
        if path.is_relative_to(base):
            return str(Path(prefix) / path.relative_to(base)) if prefix else str(path.relative_to(base))
    return str(path)


def course_paths(dataset: str, data_dir: str | os.PathLike | None = None) -> CoursePaths:
    """The :class:`CoursePaths` of ``dataset`` under ``data_dir`` (default: :func:`default_data_dir`)."""
    return CoursePaths(Path(data_dir) if data_dir else default_data_dir(), dataset)


def summary_file(data_dir: str | os.PathLike | None = None) -> Path:
    """Where ``make run-all`` writes its table of models."""
    return (Path(data_dir) if data_dir else default_data_dir()) / "metrics" / "summary.json"
