"""What an exercise is: an id, a task, a judge that says "correct" or why not.

A judge is a function ``judge(answer, context)``. It returns when the answer is right and raises
:class:`NotYet` with a hint when it is not. ``context`` holds what the lesson passed to
:func:`cfcourse.exercises.check` (``data``, ``model``, ...), from which the judge computes the
expected answer: nothing is stored but the rule, so an exercise holds on any dataset and any run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

CODING = "coding"
QUESTION = "question"


class NotYet(Exception):
    """The answer is not right; the message is the hint shown after "not yet: "."""


#: What a context value must have to be the lesson's own: a check given something else (``data=None``, a
#: DataFrame for ``data``) blames that argument rather than the answer.
CONTEXT_ATTRIBUTES = {"data": ("train", "val", "test", "movies", "n_movies"), "model": ("get_layer",),
                      "recommended": ("items",), "relevant": ("shape",)}


class Context(dict):
    """What the lesson passed to ``check``, read as attributes: ``context.data``, ``context.model``."""

    def __getattr__(self, name):
        try:
            value = self[name]
        except KeyError:
            # A course bug, not the learner's: the cell as given passes everything its exercise needs.
            raise NotYet(f"this check needs `{name}={name}` passed to it (the cell as given passes it)") from None
        if value is None or not all(hasattr(value, attribute) for attribute in CONTEXT_ATTRIBUTES.get(name, ())):
            raise NotYet(f"this check was given {name}={'None' if value is None else type(value).__name__ + ' object'}"
                         f", not the lesson's `{name}`: pass `{name}={name}` as the cell as given does, after running "
                         "the lesson's cells above (your answer was not judged)")
        return value


@dataclass(frozen=True)
class Exercise:
    """One checked exercise or questionnaire question of a lesson."""

    id: str
    task: str  # one sentence: what is asked
    judge: Callable[[object, Context], None] = field(repr=False)
    kind: str = CODING
    tolerance: str = ""  # how close a number must be, in words, for the lesson's prose
    #: The notebook name of the lesson whose record names this exercise's module (set by the registry).
    lesson: str = ""

    def __post_init__(self):
        if self.kind not in (CODING, QUESTION):
            raise ValueError(f"kind must be {CODING!r} or {QUESTION!r}, got {self.kind!r}")
