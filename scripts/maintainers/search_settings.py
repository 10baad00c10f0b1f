"""Choose the training lessons' default settings on validation data, across every dataset the course offers.

    python scripts/maintainers/search_settings.py                                  # every lesson, every dataset below
    python scripts/maintainers/search_settings.py --lesson 04_neural_net --dataset ml-100k
    python scripts/maintainers/search_settings.py --lesson 07_train_for_the_list

Each candidate in :data:`CANDIDATES` is a set of lesson parameters. The script runs the
lesson itself (papermill, on the course's kernel, exactly as ``make run-all`` does) with
those values as an experiment run named ``search-<lesson>-<n>``, and reads a *validation*
figure from what the run wrote (:data:`SEARCHED`): lessons 02-04's validation RMSE (lower is
better), lesson 07's validation NDCG@10 of its best Keras model, BPR or two-tower (higher is
better); test data plays no part in the choice. Each candidate's figure is divided by that
of the lesson's published settings (the first candidate) on the same dataset, and its
*score* is the worst of these ratios (the largest for RMSE, the smallest for NDCG): the
settings must hold on every dataset the course offers, so a candidate beats the published
settings only by being better on all of them (ties go to the better mean ratio). Results go
to ``<data>/metrics/search.md`` and ``search.json``; the course's own run is never touched.

The candidates are small on purpose (each lesson run costs seconds): the published settings,
and the neighbours that a first, wider probe found promising. What the lessons use now, and
why, is in docs/settings.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import papermill

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfcourse.tables import format_table  # noqa: E402
from cfcourse.headless import execute_lesson  # noqa: E402
from cfcourse.paths import CoursePaths, course_paths  # noqa: E402
from cfcourse.course import BY_NAME, COURSE, PROCESSED, RAW, needed_by, own_values  # noqa: E402

SEARCH_DATASETS = ["ml-latest-small", "ml-100k", "synthetic"]

#: Per lesson: the changes to its published parameters worth trying (``{}`` is the published setting itself), as
#: its record in cfcourse/course.py gives them (``Lesson.search_candidates``).
CANDIDATES: dict[str, list[dict]] = {lesson.name: list(lesson.search_candidates) for lesson in COURSE
                                     if lesson.search_candidates}


@dataclass(frozen=True)
class Objective:
    """The validation figure a search reads from a finished run, and which way is better."""

    key: str  # its name in search.json's rows
    heading: str  # what search.md calls it
    higher_is_better: bool
    read: Callable[[str, CoursePaths], float]  # (lesson, the run's paths) -> the figure


def validation_rmse(lesson: str, paths: CoursePaths) -> float:
    """The validation RMSE a rating lesson (02-04) wrote to its model's metrics file."""
    return json.loads(paths.metrics_file(BY_NAME[lesson].trains.model).read_text())["val_rmse"]


def best_keras_validation_ndcg(lesson: str, paths: CoursePaths) -> float:
    """Lesson 07's validation NDCG@10 of its better Keras model: the settings searched train BPR and the
    two-tower model only (most popular ignores them, EASE has its own λ search and may not run)."""
    ndcg = json.loads(paths.list_ranking_file.read_text())["validation_ndcg"]
    return max(ndcg["bpr"], ndcg["two_tower"])


RMSE = Objective("val_rmse", "validation RMSE", higher_is_better=False, read=validation_rmse)
NDCG = Objective("val_ndcg", "validation NDCG@10 of the best Keras model", higher_is_better=True,
                 read=best_keras_validation_ndcg)


@dataclass(frozen=True)
class SearchedLesson:
    """What the search needs to know of a lesson: its published settings, what it is judged by, what it reads."""

    parameters: dict
    objective: Objective
    needs: tuple[str, ...]  # the course's lessons that must have run first, for their outputs


#: Each searched lesson: a rating lesson is judged by its validation RMSE, a ranking one by its NDCG; it needs the
#: lessons its record reads, and the ones they read.
SEARCHED: dict[str, SearchedLesson] = {
    lesson.name: SearchedLesson(own_values(lesson), RMSE if lesson.trains else NDCG, tuple(needed_by(lesson)))
    for lesson in COURSE if lesson.search_candidates}


def course_outputs(dataset: str, data_dir: str | None) -> dict[str, Path]:
    """What each lesson the searched ones build on leaves behind, to tell whether it has run, in course order."""
    paths = course_paths(dataset, data_dir)
    outputs = {}
    for lesson in COURSE:
        if lesson.writes == RAW:
            outputs[lesson.name] = paths.raw
        elif lesson.writes == PROCESSED:
            outputs[lesson.name] = paths.processed
        elif lesson.trains:
            outputs[lesson.name] = paths.metrics_file(lesson.trains.model)
    return outputs


def ensure_course_run(dataset: str, data_dir: str | None, scratch: Path, lessons: list[str]) -> None:
    """Run, with the course's settings, the lessons that ``lessons`` build on where they have not run."""
    needed = {need for lesson in lessons for need in SEARCHED[lesson].needs}
    for lesson, output in course_outputs(dataset, data_dir).items():  # in course order
        if lesson in needed and not output.exists():
            execute_lesson(lesson, scratch / f"{dataset}-{lesson}.ipynb", course_parameters(dataset, data_dir))


