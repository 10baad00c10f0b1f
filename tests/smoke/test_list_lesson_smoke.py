"""Lesson 07 (training for the list) run by papermill on the synthetic dataset, with small settings.

It needs only lesson 01's processed data (lesson 06's rows join its table when they exist). Its checks of
the claims its text makes run in strict mode here, so a Keras ranking model that fell below "most popular"
on the synthetic data (where popularity decides what is relevant) fails the test.
"""

from __future__ import annotations

import json

import pytest

from cfcourse.course import LESSONS, LIST_MODELS
from cfcourse.paths import course_paths
from cfcourse.published import STRICT_VARIABLE
from course_testing import outputs_of, printed_text, run_lesson

pytestmark = pytest.mark.smoke

LESSON = "07_train_for_the_list"
SETTINGS = dict(embedding_size=16, max_epochs=3, run="smoke-07")


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("list-data")
    for lesson in ["00_download", "01_preprocessing"]:
        run_lesson(lesson, data_dir, dataset="synthetic", data_dir=str(data_dir))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(STRICT_VARIABLE, "1")
        notebook = run_lesson(LESSON, data_dir, dataset="synthetic", data_dir=str(data_dir), **SETTINGS)
    return data_dir, notebook


def test_the_lesson_runs_after_lesson_06():
    assert LESSONS.index(LESSON) == LESSONS.index("06_evaluate_recommendations") + 1


def test_no_errors_no_stderr(executed):
    _, notebook = executed
    for output in outputs_of(notebook):
        assert output["output_type"] != "error"
        assert output.get("name") != "stderr", "".join(output.get("text", ""))[:300]


def test_results_file_holds_every_model_on_lesson_06_protocol(executed):
    data_dir, _ = executed
    record = json.loads(course_paths("synthetic", data_dir, "smoke-07").list_ranking_file.read_text())
    assert (record["dataset"], record["k"], record["threshold"], record["max_users"]) == ("synthetic", 10, 4.0, 2000)
    assert list(record["models"]) == LIST_MODELS
    assert record["fitted_on"] == "train"
    for metrics in record["models"].values():
        assert 0 < metrics["ndcg"] <= 1 and 0 < metrics["coverage"] <= 1
    # leave-latest-out refits the Keras model chosen on validation, whichever it is
    best_keras = record["chosen_on_validation"]["best_keras"]
    assert best_keras in ("bpr", "two_tower")
    assert record["validation_ndcg"][best_keras] == max(record["validation_ndcg"][name] for name in ("bpr", "two_tower"))
    assert set(record["leave_latest_out"]) == {"most_popular", best_keras, "ease"}


def test_the_claims_were_checked_and_held(executed):
    _, notebook = executed
    text = printed_text(notebook)
    assert "As the text says, the best Keras ranking model" in text and "1.0x most popular" in text
    assert "Note: the text says" not in text


def test_plots_and_the_learners_list(executed):
    _, notebook = executed
    assert sum("image/png" in o.get("data", {}) for o in outputs_of(notebook)) >= 2
    text = printed_text(notebook)
    assert "has made-up titles, so your ratings become its four most-rated movies" in text
    assert "folded-in vectors" in text
