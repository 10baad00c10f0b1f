"""The course on JAX gives TensorFlow's results: the whole course run on the synthetic dataset with
``run_course.py --backend jax``, and its training and ranking lessons again on TensorFlow in the same
data folder, each with the lessons' own training parameters (so both settle: after a few epochs two
backends differ as much as two seeds do).

The bands are the course's promise for a backend (docs/backends.md): every model's test RMSE within
±0.01 of TensorFlow's, and lesson 06's NDCG@10 close. `make test` installs JAX first (requirements-jax.lock).
"""

from __future__ import annotations

import json

import pytest

from cfcourse.backend import backend_installed
from cfcourse.course import MODELS
from cfcourse.paths import course_paths, summary_file
from course_testing import most_rated_synthetic_title, outputs_of, run_course, run_lesson

pytestmark = [pytest.mark.smoke,
              pytest.mark.skipif(not backend_installed("jax"),
                                 reason="JAX is not installed in .venv: run `make setup BACKEND=jax` (make test does)")]

RMSE_BAND = 0.01
#: NDCG@10 over the synthetic dataset's 228 users moves by a few hundredths from seed to seed.
NDCG_BAND = 0.05
RUNS = {"jax": "on-jax", "tensorflow": "on-tensorflow"}


@pytest.fixture(scope="module")
def both_backends(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("backends")
    on_jax = run_course("--backend", "jax", "--dataset", "synthetic", "--data-dir", str(data_dir),
                        "-p", f"run={RUNS['jax']}", "-p", "min_ratings=10",
                        "-p", f"query_movie={most_rated_synthetic_title()!r}")
    assert on_jax.returncode == 0, on_jax.stderr[-3000:]
    folder = data_dir / "on-tensorflow-lessons"
    folder.mkdir()
    for lesson in ["02_dot_product", "03_bias", "04_neural_net", "06_evaluate_recommendations"]:
        run_lesson(lesson, folder, dataset="synthetic", data_dir=str(data_dir), run=RUNS["tensorflow"])
    return data_dir, on_jax


def metrics(data_dir, backend: str) -> dict:
    paths = course_paths("synthetic", data_dir, RUNS[backend])
    return {model: json.loads(paths.metrics_file(model).read_text()) for model in MODELS}


def ndcg(data_dir, backend: str) -> dict:
    ranking = json.loads(course_paths("synthetic", data_dir, RUNS[backend]).ranking_file.read_text())
    return {model: ranking["models"][model]["ndcg"] for model in MODELS}


def test_the_run_on_jax_says_so_and_prints_nothing_in_red(both_backends):
    data_dir, on_jax = both_backends
    assert on_jax.stderr == ""
    assert "Keras backend: jax" in on_jax.stdout and "on synthetic, run 'on-jax', on jax." in on_jax.stdout
    executed = course_paths("synthetic", data_dir, RUNS["jax"]).executed
    for notebook in sorted(executed.glob("*.ipynb")):
        assert not [o for o in outputs_of(notebook) if o.get("name") == "stderr"], f"{notebook.name} wrote to stderr"
    rows = [row for row in json.loads(summary_file(data_dir).read_text()) if row["run"] == RUNS["jax"]]
    assert [row["backend"] for row in rows] == ["jax"] * len(MODELS)


@pytest.mark.parametrize("model", MODELS)
def test_each_model_on_jax_is_within_a_hundredth_of_tensorflow(both_backends, model):
    data_dir, _ = both_backends
    jax, tensorflow = metrics(data_dir, "jax")[model], metrics(data_dir, "tensorflow")[model]
    assert abs(jax["test_rmse"] - tensorflow["test_rmse"]) <= RMSE_BAND, (jax, tensorflow)


@pytest.mark.parametrize("model", MODELS)
def test_lesson_06_ranks_as_well_on_jax(both_backends, model):
    data_dir, _ = both_backends
    assert abs(ndcg(data_dir, "jax")[model] - ndcg(data_dir, "tensorflow")[model]) <= NDCG_BAND
