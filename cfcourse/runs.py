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

from cfcourse.parameters import check_parameters
from cfcourse.paths import CoursePaths, course_paths, shown_path
from cfcourse.published import (changed_list_training, changed_parameters, changed_ranking_protocol,
                                describe_changes)


def experiment_name(changed: dict[str, tuple[object, object]]) -> str:
    """A run name made of what changed: ``{"n_factors": (10, 50)}`` gives ``n_factors-10``."""
    parts = (f"{name}-{value}" for name, (value, _) in sorted(changed.items()))
    return re.sub(r"[^A-Za-z0-9._-]", "", "_".join(parts))[:80]


def training_run(lesson: str, dataset: str, data_dir, run, **training_parameters) -> CoursePaths:
    """Check a training lesson's parameters and decide which run it saves into; return that run's paths.

    With the published parameters and no ``run``, that is the course's own run. Otherwise it
    is ``run``, or a name made of the parameters that changed, and one line says where it goes.
    """
    check_parameters(dataset=dataset, data_dir=data_dir, run=run, **training_parameters)
    return _chosen_run(dataset, data_dir, run, changed_parameters(lesson, training_parameters), later_lessons=True)


def ranking_run(dataset: str, data_dir, run, **protocol) -> CoursePaths:
    """Lesson 06's :func:`training_run`: check its protocol (``k``, ``threshold``, ``seed``) and choose its run.

    A protocol other than the published one is an experiment too, so the course's own
    ``ranking.json`` always holds the published protocol. The trained models are read from
    the chosen run where it has them, else from the course's own (``CoursePaths.run_with``).
    """
    check_parameters(dataset=dataset, data_dir=data_dir, run=run, **protocol)
    return _chosen_run(dataset, data_dir, run, changed_ranking_protocol(protocol), later_lessons=False)


def list_training_run(dataset: str, data_dir, run, protocol: dict, settings: dict, **other) -> CoursePaths:
    """Lesson 07's :func:`ranking_run`: lesson 06's ``protocol`` and lesson 07's own ``settings``, checked,
    choose the run (``other`` values are only checked). Either changed makes an experiment."""
    check_parameters(dataset=dataset, data_dir=data_dir, run=run, **protocol, **settings, **other)
    changed = {**changed_ranking_protocol(protocol), **changed_list_training(settings)}
    return _chosen_run(dataset, data_dir, run, changed, later_lessons=False)


def _chosen_run(dataset: str, data_dir, run, changed: dict, later_lessons: bool) -> CoursePaths:
    name = run if run is not None else (experiment_name(changed) if changed else None)
    paths = course_paths(dataset, data_dir, run=name)
    if name is not None:
        what = f"Your parameters: {describe_changes(changed)}. " if changed else ""
        readers = f"; later lessons read it with run = {name!r}." if later_lessons else "."
        print(f"{what}This run, {name!r}, saves to {shown_path(paths.run_folder)}/, apart from the course's own"
              f"{readers}")
    return paths
