"""The lessons' Exercises and Solutions cells, generated from each lesson's exercise module: what they hold,
how they are put in, and that the committed notebooks hold the current ones."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from cfcourse.course import LESSONS as COURSE_LESSONS
from cfcourse.course import NOTEBOOKS_DIR
from cfcourse.exercises import Exercise, exercises_of
from cfcourse.exercises.definitions import CODING, QUESTION
from course_testing import load_script

insert_exercises = load_script("maintainers/insert_exercises")
LESSONS = insert_exercises.lessons_with_exercises()
A_LESSON = LESSONS[1]  # any lesson with exercises will do


def cells_of(lesson):
    return insert_exercises.exercise_cells(lesson)


def checked_ids(cells, solution: bool) -> list[str]:
    """The exercise ids the code cells check, as stubs (``...``) or as worked solutions."""
    ids = []
    for cell in cells:
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        if cell.cell_type == "code" and hidden == solution:
            ids += re.findall(r'check\("([^"]+)"', cell.source)
    return ids


def test_every_lesson_from_01_has_exercises():
    assert LESSONS == COURSE_LESSONS[1:]


@pytest.mark.parametrize("lesson", LESSONS)
def test_each_exercise_has_one_stub_and_one_worked_solution(lesson):
    cells = cells_of(lesson)
    ids = [exercise.id for exercise in exercises_of(lesson)]
    assert checked_ids(cells, solution=False) == ids
    assert checked_ids(cells, solution=True) == ids


@pytest.mark.parametrize("lesson", LESSONS)
def test_stubs_answer_with_ellipsis_and_solutions_say_so(lesson):
    for cell in cells_of(lesson):
        if cell.cell_type != "code" or "check(" not in cell.source:
            continue
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            assert "solution=True" in cell.source  # and nbval compares its one line, the verdict
            assert "nbval-ignore-output" not in cell.metadata["tags"]
        else:
            assert re.search(r"^\w+ = \.\.\.", cell.source, re.MULTILINE) and "solution=True" not in cell.source


@pytest.mark.parametrize("lesson", LESSONS)
def test_sections_and_a_questionnaire_of_at_least_five(lesson):
    markdown = [cell.source for cell in cells_of(lesson) if cell.cell_type == "markdown"]
    assert markdown[0].startswith("## Exercises") and any(m.startswith("## Solutions") for m in markdown)
    questionnaire = "\n".join(markdown).split("### Questionnaire")[1].split("## Solutions")[0]
    assert len(re.findall(r"^\d+\. ", questionnaire, re.MULTILINE)) >= 5
    answers = "\n".join(markdown).split("**Questionnaire.**")[1]
    assert len(re.findall(r"^\d+\. ", answers, re.MULTILINE)) >= 5


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_cell_is_tagged_with_a_stable_id(lesson):
    cells = cells_of(lesson)
    assert all(cell.metadata["tags"][0] == insert_exercises.TAG for cell in cells)
    assert [cell.id for cell in cells] == [cell.id for cell in cells_of(lesson)]
    assert len({cell.id for cell in cells}) == len(cells)


def test_cells_go_after_the_summary_and_a_second_run_changes_nothing(tmp_path):
    lesson = "02_dot_product"
    shutil.copy(NOTEBOOKS_DIR / f"{lesson}.ipynb", tmp_path)
    assert insert_exercises.main([lesson, "--notebooks", str(tmp_path)]) == 0
    written = (tmp_path / f"{lesson}.ipynb").read_text()
    assert insert_exercises.main([lesson, "--notebooks", str(tmp_path), "--check"]) == 0
    assert insert_exercises.main([lesson, "--notebooks", str(tmp_path)]) == 0
    assert (tmp_path / f"{lesson}.ipynb").read_text() == written
    cells = nbformat.reads(written, as_version=4).cells
    own = [c for c in cells if insert_exercises.TAG not in c.metadata.get("tags", [])]
    assert cells[: len(own)] == own and "## Summary" in own[-1].source
    assert cells[len(own)].source.startswith("## Exercises")
    nbformat.validate(nbformat.reads(written, as_version=4))


def test_check_reports_a_notebook_whose_cells_are_out_of_date(tmp_path):
    shutil.copy(NOTEBOOKS_DIR / "03_bias.ipynb", tmp_path)
    notebook = json.loads((tmp_path / "03_bias.ipynb").read_text())
    if any(insert_exercises.TAG in c["metadata"].get("tags", []) for c in notebook["cells"]):
        notebook["cells"] = notebook["cells"][:-1]  # one exercise cell short
        (tmp_path / "03_bias.ipynb").write_text(json.dumps(notebook))
    assert insert_exercises.main(["03_bias", "--notebooks", str(tmp_path), "--check"]) == 1


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_committed_notebook_holds_the_cells_its_module_generates(lesson):
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4)
    held = [insert_exercises.written(cell) for cell in notebook.cells
            if insert_exercises.TAG in cell.metadata.get("tags", [])]
    assert held == [insert_exercises.written(cell) for cell in cells_of(lesson)], (
        f"notebooks/{lesson}.ipynb's exercise cells are not what {insert_exercises.exercise_module(lesson).__name__} "
        f"makes: edit the module, then run {insert_exercises.COMMAND} (and make execute-notebooks)")
    assert insert_exercises.main([lesson, "--check"]) == 0


def test_the_check_sees_a_one_character_drift_in_a_module(monkeypatch, capsys):
    module = insert_exercises.exercise_module(A_LESSON)
    monkeypatch.setattr(module, "INTRO", module.INTRO.strip("\n") + "!")
    assert insert_exercises.main([A_LESSON, "--check"]) == 1
    assert insert_exercises.COMMAND in capsys.readouterr().out


def test_a_changed_cell_is_rewritten_and_the_others_keep_their_outputs(tmp_path, monkeypatch):
    shutil.copy(NOTEBOOKS_DIR / f"{A_LESSON}.ipynb", tmp_path)
    module = insert_exercises.exercise_module(A_LESSON)
    monkeypatch.setattr(module, "SETUP", module.SETUP.strip("\n") + "\n# changed")
    assert insert_exercises.main([A_LESSON, "--notebooks", str(tmp_path)]) == 0
    before = nbformat.read(NOTEBOOKS_DIR / f"{A_LESSON}.ipynb", as_version=4).cells
    after = nbformat.read(tmp_path / f"{A_LESSON}.ipynb", as_version=4).cells
    changed = [new.id for old, new in zip(before, after) if old != new]
    assert len(before) == len(after) and changed == [f"exercises-{A_LESSON[:2]}-02"]
    assert after[-1].source == before[-1].source and any(cell.get("outputs") for cell in after[-3:])


def test_a_cell_id_changed_in_a_notebook_is_out_of_date(tmp_path):
    shutil.copy(NOTEBOOKS_DIR / f"{A_LESSON}.ipynb", tmp_path)
    notebook = nbformat.read(tmp_path / f"{A_LESSON}.ipynb", as_version=4)
    notebook.cells[-1].id = "renamed"
    nbformat.write(notebook, tmp_path / f"{A_LESSON}.ipynb")
    assert insert_exercises.main([A_LESSON, "--notebooks", str(tmp_path), "--check"]) == 1


def test_a_checked_question_missing_from_the_questionnaire_is_refused(monkeypatch):
    module = insert_exercises.exercise_module(A_LESSON)
    unchecked = [item for item in module.QUESTIONNAIRE if item not in module.EXERCISES]
    monkeypatch.setattr(module, "QUESTIONNAIRE", unchecked)
    with pytest.raises(ValueError, match="EXERCISES must list the questionnaire's checked questions"):
        insert_exercises.page(A_LESSON)


@pytest.mark.parametrize("kind, title", [(CODING, ""), (QUESTION, "A title")])
def test_a_coding_exercise_has_a_title_and_a_question_none(kind, title):
    with pytest.raises(ValueError, match="a coding exercise has a title, a question none"):
        Exercise(f"{A_LESSON[:2]}.x", lambda answer, context: None, prompt="", stub="", solution_text="",
                 solution_code="", title=title, kind=kind)


def test_a_list_item_of_several_lines_is_indented_under_its_first():
    assert insert_exercises.numbered(4, "What does it do:\n(a) this,\n\n(b) that?") == (
        "4. What does it do:\n   (a) this,\n\n   (b) that?")


def solutions_heading(cells) -> int:
    headings = [i for i, cell in enumerate(cells) if cell.cell_type == "markdown" and cell.source.startswith("## ")]
    solutions = [i for i in headings if cells[i].source.startswith(insert_exercises.SOLUTIONS_HEADING)]
    assert len(solutions) == 1 and headings[-1] == solutions[0], "the Solutions part must be the last section"
    return solutions[0]


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_solutions_end_the_notebook_under_a_heading_that_opens_collapsed(lesson):
    cells = cells_of(lesson)
    heading = solutions_heading(cells)
    assert cells[heading].metadata.get(insert_exercises.HEADING_COLLAPSED) is True
    assert not [cell.id for cell in cells[:heading] if is_solution(cell) or "**Questionnaire.**" in cell.source]
    assert [cell for cell in cells[heading:] if is_solution(cell)]


def printing_calls(source: str) -> list[str]:
    """What a cell's code prints or displays: print/display calls, and a last line Jupyter would show."""
    tree = ast.parse(source)
    calls = [ast.unparse(node)[:60] for node in ast.walk(tree) if isinstance(node, ast.Call)
             and getattr(node.func, "id", getattr(node.func, "attr", "")) in {"print", "display", "to_string"}]
    last = tree.body[-1]
    checks = (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
              and getattr(last.value.func, "id", "") == "check")
    if isinstance(last, ast.Expr) and not checks:  # check() returns a result that displays nothing
        calls.append(ast.unparse(last)[:60])
    return calls


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_solution_shows_nothing_but_its_checks_verdict(lesson):
    """No value of the answer under the solution: "Run All" in a learner's copy prints only verdicts there."""
    for cell in cells_of(lesson):
        if is_solution(cell):
            assert printing_calls(cell.source) == [], cell.id
            assert re.findall(r"^\s*check\(", cell.source, re.MULTILINE), cell.id


