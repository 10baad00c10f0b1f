"""The check that compares a run with what its lesson was published with.

The committed notebooks hold one run of each training lesson with exactly the parameters its
record in :mod:`cfcourse.course` gives (``Lesson.trains``; a test keeps them equal to the lessons'
``parameters`` cells), and the test RMSE that run reached. A learner's run is compared with it:

- same dataset and edition, same parameters: "matches" (within :data:`TOLERANCE`) or by how much it differs;
- parameters changed: one line naming what differs, with the course's number for reference;
- another edition of the data (accepted knowingly, see :mod:`cfcourse.data.editions`): no number to compare.

Neither ever stops a learner's run. In *strict* mode, which ``make test`` and CI turn on
(``CFCOURSE_STRICT_CHECKS=1``), a test RMSE further than :data:`TOLERANCE` from the
published one fails: that is how a real regression (code, dependency, data) is caught.
"""

from __future__ import annotations

import os

from cfcourse.course import BY_NAME, COURSE, LIST_TRAINING, RANKING_PROTOCOL, PublishedLesson, experiment_values
from cfcourse.data.editions import PUBLISHED as PUBLISHED_EDITION

#: How far a test RMSE may drift from the published value: float noise between machines and CPUs.
TOLERANCE = 0.01

#: The environment variable that turns a mismatch into a failure (set by ``make test`` and CI).
STRICT_VARIABLE = "CFCOURSE_STRICT_CHECKS"


#: Each training lesson as published, by lesson: its record's ``trains`` (:class:`cfcourse.course.PublishedLesson`).
PUBLISHED: dict[str, PublishedLesson] = {lesson.name: lesson.trains for lesson in COURSE if lesson.trains}

#: Lesson 06's protocol as published: the course's own ``ranking.json`` is made with these values.
PUBLISHED_RANKING_PROTOCOL = RANKING_PROTOCOL


class ClaimNotBorneOut(AssertionError):
    """Strict mode only: a sentence of a lesson compares results, and this run contradicts it."""

    def _render_traceback_(self):
        return [f"ClaimNotBorneOut: {self}"]


class PublishedResultMismatch(AssertionError):
    """Strict mode only: a test RMSE is not within the tolerance of the published one."""

    def _render_traceback_(self):
        return [f"PublishedResultMismatch: {self}"]


#: Lesson 07's own settings as published (the protocol is lesson 06's, above).
PUBLISHED_LIST_TRAINING = LIST_TRAINING


def changed_list_training(values: dict) -> dict[str, tuple[object, object]]:
    """The values of lesson 07's settings that differ from the published ones, as ``name: (value, published)``."""
    return _changed(values, PUBLISHED_LIST_TRAINING)


def changed_parameters(lesson: str, values: dict) -> dict[str, tuple[object, object]]:
    """The parameters of ``values`` that differ from the published ones, as ``name: (value, published)``."""
    return _changed(values, PUBLISHED[lesson].parameters)


def changed_ranking_protocol(values: dict) -> dict[str, tuple[object, object]]:
    """The values of lesson 06's protocol that differ from the published ones, as ``name: (value, published)``."""
    return _changed(values, PUBLISHED_RANKING_PROTOCOL)


def changed_settings(lesson: str, values: dict) -> dict[str, tuple[object, object]]:
    """The values that make ``lesson``'s run an experiment (its record's published parameters and settings, and
    those of the lesson it judges as) where they differ, as ``name: (value, published)``."""
    return _changed(values, experiment_values(BY_NAME[lesson]))


def _changed(values: dict, published: dict) -> dict[str, tuple[object, object]]:
    return {name: (value, published[name]) for name, value in values.items()
            if name in published and value != published[name]}


def describe_changes(changed: dict[str, tuple[object, object]]) -> str:
    """``n_factors=10 (course: 50), epochs=5 (course: 20)``."""
    return ", ".join(f"{name}={value!r} (course: {published!r})" for name, (value, published) in changed.items())


def strict_checks() -> bool:
    """Whether a mismatch with the published result fails (``make test`` and CI) or only informs."""
    return os.environ.get(STRICT_VARIABLE, "") not in ("", "0")


