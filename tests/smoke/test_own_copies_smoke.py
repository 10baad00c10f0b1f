"""A learner's own copy, made as the README says, broken on purpose, run headless: the course's run is untouched.

In a scratch copy of the repository as a fresh clone has it (git's files; the kernel imports that copy's
``cfcourse``, so its ``data/`` is the clone's): the course's own lessons 00-02 run on synthetic data; then
the README's copy command (read from its "Your own notebooks" section), a code-breaking edit (lesson 02's
sigmoid becomes a linear activation) and ``papermill`` run from ``notebooks/mine/``, as a learner would.
Every file of the course's run must be byte-identical afterwards, and a copied lesson 03 must read the copy's
model.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cfcourse.course import KERNEL_NAME
from cfcourse.paths import DATA_DIR_VARIABLE, REPOSITORY_ROOT
from course_testing import printed_text, readme_section, sh_commands

pytestmark = pytest.mark.smoke

COPY_COMMANDS = sh_commands(readme_section((REPOSITORY_ROOT / "README.md").read_text(), "Your own notebooks"))
SIGMOID = 'keras.layers.Activation(\\"sigmoid\\"'
LINEAR = 'keras.layers.Activation(\\"linear\\"'


def fresh_clone(target: Path) -> Path:
    """The repository's files as a clone of this working tree would have them (tracked and not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPOSITORY_ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (REPOSITORY_ROOT / name).is_file():  # a file deleted but not yet committed is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPOSITORY_ROOT / name, target / name)
    return target


def papermill(clone: Path, folder: str, notebook: str, output: Path, *parameters: str) -> subprocess.CompletedProcess:
    """``papermill`` on the course's kernel, run in ``clone/folder`` as a learner runs it, on synthetic data."""
    environment = {**os.environ, "PYTHONPATH": str(clone)}  # the kernel imports the clone's cfcourse
    for variable in (DATA_DIR_VARIABLE, "MOVIELENS_MIRROR", "JPY_SESSION_NAME", "CFCOURSE_STRICT_CHECKS"):
        environment.pop(variable, None)
    return subprocess.run([sys.executable, "-m", "papermill", "-k", KERNEL_NAME, "--no-progress-bar", notebook,
                           str(output), "-p", "dataset", "synthetic", *parameters],
                          cwd=clone / folder, env=environment, capture_output=True, text=True, timeout=600)


def fingerprints(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory):
    clone = fresh_clone(tmp_path_factory.mktemp("clone"))
    executed = tmp_path_factory.mktemp("executed")
    for lesson in ["00_download", "01_preprocessing", "02_dot_product"]:
        result = papermill(clone, "notebooks", f"{lesson}.ipynb", executed / f"{lesson}.ipynb")
        assert result.returncode == 0, result.stderr[-3000:]
    course = {part: fingerprints(clone / "data" / part) for part in ("models", "metrics")}

    for command in COPY_COMMANDS:
        subprocess.run(["bash", "-c", command], cwd=clone, check=True)
    copy = clone / "notebooks" / "mine" / "02_dot_product.ipynb"
    text = copy.read_text()
    assert text.count(SIGMOID) == 1, "lesson 02 no longer builds its sigmoid as this test edits it"
    copy.write_text(text.replace(SIGMOID, LINEAR))
    # The course's own parameters: changed ones would make an experiment of the committed lesson too.
    ran = papermill(clone, "notebooks/mine", copy.name, executed / "mine-02.ipynb")
    return clone, executed, course, ran


def test_the_readme_shows_the_copy_command():
    assert COPY_COMMANDS and all(command.startswith("cp notebooks/") for command in COPY_COMMANDS)


def test_a_broken_copy_leaves_every_file_of_the_courses_run_as_it_was(broken_copy):
    clone, _, course, ran = broken_copy
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert course["models"] and course["metrics"], "the course's own run saved nothing to compare"
    for part in ("models", "metrics"):
        assert fingerprints(clone / "data" / part) == course[part]


def test_the_copy_saves_into_its_own_run_and_says_so_once(broken_copy):
    clone, executed, _, _ = broken_copy
    text = printed_text(executed / "mine-02.ipynb")
    assert text.count("Your own copy of lesson 02 is a run of its own, 'mine': it saves to "
                      "data/experiments/synthetic/mine/, never over the course's run") == 1
    mine = clone / "data" / "experiments" / "synthetic" / "mine"
    assert {"models/dot_product.keras", "metrics/dot_product.json", "metrics/exercises.json"} <= set(fingerprints(mine))


def test_a_later_copied_lesson_reads_the_copys_model_and_says_which(broken_copy):
    clone, executed, _, _ = broken_copy
    shutil.copy(clone / "notebooks" / "03_bias.ipynb", clone / "notebooks" / "mine")
    ran = papermill(clone, "notebooks/mine", "03_bias.ipynb", executed / "mine-03.ipynb", "-p", "epochs", "1")
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "Models this lesson reads: dot_product from your run 'mine'." in printed_text(executed / "mine-03.ipynb")
