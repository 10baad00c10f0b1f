"""A hint names the mistake and where to look, never the answer's code or formula.

Read from the source: every sentence the exercise checks can show a learner (the strings in
``cfcourse/exercises/answers.py``, ``definitions.py`` and each ``lessonNN.py``, their docstrings and the
notebook cells' texts aside: the exercises' tasks, stubs and worked solutions, the questionnaire, ``INTRO`` and
``SETUP``), so a hint added later is held to the same rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import cfcourse.exercises as exercises_package
from cfcourse.exercises.registry import LESSON_MODULES

FOLDER = Path(exercises_package.__file__).parent
MODULES = ["answers", "definitions", *LESSON_MODULES]

#: What code or a formula looks like in a sentence.
CODE = {
    "a numpy or pandas call": re.compile(r"\b(np|pd|numpy|pandas)\."),
    "a call with arguments": re.compile(r"\w\([^)]"),
    "a method call": re.compile(r"\.\w+\("),
    "an assignment or a comparison": re.compile(r"[=<>]"),
    "a power": re.compile(r"\*\*|²"),
    "a matrix product": re.compile(r" @ "),
    "arithmetic on names": re.compile(r"\b\w+ ?[*/+] ?\w+\b"),
    "an inverse or transpose": re.compile(r"⁻¹|\.T\b|\binv\b"),
}


def shown_strings(module: str) -> list[str]:
    """The sentences of a module a learner can see: string constants and f-strings with a space in them, but
    not docstrings and not the cells' texts (``Exercise(...)`` and ``Question(...)`` definitions, ``INTRO``,
    ``SETUP``), which show the task as asked and its worked solution."""
    tree = ast.parse((FOLDER / f"{module}.py").read_text())
    skipped = {id(node) for node in ast.walk(tree) if is_docstring_of(node, tree)}
    for node in ast.walk(tree):
        if holds_cell_text(node):
            skipped |= {id(each) for each in ast.walk(node)}
    sentences = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            skipped |= {id(part) for part in node.values}
            text = "".join(part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if " " in text.strip():
            sentences.append(text)
    return sentences


def holds_cell_text(node) -> bool:
    """An ``Exercise(...)`` or ``Question(...)`` definition, or the assignment of ``INTRO`` or ``SETUP``."""
    if isinstance(node, ast.Call):
        return getattr(node.func, "id", "") in {"Exercise", "Question"}
    return isinstance(node, ast.Assign) and any(getattr(target, "id", "") in {"INTRO", "SETUP"}
                                                for target in node.targets)


def is_docstring_of(node, tree) -> bool:
    for owner in ast.walk(tree):
        if isinstance(owner, (ast.Module, ast.FunctionDef, ast.ClassDef)) and owner.body:
            first = owner.body[0]
            if isinstance(first, ast.Expr) and first.value is node:
                return True
    return False


HINTS = [(module, sentence) for module in MODULES for sentence in shown_strings(module)]


def test_the_hints_are_found():
    assert len(HINTS) > 100 and any("mean squared error" in sentence for _, sentence in HINTS)


#: What a hint may show anyway: the check call's own keyword argument, in a message about a missing or wrong
#: ``data=data``, and model.summary(), a place to look rather than the answer's code.
ALLOWED = re.compile(r"`\{…\}=\{…\}`|given \{…\}=\{…\}|model\.summary\(\)")


@pytest.mark.parametrize("module, sentence", HINTS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(HINTS)])
def test_no_hint_holds_code_or_a_formula(module, sentence):
    sentence = ALLOWED.sub("", sentence)
    found = {what: pattern.search(sentence).group(0) for what, pattern in CODE.items() if pattern.search(sentence)}
    assert not found, f"{module}: {sentence!r} holds {found}"


@pytest.mark.parametrize("hidden", ["0.693", "0.6931", "log 2", "ln 2", "log(2)", "log(0.5)", "-log", "logaddexp",
                                    "2 / 4", "0.5 ="])
def test_no_hint_of_a_questionnaire_number_gives_its_answer(hidden):
    """The questionnaire's numbers are hashed so that the code does not show them; the hints must not either."""
    assert not [sentence for _, sentence in HINTS if hidden in sentence]
