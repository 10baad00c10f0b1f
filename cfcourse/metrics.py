"""RMSE, and the small JSON file each trained model leaves behind.

RMSE is computed from a model's predictions. The ``loss`` Keras reports is not
the same thing: with L2 regularisation it includes the penalty term as well.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from cfcourse.paths import CoursePaths
from cfcourse.processed import model_inputs

SUMMARY_KEYS = ("model", "dataset", "test_rmse", "val_rmse", "epochs", "train_seconds", "seconds_per_epoch")


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
    """Write ``data/metrics/<dataset>/<model>.json`` and return its path."""
    if epochs < 1:
        raise ValueError(f"a trained model has at least one epoch, got {epochs}")
    record = {
        "model": model,
        "dataset": paths.dataset,
        "val_rmse": round(float(val_rmse), 4),
        "test_rmse": round(float(test_rmse), 4),
        "epochs": int(epochs),
        "train_seconds": round(float(train_seconds), 2),
        "seconds_per_epoch": round(float(train_seconds) / epochs, 3),
        **extra,
    }
    target = paths.metrics_file(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_json_atomically(target, record)
    return target


def read_model_metrics(paths: CoursePaths) -> list[dict]:
    """Every per-model metrics file of the dataset, ordered by model name (not lesson 06's ranking file)."""
    model_files = sorted(p for p in paths.metrics.glob("*.json") if p != paths.ranking_file)
    return [json.loads(p.read_text()) for p in model_files]


def _write_json_atomically(target: Path, payload) -> None:
    # Write then rename, so a reader never sees half a file.
    temporary = target.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(payload, indent=2) + "\n")
    os.replace(temporary, target)


def write_summary(records: list[dict], target: Path) -> None:
    """Write the run's table (a list of objects with :data:`SUMMARY_KEYS`) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_json_atomically(target, [{key: record[key] for key in SUMMARY_KEYS} for record in records])


def format_table(records: list[dict]) -> str:
    """A plain-text table of metrics records, one row per model."""
    header = f"{'model':<14} {'dataset':<16} {'test RMSE':>9} {'val RMSE':>9} {'epochs':>6} {'train s':>8} {'s/epoch':>8}"
    rows = [
        f"{r['model']:<14} {r['dataset']:<16} {r['test_rmse']:>9.4f} {r['val_rmse']:>9.4f} "
        f"{r['epochs']:>6d} {r['train_seconds']:>8.2f} {r['seconds_per_epoch']:>8.3f}"
        for r in records
    ]
    return "\n".join([header, "-" * len(header), *rows])


#: How far a lesson's test RMSE may drift from the value it was published with before its check fails.
PUBLISHED_RMSE_TOLERANCE = 0.01


def check_published_rmse(test_rmse: float, dataset: str, published: dict[str, float],
                         tolerance: float = PUBLISHED_RMSE_TOLERANCE) -> None:
    """Stop if a lesson's test RMSE on ``dataset`` drifted from the value it was published with.

    ``published`` maps dataset names to the test RMSE stored in the lesson's committed
    outputs. Within ``tolerance`` is machine-to-machine float noise; beyond it, something
    changed what the lesson teaches: its code, a dependency or the data. Datasets with no
    published value (a learner's own experiment) are not checked.
    """
    if dataset not in published:
        print(f"no published test RMSE for {dataset}; nothing to check")
        return
    expected = published[dataset]
    if abs(test_rmse - expected) > tolerance:
        raise AssertionError(f"test RMSE {test_rmse:.4f} is not within {tolerance} of the published {expected:.4f}; "
                             "expected if you changed the lesson's parameters, a regression otherwise")
    print(f"test RMSE is within {tolerance} of the published {expected:.4f}")


def model_rmse(model, frame, batch_size: int = 8192) -> float:
    """RMSE of a Keras model's predictions on the rows of ``frame`` (a split of the lesson data)."""
    predicted = model.predict(model_inputs(frame), batch_size=batch_size, verbose=0)
    return rmse(frame["rating"], predicted)
