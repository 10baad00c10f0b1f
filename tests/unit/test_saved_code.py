"""Code a lesson teaches and later lessons reuse is written once: in the lesson, in cells marked ``#@save``.

The package module named in ``cfcourse.course.SAVED_CODE`` is a header (docstring and imports), then
the code below each cell's ``#@save`` line, in notebook order, word for word. These tests keep the two identical, and say how to
bring them back together when they drift.
"""

from __future__ import annotations

import json
import re

import pytest

from cfcourse.course import LESSONS, NOTEBOOKS_DIR, SAVED_CODE
from cfcourse.paths import REPOSITORY_ROOT

MARKER = "#@save"
HEADER_END = re.compile(r"^# Lesson \d\d's #@save cells follow\.\n\n\n", re.MULTILINE)


def saved_cells(lesson: str) -> list[str]:
    """The code below the ``#@save`` line of every cell of ``lesson`` that has one.

    Above the marker a cell may only import (the module has imports of its own)."""
    cells = json.loads((NOTEBOOKS_DIR / f"{lesson}.ipynb").read_text())["cells"]
    saved = []
    for cell in cells:
        lines = "".join(cell["source"]).split("\n")
        if cell["cell_type"] != "code" or MARKER not in lines:
            continue
        above = [line for line in lines[:lines.index(MARKER)] if line.strip()]
        assert all(line.startswith(("import ", "from ")) for line in above), f"{lesson}: {above} above {MARKER}"
        saved.append("\n".join(lines[lines.index(MARKER) + 1:]).rstrip("\n"))
    return saved


def module_body(module: str) -> str:
    text = (REPOSITORY_ROOT / module).read_text()
    found = HEADER_END.search(text)
    assert found, f"{module} has no line \"# Lesson NN's #@save cells follow.\" followed by two blank lines"
    return text[found.end():]


@pytest.mark.parametrize("lesson, module", sorted(SAVED_CODE.items()))
def test_the_module_is_the_lessons_saved_cells_word_for_word(lesson, module):
    cells = saved_cells(lesson)
    assert cells, f"{lesson} has no cell with a {MARKER} line"
    expected = "\n\n\n".join(cells) + "\n"
    assert module_body(module) == expected, (
        f"{module} and the {MARKER} cells of notebooks/{lesson}.ipynb differ: edit the lesson, then copy its "
        f"{MARKER} cells below the header of {module}, in order, two blank lines apart")


def test_only_lessons_named_in_saved_code_have_saved_cells():
    assert {lesson for lesson in LESSONS if saved_cells(lesson)} == set(SAVED_CODE)


def test_the_check_sees_a_one_character_drift(tmp_path, monkeypatch):
    cells = saved_cells("02_dot_product")
    drifted = "\n\n\n".join(cells).replace("full_rate / 10", "full_rate / 20", 1) + "\n"
    assert drifted != module_body(SAVED_CODE["02_dot_product"])
