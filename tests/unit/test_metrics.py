"""RMSE and the metrics files each trained model leaves behind."""

from __future__ import annotations

import json
import math

import pytest

from cfcourse.metrics import (
    SUMMARY_KEYS,
    format_models_table,
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
        "run": None,
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


def test_reading_model_metrics_leaves_out_the_other_lessons_results_and_the_exercises_record(tmp_path):
    paths = course_paths("synthetic", tmp_path)
    write_model_metrics(paths, "bias", val_rmse=0.9, test_rmse=0.9, epochs=1, train_seconds=1.0)
    paths.ranking_file.write_text(json.dumps({"dataset": "synthetic", "k": 10, "models": {}}))
    paths.list_ranking_file.write_text(json.dumps({"dataset": "synthetic", "k": 10, "models": {}}))
    paths.exercises_file.write_text(json.dumps({"02_dot_product": {"02.predict": {"solution": "correct"}}}))
    (paths.metrics / "a_new_lessons_results.json").write_text(json.dumps({"train_mean": 3.5}))  # no "model"
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


def test_write_summary_adds_another_dataset_and_replaces_only_the_same_dataset_and_run(tmp_path):
    target = tmp_path / "metrics" / "summary.json"
    write_summary([record("bias", dataset="ml-100k", test_rmse=0.92)], target)
    write_summary([record("bias", test_rmse=0.5)], target)
    write_summary([record("bias", run="small", test_rmse=0.7)], target)

    rows = write_summary([record("bias", test_rmse=0.6)], target)

    assert rows == json.loads(target.read_text())
    assert {(r["dataset"], r["run"], r["test_rmse"]) for r in rows} == {
        ("ml-100k", None, 0.92), ("synthetic", "small", 0.7), ("synthetic", None, 0.6)}


def test_an_experiment_reads_its_own_models_and_the_course_run_for_the_rest(tmp_path):
    course = course_paths("synthetic", tmp_path)
    experiment = course_paths("synthetic", tmp_path, run="small")
    for model in ["dot_product", "bias"]:
        write_model_metrics(course, model, val_rmse=0.9, test_rmse=0.9, epochs=3, train_seconds=1.0)
    write_model_metrics(experiment, "bias", val_rmse=0.8, test_rmse=0.8, epochs=3, train_seconds=1.0)

    records = {r["model"]: r for r in read_model_metrics(experiment)}

    assert (records["bias"]["run"], records["bias"]["test_rmse"]) == ("small", 0.8)
    assert (records["dot_product"]["run"], records["dot_product"]["test_rmse"]) == (None, 0.9)
    assert {r["run"] for r in read_model_metrics(course)} == {None}
    assert experiment.metrics == tmp_path / "experiments" / "synthetic" / "small" / "metrics"


def test_format_models_table_has_one_row_per_record():
    lines = format_models_table([record("bias"), record("dot_product"), record("neural_net")]).splitlines()
    header, rule, *rows = lines
    assert header.split()[:2] == ["model", "dataset"]
    assert set(rule) == {"-"}
    assert [row.split()[0] for row in rows] == ["bias", "dot_product", "neural_net"]
    assert rows[0].split()[2:] == ["0.9100", "0.9000", "3", "1.50", "0.500"]


def test_the_models_table_keeps_the_shape_the_readme_shows():
    lines = format_models_table([record("dot_product")]).splitlines()
    assert lines[0] == "model          dataset          test RMSE  val RMSE epochs  train s  s/epoch"
    assert lines[2].startswith("dot_product    ")
