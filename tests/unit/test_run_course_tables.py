"""What scripts/run_course.py prints after the lessons: an experiment's verdicts and rows marked as its own,
and an accepted edition named wherever its numbers appear (tables, summary, executed copies)."""

from __future__ import annotations

import json

import pytest

from cfcourse.course import BY_NAME
from cfcourse.data.editions import EditionRecord, write_record
from cfcourse.metrics import format_models_table
from cfcourse.paths import course_paths
from cfcourse.published import PUBLISHED
from course_testing import load_script

run_course = load_script("run_course")

ACCEPTED = "accepted-0123456789ab"
COURSE_LESSON_02 = PUBLISHED["02_dot_product"].parameters


def record(model: str, run: str | None = None, **values) -> dict:
    return {"model": model, "dataset": "ml-latest-small", "run": run, "test_rmse": 0.88, "val_rmse": 0.87,
            "epochs": 5, "train_seconds": 2.0, "seconds_per_epoch": 0.4, "edition": "published", **values}


def test_an_experiments_verdict_compares_its_own_models_on_validation_within_the_seeds_noise():
    records = [record("dot_product", "n_factors-10", val_rmse=0.8801, test_rmse=0.8912,
                      parameters={**COURSE_LESSON_02, "n_factors": 10}),
               record("bias", parameters=PUBLISHED["03_bias"].parameters)]  # the course's: not the experiment's
    lines = run_course.verdict_lines(records, "n_factors-10")
    assert lines == ["dot_product: validation RMSE 0.8801 with your parameters n_factors=10 (course: 50), against "
                     "the course's 0.8693 (+0.0108): worse by more than the 0.0050 the seed alone moves it. "
                     "Test RMSE 0.8912: keep it for the end."]


def test_the_courses_own_run_prints_no_verdict_in_the_terminal():
    assert run_course.verdict_lines([record("dot_product", parameters=COURSE_LESSON_02)], None) == []


def test_an_experiment_on_an_accepted_edition_is_told_there_is_nothing_to_compare():
    records = [record("dot_product", "n_factors-10", edition=ACCEPTED,
                      parameters={**COURSE_LESSON_02, "n_factors": 10})]
    assert "different edition: no published number to compare" in run_course.verdict_lines(records, "n_factors-10")[0]


def test_the_models_table_marks_the_experiments_rows_and_only_when_there_is_one():
    mixed = format_models_table([record("dot_product", "n_factors-10"), record("bias")]).splitlines()
    assert mixed[0].split()[-1] == "run"
    assert mixed[2].endswith(" n_factors-10") and mixed[3].endswith(" the course's")
    assert "run" not in format_models_table([record("bias")]).splitlines()[0].split()


def test_the_models_table_names_an_accepted_edition_in_every_row():
    lines = format_models_table([record("bias", edition=ACCEPTED), record("dot_product")]).splitlines()
    assert f"ml-latest-small (edition {ACCEPTED})" in lines[2]
    assert "edition" not in lines[3], "the published edition is the course's: nothing to say"


RANKING_ROW = {"precision": 0.1, "recall": 0.2, "ndcg": 0.3, "coverage": 0.05, "mean_popularity": 120.0}


def ranking(models, **changes):
    return {"dataset": "ml-latest-small", "k": 10, "threshold": 4.0, "users_evaluated": 559,
            "users_qualifying": 559, "max_users": 2000, "models": models, **changes}


def test_the_ranking_table_marks_the_experiments_rows(tmp_path):
    course, experiment = course_paths("ml-latest-small", tmp_path), course_paths("ml-latest-small", tmp_path, "e")
    for paths, file, models in [(course, "ranking.json", {"most_popular": RANKING_ROW}),
                                (experiment, "ranking_07.json", {"bpr": RANKING_ROW})]:
        paths.metrics.mkdir(parents=True)
        (paths.metrics / file).write_text(json.dumps(ranking(models)))
    lines = run_course.format_ranking_table(run_course.ranking_to_print(experiment)).splitlines()
    assert lines[1].split()[-1] == "run"
    assert lines[3].startswith("most_popular") and lines[3].endswith(" the course's")
    assert lines[4].startswith("bpr") and lines[4].endswith(" e")


def test_the_ranking_table_names_an_accepted_edition():
    title = run_course.format_ranking_table(ranking({}, edition=ACCEPTED)).splitlines()[0]
    assert f"of ml-latest-small (edition {ACCEPTED}) (relevant" in title
    assert "edition" not in run_course.format_ranking_table(ranking({}, edition="published")).splitlines()[0]


