"""Write each lesson's Exercises and Solutions cells, at the end of its notebook, from the lesson's exercise
module (``cfcourse/exercises/lesson02.py`` ...): the one file a teacher edits for a lesson's exercises.

    python scripts/maintainers/insert_exercises.py                      # every lesson with exercises
    python scripts/maintainers/insert_exercises.py 02_dot_product       # one lesson
    python scripts/maintainers/insert_exercises.py --notebooks DIR      # copies of the notebooks in DIR
    python scripts/maintainers/insert_exercises.py --check              # say which notebooks are out of date

The module's ``INTRO`` and ``SETUP`` open the Exercises; each coding exercise of ``EXERCISES`` follows, as its
numbered ``title`` and ``prompt`` and its ``stub``; then the ``QUESTIONNAIRE``, numbered, a checked question's
stub under it. The Solutions repeat that order with each ``solution_text`` and ``solution_code`` and end the
notebook. The cells go after the lesson's last cell that is not one of them (its Summary), replacing those
written before (a cell written as before keeps its outputs), so a second run changes nothing; ``make
execute-notebooks`` runs this first, then fills in the outputs, and ``tests/unit/maintainers/test_insert_exercises.py``
fails, naming this command, while a notebook's cells differ from what its module makes.

The Solutions heading opens collapsed (``jp-MarkdownHeadingCollapsed``: JupyterLab 4 and Notebook 7 fold the
whole section, explanations and outputs too, behind one "cells hidden" button), so a reader who scrolls to an
exercise sees no answer under it; each worked solution's code is collapsed as well, and prints nothing but its
check's verdict (``02.predict: correct``), so nbval compares its output as any other and "Run All" in a
learner's copy shows no answer (strict mode fails a solution that is not correct).
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import import_module
from pathlib import Path

import nbformat

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY_ROOT))

from cfcourse.course import LESSONS, NOTEBOOKS_DIR, lesson_record  # noqa: E402
from cfcourse.exercises import Exercise, exercises_of  # noqa: E402
from cfcourse.exercises.definitions import CODING, QUESTION, cell_text  # noqa: E402

COMMAND = "python scripts/maintainers/insert_exercises.py"
#: The tag of every cell this script writes: how it finds them again.
TAG = "exercises"
SOLUTIONS_HEADING = "## Solutions"
#: The cell metadata by which JupyterLab (4.x) and Notebook 7 open a heading collapsed, with every cell under it
#: hidden behind one "N cells hidden" button: the whole Solutions part, explanations and outputs too.
HEADING_COLLAPSED = "jp-MarkdownHeadingCollapsed"


def lessons_with_exercises() -> list[str]:
    return [lesson for lesson in LESSONS if exercises_of(lesson)]


def exercise_module(lesson: str):
    """The module that defines ``lesson``'s exercises, as its record names it, and with them its page's texts."""
    return import_module(f"cfcourse.exercises.{lesson_record(lesson).exercises}")


def page(lesson: str) -> list[tuple[str, str]]:
    """The Exercises and Solutions of ``lesson`` as (kind, source) pairs, kind ``markdown``, ``code`` or
    ``solution``, in notebook order."""
    module = exercise_module(lesson)
    coding = [exercise for exercise in module.EXERCISES if exercise.kind == CODING]
    questions = [item for item in module.QUESTIONNAIRE if isinstance(item, Exercise)]
    if [exercise for exercise in module.EXERCISES if exercise.kind == QUESTION] != questions:
        raise ValueError(f"{module.__name__}: EXERCISES must list the questionnaire's checked questions, in its order")
    cells = [("markdown", f"## Exercises\n\n{cell_text(module.INTRO)}"), ("code", cell_text(module.SETUP))]
    for number, exercise in enumerate(coding, start=1):
        title = exercise.title if exercise.title.endswith(("?", "!")) else f"{exercise.title}."
        cells += [("markdown", f"**{number}. {title}** {exercise.prompt}"), ("code", exercise.stub)]
    cells += questionnaire(module.QUESTIONNAIRE, "### Questionnaire", "prompt", "stub", "code")
    solutions = []
    for number, exercise in enumerate(coding, start=1):
        solutions += [("markdown", f"**{number}.** {exercise.solution_text}"), ("solution", exercise.solution_code)]
    solutions[0] = ("markdown", f"{SOLUTIONS_HEADING}\n\n{solutions[0][1]}")
    return cells + solutions + questionnaire(module.QUESTIONNAIRE, "**Questionnaire.**", "solution_text",
                                             "solution_code", "solution")


def questionnaire(items, heading: str, text: str, code: str, kind: str) -> list[tuple[str, str]]:
    """The numbered list of ``items``' ``text`` under ``heading``, cut by each checked question's ``code``."""
    cells, markdown = [], [heading + "\n"]
    for number, item in enumerate(items, start=1):
        markdown.append(numbered(number, getattr(item, text)))
        if isinstance(item, Exercise):
            cells += [("markdown", "\n".join(markdown)), (kind, getattr(item, code))]
            markdown = []
    return cells + ([("markdown", "\n".join(markdown))] if markdown else [])


def numbered(number: int, text: str) -> str:
    """A markdown list item: its further lines indented under its first."""
    indent = " " * len(f"{number}. ")
    return f"{number}. " + "\n".join(line and indent + line if i else line for i, line in enumerate(text.split("\n")))


def exercise_cells(lesson: str) -> list[nbformat.NotebookNode]:
    """The cells of :func:`page`, each tagged :data:`TAG` with a stable id."""
    cells = []
    for number, (kind, source) in enumerate(page(lesson), start=1):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.id = f"exercises-{lesson[:2]}-{number:02d}"
        cell.metadata["tags"] = [TAG]
        if source.startswith(SOLUTIONS_HEADING):
            # The Solutions part ends the notebook; opened collapsed, a reader who scrolls to an exercise in
            # Jupyter sees none of its answers until they open it.
            cell.metadata[HEADING_COLLAPSED] = True
        if kind == "solution":
            # Its code collapsed too, for a reader who opens the Solutions to read an explanation first. It prints
            # only its check's verdict, the same on every run, so nbval compares that output as any other.
            cell.metadata["jupyter"] = {"source_hidden": True}
        cells.append(cell)
    return cells


def lesson_cells(notebook) -> list:
    """The notebook's own cells: everything this script did not write."""
    return [cell for cell in notebook.cells if TAG not in cell.metadata.get("tags", [])]


def refreshed(notebook, exercise_cells) -> bool:
    """Put ``exercise_cells`` after the notebook's own cells, in place of any written before; return whether
    anything changed. A cell written as before keeps its outputs."""
    before = {written(cell): cell for cell in notebook.cells}
    wanted = lesson_cells(notebook) + [before.get(written(cell), cell) for cell in exercise_cells]
    if [written(cell) for cell in notebook.cells] == [written(cell) for cell in wanted]:
        return False
    notebook.cells = wanted
    return True


def written(cell) -> tuple:
    """What this script decides about a cell: not its outputs or execution count."""
    return cell.get("id"), cell.cell_type, cell.source, json.dumps(cell.metadata, sort_keys=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson names (default: every lesson with exercises)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS_DIR, help="the folder of the notebooks")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    out_of_date = []
    for lesson in args.lessons or lessons_with_exercises():
        cells = exercise_cells(lesson)
        path = args.notebooks / f"{lesson}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        if refreshed(notebook, cells):
            out_of_date.append(lesson)
            if not args.check:
                nbformat.write(notebook, path)
                print(f"{path.name}: {len(cells)} exercise cells written")
    if args.check and out_of_date:
        print(f"exercise cells out of date in: {', '.join(out_of_date)}; run {COMMAND}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
