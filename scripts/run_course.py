"""Run every lesson headless with papermill, in order, and print the table of trained models
and lesson 06's table of their top-10 lists.

    python scripts/run_course.py --dataset ml-latest-small        # what `make run-all` does
    python scripts/run_course.py --dataset synthetic -p epochs=2  # any lesson parameter, where a lesson has it
    python scripts/run_course.py --in-place                       # maintainers: refresh the committed notebooks

Executed copies go to ``data/executed/<dataset>/``; the committed notebooks are
only written with ``--in-place``, which always uses ml-latest-small and the
lessons' own parameter values, then strips papermill's timing metadata.
The run stops at the first failing lesson and names the notebook and cell.
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

# Lets the script find the package in a checkout that was never pip-installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cfcourse.course import LESSONS, MODELS, NOTEBOOKS_DIR  # noqa: E402
from cfcourse.metrics import format_table, read_model_metrics, write_summary  # noqa: E402
from cfcourse.paths import course_paths, summary_file  # noqa: E402

COMMITTED_DATASET = "ml-latest-small"


def parse_parameter(text: str) -> tuple[str, object]:
    """``name=value`` with value read as a Python literal where it is one (``3``, ``1e-3``, ``None``)."""
    name, separator, value = text.partition("=")
    if not separator or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name, value


def lesson_parameters(notebook: Path, requested: dict) -> dict:
    """The requested parameters that this lesson's ``parameters`` cell declares."""
    declared = papermill.inspect_notebook(str(notebook))
    return {name: value for name, value in requested.items() if name in declared}


def strip_papermill_metadata(notebook_path: Path) -> None:
    """Remove papermill's per-run metadata (timings, status) that would differ on every run."""
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.metadata.pop("papermill", None)
    for cell in notebook.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, notebook_path)


def run_lesson(name: str, output: Path, parameters: dict) -> float:
    """Execute one lesson into ``output``; return its seconds. Raises papermill's error on failure."""
    source = NOTEBOOKS_DIR / f"{name}.ipynb"
    started = time.perf_counter()
    papermill.execute_notebook(
        str(source),
        str(output),
        parameters=lesson_parameters(source, parameters),
        kernel_name="python3",
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        log_output=False,
    )
    return time.perf_counter() - started


def format_ranking_table(ranking: dict) -> str:
    """Lesson 06's ``ranking.json`` as a plain-text table, one row per model."""
    k = ranking["k"]
    title = (f"Top-{k} lists for {ranking['users_evaluated']} users of {ranking['dataset']} "
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
    parser.add_argument("--in-place", action="store_true", help="re-execute the committed notebooks themselves")
    args = parser.parse_args(argv)

    if args.in_place and (args.parameter or args.dataset != COMMITTED_DATASET or args.data_dir):
        parser.error("--in-place runs the committed lessons as they are: no --dataset, --data-dir or -p")
    paths = course_paths(args.dataset, args.data_dir)
    parameters = dict(args.parameter, dataset=args.dataset)
    if args.data_dir:
        parameters["data_dir"] = str(Path(args.data_dir).resolve())
    output_dir = Path(args.output_dir) if args.output_dir else paths.data_dir / "executed" / args.dataset
    output_dir.mkdir(parents=True, exist_ok=True)

    course_started = time.perf_counter()
    for name in LESSONS:
        output = NOTEBOOKS_DIR / f"{name}.ipynb" if args.in_place else output_dir / f"{name}.ipynb"
        try:
            seconds = run_lesson(name, output, {} if args.in_place else parameters)
        except papermill.PapermillExecutionError as error:
            print(f"error: {name}.ipynb failed in cell {error.exec_count} ({error.ename}: {error.evalue}); "
                  f"the executed copy with the traceback is {output}", file=sys.stderr)
            return 1
        if args.in_place:
            strip_papermill_metadata(output)
        print(f"{name:<28} {seconds:6.1f} s", flush=True)
    total = time.perf_counter() - course_started

    records = [r for r in read_model_metrics(paths) if r["model"] in MODELS]
    records.sort(key=lambda r: MODELS.index(r["model"]))
    write_summary(records, summary_file(args.data_dir))
    print(f"\nAll {len(LESSONS)} lessons ran in {total:.1f} s on {args.dataset}.\n")
    print(format_table(records))
    print()
    print(format_ranking_table(json.loads(paths.ranking_file.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