def accept(data_dir, edition: str = ACCEPTED) -> None:
    folder = data_dir / "raw" / "ml-latest-small"
    folder.mkdir(parents=True, exist_ok=True)
    write_record(folder, EditionRecord("ml-latest-small", edition, "a test", {}))


@pytest.mark.parametrize("run", [None, "small"])
def test_an_accepted_editions_executed_lessons_have_a_folder_of_their_own(tmp_path, run):
    paths = course_paths("ml-latest-small", tmp_path, run)
    published = paths.executed
    accept(tmp_path)
    assert paths.executed != published
    assert paths.executed.relative_to(tmp_path / "executed").parts[0] == f"ml-latest-small-{ACCEPTED}"
    assert paths.executed.name == (run or f"ml-latest-small-{ACCEPTED}")


def test_lesson_00s_copy_moves_to_the_edition_it_fetched_and_leaves_the_published_copies_alone(tmp_path):
    published = tmp_path / "executed" / "ml-latest-small"
    published.mkdir(parents=True)
    (published / "00_download.ipynb").write_text("the published edition's")
    (published / "00_download.accepting.ipynb").write_text("the accepted edition's")
    target = tmp_path / "executed" / f"ml-latest-small-{ACCEPTED}" / "00_download.ipynb"
    run_course.move_to_its_edition(published / "00_download.accepting.ipynb", target)
    assert target.read_text() == "the accepted edition's"
    assert sorted(p.name for p in published.iterdir()) == ["00_download.ipynb"]
    assert (published / "00_download.ipynb").read_text() == "the published edition's"


def test_a_results_table_holds_the_lessons_models_then_the_earlier_lessons_rows_it_kept():
    row = {"precision": 0.1, "recall": 0.2, "ndcg": 0.0715, "coverage": 0.0841, "mean_popularity": 81.19}
    record = {"dataset": "ml-latest-small", "edition": "published", "k": 10, "threshold": 4.0, "users_evaluated": 559,
              "fitted_on": "each user's earliest 80% of ratings",
              "models": {"most_popular": {**row, "ndcg": 0.0464}, "next_movie": row},
              "lesson_07_ndcg": {"two_tower": 0.0546}}
    lines = run_course.format_results_table("08_a_lesson", record).splitlines()
    assert "559 users" in lines[0] and "earliest 80% of ratings" in lines[0] and "08_a_lesson" in lines[0]
    body = [line.split() for line in lines if line.split() and line.split()[0] in ("most_popular", "next_movie", "two_tower")]
    assert body == [["most_popular", "0.0464", "0.0841", "81.2"], ["next_movie", "0.0715", "0.0841", "81.2"],
                    ["two_tower", "(lesson", "07)", "0.0546", "-", "-"]]


def test_a_results_table_without_earlier_rows_has_its_own_rows_alone():
    row = {"ndcg": 0.05, "coverage": 0.01, "mean_popularity": 10.0}
    record = {"dataset": "synthetic", "k": 10, "threshold": 4.0, "users_evaluated": 5, "models": {"next_movie": row}}
    table = run_course.format_results_table("08_a_lesson", record)
    assert "(lesson" not in table and "next_movie" in table


def test_results_tables_come_from_the_lessons_that_ran_and_whose_results_hold_models(tmp_path):
    paths = course_paths("synthetic", tmp_path)
    paths.metrics.mkdir(parents=True)
    own = [name for name, lesson in BY_NAME.items() if lesson.results and name not in run_course.RANKING_LESSONS]
    assert own, "no lesson writes a results file of its own"
    row = {"ndcg": 0.05, "coverage": 0.01, "mean_popularity": 10.0}
    record = {"dataset": "synthetic", "k": 10, "threshold": 4.0, "users_evaluated": 5, "models": {"a_model": row}}
    (paths.metrics / BY_NAME[own[0]].results).write_text(json.dumps(record))
    assert run_course.results_tables(paths, []) == []
    [table] = run_course.results_tables(paths, [own[0]])
    assert own[0] in table.splitlines()[0] and "a_model" in table
    (paths.metrics / BY_NAME[own[0]].results).write_text(json.dumps({"no": "models"}))
    assert run_course.results_tables(paths, [own[0]]) == []
