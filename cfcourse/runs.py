"""The course's own run, and experiments kept apart from it.

A training lesson run with the parameters it was published with belongs to the
course's own run: its model goes to ``data/models/<dataset>/``. Change a value
(in Jupyter, with papermill or ``run_course.py -p``) and the run becomes an
*experiment*: its models and metrics go to ``data/experiments/<dataset>/<run>/``,
named by what changed (``n_factors-10``) or by the ``run`` parameter, so the
course's own results are never replaced. Later lessons read the course's run
unless their ``run`` parameter names another. Lesson 06's protocol (``k``,
``threshold``, ``seed``) is treated the same way: changed, it ranks into a run of its own.

A lesson run from any notebook other than the committed one (a learner's copy) is a run of its
own too, whatever its parameters: see :func:`own_copy_run`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from cfcourse.course import NOTEBOOKS_DIR
from cfcourse.paths import CoursePaths, course_paths, shown_path
from cfcourse.published import describe_changes

#: The folder for a learner's own copies of the lessons (README, "Your own notebooks"), and the run they share.
MINE = "mine"
MINE_DIR = NOTEBOOKS_DIR / MINE
#: Where Jupyter Server tells a kernel which notebook it runs (VS Code puts ``__vsc_ipynb_file__`` in the namespace).
SESSION_VARIABLE = "JPY_SESSION_NAME"


def notebook_in_use(namespace: dict, environ=os.environ, cwd: Path | None = None) -> Path | None:
    """The notebook file a kernel runs, where its front end says: VS Code in the namespace, Jupyter Server in
    the kernel's environment (an absolute path, or a path from the server's root: the kernel runs in the
    notebook's folder, so its file name there). ``None`` where nothing says (papermill, nbval, a script)."""
    named = namespace.get("__vsc_ipynb_file__") or environ.get(SESSION_VARIABLE)
    if not named or not str(named).endswith(".ipynb"):  # a console's session names no notebook
        return None
    path = Path(named)
    return path if path.is_absolute() else (cwd or Path.cwd()) / path.name


def own_copy_run(lesson: str, namespace: dict, environ=os.environ, cwd: Path | None = None) -> str | None:
    """The run of a lesson run from a learner's own notebook; ``None`` for the committed lesson.

    Where the front end names the notebook (:func:`notebook_in_use`), only ``notebooks/<lesson>.ipynb`` is
    the committed lesson. Otherwise a kernel's working folder tells: ``make run-all``, nbval and nbconvert run
    a lesson in ``notebooks/``; anywhere else (``cd notebooks/mine && papermill ...``) it is a copy. A call
    from a script or a test, with no notebook behind it, is the course's. Copies in ``notebooks/mine/`` share
    the run ``mine``, so a copied lesson 03 finds the copied lesson 02's model; a copy elsewhere is named
    after its file.
    """
    cwd = (cwd or Path.cwd()).resolve()
    notebook = notebook_in_use(namespace, environ, cwd)
    if notebook is None:
        in_a_kernel = "get_ipython" in namespace
        return MINE if in_a_kernel and cwd != NOTEBOOKS_DIR.resolve() else None
    notebook = notebook.resolve()
    if notebook == (NOTEBOOKS_DIR / f"{lesson}.ipynb").resolve():
        return None
    if MINE_DIR.resolve() in notebook.parents:
        return MINE
    return re.sub(r"[^A-Za-z0-9._-]+", "-", notebook.stem).strip("._-")[:80] or MINE


def experiment_name(changed: dict[str, tuple[object, object]]) -> str:
    """A run name made of what changed: ``{"n_factors": (10, 50)}`` gives ``n_factors-10``."""
    parts = (f"{name}-{value}" for name, (value, _) in sorted(changed.items()))
    return re.sub(r"[^A-Za-z0-9._-]", "", "_".join(parts))[:80]


def chosen_run(dataset: str, data_dir, run, changed: dict, later_lessons: bool) -> CoursePaths:
    """The paths of the run a lesson saves into: ``run`` if named, else one named after what ``changed``
    (``{"n_factors": (10, 50)}``), else the course's own. A run other than the course's is announced in
    one line; ``later_lessons`` adds how the lessons after it read it."""
    name = run if run is not None else (experiment_name(changed) if changed else None)
    paths = course_paths(dataset, data_dir, run=name)
    if name is not None:
        what = f"Your parameters: {describe_changes(changed)}. " if changed else ""
        readers = f"; later lessons read it with run = {name!r}." if later_lessons else "."
        print(f"{what}This run, {name!r}, saves to {shown_path(paths.run_folder)}/, apart from the course's own"
              f"{readers}")
    return paths
