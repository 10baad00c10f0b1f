"""Set the course's three Keras models beside simple baselines and scikit-surprise's SVD, in one run.

    make benchmark                                              # installs scikit-surprise, then runs this
    make benchmark DATASET=ml-100k                              # one dataset only
    python scripts/maintainers/benchmark.py --dataset ml-latest-small --data-dir bench-data
    python scripts/maintainers/benchmark.py --backend tensorflow                # one Keras backend only

Without ``--dataset`` it covers every dataset in :data:`BENCHMARK_DATASETS` (and ml-1m when its
data has been downloaded). For each dataset, in order:

1. Runs the whole course as ``make run-all`` does (``scripts/run_course.py`` in a
   fresh Python process, every lesson in its own kernel) and times it end to end,
   once per Keras backend (:data:`BACKENDS`, TensorFlow first: the course's own run;
   then JAX, as the run ``backend-jax`` so the course's own run stays TensorFlow's).
   Lessons 02-04 train the dot-product, bias and neural-net models with their own
   settings and leave a metrics file each; their rows below come from those files.
   Lesson 00 downloads the dataset first if it is missing (``MOVIELENS_MIRROR`` is honoured).
   It also times ``import keras`` on each backend, in a fresh Python (the best of three).
2. Loads the course's saved train / validation / test split and fits, on train only:
   - the global mean;
   - user + movie biases solved in closed form (:mod:`baselines`), their two
     regularisations chosen on validation from a small grid;
   - scikit-surprise's ``SVD`` with its default settings;
   - ``SVD`` tuned: every setting of :data:`SVD_TUNING_GRID` is fitted on train and
     scored on validation; the best is fitted again on train, timed, and scored on test once.
3. Prints a markdown table (test RMSE, training seconds, seconds per epoch, and each
   row's RMSE and time as a ratio to tuned SVD), and checks what the course promises on
   every dataset: the bias model beats tuned SVD, and the neural net the closed-form biases;
   and, side by side, each backend's run-all time, import time, seconds per epoch, test RMSE
   and NDCG@10, with what the backends promise (JAX: the same RMSE within ±0.01, run-all in at
   most half TensorFlow's time, each model's training at most 40 times tuned SVD's fit).
   It writes the table, with the date and a description of the machine, as that dataset's
   section of ``<data>/metrics/benchmark.md`` and ``benchmark.json``; sections of datasets
   not run this time are kept.

"Train s" is the time of fitting alone: for the Keras models ``model.fit`` including its
per-epoch validation, as the lessons measure it; for the baselines the final fit, not the
search for their settings (that is reported beside the table). The run-all row is the
wall-clock time of the whole course, downloads, preprocessing and kernel starts included.
Timings depend on what else the machine is doing; the load average at the start is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from itertools import product
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = REPOSITORY_ROOT / "scripts"
sys.path.insert(0, str(REPOSITORY_ROOT))
sys.path.insert(0, str(SCRIPTS_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines import (  # noqa: E402
    DEFAULT_REGULARISATION_GRID,
    BiasModel,
    choose_bias_regularisation,
    fit_closed_form_biases,
    fit_global_mean,
)
from cfcourse.backend import SUPPORTED_BACKENDS, BackendError, require_backend  # noqa: E402
from cfcourse.tables import format_table  # noqa: E402
from cfcourse.course import BY_NAME, LESSONS, MODELS, TRAINED_BY  # noqa: E402
from machine import describe_machine, machine_description  # noqa: E402
from cfcourse.metrics import rmse  # noqa: E402
from cfcourse.paths import course_paths  # noqa: E402
from cfcourse.processed import LessonData, load_processed  # noqa: E402
from run_course import COMMITTED_DATASET  # noqa: E402

#: The row every other row is compared with.
REFERENCE_MODEL = "SVD (surprise, tuned)"
#: The course's seed, so surprise's random initial factors are the same on every run.
SVD_SEED = 42
#: Small on purpose (24 settings, well under a minute on ml-latest-small): around surprise's
#: defaults (100 factors, 20 epochs, lr 0.005, reg 0.02), with longer and stronger-regularised runs.
#: On ml-latest-small it picks 100 factors, 40 epochs, lr 0.01, reg 0.1: the edge of the grid in
#: factors and epochs. Going further helps a little (60 epochs: validation 0.848 against 0.852)
#: but would double the search, so the grid stops here; reg 0.15 is already worse (0.861).
SVD_TUNING_GRID = {
    "n_factors": (50, 100),
    "n_epochs": (20, 40),
    "lr_all": (0.005, 0.01),
    "reg_all": (0.02, 0.05, 0.1),
}
BENCHMARK_FILE_STEM = "benchmark"
#: Libraries the benchmark names beside the course's own (see machine).
BENCHMARK_LIBRARIES = ("scikit-surprise", "jax")
#: The Keras backends timed side by side, the first being the course's default, and the run each trains into.
BACKENDS = ["tensorflow", "jax"]
BACKEND_RUNS = {"tensorflow": None, "jax": "backend-jax"}
#: What a backend other than TensorFlow promises (docs/backends.md).
RMSE_BAND = 0.01
RUN_ALL_RATIO_TARGET = 0.5
SVD_TIME_RATIO_TARGET = 40.0
IMPORT_REPEATS = 3
#: What ``make benchmark`` covers by default; ml-1m joins when its data is in the data folder.
BENCHMARK_DATASETS = ["ml-latest-small", "ml-100k"]
OPTIONAL_DATASETS = ["ml-1m"]
#: What the course promises on every dataset it offers: (row that must be lower, row it must beat).
PROMISES = [("bias (lesson 03)", REFERENCE_MODEL),
            ("neural_net (lesson 04)", "user + movie biases (closed form)")]


@dataclass
class Result:
    """One row of the benchmark: a model's test RMSE and how long it took to train."""

    model: str
    test_rmse: float | None
    train_seconds: float
    epochs: int | None = None
    val_rmse: float | None = None
    #: What was chosen on validation, and how big that search was.
    settings: dict = field(default_factory=dict)
    search: str = ""

    @property
    def seconds_per_epoch(self) -> float | None:
        return self.train_seconds / self.epochs if self.epochs else None


