"""Lesson 07's own code, taken from its cells: the negative sampler, the losses, EASE and the fold-in.

The sampler's "has this user rated this movie?" is :class:`cfcourse.lists.RatedPairs` (tests/unit/test_lists.py).

No module holds it (no later lesson imports it), so the functions are compiled from the lesson's code cells
by name, with the imports the lesson gives them: what is tested is what the lesson runs.
"""

from __future__ import annotations

import ast
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest
import scipy.linalg
import scipy.sparse

from cfcourse.backend import import_keras
from cfcourse.course import NOTEBOOKS_DIR
from cfcourse.lists import RatedPairs

keras = import_keras()

FUNCTIONS = ("sample_negatives", "bpr_loss", "logq_corrected_logits", "in_batch_softmax_loss",
             "ease_weights", "fold_in")


def lesson_functions(lesson: str, names: tuple[str, ...], **imports) -> SimpleNamespace:
    """The functions ``names`` as the code cells of ``lesson`` define them, with ``imports`` as their globals."""
    namespace = dict(imports)
    for cell in nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4).cells:
        if cell.cell_type != "code":
            continue
        wanted = [node for node in ast.parse(cell.source).body
                  if isinstance(node, ast.FunctionDef) and node.name in names]
        if wanted:
            exec(compile(ast.Module(body=wanted, type_ignores=[]), f"{lesson}.ipynb", "exec"), namespace)
    missing = [name for name in names if name not in namespace]
    assert not missing, f"notebooks/{lesson}.ipynb defines no {missing}"
    return SimpleNamespace(**{name: namespace[name] for name in names})


lesson07 = lesson_functions("07_train_for_the_list", FUNCTIONS, np=np, scipy=scipy, keras=keras)


@pytest.fixture
def small_ratings():
    """Four users of six movies: who rated what."""
    users = np.array([0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 3])
    movies = np.array([0, 1, 2, 0, 5, 3, 0, 1, 2, 3, 4])
    return users, movies


@pytest.mark.parametrize("popularity", [None, np.array([50.0, 20.0, 10.0, 5.0, 2.0, 1.0])])
def test_no_negative_is_a_movie_its_user_rated(small_ratings, popularity):
    users, movies = small_ratings
    rated = RatedPairs(users, movies, 6)
    asked = np.repeat(np.arange(4), 500).reshape(-1, 10)
    negatives = lesson07.sample_negatives(asked, rated, np.random.default_rng(0), popularity)
    assert negatives.shape == asked.shape
    assert not np.isin(asked * 6 + negatives, users * 6 + movies).any()
    assert set(negatives[asked == 3].tolist()) == {5}, "user 3 rated every movie but movie 5"


@pytest.mark.parametrize("popularity", [None, np.array([50.0, 20.0, 10.0, 5.0, 2.0, 1.0])])
def test_negatives_follow_the_distribution_asked_for_over_the_unrated_movies(small_ratings, popularity):
    users, movies = small_ratings
    rated = RatedPairs(users, movies, 6)
    draws = 60_000
    negatives = lesson07.sample_negatives(np.ones(draws, dtype=int), rated, np.random.default_rng(1), popularity)
    unrated = np.array([1, 2, 3, 4])  # user 1 rated movies 0 and 5
    expected = np.ones(4) if popularity is None else popularity[unrated]
    expected = expected / expected.sum()
    observed = np.bincount(negatives, minlength=6)[unrated] / draws
    assert np.bincount(negatives, minlength=6)[[0, 5]].sum() == 0
    # Four standard errors of a share: fails by chance about once in 15,000 runs, and never with this seed.
    assert np.allclose(observed, expected, atol=4 * np.sqrt(expected * (1 - expected) / draws))


def test_sampler_is_reproducible_from_its_generator(small_ratings):
    users, movies = small_ratings
    rated = RatedPairs(users, movies, 6)
    first = lesson07.sample_negatives(np.zeros(100, dtype=int), rated, np.random.default_rng(7))
    second = lesson07.sample_negatives(np.zeros(100, dtype=int), rated, np.random.default_rng(7))
    assert (first == second).all()


