"""Run every lesson headless with papermill, in order, and print the table of trained models
and lesson 06's table of their top-10 lists.

    python scripts/run_course.py --dataset ml-latest-small        # what `make run-all` does
    python scripts/run_course.py --dataset synthetic -p epochs=2  # any lesson parameter, where a lesson has it
    python scripts/run_course.py -p n_factors=10 -p run=small     # an experiment, kept apart as run 'small'
    python scripts/run_course.py --accept-new-edition             # lesson 00 takes another edition, knowingly
    python scripts/run_course.py --backend jax                    # Keras on JAX (`make run-all BACKEND=jax`)
    python scripts/run_course.py --in-place                       # maintainers: refresh the committed notebooks

Every ``-p`` value is checked against its rule before any lesson runs. With the lessons' own
parameters the run is the course's own: executed copies go to ``data/executed/<dataset>/``.
With other values it is an experiment, named by ``-p run=...`` or after what changed: its
models, metrics and executed copies go to ``data/experiments/<dataset>/<run>/`` and
``data/executed/<dataset>/<run>/``, and the course's own run is left as it was.
The committed notebooks are only written with ``--in-place``, which always uses ml-latest-small
and the lessons' own parameter values, then strips papermill's timing metadata.
The run stops at the first failing lesson and names the notebook and cell.

``--backend`` (default: ``KERAS_BACKEND``, else TensorFlow) sets the lessons' Keras backend; a
backend that is not installed stops the run before any lesson, in one line. The course's own run
on JAX replaces the one on TensorFlow (same dataset, same parameters; the summary names the
backend); ``--in-place`` always runs on TensorFlow, as the committed outputs are TensorFlow's.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import time
from pathlib import Path

import nbformat
import papermill
from jupyter_client.kernelspec import NoSuchKernel

# Lets the script find the package in a checkout that was never pip-installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cfcourse.backend import DEFAULT_BACKEND, BackendError, chosen_backend, require_backend  # noqa: E402
from cfcourse.course import KERNEL_NAME, LESSONS, MODELS, NOTEBOOKS_DIR  # noqa: E402
from cfcourse.data.datasets import DATASETS, size_note  # noqa: E402
from cfcourse.headless import execute_lesson, kernel_backend  # noqa: E402
from cfcourse.metrics import format_table, read_model_metrics, write_summary  # noqa: E402
from cfcourse.parameters import parameter_problem  # noqa: E402
from cfcourse.paths import course_paths, shown_path, summary_file  # noqa: E402
from cfcourse.published import PUBLISHED, changed_parameters, changed_ranking_protocol  # noqa: E402
from cfcourse.runs import experiment_name  # noqa: E402

COMMITTED_DATASET = "ml-latest-small"


class RunError(Exception):
    """Something stops the course run before or while it runs; the message is one line."""


def parse_parameter(text: str) -> tuple[str, object]:
    """``name=value`` with value read as a Python literal where it is one (``3``, ``1e-3``, ``None``)."""
    name, separator, value = text.partition("=")
    if not separator or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def declared_parameters() -> dict[str, dict]:
    """Each lesson's parameter names and default values, read from its ``parameters`` cell."""
    return {name: papermill.inspect_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb")) for name in LESSONS}


def check_requested(requested: dict, declared: dict[str, dict]) -> None:
    """Stop with one line at the first requested value no lesson declares, or whose rule it breaks."""
    for name, value in requested.items():
        lessons = [lesson for lesson, parameters in declared.items() if name in parameters]
        if not lessons:
            raise RunError(f"no lesson has a parameter {name!r}")
        problem = parameter_problem(name, value)
        if problem:
            where = "" if len(lessons) == len(declared) else f"lesson {', '.join(lessons)}: "
            raise RunError(f"{where}{problem}")


def run_name(requested: dict) -> str | None:
    """The run these values make: ``-p run=...``, else named after what differs from the published
    lessons, else ``None`` (the course's own run)."""
    if requested.get("run") is not None:
        return requested["run"]
    changed = {}
    for lesson in PUBLISHED:
        changed.update(changed_parameters(lesson, requested))
    changed.update(changed_ranking_protocol(requested))
    return experiment_name(changed) if changed else None


def strip_papermill_metadata(notebook_path: Path) -> None:
    """Remove papermill's per-run metadata (timings, status) that would differ on every run."""
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, notebook_path)


def run_lesson(name: str, output: Path, parameters: dict, declared: dict, backend: str | None = None) -> float:
    """Execute one lesson into ``output`` with the parameters it declares, on ``backend``; return its seconds."""
    started = time.perf_counter()
    try:
        execute_lesson(name, output, {key: value for key, value in parameters.items() if key in declared}, backend)
    except papermill.PapermillExecutionError as error:
        raise RunError(f"{name}.ipynb failed in cell {error.exec_count} ({error.ename}: {error.evalue}); "
                       f"the executed copy with the traceback is {shown_path(output)}") from None
    except NoSuchKernel:
        raise RunError(f"no Jupyter kernel named {KERNEL_NAME!r}: run `make setup`, or "
                       f"`python -m ipykernel install --sys-prefix --name {KERNEL_NAME}` in the course's "
                       "environment") from None
    return time.perf_counter() - started


