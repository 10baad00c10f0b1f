"""Code a lesson teaches and a later lesson imports is written once: in the lesson, in cells marked ``#@save``.

The package module named in ``cfcourse.course.SAVED_CODE`` is generated from those cells by
``scripts/maintainers/generate_saved_code.py``. These tests fail while a module is stale (and name the command
that mends it), while a lesson marks code no later lesson imports, and when the check would miss a drift.
"""

from __future__ import annotations

import shutil

import nbformat
import pytest

from cfcourse.course import LESSONS, NOTEBOOKS_DIR, SAVED_CODE
from cfcourse.paths import REPOSITORY_ROOT
from course_testing import load_script

generator = load_script("maintainers/generate_saved_code")


@pytest.mark.parametrize("lesson, module", sorted(SAVED_CODE.items()))
def test_the_module_is_what_its_lesson_generates(lesson, module):
    assert (REPOSITORY_ROOT / module).read_text() == generator.module_text(lesson), (
        f"{module} is not what notebooks/{lesson}.ipynb's {generator.MARKER} cells make: edit the lesson, "
        f"then run {generator.COMMAND}")


@pytest.mark.parametrize("lesson, module", sorted(SAVED_CODE.items()))
def test_the_module_says_it_is_generated_from_which_lesson_and_how(lesson, module):
    docstring = (REPOSITORY_ROOT / module).read_text().split('"""')[1]
    assert docstring.startswith("Generated: edit the cells marked ``#@save`` in "
                                f"notebooks/{lesson}.ipynb, not this file.")
    assert generator.COMMAND in docstring


def test_only_lessons_named_in_saved_code_have_saved_cells():
    assert {lesson for lesson in LESSONS if generator.saved_parts(lesson)[1]} == set(SAVED_CODE)


def imports_module(lesson: str, module: str) -> bool:
    """Whether a code cell of ``lesson`` imports the package module at ``module`` (``cfcourse/training.py``)."""
    name = module.removesuffix(".py").replace("/", ".")
    package, _, short = name.rpartition(".")
    phrases = (f"from {name} import ", f"import {name}", f"from {package} import {short}")
    cells = nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4).cells
    return any(cell.cell_type == "code" and phrase in cell.source for cell in cells for phrase in phrases)


@pytest.mark.parametrize("lesson, module", sorted(SAVED_CODE.items()))
def test_a_later_lesson_imports_the_saved_code(lesson, module):
    later = LESSONS[LESSONS.index(lesson) + 1:]
    assert any(imports_module(reader, module) for reader in later), (
        f"no lesson after {lesson} imports {module}: code no later lesson imports is not {generator.MARKER} code")


@pytest.fixture
def notebooks_copy(tmp_path, monkeypatch):
    """The generator pointed at a copy of the notebooks, for a test to change."""
    for lesson in SAVED_CODE:
        shutil.copy(NOTEBOOKS_DIR / f"{lesson}.ipynb", tmp_path)
    monkeypatch.setattr(generator, "NOTEBOOKS_DIR", tmp_path)
    return tmp_path


def edit_first_saved_cell(folder, lesson, edit):
    path = folder / f"{lesson}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    cell = next(cell for cell in notebook.cells if generator.MARKER in cell.source.split("\n"))
    cell.source = edit(cell.source)
    nbformat.write(notebook, path)


def test_the_check_sees_a_one_character_drift(notebooks_copy):
    edit_first_saved_cell(notebooks_copy, "02_dot_product", lambda source: source.replace("fresh", "frash", 1))
    assert generator.module_text("02_dot_product") != (REPOSITORY_ROOT / SAVED_CODE["02_dot_product"]).read_text()


def test_code_above_the_mark_other_than_imports_is_refused(notebooks_copy):
    edit_first_saved_cell(notebooks_copy, "06_evaluate_recommendations", lambda source: f"K = 10\n{source}")
    with pytest.raises(ValueError, match="'K = 10' above #@save; only imports"):
        generator.module_text("06_evaluate_recommendations")


def test_keras_comes_through_the_quiet_import_and_the_other_imports_keep_their_order():
    assert generator.import_block(["import keras", "import time", "from dataclasses import dataclass"]) == (
        "import time\nfrom dataclasses import dataclass\n\n" + generator.QUIET_KERAS)
    assert generator.import_block(["import numpy as np"]) == "import numpy as np"