# --- The course run and its three Keras models --------------------------------------------------------


def time_course_run(dataset: str, data_dir: str | None, backend: str = "tensorflow") -> float:
    """Run every lesson as ``make run-all`` does, on ``backend`` (into its :data:`BACKEND_RUNS` run);
    return its wall-clock seconds. Raises if a lesson fails."""
    command = [sys.executable, str(SCRIPTS_DIR / "run_course.py"), "--dataset", dataset, "--backend", backend]
    if data_dir:
        command += ["--data-dir", data_dir]
    if BACKEND_RUNS[backend]:
        command += ["-p", f"run={BACKEND_RUNS[backend]}"]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def time_keras_import(backend: str) -> float:
    """Seconds for ``import keras`` on ``backend`` as a lesson does it, in a fresh Python: the best of a few."""
    code = ("import time; started = time.perf_counter(); from cfcourse.backend import import_keras; import_keras(); "
            "print(time.perf_counter() - started)")
    env = {**os.environ, "KERAS_BACKEND": backend}
    return min(float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True, cwd=REPOSITORY_ROOT).stdout) for _ in range(IMPORT_REPEATS))


def lesson_label(model: str, backend: str = "tensorflow") -> str:
    """``"dot_product (lesson 02)"``: the model's name and the lesson that trains it (and the backend, if not TensorFlow)."""
    on = "" if backend == "tensorflow" else f", {SUPPORTED_BACKENDS[backend][1]}"
    return f"{model} (lesson {BY_NAME[TRAINED_BY[model]].number}{on})"


def run_all_label(backend: str = "tensorflow") -> str:
    on = "" if backend == "tensorflow" else f" on {SUPPORTED_BACKENDS[backend][1]}"
    return f"make run-all{on} ({len(LESSONS)} lessons, kernel starts included)"


