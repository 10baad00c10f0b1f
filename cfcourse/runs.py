"""The course's own run, and experiments kept apart from it.

A training lesson run with the parameters it was published with belongs to the
course's own run: its model goes to ``data/models/<dataset>/``. Change a value
(in Jupyter, with papermill or ``run_course.py -p``) and the run becomes an
*experiment*: its models and metrics go to ``data/experiments/<dataset>/<run>/``,
named by what changed (``n_factors-10``) or by the ``run`` parameter, so the
course's own results are never replaced. Later lessons read the course's run
unless their ``run`` parameter names another. Lesson 06's protocol (``k``,
``threshold``, ``seed``) is treated the same way: changed, it ranks into a run of its own.
"""

from __future__ import annotations

import re

from cfcourse.paths import CoursePaths, course_paths, shown_path
from cfcourse.published import describe_changes


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
