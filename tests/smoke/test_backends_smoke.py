"""The course on JAX gives TensorFlow's results: the whole course run on the synthetic dataset with
``make run-all DATASET=synthetic BACKEND=jax``, as a learner types it (the course's own run, in a fresh data
folder), and its training and ranking lessons again on TensorFlow in the same data folder, each with the
lessons' own training parameters (so both settle: after a few epochs two backends differ as much as two
seeds do).

The bands are the course's promise for a backend (docs/backends.md): every model's test RMSE within
±0.01 of TensorFlow's, and lesson 06's NDCG@10 close. `make test` installs JAX first (requirements-jax.lock).

The same run's terminal output is compared, line by line, with the one the README shows under
"What you will see" (numbers and the dataset's name aside), so the README says what `make run-all` prints.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from cfcourse.backend import backend_installed
from cfcourse.course import LESSONS, MODELS
from cfcourse.exercises.registry import EXERCISES
from cfcourse.paths import DATA_DIR_VARIABLE, REPOSITORY_ROOT, course_paths, summary_file
from course_testing import (described_pieces, outputs_of, outside_make, read_as_described, run_all_description,
                            run_course, run_lesson)

pytestmark = [pytest.mark.smoke,
              pytest.mark.skipif(not backend_installed("jax"),
                                 reason="JAX is not installed in .venv: run `make setup BACKEND=jax` (make test does)")]

RMSE_BAND = 0.01
#: NDCG@10 over the synthetic dataset's 228 users moves by a few hundredths from seed to seed.
NDCG_BAND = 0.05
#: The run on JAX is the course's own (what `make run-all` makes); TensorFlow's lessons run as an experiment beside it.
RUNS = {"jax": None, "tensorflow": "on-tensorflow"}



@pytest.fixture(scope="module")
def both_backends(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("backends")
    if shutil.which("make"):
        on_jax = subprocess.run(["make", "run-all", "DATASET=synthetic", "BACKEND=jax"], cwd=REPOSITORY_ROOT,
                                env={**outside_make(), DATA_DIR_VARIABLE: str(data_dir)},
                                capture_output=True, text=True, timeout=900)
    else:  # the same run, without make's echo of the command
        on_jax = run_course("--backend", "jax", "--dataset", "synthetic", "--data-dir", str(data_dir))
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
    assert "Keras backend: jax" in on_jax.stdout and "on synthetic, on jax." in on_jax.stdout
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


def test_the_run_prints_what_the_readme_describes(both_backends):
    _, on_jax = both_backends
    lines = [line.rstrip() for line in on_jax.stdout.splitlines() if line.strip()]
    if not shutil.which("make"):
        lines.insert(0, ".venv/bin/python scripts/run_course.py --dataset synthetic --backend jax")  # make's echo
    unread = read_as_described(lines, described_pieces(run_all_description()))
    assert unread == [], "`make run-all BACKEND=jax` printed lines the README does not describe:\n" + "\n".join(unread)


def test_the_comparison_with_the_readme_can_fail():
    """A described output passes; one with a lesson line missing, or with a line the README does not describe, fails."""
    described = [".venv/bin/python scripts/run_course.py --dataset ml-latest-small --backend jax",
                 "Keras backend: jax (the course's default is tensorflow)",
                 *(f"{lesson:<28}    1.0 s" for lesson in LESSONS), f"All {len(LESSONS)} lessons ran in 9.0 s on ml-latest-small, on jax.",
                 "model  dataset  test RMSE", "------", "bias  ml-latest-small  0.8381",
                 "Top-10 lists for 559 users of ml-latest-small", "model  NDCG@10", "------", "ease  0.2374",
                 "Top-10 lists for 559 users of ml-latest-small, fitted on each user's earliest 80% of ratings",
                 "model  NDCG@10  coverage", "------", "next_movie  0.0715  0.0844", "ease (lesson 07)  0.0609  -",
                 f"Exercises: {len(EXERCISES)} solutions checked, all correct"]
    pieces = described_pieces(run_all_description())
    assert read_as_described(described, pieces) == []
    assert read_as_described(described[:4] + described[5:], pieces) != []
    assert read_as_described(described[:3] + ["WARNING: something"] + described[3:], pieces) != []
    assert read_as_described(described + ["ERROR | KeyboardInterrupt caught in kernel"], pieces) != []
    assert read_as_described(described[:-5] + described[-1:], pieces) != [], "a table missing is not described"
