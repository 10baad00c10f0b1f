"""Lesson 08 (the next movie, cold-start movies) run by papermill on the synthetic dataset, with small settings, on each backend.

It needs only lesson 01's processed data (lesson 07's rows join its table when they exist). Its checks of the
claims its text makes run in strict mode here; on synthetic data the order claims are skipped (its timestamps
are drawn at random), so the test asks only for a clean run, a results file that holds together, and the
exercises' worked solutions.
"""

from __future__ import annotations

import json

import pytest

from cfcourse.backend import backend_installed
from cfcourse.course import LESSONS
from cfcourse.headless import execute_lesson
from cfcourse.lesson import results_file
from cfcourse.paths import course_paths
from cfcourse.published import STRICT_VARIABLE
from course_testing import outputs_of, printed_text, run_lesson

pytestmark = pytest.mark.smoke

LESSON = "08_next_movie"
SETTINGS = dict(embedding_size=16, max_epochs=2, sequence_length=10, min_ratings=2)
BACKENDS = ["tensorflow", pytest.param("jax", marks=pytest.mark.skipif(
    not backend_installed("jax"), reason="JAX is not installed in .venv: run `make setup BACKEND=jax` (make test does)"))]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("next-movie-data")
    for lesson in ["00_download", "01_preprocessing"]:
        run_lesson(lesson, data_dir, dataset="synthetic", data_dir=str(data_dir))
    return data_dir


@pytest.fixture(scope="module", params=BACKENDS)
def executed(request, data_dir):
    backend = request.param
    output = data_dir / f"{LESSON}-{backend}.ipynb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STRICT_VARIABLE, "1")
        execute_lesson(LESSON, output, dict(dataset="synthetic", data_dir=str(data_dir), run=f"smoke-08-{backend}",
                                            **SETTINGS), backend=backend)
    return backend, output


def test_the_lesson_runs_after_lesson_07():
    assert LESSONS.index(LESSON) == LESSONS.index("07_train_for_the_list") + 1


def test_no_errors_no_stderr(executed):
    _, notebook = executed
    for output in outputs_of(notebook):
        assert output["output_type"] != "error"
        assert output.get("name") != "stderr", "".join(output.get("text", ""))[:300]


def test_results_file_holds_the_models_on_the_latest_ratings(executed, data_dir):
    backend, _ = executed
    record = json.loads(results_file(course_paths("synthetic", data_dir, f"smoke-08-{backend}"), LESSON).read_text())
    assert (record["dataset"], record["k"], record["threshold"], record["max_users"]) == ("synthetic", 10, 4.0, 2000)
    assert set(record["models"]) == {"most_popular", "next_movie", "next_movie_shuffled", "next_movie_first_80",
                                     "ease_same_history"}
    for name, metrics in record["models"].items():
        assert 0 <= metrics["ndcg"] <= 1, name
    cold_start = record["cold_start"]
    assert cold_start["cold_movies"] > 0
    for column in cold_start["ndcg"].values():
        assert set(column) == {"random", "your_genres", "id_tower", "content_tower"}
        assert all(0 <= ndcg <= 1 for ndcg in column.values())
    for name, epochs in record["chosen_on_validation"]["epochs"].items():
        assert 1 <= epochs <= SETTINGS["max_epochs"], name


def test_the_plot_and_the_worked_solutions(executed):
    _, notebook = executed
    assert sum("image/png" in o.get("data", {}) for o in outputs_of(notebook)) >= 1
    text = printed_text(notebook)
    assert "Note: the text says" not in text
    assert text.count(": correct") >= 5 and "not yet" not in text
