"""What several test files share: where things are, and running lessons through a real Jupyter kernel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import papermill

from cfcourse.course import NOTEBOOKS_DIR
from cfcourse.paths import REPOSITORY_ROOT

RUN_COURSE = REPOSITORY_ROOT / "scripts" / "run_course.py"
#: The real MovieLens archives, laid beside the repository on the course's machines and in CI.
SHARED_MIRROR = REPOSITORY_ROOT.parent / "shared" / "data" / "movielens"


def run_course(*arguments: str) -> subprocess.CompletedProcess:
    """``scripts/run_course.py`` with ``arguments``, as ``make run-all`` runs it."""
    return subprocess.run([sys.executable, str(RUN_COURSE), *arguments], cwd=REPOSITORY_ROOT,
                          capture_output=True, text=True, timeout=600)


def run_lesson(name: str, output_dir: Path, **parameters) -> None:
    """Execute one lesson with papermill into ``output_dir``; raises PapermillExecutionError if it fails."""
    papermill.execute_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb"), str(output_dir / f"{name}.ipynb"),
                               parameters=parameters, kernel_name="python3", cwd=str(NOTEBOOKS_DIR),
                               progress_bar=False)


def outputs_of(notebook: Path) -> list[dict]:
    """Every output of every code cell of a notebook file."""
    cells = json.loads(notebook.read_text())["cells"]
    return [output for cell in cells if cell["cell_type"] == "code" for output in cell.get("outputs", [])]
