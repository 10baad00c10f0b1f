"""RMSE and the metrics files each trained model leaves behind."""

from __future__ import annotations

import json
import math

import pytest

from cfcourse.metrics import (
    SUMMARY_KEYS,
    check_published_rmse,
    format_table,
    read_model_metrics,
    rmse,
    write_model_metrics,
    write_summary,
)
from cfcourse.paths import course_paths


@pytest.mark.parametrize(
    ("actual", "predicted", "expected"),
    [([1, 2, 3], [1, 2, 5], math.sqrt(4 / 3)), ([4.5], [4.5], 0.0), ([[1], [3]], [2, 2], 1.0)],
)
def test_rmse_known_values(actual, predicted, expected):
    assert rmse(actual, predicted) == pytest.approx(expected)


def test_rmse_shape_mismatch_raises():
    with pytest.raises(ValueError, match="3 ratings but 2 predictions"):
        rmse([1, 2, 3], [1, 2])


def test_model_metrics_round_trip(tmp_path):
    paths = course_paths("synthetic", tmp_path)

    target = write_model_metrics(paths, "dot_product", val_rmse=0.91234, test_rmse=0.92345, epochs=4, train_seconds=10.0)
    write_model_metrics(paths, "bias", val_rmse=0.87, test_rmse=0.88, epochs=5, train_seconds=2.5, l2=1e-4)

    assert target == tmp_path / "metrics" / "synthetic" / "dot_product.json"
    assert json.loads(target.read_text()) == {
        "model": "dot_product",
        "dataset": "synthetic",
        "val_rmse": 0.9123,
        "test_rmse": 0.9234,
        "epochs": 4,
        "train_seconds": 10.0,
        "seconds_per_epoch": 2.5,
    }
    records = read_model_metrics(paths)
    assert [r["model"] for r in records] == ["bias", "dot_product"]
    assert records[0]["l2"] == 1e-4
    assert sorted(p.name for p in paths.metrics.iterdir()) == ["bias.json", "dot_product.json"]


def test_reading_model_metrics_leaves_out_the_ranking_file(tmp_path):
    paths = course_paths("synthetic", tmp_path)
    write_model_metrics(paths, "bias", val_rmse=0.9, test_rmse=0.9, epochs=1, train_seconds=1.0)
    paths.ranking_file.write_text(json.dumps({"dataset": "synthetic", "k": 10, "models": {}}))
    assert [r["model"] for r in read_model_metrics(paths)] == ["bias"]


@pytest.mark.parametrize("epochs", [0, -1])
def test_model_metrics_need_an_epoch(tmp_path, epochs):
    paths = course_paths("synthetic", tmp_path)
    with pytest.raises(ValueError, match="at least one epoch"):
        write_model_metrics(paths, "bias", val_rmse=0.9, test_rmse=0.9, epochs=epochs, train_seconds=1.0)
    assert not paths.metrics.exists()


def record(model: str, **extra) -> dict:
    return {
        "model": model,
        "dataset": "synthetic",
        "val_rmse": 0.9,
        "test_rmse": 0.91,
        "epochs": 3,
        "train_seconds": 1.5,
        "seconds_per_epoch": 0.5,
        **extra,
    }


def test_write_summary_keeps_only_summary_keys(tmp_path):
    target = tmp_path / "metrics" / "summary.json"

    write_summary([record("bias", l2=1e-4), record("neural_net", dropout=0.2)], target)

    summary = json.loads(target.read_text())
    assert [r["model"] for r in summary] == ["bias", "neural_net"]
    assert all(list(r) == list(SUMMARY_KEYS) for r in summary)


def test_format_table_has_one_row_per_record():
    lines = format_table([record("bias"), record("dot_product"), record("neural_net")]).splitlines()
    header, rule, *rows = lines
    assert header.split()[:2] == ["model", "dataset"]
    assert set(rule) == {"-"}
    assert [row.split()[0] for row in rows] == ["bias", "dot_product", "neural_net"]
    assert rows[0].split()[2:] == ["0.9100", "0.9000", "3", "1.50", "0.500"]


def test_check_published_rmse_passes_within_the_tolerance(capsys):
    check_published_rmse(0.8873 + 0.009, "ml-latest-small", {"ml-latest-small": 0.8873})
    assert "within 0.01 of the published 0.8873" in capsys.readouterr().out


@pytest.mark.parametrize("drift", [0.011, -0.011, 0.4])
def test_check_published_rmse_fails_beyond_the_tolerance(drift):
    with pytest.raises(AssertionError, match="not within 0.01 of the published 0.8873"):
        check_published_rmse(0.8873 + drift, "ml-latest-small", {"ml-latest-small": 0.8873})


def test_check_published_rmse_skips_datasets_without_a_published_value(capsys):
    check_published_rmse(3.0, "synthetic", {"ml-latest-small": 0.8873})
    assert "nothing to check" in capsys.readouterr().out
