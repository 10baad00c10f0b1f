"""Where the course keeps what it downloads and what it produces.

Everything lives under one data folder (``data/`` at the top of the repository
unless told otherwise) and nothing in it is committed to git::

    data/
      raw/<dataset>/          the verified files of the downloaded archive (its top folder)
      processed/<dataset>/    encoded ratings with their split, and the ID maps
      models/<dataset>/       the course's own run: trained models, one ``<model>.keras`` each
      metrics/<dataset>/      the course's own run: one ``<model>.json`` per trained model, lesson 06's ``ranking.json``
                              lesson 07's ``ranking_07.json``, and ``exercises.json``, what the lessons'
                              exercise checks said
      metrics/summary.json    the tables ``make run-all`` printed, a set of rows per dataset and run
      experiments/<dataset>/<run>/models/, .../metrics/
                              a learner's run with other parameters, kept apart from the course's
      executed/<dataset>/     the lessons as ``make run-all`` executed them (``.../<run>/`` for an experiment);
                              on an edition accepted knowingly, ``executed/<dataset>-<edition>/``
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cfcourse.data.editions import data_edition, is_accepted
from cfcourse.data.locations import DATA_DIR_VARIABLE, REPOSITORY_ROOT, default_data_dir, shown_path

__all__ = ["DATA_DIR_VARIABLE", "REPOSITORY_ROOT", "CoursePaths", "course_paths", "default_data_dir", "shown_path",
           "summary_file"]


#: The results files of the two lessons that judge top-10 lists (lesson 06's protocol, lesson 07's models on it),
#: in a run's metrics folder; their records in :mod:`cfcourse.course` name them; the runner prints one table.
RANKING_FILE = "ranking.json"
LIST_RANKING_FILE = "ranking_07.json"


@dataclass(frozen=True)
class CoursePaths:
    """The folders one dataset uses under a data folder, for the course's own run or a named one.

    ``run`` is ``None`` for the course's own run, which ``make run-all`` (re)produces. A named
    run (an experiment with other parameters) keeps its models and metrics apart, so it never
    replaces the course's. Raw and processed data are the same for every run.
    """

    data_dir: Path
    dataset: str
    run: str | None = None

    @property
    def raw(self) -> Path:
        """The downloaded, verified files of the dataset's archive."""
        return self.data_dir / "raw" / self.dataset

    @property
    def processed(self) -> Path:
        """What lesson 01 writes: encoded ratings with their split, and the ID maps."""
        return self.data_dir / "processed" / self.dataset

    @property
    def run_folder(self) -> Path | None:
        """Where a named run keeps its models and metrics; ``None`` for the course's own run."""
        return None if self.run is None else self.data_dir / "experiments" / self.dataset / self.run

    @property
    def models(self) -> Path:
        """Trained models, one ``<model>.keras`` file each."""
        return self.data_dir / "models" / self.dataset if self.run is None else self.run_folder / "models"

    @property
    def metrics(self) -> Path:
        """One ``<model>.json`` metrics file per trained model."""
        return self.data_dir / "metrics" / self.dataset if self.run is None else self.run_folder / "metrics"

    @property
    def executed(self) -> Path:
        """Where ``make run-all`` writes the executed copies of the lessons. On an edition other than the
        course's (accepted knowingly, see :mod:`cfcourse.data.editions`) they go to ``<dataset>-<edition>/``,
        so they are never taken for the published edition's."""
        edition = data_edition(self.dataset, self.data_dir)
        folder = self.data_dir / "executed" / (f"{self.dataset}-{edition}" if is_accepted(edition) else self.dataset)
        return folder if self.run is None else folder / self.run

    def course_run(self) -> CoursePaths:
        """The same dataset and data folder, for the course's own run."""
        return CoursePaths(self.data_dir, self.dataset)

    def run_with(self, model_name: str) -> CoursePaths:
        """This run if it trained ``model_name``, else the course's own run (which lessons fall back to)."""
        return self if self.model_file(model_name).exists() else self.course_run()

    def model_file(self, model_name: str) -> Path:
        return self.models / f"{model_name}.keras"

    def metrics_file(self, model_name: str) -> Path:
        return self.metrics / f"{model_name}.json"

    @property
    def ranking_file(self) -> Path:
        """What lesson 06 writes: every model's top-10 lists judged by precision, recall, NDCG, coverage."""
        return self.metrics / RANKING_FILE

    @property
    def exercises_file(self) -> Path:
        """What the lessons' exercise checks said, per lesson and exercise (see :mod:`cfcourse.exercises`)."""
        return self.metrics / "exercises.json"

    @property
    def list_ranking_file(self) -> Path:
        """What lesson 07 writes: its ranking models judged on lesson 06's protocol, in ``ranking.json``'s format."""
        return self.metrics / LIST_RANKING_FILE


def course_paths(dataset: str, data_dir: str | os.PathLike | None = None, run: str | None = None) -> CoursePaths:
    """The :class:`CoursePaths` of ``dataset`` under ``data_dir`` (default: :func:`default_data_dir`),
    for the course's own run or the named ``run``."""
    return CoursePaths(Path(data_dir) if data_dir else default_data_dir(), dataset, run)


def summary_file(data_dir: str | os.PathLike | None = None) -> Path:
    """Where ``make run-all`` keeps its tables of models, one set of rows per dataset and run."""
    return (Path(data_dir) if data_dir else default_data_dir()) / "metrics" / "summary.json"