def lesson_results(paths, backend: str = "tensorflow") -> list[Result]:
    """The Keras models as their lessons measured them, read from their metrics files."""
    results = []
    for model in MODELS:
        record = json.loads(paths.metrics_file(model).read_text())
        results.append(Result(lesson_label(model, backend), record["test_rmse"], record["train_seconds"],
                              epochs=record["epochs"], val_rmse=record["val_rmse"]))
    return results


# --- Baselines with no training loop ---------------------------------------------------------------


def bias_model_rmse(model: BiasModel, frame) -> float:
    """RMSE of a global-mean or bias model on the rows of ``frame``."""
    return rmse(frame["rating"], model.predict(frame["user_idx"], frame["movie_idx"]))


def global_mean_result(data: LessonData) -> Result:
    """The mean training rating predicted for every pair: the floor every model must clear."""
    train_ratings = data.train["rating"]
    started = time.perf_counter()
    model = fit_global_mean(train_ratings, data.n_users, data.n_movies)
    seconds = time.perf_counter() - started
    return Result("global mean", bias_model_rmse(model, data.test), seconds, val_rmse=bias_model_rmse(model, data.val))


def closed_form_bias_result(data: LessonData) -> Result:
    """Biases with regularisations chosen on validation, then fitted on train (timed) and scored on test."""
    train = data.train
    started = time.perf_counter()
    (user_reg, movie_reg), val_rmse = choose_bias_regularisation(train, data.val, data.n_users, data.n_movies)
    search_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = fit_closed_form_biases(train["user_idx"], train["movie_idx"], train["rating"],
                                   data.n_users, data.n_movies, user_reg, movie_reg)
    seconds = time.perf_counter() - started
    return Result("user + movie biases (closed form)", bias_model_rmse(model, data.test), seconds, val_rmse=val_rmse,
                  settings={"user_reg": user_reg, "movie_reg": movie_reg},
                  search=f"best of {len(DEFAULT_REGULARISATION_GRID) ** 2} pairs, "
                         f"searched in {format_seconds(search_seconds)} s")


# --- scikit-surprise's SVD ---------------------------------------------------------------------------


def import_surprise():
    """The ``surprise`` module, or exit with what to run: it is not part of the course's own environment."""
    try:
        import surprise
    except ImportError:
        sys.exit("scikit-surprise is not installed: run `make benchmark`, which installs requirements-benchmark.lock")
    return surprise


def surprise_trainset(train):
    """A surprise ``Trainset`` of the course's train rows, users and movies named by their indices."""
    surprise = import_surprise()
    reader = surprise.Reader(rating_scale=(train["rating"].min(), train["rating"].max()))
    return surprise.Dataset.load_from_df(train[["user_idx", "movie_idx", "rating"]], reader).build_full_trainset()


def fit_svd(trainset, settings: dict):
    """A fitted ``SVD`` with ``settings`` (surprise's defaults for the rest) and its fitting seconds."""
    algorithm = import_surprise().SVD(random_state=SVD_SEED, **settings)
    started = time.perf_counter()
    algorithm.fit(trainset)
    return algorithm, time.perf_counter() - started


def svd_rmse(algorithm, frame) -> float:
    """RMSE of a fitted surprise algorithm on the rows of ``frame``."""
    pairs = zip(frame["user_idx"], frame["movie_idx"], frame["rating"])
    predictions = algorithm.test(list(pairs))
    return rmse(frame["rating"], [prediction.est for prediction in predictions])


def svd_result(label: str, trainset, data: LessonData, settings: dict, search: str = "") -> Result:
    """Fit ``SVD`` with ``settings`` on train (timed) and score it on validation and test."""
    algorithm, seconds = fit_svd(trainset, settings)
    return Result(label, svd_rmse(algorithm, data.test), seconds, epochs=algorithm.n_epochs,
                  val_rmse=svd_rmse(algorithm, data.val), settings=settings, search=search)


def tune_svd(trainset, val) -> tuple[dict, str]:
    """The setting of :data:`SVD_TUNING_GRID` with the lowest validation RMSE, and a line describing the search."""
    started = time.perf_counter()
    scores = []
    for values in product(*SVD_TUNING_GRID.values()):
        settings = dict(zip(SVD_TUNING_GRID, values))
        algorithm, _ = fit_svd(trainset, settings)
        scores.append((svd_rmse(algorithm, val), settings))
    _, best_settings = min(scores, key=lambda score: score[0])
    return best_settings, f"best of {len(scores)} settings, searched in {format_seconds(time.perf_counter() - started)} s"


