"""What an exercise is: an id, a task, a judge that says "correct" or why not.

A judge is a function ``judge(answer, context)``. It returns when the answer is right and raises
:class:`NotYet` with a hint when it is not. ``context`` holds what the lesson passed to
:func:`cfcourse.exercises.check` (``data``, ``model``, ...), from which the judge computes the
expected answer: nothing is stored but the rule, so an exercise holds on any dataset and any run.

An exercise also holds the cells the notebook shows for it: ``prompt`` and ``stub`` under the lesson's
Exercises, ``solution_text`` and ``solution_code`` under its Solutions. A lesson's module (``lesson02.py``)
lists its exercises in ``EXERCISES`` and its questionnaire in ``QUESTIONNAIRE`` (its plain :class:`Question`
objects and its checked questions, in the order asked), with ``INTRO`` and ``SETUP`` for the cells that open
the Exercises; ``scripts/maintainers/insert_exercises.py`` writes the notebook's cells from them.
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


def cell_text(text: str) -> str:
    """A cell's text as a lesson's module writes it, on lines of its own: without the first and last newline."""
    return text.strip("\n")


@dataclass(frozen=True)
class Question:
    """A questionnaire question nothing checks, and the answer the Solutions give."""

    prompt: str
    solution_text: str

    def __post_init__(self):
        object.__setattr__(self, "prompt", cell_text(self.prompt))
        object.__setattr__(self, "solution_text", cell_text(self.solution_text))


@dataclass(frozen=True)
class Exercise:
    """One checked exercise or questionnaire question of a lesson, with its judge and its cells' texts.

    ``title`` names a coding exercise in bold (a question has none); ``prompt`` is the task as asked, ``stub``
    the code cell the learner fills in (``...`` as the answer), ``solution_text`` and ``solution_code`` the
    worked solution, whose check passes ``solution=True``.
    """

    id: str
    judge: Callable[[object, Context], None] = field(repr=False)
    prompt: str = field(repr=False)
    stub: str = field(repr=False)
    solution_text: str = field(repr=False)
    solution_code: str = field(repr=False)
    title: str = ""
    kind: str = CODING
    #: The notebook name of the lesson whose record names this exercise's module (set by the registry).
    lesson: str = ""

    def __post_init__(self):
        if self.kind not in (CODING, QUESTION):
            raise ValueError(f"kind must be {CODING!r} or {QUESTION!r}, got {self.kind!r}")
        if bool(self.title) != (self.kind == CODING):
            raise ValueError(f"{self.id}: a coding exercise has a title, a question none")
        for name in ("prompt", "stub", "solution_text", "solution_code"):
            object.__setattr__(self, name, cell_text(getattr(self, name)))
