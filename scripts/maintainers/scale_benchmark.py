"""Run the whole course on generated data at 100k, 1M and 25M ratings, and measure what it costs.

    python scripts/maintainers/scale_benchmark.py                           # what `make scale-benchmark` does: all three sizes
    python scripts/maintainers/scale_benchmark.py --dataset synthetic-1m    # one size; the other sizes' results are kept

For each size, every lesson runs headless as ``make run-all`` runs it, each in a process of its
own, so that its wall time and the peak resident memory of its process tree (the lesson's
kernel included) can be read when it ends. The trained models' metrics files give seconds per
epoch, epochs and RMSE; beside them the closed-form biases (no training loop) show what the
factors add. Results go to ``data/metrics/scale.json`` and ``scale.md``:

    {"machine": {...}, "runs": [{"dataset", "ratings", "total_seconds",
      "lessons": [{"name", "seconds", "peak_rss_mb"}],
      "models": [{"model", "seconds_per_epoch", "epochs", "val_rmse", "test_rmse"}]}]}

Peak memory comes from ``os.wait4``, so the script runs where that exists (Linux, macOS).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import choose_bias_regularisation, fit_closed_form_biases  # noqa: E402
from cfcourse.tables import format_table  # noqa: E402
from cfcourse.course import LESSONS, MODELS  # noqa: E402
from cfcourse.data.datasets import get_dataset  # noqa: E402
from machine import describe_machine, machine_description  # noqa: E402
from cfcourse.metrics import read_model_metrics, rmse  # noqa: E402
from cfcourse.paths import course_paths, default_data_dir, shown_path  # noqa: E402
from cfcourse.processed import load_processed  # noqa: E402

SIZES = ["synthetic-100k", "synthetic-1m", "synthetic-25m"]
#: The user and movie regularisations the closed-form biases choose from, on validation.
BIAS_REGULARISATION_GRID = (5.0, 25.0)

#: Runs one lesson in the child process; the parent reads the child's resource use when it exits.
LESSON_RUNNER = (
    "import json, sys; from pathlib import Path; from cfcourse.headless import execute_lesson; "
    "execute_lesson(sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3]))"
)


def machine() -> dict:
    """What the numbers were measured on (:func:`machine.machine_description`), the Keras backend the lessons
    run on (``KERAS_BACKEND``, else TensorFlow) and whether it sees a GPU."""
    from cfcourse.backend import chosen_backend, has_gpu

    return {**machine_description(), "backend": chosen_backend(), "gpu": has_gpu()}


def run_lesson(name: str, output: Path, parameters: dict) -> dict:
    """Execute one lesson in a child process; its wall seconds and the peak RSS of its process tree."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", LESSON_RUNNER, name, str(output), json.dumps(parameters)],
                             cwd=Path(__file__).resolve().parents[2])
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"error: {name} failed on {parameters['dataset']}; see {shown_path(output)}")
    # ru_maxrss is the largest of the child and the descendants it waited for (the kernel): KiB on Linux, bytes on macOS.
    peak_bytes = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return {"name": name, "seconds": round(seconds, 1), "peak_rss_mb": round(peak_bytes / 2**20)}


def closed_form_biases(paths) -> dict:
    """The biases with no training loop, for scale: the factors must beat them clearly."""
    data = load_processed(paths)
    started = time.perf_counter()
    (user_reg, movie_reg), val_rmse = choose_bias_regularisation(data.train, data.val, data.n_users, data.n_movies,
                                                                 grid=BIAS_REGULARISATION_GRID)
    model = fit_closed_form_biases(data.train.user_idx, data.train.movie_idx, data.train.rating,
                                   data.n_users, data.n_movies, user_reg, movie_reg)
    test_rmse = rmse(data.test.rating, model.predict(data.test.user_idx, data.test.movie_idx))
    return {"model": "closed_form_biases", "seconds_per_epoch": None, "epochs": None,
            "val_rmse": round(val_rmse, 4), "test_rmse": round(test_rmse, 4),
            "fit_seconds": round(time.perf_counter() - started, 1)}