def svd_results(data: LessonData) -> list[Result]:
    """SVD with surprise's defaults, and SVD with the setting validation chose."""
    trainset = surprise_trainset(data.train)
    tuned_settings, search = tune_svd(trainset, data.val)
    return [
        svd_result("SVD (surprise, defaults)", trainset, data, {}),
        svd_result(REFERENCE_MODEL, trainset, data, tuned_settings, search),
    ]


# --- The report -----------------------------------------------------------------------------------------


def with_ratios(results: list[Result], reference: str = REFERENCE_MODEL) -> list[dict]:
    """Each result as a dict, with its test RMSE and train seconds divided by the ``reference`` row's.

    A ratio is ``None`` where the row has no value to divide (the course run has no RMSE).
    """
    baseline = next(result for result in results if result.model == reference)
    records = []
    for result in results:
        record = {**asdict(result), "seconds_per_epoch": result.seconds_per_epoch}
        record["rmse_ratio"] = result.test_rmse / baseline.test_rmse if result.test_rmse is not None else None
        record["time_ratio"] = result.train_seconds / baseline.train_seconds
        records.append(record)
    return records


def format_seconds(value: float | None) -> str:
    """Three significant figures, whole seconds from 100 on, and blank for ``None``."""
    if value is None:
        return ""
    if value >= 100:
        return f"{value:.0f}"
    # "#" keeps trailing zeros, so 1.0 reads 1.00 like its neighbours; it also leaves "12." as "12.".
    return f"{value:#.3g}".rstrip(".")


