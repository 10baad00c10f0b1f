"""The published configuration of each training lesson, and the check that compares a run with it."""

from __future__ import annotations

import papermill
import pytest

from cfcourse.course import NOTEBOOKS_DIR
from cfcourse.published import (
    PUBLISHED,
    PUBLISHED_RANKING_PROTOCOL,
    STRICT_VARIABLE,
    PublishedResultMismatch,
    changed_parameters,
    changed_ranking_protocol,
    check_published_rmse,
)

COURSE = PUBLISHED["02_dot_product"].parameters
PUBLISHED_DP = PUBLISHED["02_dot_product"].test_rmse["ml-latest-small"]


@pytest.fixture
def informative(monkeypatch):
    monkeypatch.delenv(STRICT_VARIABLE, raising=False)


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")


@pytest.mark.parametrize("lesson", sorted(PUBLISHED))
def test_published_parameters_are_the_lessons_own_defaults(lesson):
    declared = papermill.inspect_notebook(str(NOTEBOOKS_DIR / f"{lesson}.ipynb"))
    defaults = {name: eval(parameter["default"]) for name, parameter in declared.items()}
    for name, value in PUBLISHED[lesson].parameters.items():
        assert defaults[name] == value, f"{lesson}: the notebook has {name} = {defaults[name]!r}"
    untracked = set(defaults) - set(PUBLISHED[lesson].parameters) - {"dataset", "data_dir", "run"}
    assert not untracked, f"{lesson}: training parameters missing from cfcourse.published: {untracked}"


def test_published_ranking_protocol_is_lesson_06s_own_defaults():
    declared = papermill.inspect_notebook(str(NOTEBOOKS_DIR / "06_evaluate_recommendations.ipynb"))
    defaults = {name: eval(parameter["default"]) for name, parameter in declared.items()}
    assert {name: defaults[name] for name in set(defaults) - {"dataset", "data_dir", "run"}} == PUBLISHED_RANKING_PROTOCOL


def test_changed_ranking_protocol_names_only_what_differs():
    assert changed_ranking_protocol({**PUBLISHED_RANKING_PROTOCOL, "k": 5}) == {"k": (5, 10)}
    assert changed_ranking_protocol(PUBLISHED_RANKING_PROTOCOL) == {}


def test_changed_parameters_names_only_what_differs():
    assert changed_parameters("02_dot_product", {**COURSE, "n_factors": 10}) == {"n_factors": (10, 50)}
    assert changed_parameters("02_dot_product", COURSE) == {}


def verdict_of(capsys, *arguments) -> str:
    """What the check prints: one line, nothing returned for a notebook to show a second time."""
    assert check_published_rmse(*arguments) is None
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1
    return printed.strip()


def test_the_course_run_within_the_tolerance_matches(informative, capsys):
    verdict = verdict_of(capsys, "02_dot_product", "ml-latest-small", PUBLISHED_DP + 0.009, COURSE)
    assert verdict == f"test RMSE is within 0.01 of the published {PUBLISHED_DP:.4f}"


def test_the_course_run_beyond_the_tolerance_says_by_how_much_without_failing(informative, capsys):
    verdict = verdict_of(capsys, "02_dot_product", "ml-latest-small", PUBLISHED_DP + 0.0127, COURSE)
    assert f"{PUBLISHED_DP + 0.0127:.4f} differs by +0.0127 from the published {PUBLISHED_DP:.4f}" in verdict


def test_a_learners_change_is_named_with_the_courses_number_and_never_fails(informative, capsys):
    verdict = verdict_of(capsys, "02_dot_product", "ml-latest-small", 0.9021, {**COURSE, "n_factors": 10, "epochs": 5})
    assert verdict == ("test RMSE 0.9021 with your parameters n_factors=10 (course: 50), epochs=5 (course: 20); "
                       f"the course's run gives {PUBLISHED_DP:.4f} on ml-latest-small")


def test_a_dataset_without_a_published_number_is_only_reported(strict, capsys):
    assert "publishes no number for synthetic" in verdict_of(capsys, "02_dot_product", "synthetic", 3.0, COURSE)


@pytest.mark.parametrize("parameters", [COURSE, {**COURSE, "epochs": 1}])
@pytest.mark.parametrize("drift", [0.011, -0.02, 0.4])
def test_strict_mode_fails_beyond_the_tolerance_whatever_changed(strict, parameters, drift):
    with pytest.raises(PublishedResultMismatch, match=f"is not within 0.01 of the published {PUBLISHED_DP:.4f}"):
        check_published_rmse("02_dot_product", "ml-latest-small", PUBLISHED_DP + drift, parameters)


def test_strict_mode_passes_within_the_tolerance(strict):
    check_published_rmse("02_dot_product", "ml-latest-small", PUBLISHED_DP - 0.0099, COURSE)


@pytest.mark.parametrize("edition", ["published", None])
def test_the_published_edition_is_compared(strict, edition):
    with pytest.raises(PublishedResultMismatch):
        check_published_rmse("02_dot_product", "ml-latest-small", 0.95, COURSE, edition)


def test_another_edition_has_no_published_number_even_in_strict_mode(strict, capsys):
    verdict = verdict_of(capsys, "02_dot_product", "ml-latest-small", 0.95, COURSE, "accepted-0123456789ab")
    assert verdict.startswith("test RMSE 0.9500; different edition: no published number to compare")
    assert "accepted-0123456789ab" in verdict


def test_an_experiment_is_compared_on_validation_within_the_seeds_noise(informative, capsys):
    published = PUBLISHED["04_neural_net"]
    course_val, noise = published.val_rmse["ml-latest-small"], published.seed_spread["ml-latest-small"]
    wider = {**published.parameters, "hidden_units": 200}
    arguments = ("04_neural_net", "ml-latest-small", 0.8513, wider, "published")
    within = verdict_of(capsys, *arguments, course_val + noise / 2)
    assert within.startswith(f"validation RMSE {course_val + noise / 2:.4f} with your parameters hidden_units=200")
    assert "no clear change" in within and "Test RMSE 0.8513: keep it for the end." in within
    assert "worse by more than" in verdict_of(capsys, *arguments, course_val + 2 * noise + 0.001)
    assert "better by more than" in verdict_of(capsys, *arguments, course_val - 2 * noise - 0.001)


@pytest.mark.parametrize("lesson", sorted(PUBLISHED))
def test_every_training_lesson_publishes_its_validation_rmse_and_seed_noise(lesson):
    published = PUBLISHED[lesson]
    assert set(published.val_rmse) == set(published.seed_spread) == set(published.test_rmse)
    assert all(0 < spread < 0.05 for spread in published.seed_spread.values())