VERDICT = re.compile(r"^\d\d\.[\w.]+: (correct|not attempted|not yet: .*)$")


def stored_text(cell) -> list[str]:
    """The lines a code cell printed (its streams arrive in pieces), then anything it displayed."""
    outputs = cell.get("outputs", [])
    lines = "".join("".join(output.get("text", "")) for output in outputs).splitlines()
    return lines + ["".join(value) for output in outputs for value in output.get("data", {}).values()]


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_committed_notebook_shows_no_answer_before_its_solutions(lesson):
    """Whatever outputs the committed run stored: the exercise cells print verdicts only, the worked solutions
    come after every exercise, and their heading opens collapsed."""
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4)
    written = [cell for cell in notebook.cells if insert_exercises.TAG in cell.metadata.get("tags", [])]
    heading = solutions_heading(written)
    assert written[heading].metadata.get(insert_exercises.HEADING_COLLAPSED) is True
    assert not [cell.id for cell in written[:heading] if is_solution(cell)]
    for cell in written:
        if cell.cell_type == "code":
            assert [line for line in stored_text(cell) if not VERDICT.match(line)] == [], cell.id


def test_the_installed_jupyterlab_reads_the_collapsed_heading_key():
    """The key is JupyterLab's, not a standard one: the locked JupyterLab's notebook code must still name it."""
    jupyterlab = pytest.importorskip("jupyterlab")
    bundles = Path(jupyterlab.__file__).parent.glob("static/*.js")
    cell_code = [path for path in bundles if "headingCollapsed" in path.read_text(errors="ignore")]
    assert cell_code and all(f'"{insert_exercises.HEADING_COLLAPSED}"' in path.read_text() for path in cell_code)