def test_bpr_loss_is_minus_log_sigmoid_of_the_difference():
    differences = np.array([[-30.0, -2.0, -0.5], [0.0, 1.5, 40.0]], dtype="float32")
    expected = -np.log(1.0 / (1.0 + np.exp(-differences.astype(np.float64))))
    got = keras.ops.convert_to_numpy(lesson07.bpr_loss(None, differences))
    assert np.allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_logq_logits_and_in_batch_softmax_loss_match_numpy():
    rng = np.random.default_rng(3)
    users, movies = rng.normal(size=(5, 4)).astype("float32"), rng.normal(size=(5, 4)).astype("float32")
    log_q = np.log(rng.dirichlet(np.ones(5))).astype("float32")
    logits = keras.ops.convert_to_numpy(lesson07.logq_corrected_logits(users, movies, log_q))
    expected = users.astype(np.float64) @ movies.T.astype(np.float64) - log_q[None, :]
    assert np.allclose(logits, expected, atol=1e-5)
    loss = keras.ops.convert_to_numpy(lesson07.in_batch_softmax_loss(None, expected.astype("float32")))
    log_softmax = expected - np.log(np.exp(expected).sum(axis=1, keepdims=True))
    assert np.allclose(loss, -np.diag(log_softmax), atol=1e-5)


def direct_ease(interactions, l2):
    """EASE solved column by column: each movie regressed on the others (ridge), diagonal 0."""
    n_movies = interactions.shape[1]
    weights = np.zeros((n_movies, n_movies))
    for movie in range(n_movies):
        others = [m for m in range(n_movies) if m != movie]
        x = interactions[:, others]
        weights[others, movie] = np.linalg.solve(x.T @ x + l2 * np.eye(len(others)), x.T @ interactions[:, movie])
    return weights


def test_ease_matches_a_direct_solve_on_a_tiny_matrix():
    interactions = (np.random.default_rng(5).random((12, 6)) < 0.45).astype(np.float64)
    got = lesson07.ease_weights(interactions, 2.0)
    assert got.dtype == np.float32
    assert np.allclose(got, direct_ease(interactions, 2.0), atol=1e-5)
    assert np.allclose(lesson07.ease_weights(scipy.sparse.csr_matrix(interactions), 2.0), got)


def test_fold_in_matches_a_refit_of_each_user_vector_against_the_frozen_movies():
    movie_vectors = np.random.default_rng(9).normal(size=(8, 3))
    l2 = 0.7
    interactions = np.zeros((2, 8), dtype=np.float32)
    interactions[0, [1, 4, 6]] = interactions[1, [0, 7]] = 1.0
    # The refit, one user at a time: least squares on the movies stacked with sqrt(l2) I (the ridge penalty as rows).
    stacked = np.vstack([movie_vectors, np.sqrt(l2) * np.eye(3)])
    refits = [np.linalg.lstsq(stacked, np.r_[row, np.zeros(3)], rcond=None)[0] for row in interactions]
    assert np.allclose(lesson07.fold_in(movie_vectors, interactions, l2), refits)
    assert np.allclose(lesson07.fold_in(movie_vectors, scipy.sparse.csr_matrix(interactions), l2), refits)


#: The most non-blank code lines lesson 07 may have before its exercises, its parameters cell included.
LESSON_LINES = 250
#: The most non-blank lines its import cell, the one after ``lesson.start``'s, may have.
IMPORT_LINES = 6


def lesson_cells_before_exercises(lesson: str) -> list:
    cells = []
    for cell in nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## Exercises"):
            return cells
        if cell.cell_type == "code":
            cells.append(cell)
    raise AssertionError(f"notebooks/{lesson}.ipynb has no '## Exercises' heading")


def non_blank(cell) -> list[str]:
    return [line for line in cell.source.splitlines() if line.strip()]


def test_lesson_07_reads_like_the_lessons_before_it():
    """Its models, losses, loops and plots on the page; the plumbing in cfcourse.lists (issue 25, item 5)."""
    cells = lesson_cells_before_exercises("07_train_for_the_list")
    assert sum(len(non_blank(cell)) for cell in cells) <= LESSON_LINES
    assert "lesson.start(" in cells[1].source
    assert len(non_blank(cells[2])) <= IMPORT_LINES, cells[2].source
    code = "\n".join(cell.source for cell in cells)
    for plumbing in ("generated", "EASE_MAX_MOVIES", "json", "difflib", "ParameterError", "set_seeds"):
        assert plumbing not in code, f"lesson 07's page handles {plumbing!r} itself: that belongs in cfcourse.lists"
