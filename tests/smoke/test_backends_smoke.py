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
import re
import shutil
import subprocess

import pytest

from cfcourse.backend import backend_installed
from cfcourse.course import MODELS
from cfcourse.paths import DATA_DIR_VARIABLE, REPOSITORY_ROOT, course_paths, summary_file
from course_testing import outputs_of, outside_make, readme_section, run_course, run_lesson

pytestmark = [pytest.mark.smoke,
              pytest.mark.skipif(not backend_installed("jax"),
                                 reason="JAX is not installed in .venv: run `make setup BACKEND=jax` (make test does)")]

RMSE_BAND = 0.01
#: NDCG@10 over the synthetic dataset's 228 users moves by a few hundredths from seed to seed.
NDCG_BAND = 0.05
#: The run on JAX is the course's own (what `make run-all` makes); TensorFlow's lessons run as an experiment beside it.
RUNS = {"jax": None, "tensorflow": "on-tensorflow"}
README = REPOSITORY_ROOT / "README.md"
#: The line of the README's sample output that stands for the two tables it shows in full above it.
TABLES = "(the two tables above)"


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


def readme_sample() -> tuple[str, list[str]]:
    """The command and the lines of the sample output the README shows under "What you will see"."""
    section = readme_section(README.read_text(), "What you will see")
    samples = re.findall(r"^```text\n\$ (.*?)\n(.*?)^```", section, re.M | re.S)
    assert samples, "the README's 'What you will see' has no ```text block starting with '$ <command>'"
    command, output = samples[0]
    return command, output.splitlines()


def sample_pattern(lines: list[str], dataset: str) -> re.Pattern:
    """The sample as a pattern for a run on ``dataset``: any seconds and any RMSE, any padding before them,
    and any lines (the tables) where the sample says :data:`TABLES`; everything else as written."""
    parts = []
    for line in lines:
        if line.strip() == TABLES:
            parts.append(r"(?:.*\n)*.*")
            continue
        escaped = re.escape(line.rstrip().replace("ml-latest-small", dataset))
        escaped = re.sub(r"\d+\\\.\d+", r"\\d+\\.\\d+", escaped)
        parts.append(re.sub(r"(?:\\ )+| +", " +", escaped))
    return re.compile("\n".join(parts))


def test_the_readme_shows_the_command_the_run_was(both_backends):
    command, _ = readme_sample()
    assert command == "make run-all BACKEND=jax", "the README's sample is of another command than this test runs"


def test_the_run_prints_what_the_readme_shows(both_backends):
    _, on_jax = both_backends
    _, lines = readme_sample()
    if not shutil.which("make"):
        lines = lines[1:]  # make's echo of the command
    printed = "\n".join(line.rstrip() for line in on_jax.stdout.strip("\n").splitlines())
    assert sample_pattern(lines, "synthetic").fullmatch(printed), (
        "`make run-all DATASET=synthetic BACKEND=jax` printed other lines than the README's sample:\n" + printed)


def test_the_comparison_with_the_readme_can_fail():
    """The sample, with a line of table, matches itself; a lesson line missing, or a line the README does not
    show, is caught."""
    _, lines = readme_sample()
    pattern = sample_pattern(lines, "ml-latest-small")
    faithful = "\n".join("model  a table" if line.strip() == TABLES else line for line in lines)
    assert pattern.fullmatch(faithful)
    lesson = next(line for line in lines if line.startswith("03_bias"))
    assert not pattern.fullmatch(faithful.replace(lesson + "\n", ""))
    assert not pattern.fullmatch(faithful.replace(lesson, lesson + "\nWARNING: something"))
    assert not pattern.fullmatch(faithful.replace("on jax.", "on tensorflow."))
