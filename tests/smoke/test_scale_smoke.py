"""The scale path, end to end at 1 million ratings: `make scale-benchmark` for synthetic-1m.

Generated data in ml-25m's shape and format, pyarrow reading, Parquet, the large-data training
plan (SGD for lessons 02-03, large-batch Adam for 04), lesson 06 on a sample of users, and the
benchmark's own measurements. The 25M run itself is not part of `make test` (about 30 minutes).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cfcourse.course import LESSONS, MODELS
from cfcourse.paths import REPOSITORY_ROOT, course_paths
from course_testing import outputs_of, printed_text

pytestmark = pytest.mark.smoke

DATASET = "synthetic-1m"


@pytest.fixture(scope="module")
def scale_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("scale-data")
    result = subprocess.run([sys.executable, "scripts/maintainers/scale_benchmark.py", "--dataset", DATASET, "--data-dir", str(data_dir)],
                            cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return data_dir, result


def test_the_benchmark_is_quiet_and_writes_both_files(scale_run):
    data_dir, result = scale_run
    assert result.stderr == ""
    assert "| **whole course** |" in (data_dir / "metrics" / "scale.md").read_text()


def test_scale_json_has_the_promised_shape(scale_run):
    data_dir, _ = scale_run
    report = json.loads((data_dir / "metrics" / "scale.json").read_text())
    assert {"cpu_model", "cpu_count", "memory_gb", "python", "tensorflow", "keras", "gpu"} <= report["machine"].keys()
    (run,) = report["runs"]
    assert (run["dataset"], run["ratings"]) == (DATASET, 1_000_000)
    assert [lesson["name"] for lesson in run["lessons"]] == LESSONS
    for lesson in run["lessons"]:
        assert lesson["seconds"] > 0 and lesson["peak_rss_mb"] > 100, lesson  # a kernel with pandas is over 100 MB
    assert run["total_seconds"] == pytest.approx(sum(lesson["seconds"] for lesson in run["lessons"]), abs=0.5)
    assert [model["model"] for model in run["models"]] == [*MODELS, "closed_form_biases"]
    for model in run["models"]:
        assert model.keys() >= {"model", "seconds_per_epoch", "epochs", "val_rmse", "test_rmse"}


def test_factor_models_beat_the_closed_form_biases_clearly(scale_run):
    """The planted tastes are there to learn: the SGD-trained factor models must find them."""
    data_dir, _ = scale_run
    models = {model["model"]: model for model in json.loads((data_dir / "metrics" / "scale.json").read_text())["runs"][0]["models"]}
    for name in ("dot_product", "bias"):
        assert models[name]["val_rmse"] < models["closed_form_biases"]["val_rmse"] - 0.05, models


def test_the_lessons_used_the_large_data_plan(scale_run):
    data_dir, _ = scale_run
    executed = course_paths(DATASET, data_dir).executed
    for lesson, plan in [("02_dot_product", "SGD at rate 200"), ("03_bias", "SGD at rate 200"),
                         ("04_neural_net", "Adam at rate 0.003")]:
        text = printed_text(executed / f"{lesson}.ipynb")
        assert f"500,000 or more: {plan}, batch 16,384" in text, lesson
    for lesson in LESSONS:
        assert not [o for o in outputs_of(executed / f"{lesson}.ipynb") if o.get("name") == "stderr"], lesson


def test_lesson_06_evaluated_a_seeded_sample_of_users(scale_run):
    data_dir, _ = scale_run
    ranking = json.loads(course_paths(DATASET, data_dir).ranking_file.read_text())
    assert ranking["users_evaluated"] == ranking["max_users"] == 2000 < ranking["users_qualifying"]
    assert ranking["models"]["bias"]["ndcg"] > 3 * ranking["models"]["random"]["ndcg"]


def test_lesson_07_skips_ease_above_its_number_of_movies_and_says_why(scale_run):
    data_dir, _ = scale_run
    paths = course_paths(DATASET, data_dir)
    assert "EASE skipped: 11," in printed_text(paths.executed / "07_train_for_the_list.ipynb")
    record = json.loads(paths.list_ranking_file.read_text())
    assert set(record["models"]) == {"bpr", "two_tower"} and "ease" not in record["leave_latest_out"]
