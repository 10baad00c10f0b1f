"""The exercises on the course's own data: ml-latest-small as lesson 01 split it and the models lessons 02 to 04
trained, as the committed run left them in data/ (the nbval tier runs after the committed lessons).

Every likely mistake the checks model must give a wrong answer there, and get its own hint: not another
mistake's, not the "rounded" fallback, and not the answer. Lesson 07 saves no BPR model, so its loss exercise
runs on a model with the lesson's layers and seeded weights, over the course's data.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from cfcourse.course import NOTEBOOKS_DIR
from cfcourse.exercises import EXERCISES, check
from cfcourse.paths import course_paths
from cfcourse.processed import load_processed
from exercise_answers import ALL_MISTAKES, MISTAKES, SOLUTIONS, lesson_contexts
from exercise_testing import bpr_model

pytestmark = pytest.mark.nbval

COURSE = course_paths("ml-latest-small")
KERAS_MODELS = ["dot_product", "bias", "neural_net"]
SOLUTIONS_HEADING = "## Solutions"
FALLBACKS = ("looks rounded", "is not it; re-read the task", "could not be checked")


@pytest.fixture(scope="module")
def contexts():
    """What each lesson's exercise cells pass to check, by lesson number, on the course's data and models."""
    if not all(COURSE.model_file(name).exists() for name in KERAS_MODELS) or not COURSE.processed.exists():
        pytest.skip("needs the course's run of ml-latest-small in data/: run as part of `make test-nbval`")
    import keras

    data = load_processed(COURSE)
    models = {name: keras.models.load_model(COURSE.model_file(name)) for name in KERAS_MODELS}
    return lesson_contexts(data, models, bpr_model(data))


def shown_forms(answer) -> list[str]:
    """How a number would be printed: to 3 and 4 decimals, as a percentage, or a count with thousands commas."""
    value = np.asarray(answer)
    if value.ndim or value.dtype.kind not in "iuf":
        return []
    value = float(value)
    if value.is_integer() and abs(value) >= 100:
        return [f"{value:,.0f}", f"{value:.0f}"]
    return [f"{value:.4f}", f"{value:.1%}"] + ([f"{value:.3f}"] if abs(value) >= 0.1 else [])


def test_every_worked_solution_is_correct_on_the_course_data(contexts):
    for exercise_id in EXERCISES:
        context = contexts[exercise_id[:2]]
        assert check(exercise_id, SOLUTIONS[exercise_id](context), **context).passed, exercise_id


@pytest.mark.parametrize("exercise_id, mistake", ALL_MISTAKES, ids=lambda value: str(value))
def test_each_likely_mistake_is_wrong_here_and_gets_its_own_hint(contexts, exercise_id, mistake):
    context = contexts[exercise_id[:2]]
    result = check(exercise_id, mistake.answer(context), **context)
    assert result.status == "not_yet", f"{mistake} gives the right answer on the course's data"
    assert mistake.hint in result.hint and not any(fallback in result.hint for fallback in FALLBACKS), result.line
    others = [other.hint for other in MISTAKES[exercise_id] if other.hint != mistake.hint]
    assert not [hint for hint in others if hint in result.hint], result.line
    right = SOLUTIONS[exercise_id](context)
    assert not [form for form in shown_forms(right) if form in result.hint], result.line


def test_the_mean_rounded_to_the_median_is_called_rounded(contexts):
    """On ml-latest-small the training mean rounds to 3.5 at 3 places, which is also the median."""
    data = contexts["01"]["data"]
    rounded = round(data.train.rating.mean(), 3)
    assert rounded == data.train.rating.median()
    result = check("01.train_mean", rounded, data=data)
    assert result.hint.startswith("that looks rounded") and "median" not in result.hint, result.line


def test_a_popular_list_from_value_counts_is_right_whatever_order_it_gives_a_tie(contexts):
    context = contexts["06"]
    data = context["data"]
    rated = set(data.train.movie_idx[data.train.user_idx == 0]) | set(data.val.movie_idx[data.val.user_idx == 0])
    counts = data.train.movie_idx.value_counts()
    by_value_counts = [movie for movie in counts.index if movie not in rated][:10]
    expected = SOLUTIONS["06.popular_list"](context)
    assert by_value_counts != expected or len(set(counts[expected])) < len(expected)  # there is a tie to order
    assert check("06.popular_list", by_value_counts, **context).passed
    assert check("06.popular_list", sorted(expected, key=lambda movie: (-counts[movie], -movie)), **context).passed


def above_the_solutions(lesson: str) -> str:
    """Everything a reader of the committed notebook sees before its Solutions part: sources and outputs."""
    cells = json.loads((NOTEBOOKS_DIR / f"{lesson}.ipynb").read_text())["cells"]
    heading = next(i for i, cell in enumerate(cells) if "".join(cell["source"]).startswith(SOLUTIONS_HEADING))
    text = []
    for cell in cells[:heading]:
        text.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            text.append("".join(output.get("text", "")))
            text.extend("".join(value) for value in output.get("data", {}).values() if isinstance(value, (str, list)))
    return "\n".join(text)


@pytest.mark.parametrize("exercise_id", [i for i in EXERCISES if ".q." not in i])
def test_no_answer_is_shown_above_its_notebooks_solutions(contexts, exercise_id):
    context = contexts[exercise_id[:2]]
    shown = above_the_solutions(EXERCISES[exercise_id])
    right = SOLUTIONS[exercise_id](context)
    assert not [form for form in shown_forms(right) if form in shown], exercise_id
    if isinstance(right, list):  # a list of movies
        titles = context["data"].movies.title.to_numpy()[right]
        assert not printed_in_order(titles, shown), f"{exercise_id}: the answer's titles are printed above it, in order"


def printed_in_order(titles, text: str) -> bool:
    position = 0
    for title in titles:
        position = text.find(title, position)
        if position < 0:
            return False
    return True
