"""Put each lesson's Exercises and Solutions cells at the end of its notebook, from
``scripts/maintainers/exercises/<lesson>.md`` (that folder's README says how a file becomes cells).

    python scripts/maintainers/insert_exercises.py                      # every lesson with a cells file
    python scripts/maintainers/insert_exercises.py 02_dot_product       # one lesson
    python scripts/maintainers/insert_exercises.py --notebooks DIR      # copies of the notebooks in DIR
    python scripts/maintainers/insert_exercises.py --check              # say which notebooks are out of date

The cells go after the lesson's last cell that is not one of them (its Summary), replacing those written
before, so a second run changes nothing. Code cells are written without outputs: run
``make execute-notebooks`` afterwards to fill them in.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY_ROOT))

from cfcourse.course import NOTEBOOKS_DIR  # noqa: E402

CELLS_DIR = Path(__file__).resolve().parent / "exercises"
#: The tag of every cell this script writes: how it finds them again.
TAG = "exercises"
FENCE = re.compile(r"^```(\w*)\s*(\w*)\s*$")
CELL_BREAK = "<!-- cell -->"
SOLUTIONS_HEADING = "## Solutions"
#: The cell metadata by which JupyterLab (4.x) and Notebook 7 open a heading collapsed, with every cell under it
#: hidden behind one "N cells hidden" button: the whole Solutions part, explanations and outputs too.
HEADING_COLLAPSED = "jp-MarkdownHeadingCollapsed"


def lessons_with_cells() -> list[str]:
    return sorted(path.stem for path in CELLS_DIR.glob("[0-9][0-9]_*.md"))


def parse_cells(text: str, lesson: str) -> list[nbformat.NotebookNode]:
    """The cells a lesson's file describes, in order, each tagged :data:`TAG` with a stable id."""
    cells, markdown, code, kind = [], [], None, None

    def flush_markdown():
        source = "\n".join(markdown).strip("\n")
        if source.strip():
            cells.append(markdown_cell(source))
        markdown.clear()

    for line in text.splitlines():
        fence = FENCE.match(line)
        if code is None and fence and fence.group(1) == "python":
            flush_markdown()
            code, kind = [], fence.group(2)
        elif code is not None and line.strip() == "```":
            cells.append(code_cell("\n".join(code), solution=kind == "solution"))
            code = None
        elif code is not None:
            code.append(line)
        elif line.strip() == CELL_BREAK:
            flush_markdown()
        elif line.startswith("## "):
            flush_markdown()  # a section heading (Exercises, Solutions) starts a cell of its own
            markdown.append(line)
        else:
            markdown.append(line)
    if code is not None:
        raise ValueError(f"{lesson}: a code fence is never closed")
    flush_markdown()
    for number, cell in enumerate(cells, start=1):
        cell.id = f"exercises-{lesson[:2]}-{number:02d}"
        cell.metadata.setdefault("tags", []).insert(0, TAG)
    return cells


def markdown_cell(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source)
    if source.startswith(SOLUTIONS_HEADING):
        # The Solutions part ends the notebook; opened collapsed, a reader who scrolls to an exercise in
        # Jupyter sees none of its answers until they open it.
        cell.metadata[HEADING_COLLAPSED] = True
    return cell


def code_cell(source: str, solution: bool) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if solution:
        # Its code collapsed too, for a reader who opens the Solutions to read an explanation first. It prints
        # only its check's verdict, the same on every run, so nbval compares that output as any other.
        cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


def lesson_cells(notebook) -> list:
    """The notebook's own cells: everything this script did not write."""
    return [cell for cell in notebook.cells if TAG not in cell.metadata.get("tags", [])]


def refreshed(notebook, exercise_cells) -> bool:
    """Put ``exercise_cells`` after the notebook's own cells, in place of any written before; return whether
    anything changed. An unchanged notebook keeps its outputs."""
    wanted = lesson_cells(notebook) + exercise_cells
    if [written(cell) for cell in notebook.cells] == [written(cell) for cell in wanted]:
        return False
    notebook.cells = wanted
    return True


def written(cell) -> tuple:
    """What this script decides about a cell: not its outputs or execution count."""
    return cell.cell_type, cell.source, dict(cell.metadata)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", help="lesson names (default: every lesson with a cells file)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS_DIR, help="the folder of the notebooks")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    out_of_date = []
    for lesson in args.lessons or lessons_with_cells():
        cells = parse_cells((CELLS_DIR / f"{lesson}.md").read_text(), lesson)
        path = args.notebooks / f"{lesson}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        if refreshed(notebook, cells):
            out_of_date.append(lesson)
            if not args.check:
                nbformat.write(notebook, path)
                print(f"{path.name}: {len(cells)} exercise cells written")
    if args.check and out_of_date:
        print("exercise cells out of date in: " + ", ".join(out_of_date))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
