"""The record of a run's checks: ``exercises.json`` in the run's metrics folder, and the line
``make run-all`` prints from it.

Shape: ``{"<lesson>": {"<exercise id>": {"stub": "not_attempted", "solution": "correct"}}}``.
A stub is the cell a learner fills in, a solution the worked solution's cell; each keeps the
status of its latest check.
"""

from __future__ import annotations

import json
from pathlib import Path

from cfcourse.metrics import write_json_atomically

CORRECT = "correct"
NOT_YET = "not_yet"
NOT_ATTEMPTED = "not_attempted"


def record_check(file: Path, lesson: str, exercise_id: str, role: str, status: str, known_ids) -> None:
    """Set ``status`` for ``role`` ("stub" or "solution") of one exercise, keeping the other entries.

    Ids no longer in ``known_ids`` (an exercise renamed or removed) are dropped on the way.
    """
    record = read_record(file)
    record.setdefault(lesson, {}).setdefault(exercise_id, {})[role] = status
    record = {lesson_name: {id_: roles for id_, roles in entries.items() if id_ in known_ids}
              for lesson_name, entries in record.items()}
    _write(file, record)


def _write(file: Path, record: dict) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomically(file, record, sort_keys=True)


def forget_lessons(file: Path, lessons) -> None:
    """Drop the verdicts of ``lessons`` (about to run again), keeping the other lessons' entries."""
    record = read_record(file)
    if not set(lessons) & set(record):
        return
    _write(file, {lesson: entries for lesson, entries in record.items() if lesson not in set(lessons)})


def read_record(file: Path) -> dict:
    """The record, or an empty one if there is none or it cannot be read."""
    try:
        record = json.loads(file.read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def summary_line(record: dict, expected: dict[str, str], shown: int = 5) -> str:
    """One line on the solutions: "Exercises: N solutions checked, all correct", or which were not.

    ``expected`` maps every exercise id the run should have checked to its lesson.
    """
    statuses = {id_: roles.get("solution") for entries in record.values() for id_, roles in entries.items()}
    checked = [id_ for id_ in expected if statuses.get(id_) is not None]
    wrong = [id_ for id_ in checked if statuses[id_] != CORRECT]
    unchecked = [id_ for id_ in expected if statuses.get(id_) is None]
    line = f"Exercises: {len(checked)} solutions checked"
    if not wrong and not unchecked:
        return f"{line}, all correct"
    parts = []
    if wrong:
        parts.append(f"not correct: {_some(wrong, shown)}")
    if unchecked:
        parts.append(f"never checked: {_some(unchecked, shown)}")
    return f"{line}; " + "; ".join(parts)


def _some(ids: list[str], shown: int) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more