def course_parameters(dataset: str, data_dir: str | None) -> dict:
    """The lesson parameters that pick the dataset and the data folder, and nothing else."""
    return {"dataset": dataset, **({"data_dir": str(Path(data_dir).resolve())} if data_dir else {})}


def run_candidate(lesson: str, dataset: str, data_dir: str | None, run: str, changes: dict,
                  scratch: Path) -> tuple[float, float]:
    """Run ``lesson`` on ``dataset`` with ``changes`` as run ``run``; return its validation figure and seconds."""
    started = time.perf_counter()
    parameters = {**course_parameters(dataset, data_dir), **SEARCHED[lesson].parameters, **changes, "run": run}
    execute_lesson(lesson, scratch / f"{run}-{dataset}.ipynb", parameters)
    seconds = time.perf_counter() - started
    return SEARCHED[lesson].objective.read(lesson, course_paths(dataset, data_dir, run)), seconds


def search_lesson(lesson: str, datasets: list[str], data_dir: str | None, scratch: Path) -> list[dict]:
    """Every candidate of ``lesson`` on every dataset, with its score; the best first."""
    objective = SEARCHED[lesson].objective
    rows = []
    for number, changes in enumerate(CANDIDATES[lesson]):
        row = {"lesson": lesson, "changes": changes, objective.key: {}, "seconds": {}}
        for dataset in datasets:
            value, seconds = run_candidate(lesson, dataset, data_dir, f"search-{lesson}-{number}", changes, scratch)
            row[objective.key][dataset], row["seconds"][dataset] = value, round(seconds, 1)
            print(f"{lesson} {describe(changes):<55} {dataset:<16} {objective.heading} {value:.4f} "
                  f"({seconds:.0f} s)", flush=True)
        rows.append(row)
    return score_rows(rows, datasets, objective)


def score_rows(rows: list[dict], datasets: list[str], objective: Objective) -> list[dict]:
    """``rows`` (the published settings first) with their score and mean ratio to the published, the best first.

    The score is the worst ratio over the datasets, so that a candidate wins only where it wins everywhere.
    """
    published = rows[0][objective.key]
    worst = min if objective.higher_is_better else max
    for row in rows:
        ratios = [row[objective.key][d] / published[d] for d in datasets]
        row["score"], row["mean_ratio"] = round(worst(ratios), 4), round(sum(ratios) / len(ratios), 4)
    return sorted(rows, key=lambda row: (row["score"], row["mean_ratio"]), reverse=objective.higher_is_better)


def describe(changes: dict) -> str:
    """``l2=5e-05, n_factors=30``, or "published settings" for no change."""
    return ", ".join(f"{name}={value}" for name, value in changes.items()) or "published settings"


def markdown(results: dict[str, list[dict]], datasets: list[str]) -> str:
    """``search.md``: one table per lesson, best candidate first."""
    lines = ["## Search for the lessons' settings (validation figures; score = the worst ratio to the published "
             "settings over the datasets; best first)", ""]
    for lesson, rows in results.items():
        objective = SEARCHED[lesson].objective
        cells = [[describe(row["changes"]), *(f"{row[objective.key][d]:.4f}" for d in datasets),
                  f"{row['score']:.4f}", f"{row['mean_ratio']:.4f}"] for row in rows]
        better = "higher" if objective.higher_is_better else "lower"
        lines += [f"### {lesson}", "", f"{objective.heading}, {better} is better:", "",
                  format_table(["changes", *datasets, "score", "mean ratio"], cells, markdown=True), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lesson", action="append", choices=sorted(CANDIDATES), help="default: every training lesson")
    parser.add_argument("--dataset", action="append", help=f"default: {', '.join(SEARCH_DATASETS)}")
    parser.add_argument("--data-dir", help="data folder (default: data/ or $CFCOURSE_DATA_DIR)")
    args = parser.parse_args(argv)
    datasets = args.dataset or SEARCH_DATASETS
    lessons = args.lesson or sorted(CANDIDATES)
    metrics_dir = course_paths(datasets[0], args.data_dir).data_dir / "metrics"
    scratch = course_paths(datasets[0], args.data_dir).data_dir / "executed" / "search"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        for dataset in datasets:
            ensure_course_run(dataset, args.data_dir, scratch, lessons)
        results = {lesson: search_lesson(lesson, datasets, args.data_dir, scratch) for lesson in lessons}
    except papermill.PapermillExecutionError as error:
        print(f"error: a lesson failed ({error.ename}: {error.evalue}); see {scratch}", file=sys.stderr)
        return 1
    metrics_dir.mkdir(parents=True, exist_ok=True)
    (metrics_dir / "search.json").write_text(json.dumps(results, indent=2) + "\n")
    report = markdown(results, datasets)
    (metrics_dir / "search.md").write_text(report)
    print("\n" + report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
