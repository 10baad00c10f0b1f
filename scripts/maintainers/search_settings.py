"""Choose the training lessons' default settings on validation data, across every dataset the course offers.

    python scripts/maintainers/search_settings.py                                  # every lesson, every dataset below
    python scripts/maintainers/search_settings.py --lesson 04_neural_net --dataset ml-100k

Each candidate in :data:`CANDIDATES` is a set of lesson parameters. The script runs the
lesson itself (papermill, on the course's kernel, exactly as ``make run-all`` does) with
those values as an experiment run named ``search-<lesson>-<n>``, and reads the *validation*
RMSE from the run's metrics file; test data plays no part in the choice. Each candidate's
validation RMSE is divided by that of the lesson's published settings (the first
candidate) on the same dataset, and its *score* is the largest of these ratios: the
settings must hold on every dataset the course offers, so a candidate beats the published
settings only by being better on all of them (ties go to the lower mean ratio). Results go
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
from pathlib import Path

import papermill

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cfcourse.tables import format_table  # noqa: E402
from cfcourse.headless import execute_lesson  # noqa: E402
from cfcourse.paths import course_paths  # noqa: E402
from cfcourse.published import PUBLISHED  # noqa: E402

SEARCH_DATASETS = ["ml-latest-small", "ml-100k", "synthetic"]

#: Per lesson: the changes to its published parameters worth trying (``{}`` is the published setting itself).
CANDIDATES: dict[str, list[dict]] = {
    "02_dot_product": [
        {},
        {"l2": 1e-4},  # the course's setting before this search
        {"l2": 2e-4},
        {"n_factors": 100},
        {"learning_rate": 2e-2},
    ],
    "03_bias": [
        {},
        {"l2": 5e-5},
        {"l2": 1.5e-4},
        {"n_factors": 30},
        {"learning_rate": 2e-2},
    ],
    "04_neural_net": [
        {},
        {"dropout_hidden": 0.5, "learning_rate": 6e-3},  # the course's setting before this search
        {"dropout_hidden": 0.5},
        {"learning_rate": 1e-2},
        {"learning_rate": 2e-2},
        {"learning_rate": 5e-2},
        {"l2": 1e-3},
    ],
}


def course_outputs(dataset: str, data_dir: str | None) -> dict[str, Path]:
    """What each lesson the searched ones build on leaves behind, to tell whether it has run."""
    paths = course_paths(dataset, data_dir)
    return {"00_download": paths.raw, "01_preprocessing": paths.processed,
            "02_dot_product": paths.metrics_file("dot_product"), "03_bias": paths.metrics_file("bias")}


def ensure_course_run(dataset: str, data_dir: str | None, scratch: Path) -> None:
    """Run lessons 00-03 with the course's settings where they have not run: the searched lessons read them."""
    for lesson, output in course_outputs(dataset, data_dir).items():
        if not output.exists():
            execute_lesson(lesson, scratch / f"{dataset}-{lesson}.ipynb", course_parameters(dataset, data_dir))


def course_parameters(dataset: str, data_dir: str | None) -> dict:
    """The lesson parameters that pick the dataset and the data folder, and nothing else."""
    return {"dataset": dataset, **({"data_dir": str(Path(data_dir).resolve())} if data_dir else {})}


def validation_rmse(lesson: str, dataset: str, data_dir: str | None, run: str, changes: dict,
                    scratch: Path) -> tuple[float, float]:
    """Run ``lesson`` on ``dataset`` with ``changes`` as run ``run``; return its validation RMSE and seconds."""
    started = time.perf_counter()
    parameters = {**course_parameters(dataset, data_dir), **PUBLISHED[lesson].parameters, **changes, "run": run}
    execute_lesson(lesson, scratch / f"{run}-{dataset}.ipynb", parameters)
    seconds = time.perf_counter() - started
    record = json.loads(course_paths(dataset, data_dir, run).metrics_file(PUBLISHED[lesson].model).read_text())
    return record["val_rmse"], seconds


def search_lesson(lesson: str, datasets: list[str], data_dir: str | None, scratch: Path) -> list[dict]:
    """Every candidate of ``lesson`` on every dataset, with its score; the best first."""
    rows = []
    for number, changes in enumerate(CANDIDATES[lesson]):
        row = {"lesson": lesson, "changes": changes, "val_rmse": {}, "seconds": {}}
        for dataset in datasets:
            val_rmse, seconds = validation_rmse(lesson, dataset, data_dir, f"search-{lesson}-{number}", changes, scratch)
            row["val_rmse"][dataset], row["seconds"][dataset] = val_rmse, round(seconds, 1)
            print(f"{lesson} {describe(changes):<55} {dataset:<16} validation RMSE {val_rmse:.4f} "
                  f"({seconds:.0f} s)", flush=True)
        rows.append(row)
    published = rows[0]["val_rmse"]
    for row in rows:
        ratios = [row["val_rmse"][d] / published[d] for d in datasets]
        row["score"], row["mean_ratio"] = round(max(ratios), 4), round(sum(ratios) / len(ratios), 4)
    return sorted(rows, key=lambda row: (row["score"], row["mean_ratio"]))


def describe(changes: dict) -> str:
    """``l2=5e-05, n_factors=30``, or "published settings" for no change."""
    return ", ".join(f"{name}={value}" for name, value in changes.items()) or "published settings"


def markdown(results: dict[str, list[dict]], datasets: list[str]) -> str:
    """``search.md``: one table per lesson, best candidate first."""
    lines = ["## Search for the lessons' settings (validation RMSE; score = the worst ratio to the published "
             "settings over the datasets; best first)", ""]
    for lesson, rows in results.items():
        cells = [[describe(row["changes"]), *(f"{row['val_rmse'][d]:.4f}" for d in datasets), f"{row['score']:.4f}",
                  f"{row['mean_ratio']:.4f}"] for row in rows]
        lines += [f"### {lesson}", "", format_table(["changes", *datasets, "score", "mean ratio"], cells, markdown=True),
                  ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lesson", action="append", choices=sorted(CANDIDATES), help="default: every training lesson")
    parser.add_argument("--dataset", action="append", help=f"default: {', '.join(SEARCH_DATASETS)}")
    parser.add_argument("--data-dir", help="data folder (default: data/ or $CFCOURSE_DATA_DIR)")
    args = parser.parse_args(argv)
    datasets = args.dataset or SEARCH_DATASETS
    metrics_dir = course_paths(datasets[0], args.data_dir).data_dir / "metrics"
    scratch = course_paths(datasets[0], args.data_dir).data_dir / "executed" / "search"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        for dataset in datasets:
            ensure_course_run(dataset, args.data_dir, scratch)
        results = {lesson: search_lesson(lesson, datasets, args.data_dir, scratch)
                   for lesson in args.lesson or sorted(CANDIDATES)}
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
