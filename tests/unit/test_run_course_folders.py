"""scripts/run_course.py and a processed folder lesson 01 did not make: it is checked, read as it is, never replaced."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cfcourse.course import LESSONS
from cfcourse.paths import course_paths
from course_testing import load_script

run_course = load_script("run_course")


def hand_made_folder(tmp_path, with_timestamp=True, with_split_json=True):
    """A learner's processed folder for 'synthetic': three users, two movies, every part of the split."""
    paths = course_paths("synthetic", tmp_path)
    paths.processed.mkdir(parents=True)
    ratings = pd.DataFrame({"user_idx": [0, 0, 1, 1, 2, 2], "movie_idx": [0, 1, 0, 1, 0, 1],
                            "rating": [4.0, 3.0, 5.0, 2.0, 4.0, 1.0], "timestamp": range(6),
                            "split": ["train", "val", "train", "test", "train", "train"]})
    ratings.drop(columns=[] if with_timestamp else ["timestamp"]).to_parquet(paths.processed / "ratings.parquet")
    pd.DataFrame({"movie_idx": [0, 1], "movie": [10, 20], "title": ["A", "B"], "n_ratings": [3, 3]}).to_csv(
        paths.processed / "movies.csv", index=False)
    pd.DataFrame({"user_idx": [0, 1, 2], "user": [7, 8, 9]}).to_csv(paths.processed / "users.csv", index=False)
    if with_split_json:
        (paths.processed / "split.json").write_text(json.dumps({"method": "mine"}))
    return paths


def contents(folder):
    return {file.name: file.read_bytes() for file in sorted(folder.iterdir())}


def test_a_complete_folder_is_read_as_it_is_and_lessons_00_01_do_not_run(tmp_path, capsys):
    paths = hand_made_folder(tmp_path)
    assert run_course.lessons_for_the_folder(list(LESSONS), paths, {}) == LESSONS[2:]
    printed = capsys.readouterr().out
    assert "was not made by lesson 01, so it is left as it is: lessons 00 and 01 do not run" in printed
    assert "(split: mine)" in printed


@pytest.mark.parametrize("missing, named", [
    (dict(with_timestamp=False), "ratings.parquet has no column 'timestamp'"),
    (dict(with_split_json=False), "split.json is missing: a processed folder holds"),
])
def test_a_folder_lacking_something_stops_in_one_line_and_is_left_alone(tmp_path, missing, named):
    paths = hand_made_folder(tmp_path, **missing)
    before = contents(paths.processed)
    with pytest.raises(run_course.RunError, match=named) as raised:
        run_course.lessons_for_the_folder(list(LESSONS), paths, {})
    assert "\n" not in str(raised.value) and "so it is left as it is" in str(raised.value)
    assert contents(paths.processed) == before


def test_no_split_is_drawn_into_a_learners_folder(tmp_path):
    paths = hand_made_folder(tmp_path)
    with pytest.raises(run_course.RunError, match="no split is drawn into it"):
        run_course.lessons_for_the_folder(list(LESSONS), paths, {"split": "per_user"})


def test_a_folder_lesson_01_made_changes_nothing(tmp_path):
    assert run_course.lessons_for_the_folder(list(LESSONS), course_paths("synthetic", tmp_path), {}) == LESSONS


def test_the_runner_stops_before_any_lesson_and_leaves_the_folder(tmp_path, capsys):
    """The whole command, as `make run-all DATA_DIR=...` runs it: one line, exit 1, the folder as it was."""
    paths = hand_made_folder(tmp_path, with_timestamp=False)
    before = contents(paths.processed)
    assert run_course.main(["--dataset", "synthetic", "--data-dir", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and "has no column 'timestamp'" in error
    assert contents(paths.processed) == before
    assert not paths.executed.exists() or not any(paths.executed.iterdir())
