"""scripts/maintainers/search_settings.py: how it scores candidates, in either direction, and what it reads.

No lesson runs here: the rows are written by hand, and lesson 07's record is a file in a tmp dir.
"""

from __future__ import annotations

import json

import pytest

from cfcourse.paths import course_paths
from cfcourse.published import PUBLISHED_LIST_TRAINING
from course_testing import load_script

search_settings = load_script("maintainers/search_settings")
RMSE, NDCG = search_settings.RMSE, search_settings.NDCG

DATASETS = ["a", "b"]


def rows_of(key: str, values: dict[str, list[float]]) -> list[dict]:
    """Rows as the search makes them, one per candidate (the published first), figures per dataset."""
    return [{"changes": {"candidate": name} if name != "published" else {}, key: dict(zip(DATASETS, figures))}
            for name, figures in values.items()]


def order_and_scores(rows: list[dict]) -> list[tuple[str, float, float]]:
    return [(row["changes"].get("candidate", "published"), row["score"], row["mean_ratio"]) for row in rows]


# Per dataset (a, b): "one" is better on one dataset only, "both" on both, "neither" on neither.
@pytest.mark.parametrize("objective, figures, expected", [
    pytest.param(RMSE, {"published": [1.0, 2.0], "one": [0.9, 2.2], "both": [0.9, 1.9], "neither": [1.2, 2.1]},
                 [("both", 0.95, 0.925), ("published", 1.0, 1.0), ("one", 1.1, 1.0), ("neither", 1.2, 1.125)],
                 id="RMSE: the largest ratio, the lowest first"),
    pytest.param(NDCG, {"published": [0.2, 0.4], "one": [0.3, 0.36], "both": [0.22, 0.48], "neither": [0.1, 0.2]},
                 [("both", 1.1, 1.15), ("published", 1.0, 1.0), ("one", 0.9, 1.2), ("neither", 0.5, 0.5)],
                 id="NDCG: the smallest ratio, the highest first"),
])
def test_the_score_is_the_worst_ratio_and_the_best_comes_first(objective, figures, expected):
    scored = search_settings.score_rows(rows_of(objective.key, figures), DATASETS, objective)
    assert order_and_scores(scored) == expected


# "same_worst" ties with the published settings on the score (1.0) and has the better mean ratio.
@pytest.mark.parametrize("objective, figures, expected", [
    pytest.param(RMSE, {"published": [1.0, 1.0], "same_worst": [0.9, 1.0], "worse": [1.0, 1.1]},
                 ["same_worst", "published", "worse"], id="RMSE: the lower mean ratio"),
    pytest.param(NDCG, {"published": [0.2, 0.4], "same_worst": [0.2, 0.48], "worse": [0.2, 0.2]},
                 ["same_worst", "published", "worse"], id="NDCG: the higher mean ratio"),
])
def test_ties_on_the_score_go_to_the_better_mean_ratio(objective, figures, expected):
    scored = search_settings.score_rows(rows_of(objective.key, figures), DATASETS, objective)
    assert [name for name, *_ in order_and_scores(scored)] == expected


def test_lesson_07_is_judged_by_its_best_keras_models_validation_ndcg(tmp_path):
    paths = course_paths("synthetic", tmp_path, "search-07_train_for_the_list-0")
    paths.list_ranking_file.parent.mkdir(parents=True)
    # EASE and most popular score higher, but the searched settings do not train them, so they must not count.
    validation_ndcg = {"most_popular": 0.5, "bpr": 0.21, "two_tower": 0.25, "ease": 0.6}
    paths.list_ranking_file.write_text(json.dumps({"models": {}, "validation_ndcg": validation_ndcg}))
    lesson_07 = search_settings.SEARCHED["07_train_for_the_list"]
    assert lesson_07.objective.read("07_train_for_the_list", paths) == 0.25
    assert lesson_07.objective.higher_is_better
    assert lesson_07.parameters == PUBLISHED_LIST_TRAINING


def test_every_lesson_with_candidates_says_how_it_is_judged_and_starts_from_its_published_settings():
    assert set(search_settings.SEARCHED) == set(search_settings.CANDIDATES)
    assert all(candidates[0] == {} for candidates in search_settings.CANDIDATES.values())
    assert set(search_settings.SEARCHED["07_train_for_the_list"].needs) == {"00_download", "01_preprocessing"}


def test_ensure_course_run_runs_only_what_lesson_07_needs(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(search_settings, "execute_lesson", lambda lesson, notebook, parameters: ran.append(lesson))
    search_settings.ensure_course_run("synthetic", str(tmp_path), tmp_path, ["07_train_for_the_list"])
    assert ran == ["00_download", "01_preprocessing"]


def test_the_report_names_each_lessons_figure():
    rows = {"04_neural_net": rows_of("val_rmse", {"published": [0.85, 0.9]}),
            "07_train_for_the_list": rows_of("val_ndcg", {"published": [0.2, 0.3]})}
    scored = {lesson: search_settings.score_rows(lesson_rows, DATASETS, search_settings.SEARCHED[lesson].objective)
              for lesson, lesson_rows in rows.items()}
    report = search_settings.markdown(scored, DATASETS)
    rating_part, list_part = report.split("### 07_train_for_the_list")
    assert "validation RMSE, lower is better" in rating_part and "0.8500" in rating_part
    assert "validation NDCG@10 of the best Keras model, higher is better" in list_part and "0.3000" in list_part
