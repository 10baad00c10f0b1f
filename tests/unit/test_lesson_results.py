"""How a lesson leaves its results (``run.save_results``) and reads an earlier lesson's (``run.read_results``).

No lesson runs here: each run object is made by hand over a tmp data folder, as ``lesson.start`` would make it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cfcourse.data.datasets import get_dataset
from cfcourse.lesson import LessonRun
from cfcourse.metrics import write_model_metrics
from cfcourse.paths import course_paths, shown_path

RANKING, LIST_RANKING = "06_evaluate_recommendations", "07_train_for_the_list"
RECORD = {"dataset": "synthetic", "k": 10, "models": {"bias": {"ndcg": 0.123456789}}}


def lesson_run(tmp_path, lesson: str, run: str | None = None) -> LessonRun:
    return LessonRun(lesson, {}, course_paths("synthetic", tmp_path, run), get_dataset("synthetic"))


@pytest.mark.parametrize("lesson, file_name", [(RANKING, "ranking.json"), (LIST_RANKING, "ranking_07.json")])
def test_a_lesson_saves_its_record_to_its_own_file_in_its_run(tmp_path, capsys, lesson, file_name):
    lesson_run(tmp_path, lesson, "k-5").save_results(RECORD)
    target = tmp_path / "experiments" / "synthetic" / "k-5" / "metrics" / file_name
    assert target.read_text() == json.dumps(RECORD, indent=2) + "\n"  # the format the lessons wrote by hand
    assert capsys.readouterr().out == f"saved {shown_path(target)}\n"  # relative where the clone is beside it
    assert [path.name for path in target.parent.iterdir()] == [file_name]


def test_a_save_that_fails_halfway_leaves_the_earlier_file_whole(tmp_path, monkeypatch):
    run = lesson_run(tmp_path, RANKING)
    run.save_results(RECORD)
    write_text = Path.write_text

    def half_then_fail(path, text, *args, **kwargs):
        write_text(path, text[: len(text) // 2], *args, **kwargs)
        raise OSError("no space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(OSError, match="no space left"):
        run.save_results({**RECORD, "k": 5})
    assert json.loads(run.paths.ranking_file.read_text()) == RECORD


def test_a_later_lesson_reads_what_an_earlier_one_saved_as_it_was(tmp_path):
    lesson_run(tmp_path, RANKING).save_results(RECORD)
    assert lesson_run(tmp_path, LIST_RANKING).read_results(RANKING) == RECORD


def test_a_ranking_another_run_saved_is_not_read_as_this_runs(tmp_path):
    lesson_run(tmp_path, RANKING).save_results(RECORD)  # the course's own run, judged on its own protocol
    assert lesson_run(tmp_path, LIST_RANKING, "k-5").read_results(RANKING) is None


def write_metrics(paths, model: str, test_rmse: float) -> None:
    write_model_metrics(paths, model, val_rmse=0.9, test_rmse=test_rmse, epochs=3, train_seconds=1.0)
    paths.models.mkdir(parents=True, exist_ok=True)
    paths.model_file(model).touch()


def test_a_training_lessons_metrics_come_from_the_run_that_trained_its_model(tmp_path):
    course, experiment = course_paths("synthetic", tmp_path), course_paths("synthetic", tmp_path, "mine")
    write_metrics(course, "dot_product", 0.95)
    write_metrics(course, "bias", 0.9)
    write_metrics(experiment, "bias", 0.8)
    reader = lesson_run(tmp_path, "04_neural_net", "mine")
    assert reader.read_results("03_bias")["test_rmse"] == 0.8
    assert reader.read_results("02_dot_product")["test_rmse"] == 0.95
    assert reader.read_results("04_neural_net") is None  # not trained in either run yet


def copy_of_lesson_07(tmp_path, **protocol) -> LessonRun:
    parameters = {"k": 10, "threshold": 4.0, "seed": 42, "max_users": 2000, **protocol}
    return LessonRun("07_train_for_the_list", parameters, course_paths("synthetic", tmp_path, "mine"),
                     get_dataset("synthetic"), own_copy=True)


def test_your_copy_judging_as_the_course_reads_the_courses_ranking_and_says_so(tmp_path, capsys):
    lesson_run(tmp_path, "06_evaluate_recommendations").save_results({"models": {"bias": {"ndcg": 0.2}}})
    capsys.readouterr()
    assert copy_of_lesson_07(tmp_path).read_results("06_evaluate_recommendations") == {"models": {"bias": {"ndcg": 0.2}}}
    assert "its results come from the course's own run" in capsys.readouterr().out


def test_your_copy_judging_another_way_never_reads_the_courses_ranking(tmp_path):
    lesson_run(tmp_path, "06_evaluate_recommendations").save_results({"models": {"bias": {"ndcg": 0.2}}})
    assert copy_of_lesson_07(tmp_path, k=5).read_results("06_evaluate_recommendations") is None
