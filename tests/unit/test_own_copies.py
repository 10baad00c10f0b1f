"""A lesson run from a learner's own notebook is a run of its own: how `lesson.start` tells, and what it says.

The notebook is known from Jupyter Server (``JPY_SESSION_NAME`` in the kernel's environment) or VS Code
(``__vsc_ipynb_file__`` in the namespace); otherwise from the kernel's working folder. A real kernel run
from ``notebooks/mine/`` is tested in tests/smoke/test_own_copies_smoke.py.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cfcourse import headless, lesson
from cfcourse.course import MODELS, NOTEBOOKS_DIR
from cfcourse.data.datasets import get_dataset
from cfcourse.metrics import write_model_metrics
from cfcourse.paths import REPOSITORY_ROOT, course_paths, shown_path
from cfcourse.prerequisites import MissingPrerequisiteError
from cfcourse.runs import MINE, MINE_DIR, SESSION_VARIABLE, own_copy_run

LESSON = "02_dot_product"
#: What a notebook's globals() holds and a script's dictionary of values does not.
KERNEL_NAMESPACE = {"get_ipython": lambda: None}


def session(path) -> dict:
    return {SESSION_VARIABLE: str(path)}


@pytest.mark.parametrize("name, cwd", [
    (NOTEBOOKS_DIR / f"{LESSON}.ipynb", MINE_DIR),  # absolute, as Jupyter Server gives it; the folder does not matter
    (f"notebooks/{LESSON}.ipynb", NOTEBOOKS_DIR),  # from the server's root; the kernel runs in the notebook's folder
])
def test_the_committed_lesson_named_by_jupyter_is_the_courses_run(name, cwd):
    assert own_copy_run(LESSON, KERNEL_NAMESPACE, session(name), cwd) is None


@pytest.mark.parametrize("name, cwd, run", [
    (MINE_DIR / f"{LESSON}.ipynb", NOTEBOOKS_DIR, MINE),
    (f"notebooks/mine/{LESSON}.ipynb", MINE_DIR, MINE),
    (MINE_DIR / "week 2" / "try.ipynb", MINE_DIR / "week 2", MINE),  # a folder of its own inside mine/ too
    (NOTEBOOKS_DIR / f"{LESSON}-Copy1.ipynb", NOTEBOOKS_DIR, f"{LESSON}-Copy1"),  # JupyterLab's "Duplicate"
    (NOTEBOOKS_DIR / "03_bias.ipynb", NOTEBOOKS_DIR, "03_bias"),  # another lesson's notebook calling this lesson
    ("/path/to/learner/my first try!.ipynb", Path("/path/to/learner"), "my-first-try"),
    ("/path/to/learner/__.ipynb", Path("/path/to/learner"), MINE),  # nothing of the name fits a folder name
])
def test_any_other_notebook_is_a_copy_named_mine_inside_notebooks_mine_else_after_its_file(name, cwd, run):
    assert own_copy_run(LESSON, KERNEL_NAMESPACE, session(name), cwd) == run


def test_vs_code_names_the_notebook_in_the_namespace():
    namespace = {**KERNEL_NAMESPACE, "__vsc_ipynb_file__": str(MINE_DIR / f"{LESSON}.ipynb")}
    assert own_copy_run(LESSON, namespace, {}, NOTEBOOKS_DIR) == MINE
    namespace["__vsc_ipynb_file__"] = str(NOTEBOOKS_DIR / f"{LESSON}.ipynb")
    assert own_copy_run(LESSON, namespace, {}, MINE_DIR) is None


@pytest.mark.parametrize("cwd, run", [
    (NOTEBOOKS_DIR, None),  # make run-all (cfcourse.headless), nbval, nbconvert: the committed lesson
    (MINE_DIR, MINE),  # cd notebooks/mine && papermill ...
    (REPOSITORY_ROOT, MINE),  # papermill from elsewhere without --cwd notebooks: never the course's run
])
def test_without_a_named_notebook_the_kernels_folder_tells(cwd, run):
    assert own_copy_run(LESSON, KERNEL_NAMESPACE, {}, cwd) == run
    # A console's session names no notebook: the folder tells there too.
    assert own_copy_run(LESSON, KERNEL_NAMESPACE, session(MINE_DIR / "Console 1"), cwd) == run


def test_a_script_calling_start_with_its_own_values_is_the_courses_run():
    assert own_copy_run(LESSON, {"dataset": "synthetic"}, {}, REPOSITORY_ROOT) is None


def test_a_copy_from_mine_saves_into_the_run_mine_and_says_so_once(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(MINE_DIR)
    monkeypatch.delenv(SESSION_VARIABLE, raising=False)
    values = {**KERNEL_NAMESPACE, "dataset": "synthetic", "data_dir": str(tmp_path), "mirror": None,
              "accept_new_edition": False}
    run = lesson.start("00_download", values)
    assert run.own_copy and run.name == MINE
    printed = capsys.readouterr().out.splitlines()
    raw = shown_path(tmp_path / "raw" / "synthetic")  # relative where the clone lies beside the temporary folder
    assert printed == [f"Your own copy of lesson 00 downloads into {raw}/, which every run reads, "
                       "the course's own included."]


@pytest.mark.parametrize("run_parameter, run", [(None, MINE), ("second-try", "second-try")])
def test_a_copys_run_parameter_names_its_run(tmp_path, capsys, run_parameter, run):
    values = {"dataset": "synthetic", "data_dir": str(tmp_path), "run": run_parameter}
    paths = lesson.choose_copy_run(LESSON, values, MINE)
    assert paths.run == run
    assert paths.models == tmp_path / "experiments" / "synthetic" / run / "models"
    assert paths.exercises_file == tmp_path / "experiments" / "synthetic" / run / "metrics" / "exercises.json"
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and f"is a run of its own, {run!r}: it saves to" in printed[0]


def test_a_copy_of_lesson_01_says_it_writes_the_shared_processed_data_and_records_its_checks_apart(tmp_path, capsys):
    values = {"dataset": "synthetic", "data_dir": str(tmp_path)}
    paths = lesson.choose_copy_run("01_preprocessing", values, MINE)
    assert paths.processed == course_paths("synthetic", tmp_path).processed
    assert paths.exercises_file != course_paths("synthetic", tmp_path).exercises_file
    assert "writes the processed data every run reads, the course's own included" in capsys.readouterr().out


def trained(paths, model_name: str) -> None:
    """A model file and its metrics, as a training lesson leaves them (contents do not matter here)."""
    write_model_metrics(paths, model_name, val_rmse=0.9, test_rmse=0.9, epochs=1, train_seconds=1.0)
    paths.models.mkdir(parents=True, exist_ok=True)
    paths.model_file(model_name).write_bytes(b"model")


def lesson_run(tmp_path, lesson_name: str, run: str | None, own_copy: bool) -> lesson.LessonRun:
    return lesson.LessonRun(lesson_name, {}, course_paths("synthetic", tmp_path, run), get_dataset("synthetic"),
                            own_copy=own_copy)


def test_a_copy_reads_its_own_runs_models_where_they_exist_and_says_which(tmp_path, capsys):
    for model_name in MODELS:
        trained(course_paths("synthetic", tmp_path), model_name)
    trained(course_paths("synthetic", tmp_path, MINE), "dot_product")
    lesson._require_models(lesson_run(tmp_path, "04_neural_net", MINE, own_copy=True))
    assert capsys.readouterr().out == ("Models this lesson reads: dot_product from your run 'mine', "
                                       "bias from the course's own run.\n")


def test_lesson_05_in_a_copy_falls_back_to_the_courses_model_but_a_named_run_does_not(tmp_path, capsys):
    trained(course_paths("synthetic", tmp_path), "bias")
    lesson._require_models(lesson_run(tmp_path, "05_inspect_embeddings", MINE, own_copy=True))
    assert "bias from the course's own run" in capsys.readouterr().out
    with pytest.raises(MissingPrerequisiteError):
        lesson._require_models(lesson_run(tmp_path, "05_inspect_embeddings", "n_factors-10", own_copy=False))


def test_the_courses_own_run_says_nothing_about_where_its_models_come_from(tmp_path, capsys):
    for model_name in MODELS:
        trained(course_paths("synthetic", tmp_path), model_name)
    lesson._require_models(lesson_run(tmp_path, "06_evaluate_recommendations", None, own_copy=False))
    assert capsys.readouterr().out == ""


def test_a_headless_lesson_never_inherits_the_notebook_that_started_it(tmp_path, monkeypatch):
    """`!make run-all` from a notebook passes its JPY_SESSION_NAME down; the lessons must stay the course's."""
    seen = {}
    monkeypatch.setenv(SESSION_VARIABLE, str(MINE_DIR / "mine.ipynb"))
    monkeypatch.setattr(headless.papermill, "execute_notebook",
                        lambda *args, **kwargs: seen.update(variable=headless.os.environ.get(SESSION_VARIABLE),
                                                            cwd=kwargs["cwd"]))
    headless.execute_lesson(LESSON, tmp_path / "out.ipynb", {})
    assert seen == {"variable": None, "cwd": str(NOTEBOOKS_DIR)}
    assert headless.os.environ[SESSION_VARIABLE] == str(MINE_DIR / "mine.ipynb")


def test_the_folder_for_copies_is_in_git_and_what_goes_in_it_is_not():
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=REPOSITORY_ROOT).returncode == 0

    assert (MINE_DIR / "README.md").is_file() and not ignored("notebooks/mine/README.md")
    assert ignored(f"notebooks/mine/{LESSON}.ipynb") and ignored("notebooks/mine/week 2/try.ipynb")
