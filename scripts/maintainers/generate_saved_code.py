"""Write the package modules that hold the lessons' ``#@save`` code, from the lessons themselves (d2l's way).

    python scripts/maintainers/generate_saved_code.py

Code a lesson teaches and a later lesson imports is written once, in the lesson, below a ``#@save`` line;
``cfcourse.course.SAVED_CODE`` names the module each such lesson's code goes to. A module is a header
that says it is generated and from which lesson, the imports found above the cells' markers, then the code
below each marker, in notebook order, word for word. ``make execute-notebooks`` runs this first, so the
lessons re-executed after it import what they teach; ``tests/unit/test_saved_code.py`` fails while a module
is stale.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import nbformat

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY_ROOT))

from cfcourse.course import NOTEBOOKS_DIR, SAVED_CODE  # noqa: E402

MARKER = "#@save"
COMMAND = "python scripts/maintainers/generate_saved_code.py"
# The package imports Keras through cfcourse.backend, which keeps TensorFlow's start-up notices quiet; in a
# lesson, lesson.start has done that already, so the lesson's own `import keras` is enough there.
QUIET_KERAS = "from cfcourse.backend import import_keras\n\nkeras = import_keras()"


def saved_parts(lesson: str) -> tuple[list[str], list[str]]:
    """The import lines above the marker of each of ``lesson``'s marked cells, and the code below it.

    Above a marker a cell may only import: anything else would run in the lesson but not in the module."""
    imports, code = [], []
    for cell in nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4).cells:
        lines = cell.source.split("\n")
        if cell.cell_type != "code" or MARKER not in lines:
            continue
        above = [line for line in lines[:lines.index(MARKER)] if line.strip()]
        not_imports = [line for line in above if not line.startswith(("import ", "from "))]
        if not_imports:
            raise ValueError(f"notebooks/{lesson}.ipynb: {not_imports[0]!r} above {MARKER}; only imports may "
                             "stand there")
        imports += [line for line in above if line not in imports]
        code.append("\n".join(lines[lines.index(MARKER) + 1:]).strip("\n"))
    return imports, code


def module_text(lesson: str) -> str:
    """The whole module ``lesson``'s marked cells make: header, imports, code."""
    imports, code = saved_parts(lesson)
    if not code:
        raise ValueError(f"notebooks/{lesson}.ipynb has no cell with a {MARKER} line")
    body = "\n\n\n".join(code)
    return f"{header(lesson, defined_names(body))}\n\n{import_block(imports)}\n\n\n{body}\n"


def header(lesson: str, names: list[str]) -> str:
    title = nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4).cells[0].source.split("\n")[0].lstrip("# ")
    contents = textwrap.fill(f"{title}. Defined here: {', '.join(names)}.", width=110)
    return (f'"""Generated: edit the cells marked ``{MARKER}`` in notebooks/{lesson}.ipynb, not this file.\n\n'
            f'{contents}\n\nRegenerate with ``{COMMAND}`` (``make execute-notebooks`` runs it).\n"""')


def import_block(imports: list[str]) -> str:
    """The cells' imports in their order, Keras's last and through cfcourse.backend (see ``QUIET_KERAS``)."""
    others = [line for line in imports if line != "import keras"]
    keras = [QUIET_KERAS] if "import keras" in imports else []
    return "\n\n".join(part for part in ("\n".join(others), *keras) if part)


def defined_names(code: str) -> list[str]:
    return [node.name for node in ast.parse(code).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def main() -> None:
    for lesson, module in SAVED_CODE.items():
        target = REPOSITORY_ROOT / module
        text = module_text(lesson)
        if target.exists() and target.read_text() == text:
            print(f"{module}: unchanged")
            continue
        target.write_text(text)
        print(f"{module}: written from notebooks/{lesson}.ipynb")


if __name__ == "__main__":
    main()
