"""``check``: the one call every exercise cell makes.

It prints one line and returns a :class:`CheckResult`:

- ``02.predict: correct``
- ``02.predict: not yet: <a hint for the likely mistake>``
- ``02.predict: not attempted`` while the answer is still ``...`` (or ``None``)

It never raises in a learner's run, whatever the answer is, so a lesson run headless goes on.
A worked solution calls it with ``solution=True``; in strict mode (``CFCOURSE_STRICT_CHECKS=1``,
as ``make test`` sets it) a solution that is not correct raises :class:`SolutionNotCorrect`, which
is how the course catches an exercise broken by a change in the lesson or the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from cfcourse.exercises.definitions import Context, NotYet
from cfcourse.exercises.record import CORRECT, NOT_ATTEMPTED, NOT_YET, record_check
from cfcourse.exercises.registry import DEFINITIONS
from cfcourse.published import strict_checks


class SolutionNotCorrect(AssertionError):
    """Strict mode only: a worked solution did not pass its own check."""

    def _render_traceback_(self):
        return [f"SolutionNotCorrect: {self}"]


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` said: ``status`` is "correct", "not_yet" or "not_attempted"; ``hint`` goes with "not_yet"."""

    exercise_id: str
    status: str
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    @property
    def line(self) -> str:
        said = {CORRECT: "correct", NOT_ATTEMPTED: "not attempted"}.get(self.status, f"not yet: {self.hint}")
        return f"{self.exercise_id}: {said}"

    def __str__(self) -> str:
        return self.line

    def _ipython_display_(self):
        # check() has printed the line already; a cell ending in check(...) should not show it twice.
        pass


def check(exercise_id: str, answer, *, solution: bool = False, **context) -> CheckResult:
    """Judge ``answer`` to exercise ``exercise_id``, print one line, record it, and return the result.

    ``context`` is what the exercise computes its expected answer from, as the cell passes it:
    ``data=data`` (also where the result is recorded: the run's metrics folder), ``model=model``...
    ``solution=True`` marks a worked solution's cell.
    """
    result = _judged(exercise_id, answer, Context(context))
    print(result.line)
    _record(result, solution, context.get("data"))
    if solution and not result.passed and strict_checks():
        raise SolutionNotCorrect(f"the worked solution of {result.line}")
    return result


def _judged(exercise_id: str, answer, context: Context) -> CheckResult:
    exercise = DEFINITIONS.get(exercise_id)
    if exercise is None:
        return CheckResult(str(exercise_id), NOT_YET, "no exercise has this id; copy it from the cell as given")
    if answer is None or answer is Ellipsis:
        return CheckResult(exercise_id, NOT_ATTEMPTED)
    try:
        exercise.judge(answer, context)
    except NotYet as not_yet:
        return CheckResult(exercise_id, NOT_YET, str(not_yet))
    except Exception as error:  # never a traceback in a learner's run, whatever they answered
        return CheckResult(exercise_id, NOT_YET, f"this answer could not be checked ({type(error).__name__}: "
                                                 f"{error}); check its type and shape against the task")
    return CheckResult(exercise_id, CORRECT)


def _record(result: CheckResult, solution: bool, data) -> None:
    """Add the result to the run's ``exercises.json``; data made in memory (tests) has no run to record in."""
    exercise = DEFINITIONS.get(result.exercise_id)
    paths = getattr(data, "paths", None)
    if exercise is None or paths is None:
        return
    try:
        record_check(paths.exercises_file, exercise.lesson, exercise.id, "solution" if solution else "stub",
                     result.status, DEFINITIONS)
    except OSError:
        pass  # a read-only data folder must not stop the lesson; the line above was printed