def format_fixed(value: float | None, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, blank for ``None``."""
    return "" if value is None else f"{value:.{decimals}f}"


def markdown_table(records: list[dict]) -> str:
    """The benchmark's markdown table, one row per record from :func:`with_ratios`."""
    headings = ["model", "test RMSE", "train s", "s/epoch", "RMSE / tuned SVD", "time / tuned SVD"]
    rows = [[r["model"], format_fixed(r["test_rmse"], 4), format_seconds(r["train_seconds"]),
             format_seconds(r["seconds_per_epoch"]), format_fixed(r["rmse_ratio"], 3), format_seconds(r["time_ratio"])]
            for r in records]
    return format_table(headings, rows, markdown=True)


def settings_notes(records: list[dict]) -> list[str]:
    """One line per row whose settings were chosen on validation, saying what was chosen."""
    notes = []
    for r in records:
        if r["settings"]:
            chosen = ", ".join(f"{name}={value}" for name, value in r["settings"].items())
            notes.append(f"- {r['model']}: {chosen} (validation RMSE {r['val_rmse']:.4f}; {r['search']})")
    return notes


def promises_kept(rows: list[dict]) -> list[str]:
    """One line per promise of :data:`PROMISES`: both RMSEs and whether it holds."""
    test_rmse = {row["model"]: row["test_rmse"] for row in rows}
    lines = []
    for lower, than in PROMISES:
        holds = test_rmse[lower] < test_rmse[than]
        lines.append(f"- {'holds' if holds else 'FAILS'}: {lower} {test_rmse[lower]:.4f} < {than} {test_rmse[than]:.4f}")
    return lines


def backend_table(section: dict) -> list[str]:
    """The backends side by side (markdown lines), and what each backend other than TensorFlow promises."""
    backends = section.get("backends")
    if not backends or len(backends) < 2 or "tensorflow" not in backends:
        return []
    rows = {row["model"]: row for row in section["rows"]}
    others = [name for name in backends if name != "tensorflow"]
    shown = {name: SUPPORTED_BACKENDS[name][1] for name in backends}
    lines = ["Keras backends side by side (" + "; ".join(f"{shown[name]}: {backends[name]['keras']}"
                                                          for name in backends) + "):", "",
             "| measure | " + " | ".join(shown[name] for name in backends) + " | "
             + " | ".join(f"{shown[name]} / TensorFlow" for name in others) + " |",
             "|---|" + "---:|" * (len(backends) + len(others))]

    def add(measure: str, values: dict, fmt, compare) -> None:
        cells = [fmt(values.get(name)) for name in backends]
        cells += [compare(values.get(name), values.get("tensorflow")) for name in others]
        lines.append(f"| {measure} | " + " | ".join(cells) + " |")

    def ratio(value, base):
        return "" if value is None or not base else f"{value / base:.2f}"

    def difference(value, base):
        return "" if value is None or base is None else f"{value - base:+.4f}"

    add("make run-all, s", {name: rows[run_all_label(name)]["train_seconds"] for name in backends}, format_seconds, ratio)
    add("import keras, s", {name: backends[name]["import_seconds"] for name in backends}, format_seconds, ratio)
    for model in MODELS:
        add(f"{model}: s/epoch", {name: rows[lesson_label(model, name)]["seconds_per_epoch"] for name in backends},
            format_seconds, ratio)
    for model in MODELS:
        add(f"{model}: test RMSE", {name: rows[lesson_label(model, name)]["test_rmse"] for name in backends},
            lambda value: format_fixed(value, 4), difference)
    for model in MODELS:
        add(f"{model}: NDCG@10", {name: backends[name]["ndcg"].get(model) for name in backends},
            lambda value: format_fixed(value, 4), difference)
    lines += ["", "What each backend promises against TensorFlow in the same run:"]
    svd_seconds = rows[REFERENCE_MODEL]["train_seconds"]
    for name in others:
        for model in MODELS:
            gap = rows[lesson_label(model, name)]["test_rmse"] - rows[lesson_label(model)]["test_rmse"]
            lines.append(f"- {'holds' if abs(gap) <= RMSE_BAND else 'FAILS'}: {model} test RMSE on {shown[name]} "
                         f"{gap:+.4f} from TensorFlow's (within ±{RMSE_BAND})")
        run_all = rows[run_all_label(name)]["train_seconds"] / rows[run_all_label()]["train_seconds"]
        lines.append(f"- {'holds' if run_all <= RUN_ALL_RATIO_TARGET else 'MISSED'}: make run-all on {shown[name]} "
                     f"takes {run_all:.2f} × TensorFlow's (target ≤ {RUN_ALL_RATIO_TARGET})")
        for model in MODELS:
            times = rows[lesson_label(model, name)]["train_seconds"] / svd_seconds
            lines.append(f"- {'holds' if times <= SVD_TIME_RATIO_TARGET else 'MISSED'}: {model} on {shown[name]} "
                         f"trains in {times:.1f} × tuned SVD's fit (target ≤ {SVD_TIME_RATIO_TARGET:g})")
    return [*lines, ""]


def markdown_section(dataset: str, section: dict) -> str:
    """One dataset's part of ``benchmark.md``: heading, table, promises, backends, what was chosen, and the machine."""
    return "\n".join([
        f"## Benchmark on {dataset} ({section['date']})",
        "",
        markdown_table(section["rows"]),
        "",
        "Train s is the fit alone (Keras: `model.fit` with its per-epoch validation; baselines: the final fit, "
        "not the search for their settings); the run-all row is the wall-clock time of every lesson, "
        "kernel starts included. Ratios divide by the tuned SVD row.",
        "",
        "What the course promises on every dataset:",
        *promises_kept(section["rows"]),
        "",
        *backend_table(section),
        "Settings chosen on the validation split:",
        *settings_notes(section["rows"]),
        "",
        f"Machine: {describe_machine(section['machine'], BENCHMARK_LIBRARIES)}.",
        "",
    ])


def write_report(sections: dict[str, dict], metrics_dir: Path) -> Path:
    """Add ``sections`` (by dataset) to ``benchmark.json`` and rewrite ``benchmark.md`` from it; return the latter.

    Sections of datasets not in ``sections`` stay as the last run left them.
    """
    metrics_dir.mkdir(parents=True, exist_ok=True)
    json_file = metrics_dir / f"{BENCHMARK_FILE_STEM}.json"
    kept = json.loads(json_file.read_text()).get("datasets", {}) if json_file.exists() else {}
    datasets = {**kept, **sections}
    json_file.write_text(json.dumps({"datasets": datasets}, indent=2) + "\n")
    markdown_file = metrics_dir / f"{BENCHMARK_FILE_STEM}.md"
    known = [name for name in BENCHMARK_DATASETS + OPTIONAL_DATASETS if name in datasets]
    order = known + sorted(set(datasets) - set(known))
    markdown_file.write_text("\n".join(markdown_section(name, datasets[name]) for name in order))
    return markdown_file


def benchmark_dataset(dataset: str, data_dir: str | None, backends: list[str] | None = None) -> dict:
    """Run the course on ``dataset`` on each of ``backends`` and set its models beside the baselines;
    return its report section."""
    backends = backends or BACKENDS
    machine = machine_description(*BENCHMARK_LIBRARIES)
    course_seconds = {backend: time_course_run(dataset, data_dir, backend) for backend in backends}
    paths = course_paths(dataset, data_dir)
    data = load_processed(paths)
    lesson_rows, details = [], {}
    for backend in backends:
        run_paths = course_paths(dataset, data_dir, BACKEND_RUNS[backend])
        lesson_rows += lesson_results(run_paths, backend)
        ranking = json.loads(run_paths.ranking_file.read_text())
        details[backend] = {"import_seconds": time_keras_import(backend), "keras": keras_description(backend),
                            "ndcg": {model: ranking["models"][model]["ndcg"] for model in MODELS}}
    results = [
        global_mean_result(data),
        closed_form_bias_result(data),
        *lesson_rows,
        *svd_results(data),
        *(Result(run_all_label(backend), None, course_seconds[backend]) for backend in backends),
    ]
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "rows": with_ratios(results),
        "backends": details,
    }


