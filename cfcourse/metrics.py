"""RMSE, and the small JSON file each trained model leaves behind.

RMSE is computed from a model's predictions. The ``loss`` Keras reports is not
the same thing: with L2 regularisation it includes the penalty term as well.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from cfcourse import tables
from cfcourse.course import MODELS
from cfcourse.data.editions import dataset_and_edition
from cfcourse.paths import CoursePaths

#: ``backend`` is the Keras backend the run trained on (``run_course.py`` adds it; ``None`` in older rows);
#: ``edition`` the edition of the data (:func:`cfcourse.data.editions.data_edition`; ``None`` in older rows).
SUMMARY_KEYS = ("model", "dataset", "edition", "run", "test_rmse", "val_rmse", "epochs", "train_seconds",
                "seconds_per_epoch", "backend")


def rmse(actual, predicted) -> float:
    """Root mean squared error between two sequences of ratings."""
    actual = np.asarray(actual, dtype=np.float64).ravel()
    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    if actual.shape != predicted.shape:
        raise ValueError(f"{actual.shape[0]} ratings but {predicted.shape[0]} predictions")
    return float(np.sqrt(np.mean((actual - predicted) ** 2)))


def write_model_metrics(
    paths: CoursePaths,
    model: str,
    *,
    val_rmse: float,
    test_rmse: float,
    epochs: int,
    train_seconds: float,
    **extra,
) -> Path:
    """Write the model's metrics file in the run's metrics folder and return its path.

    ``run`` is ``None`` in the records of the course's own run."""
    if epochs < 1:
        raise ValueError(f"a trained model has at least one epoch, got {epochs}")
    record = {
        "model": model,
        "dataset": paths.dataset,
        "run": paths.run,
        "val_rmse": round(float(val_rmse), 4),
        "test_rmse": round(float(test_rmse), 4),
        "epochs": int(epochs),
        "train_seconds": round(float(train_seconds), 2),
        "seconds_per_epoch": round(float(train_seconds) / epochs, 3),
        **extra,
    }
    target = paths.metrics_file(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(target, record)
    return target


def read_model_metrics(paths: CoursePaths) -> list[dict]:
    """The metrics of every model trained in the run, ordered by model name.

    For a named run, a model it did not train comes from the course's own run (its record
    says ``"run": null``), so a comparison always has every model the course trained.
    Only the trained models' files are read (``cfcourse.course.MODELS``): the other lessons' results files and
    the exercises' record, in the same folder, are not a model's metrics.
    """
    records = {p.stem: json.loads(p.read_text()) for p in _model_metrics_files(paths.course_run())}
    if paths.run is not None:
        records.update({p.stem: json.loads(p.read_text()) for p in _model_metrics_files(paths)})
    return [records[model] for model in sorted(records)]


def _model_metrics_files(paths: CoursePaths) -> list[Path]:
    return sorted(paths.metrics_file(model) for model in MODELS if paths.metrics_file(model).is_file())


def write_json_atomically(target: Path, payload, sort_keys: bool = False) -> None:
    # Write then rename, so a reader never sees half a file.
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(payload, indent=2, sort_keys=sort_keys) + "\n")
    os.replace(temporary, target)


def write_summary(records: list[dict], target: Path) -> list[dict]:
    """Add one run's table (records with :data:`SUMMARY_KEYS`) to the summary at ``target``.

    Rows of the same dataset and run are replaced; rows of other datasets and runs are kept.
    Returns every row now in the file.
    """
    replaced = {(record["dataset"], record.get("run")) for record in records}
    kept = json.loads(target.read_text()) if target.exists() else []
    rows = [row for row in kept if (row["dataset"], row.get("run")) not in replaced]
    rows += [{key: record.get(key) for key in SUMMARY_KEYS} for record in records]
    target.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(target, rows)
    return rows


def format_models_table(records: list[dict]) -> str:
    """A plain-text table of metrics records, one row per model. The dataset names an accepted edition; where
    some rows are an experiment's, a ``run`` column marks them (the course's rows read ``the course's``)."""
    headings = ["model", "dataset", "test RMSE", "val RMSE", "epochs", "train s", "s/epoch"]
    rows = [[r["model"], dataset_and_edition(r["dataset"], r.get("edition")), f"{r['test_rmse']:.4f}",
             f"{r['val_rmse']:.4f}", f"{r['epochs']:d}", f"{r['train_seconds']:.2f}", f"{r['seconds_per_epoch']:.3f}"]
            for r in records]
    widths, align = [14, 16, 9, 9, 6, 8, 8], "llrrrrr"
    if any(r.get("run") is not None for r in records):
        headings, widths, align = [*headings, "run"], [*widths, 0], align + "l"
        rows = [[*row, run_label(r.get("run"))] for row, r in zip(rows, records)]
    return tables.format_table(headings, rows, widths=widths, align=align)


def run_label(run: str | None) -> str:
    """How a table's ``run`` column names a row's run."""
    return "the course's" if run is None else run


def model_rmse(model, frame, batch_size: int = 8192) -> float:
    """RMSE of a Keras model's predictions on the rows of ``frame`` (a split of the lesson data)."""
    from cfcourse.training import model_inputs  # imports Keras: only when a model is there to predict

    predicted = model.predict(model_inputs(frame), batch_size=batch_size, verbose=0)
    return rmse(frame["rating"], predicted)