def format_ranking_table(ranking: dict) -> str:
    """Lesson 06's ``ranking.json`` as a plain-text table, one row per model."""
    k = ranking["k"]
    qualifying = ranking["users_qualifying"]
    sample = f" (a seeded sample of the {qualifying:,} who qualify)" if qualifying > ranking["users_evaluated"] else ""
    title = (f"Top-{k} lists for {ranking['users_evaluated']:,} users{sample} of {ranking['dataset']} "
             f"(relevant: a test rating of {ranking['threshold']} or more)")
    header = (f"{'model':<14} {f'precision@{k}':>12} {f'recall@{k}':>10} {f'NDCG@{k}':>8} "
              f"{'coverage':>9} {'mean popularity':>16}")
    rows = [
        f"{name:<14} {m['precision']:>12.4f} {m['recall']:>10.4f} {m['ndcg']:>8.4f} "
        f"{m['coverage']:>9.4f} {m['mean_popularity']:>16.1f}"
        for name, m in ranking["models"].items()
    ]
    return "\n".join([title, header, "-" * len(header), *rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=COMMITTED_DATASET)
    parser.add_argument("--data-dir", help="data folder (default: data/ or $CFCOURSE_DATA_DIR)")
    parser.add_argument("--output-dir", help="where executed copies go (default: <data folder>/executed/<dataset>)")
    parser.add_argument("-p", "--parameter", action="append", default=[], type=parse_parameter,
                        help="name=value passed to every lesson that declares that parameter")
    parser.add_argument("--accept-new-edition", action="store_true",
                        help="let lesson 00 use a dataset edition other than the course's (recorded beside the data)")
    parser.add_argument("--in-place", action="store_true", help="re-execute the committed notebooks themselves")
    parser.add_argument("--backend", help="Keras backend for the lessons: tensorflow or jax (default: $KERAS_BACKEND, "
                        f"else {DEFAULT_BACKEND})")
    args = parser.parse_args(argv)

    if args.in_place and (args.parameter or args.dataset != COMMITTED_DATASET or args.data_dir
                          or args.accept_new_edition):
        parser.error("--in-place runs the committed lessons as they are: no --dataset, --data-dir, "
                     "--accept-new-edition or -p")
    if args.in_place and args.backend not in (None, DEFAULT_BACKEND):
        parser.error(f"--in-place runs the committed lessons on {DEFAULT_BACKEND}, whose outputs they hold")
    requested = dict(args.parameter)
    try:
        args.backend = choose_backend(DEFAULT_BACKEND if args.in_place else args.backend)
        declared = declared_parameters()
        check_requested({"dataset": args.dataset, **requested}, declared)
        return run_course(args, requested, declared)
    except RunError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def choose_backend(requested: str | None) -> str:
    """The backend the lessons will run on (``requested``, else ``KERAS_BACKEND``, else the default),
    checked to be supported and installed; a :class:`RunError` in one line if it is not."""
    try:
        with kernel_backend(requested.strip().lower() if requested else None):
            backend = chosen_backend()
        require_backend(backend)
    except BackendError as error:
        raise RunError(str(error)) from None
    return backend


def run_course(args, requested: dict, declared: dict[str, dict]) -> int:
    run = run_name(requested)
    paths = course_paths(args.dataset, args.data_dir, run)
    parameters = {**requested, "dataset": args.dataset, "run": run}
    if args.accept_new_edition:
        parameters["accept_new_edition"] = True
    if note := size_note(DATASETS[args.dataset]):  # the dataset was checked against the registry in main()
        print(note, flush=True)
    if args.backend != DEFAULT_BACKEND:
        print(f"Keras backend: {args.backend} (the course's default is {DEFAULT_BACKEND})", flush=True)
    if args.data_dir:
        parameters["data_dir"] = str(Path(args.data_dir).resolve())
    output_dir = Path(args.output_dir) if args.output_dir else paths.executed
    output_dir.mkdir(parents=True, exist_ok=True)
    if run is not None:
        print(f"Experiment {run!r}: models and metrics go to {shown_path(paths.run_folder)}/, executed lessons "
              f"to {shown_path(output_dir)}/; the course's own run is left as it was.\n", flush=True)

    course_started = time.perf_counter()
    for name in LESSONS:
        output = NOTEBOOKS_DIR / f"{name}.ipynb" if args.in_place else output_dir / f"{name}.ipynb"
        seconds = run_lesson(name, output, {} if args.in_place else parameters, declared[name], args.backend)
        if args.in_place:
            strip_papermill_metadata(output)
        print(f"{name:<28} {seconds:6.1f} s", flush=True)
    total = time.perf_counter() - course_started

    records = [r for r in read_model_metrics(paths) if r["model"] in MODELS]
    records.sort(key=lambda r: MODELS.index(r["model"]))
    for record in records:
        record["backend"] = args.backend
    write_summary(records, summary_file(args.data_dir))
    on_what = args.dataset if run is None else f"{args.dataset}, run {run!r}"
    if args.backend != DEFAULT_BACKEND:
        on_what += f", on {args.backend}"
    print(f"\nAll {len(LESSONS)} lessons ran in {total:.1f} s on {on_what}.\n")
    print(format_table(records))
    print()
    print(format_ranking_table(json.loads(paths.ranking_file.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
