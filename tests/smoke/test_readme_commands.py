"""The README's experiment commands work as written, and quietly.

The commands are read from the README itself (the fenced ``sh`` blocks under its
"Experimenting" heading), so the page and this test cannot drift apart. They run exactly
as written, in a shell, in order, on a fresh data folder; the environment picks the small
generated dataset (``DATASET=synthetic``, which ``make`` reads as it reads
``make ... DATASET=synthetic``) and the data folder (``CFCOURSE_DATA_DIR``), so nothing is
downloaded and the repository's own ``data/`` is left alone. "Fresh" matters: the first
command must also run the lessons it builds on.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from cfcourse.paths import DATA_DIR_VARIABLE, REPOSITORY_ROOT
from course_testing import load_script, output_description, outside_make, readme_section, sh_commands, span_pattern

pytestmark = pytest.mark.smoke

README = REPOSITORY_ROOT / "README.md"
SECTION = "Experimenting"
#: What a beginner must never meet in the terminal: a traceback, or a kernel's log lines.
ALARMING = ["Traceback", "WARNING | Kernel is running over TCP", "KeyboardInterrupt", "ERROR |"]


EXPERIMENT_COMMANDS = sh_commands(readme_section(README.read_text(), SECTION))


def test_the_experimenting_section_shows_commands():
    assert EXPERIMENT_COMMANDS, "the README's Experimenting section has no ```sh block"


@pytest.fixture(scope="module")
def ran_commands(tmp_path_factory):
    """Every experiment command of the README, run as written on synthetic data in a fresh data folder."""
    if any(command.startswith("make") for command in EXPERIMENT_COMMANDS) and shutil.which("make") is None:
        pytest.skip("the README's commands need make")
    data_dir = tmp_path_factory.mktemp("readme-data")
    environment = {**outside_make(), "DATASET": "synthetic", DATA_DIR_VARIABLE: str(data_dir)}
    environment.pop("MOVIELENS_MIRROR", None)  # synthetic data needs no download; nothing may reach for one
    results = []
    for command in EXPERIMENT_COMMANDS:
        result = subprocess.run(["bash", "-c", command], cwd=REPOSITORY_ROOT, env=environment,
                                capture_output=True, text=True, timeout=900)
        results.append((command, result))
        if result.returncode != 0:
            break
    return data_dir, results


def test_every_command_succeeds(ran_commands):
    _, results = ran_commands
    assert len(results) == len(EXPERIMENT_COMMANDS)
    for command, result in results:
        assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        assert "ran in" in result.stdout and "on synthetic" in result.stdout, result.stdout


def test_no_command_prints_a_traceback_or_kernel_log_lines(ran_commands):
    _, results = ran_commands
    for command, result in results:
        for text in (result.stdout, result.stderr):
            for alarming in ALARMING:
                assert alarming not in text, f"{command!r} printed {alarming!r}:\n{text[-3000:]}"


def test_each_experiment_prints_the_line_the_readme_says_it_adds(ran_commands):
    """'What you will see': `make experiment` adds `Experiment '<run>': …` after the command."""
    span = re.search(r"`make experiment` adds `([^`]+)`", output_description())
    assert span, "the README does not say which line an experiment adds"
    _, results = ran_commands
    for command, result in results:
        assert any(span_pattern(span.group(1)).fullmatch(line) for line in result.stdout.splitlines()), (
            f"{command!r} printed no line like {span.group(1)!r}:\n{result.stdout}")


def test_each_experiment_keeps_its_models_and_executed_lessons_where_it_says(ran_commands):
    data_dir, results = ran_commands
    for command, result in results:
        runs = re.findall(r"^Experiment '([^']+)'", result.stdout, re.M)
        assert runs, f"{command!r} did not say which run it made:\n{result.stdout}"
        executed = data_dir / "executed" / "synthetic" / runs[0]
        metrics = data_dir / "experiments" / "synthetic" / runs[0] / "metrics"
        assert list(executed.glob("*.ipynb")), f"no executed lesson in {executed}"
        assert list(metrics.glob("*.json")), f"no metrics in {metrics}"


def test_each_experiment_prints_its_models_verdicts_and_marks_its_rows(ran_commands):
    _, results = ran_commands
    for command, result in results:
        run = re.findall(r"^Experiment '([^']+)'", result.stdout, re.M)[0]
        tables = result.stdout.split(" ran in ")[1]
        assert re.search(rf"^dot_product +synthetic .* {re.escape(run)}$", tables, re.M), tables
        assert re.search(r"^dot_product: test RMSE \d\.\d{4}; the course publishes no number for synthetic", tables,
                         re.M), tables


# The runner's choice of lessons, which the commands above rely on (no kernel needed).

@pytest.fixture(scope="module")
def runner():
    return load_script("run_course")


def test_lessons_are_chosen_by_name_number_or_range(runner):
    lessons = runner.LESSONS
    assert runner.selected_lessons([]) == lessons
    assert runner.selected_lessons(["02_dot_product"]) == ["02_dot_product"]
    assert runner.selected_lessons(["notebooks/03_bias.ipynb", "02"]) == ["02_dot_product", "03_bias"]
    assert runner.selected_lessons(["02..04"]) == ["02_dot_product", "03_bias", "04_neural_net"]
    for wrong in ["99", "04..02", "bias"]:
        with pytest.raises(runner.RunError):
            runner.selected_lessons([wrong])


def test_a_lesson_runs_first_what_it_builds_on_only_when_missing(runner, tmp_path):
    course = runner.course_paths("synthetic", tmp_path)
    assert runner.missing_prerequisites(["02_dot_product"], course) == ["00_download", "01_preprocessing"]
    assert runner.missing_prerequisites(["00_download"], course) == []
    course.raw.mkdir(parents=True)
    course.processed.mkdir(parents=True)
    (course.processed / "split.json").write_text("{}")
    assert runner.missing_prerequisites(["02_dot_product"], course) == []
    assert runner.missing_prerequisites(["05_inspect_embeddings"], course) == [
        "02_dot_product", "03_bias", "04_neural_net"]


def test_only_the_chosen_lessons_name_the_run(runner):
    # lesson 06's protocol seed is the published 42; another seed changes the ranking run only where 06 runs
    assert runner.run_name({"k": 5}, ["02_dot_product"]) is None
    assert runner.run_name({"k": 5}) == "k-5"
    assert runner.run_name({"n_factors": 10}, ["02_dot_product"]) == "n_factors-10"
