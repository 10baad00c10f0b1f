"""A learner's experiment is kept apart from the course's own run, and later lessons read it only when told.

The scenario of the README's "Experimenting" section, on synthetic data: the course's lessons 02
and 03 ran; the learner re-runs lesson 03 with another ``n_factors``, then lesson 05 on their run.
"""

from __future__ import annotations

import pytest

from cfcourse.paths import course_paths, summary_file
from course_testing import most_rated_synthetic_title, printed_text, run_course, run_lesson

pytestmark = pytest.mark.smoke


@pytest.fixture(scope="module")
def course_and_experiment(tmp_path_factory):
    """The course's own lessons 00–03 on synthetic data, then lesson 03 again with n_factors=4."""
    data_dir = tmp_path_factory.mktemp("experiment")
    common = dict(dataset="synthetic", data_dir=str(data_dir))
    for lesson in ["00_download", "01_preprocessing", "02_dot_product", "03_bias"]:
        run_lesson(lesson, data_dir, **common)
    course = course_paths("synthetic", data_dir)
    course_model = course.model_file("bias").read_bytes()
    experiment_folder = data_dir / "experiment-03"
    experiment_folder.mkdir()
    executed = run_lesson("03_bias", experiment_folder, n_factors=4, **common)
    return data_dir, course, course_model, executed


def test_the_experiment_says_where_it_saves_and_leaves_the_course_model_alone(course_and_experiment):
    data_dir, course, course_model, executed = course_and_experiment
    experiment = course_paths("synthetic", data_dir, run="n_factors-4")
    assert "Your parameters: n_factors=4 (course: 50). This run, 'n_factors-4', saves to" in printed_text(executed)
    assert course.model_file("bias").read_bytes() == course_model
    assert experiment.model_file("bias").exists() and experiment.metrics_file("bias").exists()


def test_lesson_05_reads_the_course_run_unless_told_and_says_which(course_and_experiment):
    data_dir, _, _, _ = course_and_experiment
    common = dict(dataset="synthetic", data_dir=str(data_dir), min_ratings=10, query_movie=most_rated_synthetic_title())
    for run, whose, factors in [(None, "the course's own run", 50), ("n_factors-4", "your run 'n_factors-4'", 4)]:
        folder = data_dir / f"inspect-{run}"
        folder.mkdir()
        text = printed_text(run_lesson("05_inspect_embeddings", folder, run=run, **common))
        assert f"bias.keras, lesson 3's bias model from {whose}" in text
        assert f"factor table:  (200, {factors})" in text


def test_an_experiment_through_the_runner_leaves_the_course_run_alone(course_and_experiment):
    """`run_course.py -p ...` keeps its models apart too, and adds its rows to the summary beside the others."""
    data_dir, course, course_model, _ = course_and_experiment
    result = run_course("--dataset", "synthetic", "--data-dir", str(data_dir), "-p", "run=second", "-p", "epochs=1",
                        "-p", "min_ratings=10", "-p", f"query_movie={most_rated_synthetic_title()!r}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert course.model_file("bias").read_bytes() == course_model
    rows = summary_file(data_dir).read_text()
    assert '"run": "second"' in rows