def check_published_rmse(lesson: str, dataset: str, test_rmse: float, values: dict,
                         edition: str | None = PUBLISHED_EDITION, val_rmse: float | None = None) -> None:
    """Compare a run's test RMSE with the published one and print the one-line verdict (:func:`rmse_verdict`).

    In strict mode a test RMSE further than :data:`TOLERANCE` from the published value raises
    :class:`PublishedResultMismatch`, whatever parameters were changed.
    """
    published = PUBLISHED[lesson].test_rmse.get(dataset)
    comparable = published is not None and edition in (PUBLISHED_EDITION, None)
    if comparable and strict_checks() and abs(test_rmse - published) > TOLERANCE:
        changed = changed_parameters(lesson, values)
        yours = f"; your parameters: {describe_changes(changed)}" if changed else ""
        raise PublishedResultMismatch(f"test RMSE {test_rmse:.4f} is not within {TOLERANCE} of the published "
                                      f"{published:.4f} ({test_rmse - published:+.4f}){yours}")
    print(rmse_verdict(lesson, dataset, test_rmse, values, edition, val_rmse))


def rmse_verdict(lesson: str, dataset: str, test_rmse: float, values: dict,
                 edition: str | None = PUBLISHED_EDITION, val_rmse: float | None = None) -> str:
    """A training run against the published one, in one line: an experiment on validation within the seed's
    noise, the course's own parameters on test within :data:`TOLERANCE`.

    ``values`` are the lesson's training parameters as they were for this run, ``edition`` the
    edition of the data it was trained on (``LessonData.edition``).
    """
    published = PUBLISHED[lesson].test_rmse.get(dataset)
    changed = changed_parameters(lesson, values)
    if published is not None and edition not in (PUBLISHED_EDITION, None):
        return (f"test RMSE {test_rmse:.4f}; different edition: no published number to compare "
                f"(this {dataset} is {edition}; the course's numbers are for the published one)")
    if published is None:
        return f"test RMSE {test_rmse:.4f}; the course publishes no number for {dataset}, nothing to compare"
    difference = test_rmse - published
    if changed and val_rmse is not None and dataset in PUBLISHED[lesson].val_rmse:
        return _validation_verdict(lesson, dataset, val_rmse, test_rmse, changed)
    if changed:
        return (f"test RMSE {test_rmse:.4f} with your parameters {describe_changes(changed)}; "
                f"the course's run gives {published:.4f} on {dataset}")
    if abs(difference) <= TOLERANCE:
        return f"test RMSE is within {TOLERANCE} of the published {published:.4f}"
    return (f"test RMSE {test_rmse:.4f} differs by {difference:+.4f} from the published {published:.4f}, "
            "with the course's own parameters: a change in the code, a dependency or the data")


def _validation_verdict(lesson: str, dataset: str, val_rmse: float, test_rmse: float, changed: dict) -> str:
    """An experiment against the course's run, on validation (test is for the end), within the seed's noise."""
    course, noise = PUBLISHED[lesson].val_rmse[dataset], PUBLISHED[lesson].seed_spread[dataset]
    difference = val_rmse - course
    if abs(difference) <= noise:
        judgement = f"within the {noise:.4f} that the seed alone moves it: no clear change"
    else:
        judgement = f"{'better' if difference < 0 else 'worse'} by more than the {noise:.4f} the seed alone moves it"
    return (f"validation RMSE {val_rmse:.4f} with your parameters {describe_changes(changed)}, against the course's "
            f"{course:.4f} ({difference:+.4f}): {judgement}. Test RMSE {test_rmse:.4f}: keep it for the end.")


#: The dataset the lessons' prose describes: the run the committed notebooks hold.
DESCRIBED_DATASET = "ml-latest-small"


def check_claim(claim: str, holds: bool, evidence: str, dataset: str | None = None) -> None:
    """Print whether this run bears out ``claim``, a sentence of the lesson that compares results.

    ``evidence`` gives the numbers. ``dataset`` is the run's, for a claim the text makes of the
    committed run (ml-latest-small); without it the claim is made of every dataset. A learner's run
    where it does not hold (another dataset, an experiment) gets a visible note and goes on; in strict
    mode (``make test``, CI) a claim made of this run's dataset fails instead, so the committed
    lessons never say what their outputs contradict.
    """
    if holds:
        print(f"As the text says, {claim} ({evidence}).")
        return
    if strict_checks() and dataset in (None, DESCRIBED_DATASET):
        raise ClaimNotBorneOut(f"the lesson says {claim}, but this run gives {evidence}")
    print(f"Note: the text says {claim}, but not in this run ({evidence}): your data, parameters or package "
          "versions differ from the published run's.")