def keras_description(backend: str, python: str | os.PathLike = sys.executable,
                      checkout: Path = REPOSITORY_ROOT) -> str:
    """``cfcourse.backend.describe_backend()`` on ``backend``, asked of a fresh ``python`` in ``checkout``."""
    code = "from cfcourse.backend import describe_backend; print(describe_backend())"
    return subprocess.run([str(python), "-c", code], env={**os.environ, "KERAS_BACKEND": backend},
                          capture_output=True, text=True, check=True, cwd=checkout).stdout.strip()


def default_datasets(data_dir: str | None) -> list[str]:
    """:data:`BENCHMARK_DATASETS`, plus each of :data:`OPTIONAL_DATASETS` whose data is downloaded."""
    present = [name for name in OPTIONAL_DATASETS if course_paths(name, data_dir).raw.is_dir()]
    return BENCHMARK_DATASETS + present


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", action="append", help="a dataset to run (repeatable; default: "
                        f"{', '.join(BENCHMARK_DATASETS)}, and {', '.join(OPTIONAL_DATASETS)} when downloaded)")
    parser.add_argument("--data-dir", help="data folder (default: data/ or $CFCOURSE_DATA_DIR)")
    parser.add_argument("--backend", action="append", choices=list(SUPPORTED_BACKENDS),
                        help=f"a Keras backend to time (repeatable; default: {', '.join(BACKENDS)})")
    args = parser.parse_args(argv)
    import_surprise()  # before the course run, so a missing install fails in seconds, not minutes
    backends = args.backend or BACKENDS
    try:
        for backend in backends:
            require_backend(backend)
    except BackendError as error:
        sys.exit(str(error))
    sections = {}
    for dataset in args.dataset or default_datasets(args.data_dir):
        try:
            sections[dataset] = benchmark_dataset(dataset, args.data_dir, backends)
        except subprocess.CalledProcessError:
            print(f"error: the course run on {dataset} failed (see above), so there is nothing to benchmark",
                  file=sys.stderr)
            return 1
        print("\n" + markdown_section(dataset, sections[dataset]))
    write_report(sections, course_paths(COMMITTED_DATASET, args.data_dir).data_dir / "metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
