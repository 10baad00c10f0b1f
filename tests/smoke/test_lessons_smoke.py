"""The smoke tier: every lesson, run by papermill on the synthetic dataset with tiny parameters.

The synthetic data has planted user/movie structure (see cfcourse.data.synthetic), so every model that
learns must beat predicting the global mean by a clear margin, and rank movies far better than chance.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from cfcourse.course import LESSONS, MODELS
from cfcourse.paths import course_paths, summary_file
from cfcourse.processed import load_processed
from course_testing import most_rated_synthetic_title, outputs_of, printed_text, run_course

pytestmark = pytest.mark.smoke

RUN = "smoke"
RANKED_MODELS = ["random", "most_popular", *MODELS]
RANKING_METRICS = {"precision", "recall", "ndcg", "coverage", "mean_popularity"}


@pytest.fixture(scope="module")
def course_run(tmp_path_factory):
    """One run of the whole course on synthetic data into a fresh data folder."""
    data_dir = tmp_path_factory.mktemp("smoke-data")
    result = run_course(
        "--dataset", "synthetic", "--data-dir", str(data_dir),
        "-p", "epochs=5", "-p", "batch_size=256", "-p", "n_factors=8", "-p", "min_ratings=10",
        "-p", f"query_movie={most_rated_synthetic_title()!r}", "-p", f"run={RUN}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return data_dir, result


def test_every_lesson_ran_and_the_table_was_printed(course_run):
    data_dir, result = course_run
    for lesson in LESSONS:
        assert lesson in result.stdout
        assert (course_paths("synthetic", data_dir, RUN).executed / f"{lesson}.ipynb").exists()
    for model in MODELS:
        assert model in result.stdout.split(f"All {len(LESSONS)} lessons ran")[1]


def test_the_terminal_shows_no_kernel_log_lines(course_run):
    """ipykernel's TCP warning and its KeyboardInterrupt ERROR at shutdown must not reach the terminal."""
    _, result = course_run
    assert result.stderr == ""
    assert not [line for line in result.stdout.splitlines() if "ERROR" in line or "WARNING" in line]


def test_metrics_files_are_complete_and_sane(course_run):
    data_dir, _ = course_run
    paths = course_paths("synthetic", data_dir, RUN)
    for model in MODELS:
        record = json.loads(paths.metrics_file(model).read_text())
        assert record["model"] == model and record["dataset"] == "synthetic" and record["run"] == RUN
        assert 1 <= record["epochs"] <= 5
        assert record["train_seconds"] > 0
        assert math.isclose(record["seconds_per_epoch"], record["train_seconds"] / record["epochs"], rel_tol=0.01)
        assert 0 < record["val_rmse"] < 5 and 0 < record["test_rmse"] < 5
        assert paths.model_file(model).exists()


def test_summary_json_lists_every_model_with_the_required_keys(course_run):
    data_dir, _ = course_run
    summary = json.loads(summary_file(data_dir).read_text())
    assert [(row["model"], row["dataset"], row["run"]) for row in summary] == [(m, "synthetic", RUN) for m in MODELS]
    for row in summary:
        assert {"model", "test_rmse", "val_rmse", "epochs", "train_seconds"} <= row.keys()


@pytest.mark.parametrize("model", MODELS)
def test_model_beats_the_global_mean_on_planted_data(course_run, model):
    data_dir, _ = course_run
    paths = course_paths("synthetic", data_dir, RUN)
    data = load_processed(paths)
    global_mean_rmse = float(np.sqrt(((data.test.rating - data.train.rating.mean()) ** 2).mean()))
    test_rmse = json.loads(paths.metrics_file(model).read_text())["test_rmse"]
    assert test_rmse < 0.9 * global_mean_rmse, f"{model}: {test_rmse} vs global mean {global_mean_rmse:.4f}"


def test_executed_lessons_hold_no_errors_and_no_stderr(course_run):
    data_dir, _ = course_run
    for lesson in LESSONS:
        for output in outputs_of(course_paths("synthetic", data_dir, RUN).executed / f"{lesson}.ipynb"):
            assert output["output_type"] != "error", lesson
            assert output.get("name") != "stderr", f"{lesson}: {''.join(output['text'])[:300]}"


def test_inspection_lesson_produced_its_tables_and_plot(course_run):
    data_dir, _ = course_run
    executed = course_paths("synthetic", data_dir, RUN).executed / "05_inspect_embeddings.ipynb"
    outputs = outputs_of(executed)
    text = printed_text(executed)
    assert "same both ways: True" in text
    for heading in ["Most liked", "Least liked", "Component 1", "Most similar to", "rated highest", "recommended"]:
        assert heading in text, heading
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 1


def ranking_of(data_dir) -> dict:
    return json.loads(course_paths("synthetic", data_dir, RUN).ranking_file.read_text())


def test_ranking_file_follows_the_issue_format(course_run):
    data_dir, _ = course_run
    ranking = ranking_of(data_dir)
    assert ranking.keys() == {"dataset", "edition", "k", "threshold", "users_evaluated", "users_qualifying",
                              "max_users", "models"}
    assert ranking["edition"] == "generated"
    assert (ranking["dataset"], ranking["k"], ranking["threshold"]) == ("synthetic", 10, 4.0)
    data = load_processed(course_paths("synthetic", data_dir, RUN))
    liked_in_test = data.test[data.test.rating >= 4.0]
    assert ranking["users_evaluated"] == ranking["users_qualifying"] == liked_in_test.user_idx.nunique()
    assert list(ranking["models"]) == RANKED_MODELS
    for model, metrics in ranking["models"].items():
        assert metrics.keys() == RANKING_METRICS, model
        assert all(0 <= metrics[name] <= 1 for name in ("precision", "recall", "ndcg", "coverage")), model
        assert metrics["mean_popularity"] > 0, model


def test_most_popular_recommends_more_rated_movies_than_random(course_run):
    data_dir, _ = course_run
    models = ranking_of(data_dir)["models"]
    assert models["most_popular"]["mean_popularity"] > 2 * models["random"]["mean_popularity"]
    assert models["most_popular"]["coverage"] < models["random"]["coverage"]


@pytest.mark.parametrize("model", MODELS)
def test_trained_model_ranks_far_better_than_random_on_planted_data(course_run, model):
    data_dir, _ = course_run
    models = ranking_of(data_dir)["models"]
    assert models[model]["ndcg"] > 3 * models["random"]["ndcg"], (model, models)


def test_course_run_prints_the_ranking_table(course_run):
    _, result = course_run
    ranking_table = result.stdout.split("Top-10 lists for")[1]
    assert "NDCG@10" in ranking_table
    for model in RANKED_MODELS:
        assert model in ranking_table


def test_ranking_lesson_showed_its_metric_code_and_plot(course_run):
    data_dir, _ = course_run
    executed = course_paths("synthetic", data_dir, RUN).executed / "06_evaluate_recommendations.ipynb"
    outputs = outputs_of(executed)
    text = printed_text(executed)
    for function in ["def top_k_movies", "def ndcg_at_k", "def catalogue_coverage", "def mean_popularity"]:
        assert function in text, function
    assert any("image/png" in o.get("data", {}) for o in outputs)