def run_size(dataset: str, data_dir: Path) -> dict:
    """The whole course on one generated dataset, lesson by lesson."""
    paths = course_paths(dataset, data_dir)
    shutil.rmtree(paths.raw, ignore_errors=True)  # so that lesson 00's time is the time to generate the data
    output_dir = paths.executed
    output_dir.mkdir(parents=True, exist_ok=True)
    parameters = {"dataset": dataset, "data_dir": str(data_dir.resolve())}
    lessons = []
    for name in LESSONS:
        lesson = run_lesson(name, output_dir / f"{name}.ipynb", parameters)
        print(f"{dataset:<16} {name:<28} {lesson['seconds']:7.1f} s  {lesson['peak_rss_mb']:6,} MB", flush=True)
        lessons.append(lesson)
    records = {record["model"]: record for record in read_model_metrics(paths)}
    models = [{key: records[name][key] for key in ("model", "seconds_per_epoch", "epochs", "val_rmse", "test_rmse")}
              for name in MODELS]
    models.append(closed_form_biases(paths))
    return {"dataset": dataset, "ratings": get_dataset(dataset).n_ratings,
            "total_seconds": round(sum(lesson["seconds"] for lesson in lessons), 1),
            "lessons": lessons, "models": models}


def growth(runs: list[dict]) -> list[str]:
    """How time grew from one size to the next, against how the ratings grew."""
    lines = []
    for small, large in zip(runs, runs[1:]):
        ratings, seconds = large["ratings"] / small["ratings"], large["total_seconds"] / small["total_seconds"]
        lines.append(f"- {small['dataset']} to {large['dataset']}: {ratings:.0f}× the ratings, {seconds:.1f}× the time "
                     f"({seconds / ratings:.2f} of linear).")
    return lines


def model_cell(row: dict) -> str:
    """One model at one size: its time per epoch and epochs, validation and test RMSE."""
    timing = "no training loop" if row["epochs"] is None else f"{row['seconds_per_epoch']:.2f} s × {row['epochs']}"
    return f"{timing}, {row['val_rmse']:.4f}, {row['test_rmse']:.4f}"


def markdown(report: dict) -> str:
    """``scale.md``: the machine, then per size the lessons and the models."""
    m = report["machine"]
    lines = ["# The course at scale (`make scale-benchmark`)", "",
             f"Measured on {describe_machine(m)}; {'a GPU' if m['gpu'] else 'no GPU'}.", ""]
    runs = report["runs"]
    lesson_rows = [[name, *(cell for run in runs for cell in (f"{run['lessons'][position]['seconds']:.1f}",
                                                             f"{run['lessons'][position]['peak_rss_mb']:,}"))]
                   for position, name in enumerate(LESSONS)]
    lesson_rows.append(["**whole course**", *(cell for run in runs for cell in (f"**{run['total_seconds']:.1f}**", ""))])
    lines.append(format_table(["lesson", *(heading for run in runs for heading in (f"{run['dataset']} s", "peak MB"))],
                              lesson_rows, markdown=True))
    model_rows = [[model, *(model_cell(run["models"][position]) for run in runs)]
                  for position, model in enumerate([*MODELS, "closed_form_biases"])]
    lines += ["", format_table(["model", *(f"{run['dataset']}: s/epoch, epochs, val, test" for run in runs)], model_rows,
                               align="l" * (len(runs) + 1), markdown=True)]
    lines += ["", "Growth of the whole course's time:", *growth(report["runs"]), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", action="append", choices=SIZES, help="one size (repeatable; default: all three)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: data/ or $CFCOURSE_DATA_DIR)")
    args = parser.parse_args(argv)
    if not hasattr(os, "wait4"):
        print("error: the scale benchmark reads peak memory with os.wait4, which this system lacks (Windows)", file=sys.stderr)
        return 1
    data_dir = args.data_dir or default_data_dir()
    target = data_dir / "metrics" / "scale.json"
    kept = json.loads(target.read_text())["runs"] if target.exists() else []
    runs = {run["dataset"]: run for run in kept}
    for dataset in args.dataset or SIZES:
        runs[dataset] = run_size(dataset, data_dir)
    report = {"machine": machine(), "runs": [runs[name] for name in SIZES if name in runs]}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n")
    target.with_suffix(".md").write_text(markdown(report))
    print(f"\n{markdown(report)}\nWritten: {shown_path(target)} and {shown_path(target.with_suffix('.md'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
