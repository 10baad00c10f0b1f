"""Run every lesson headless with papermill, in order, and print the table of trained models
and the table of top-10 lists: lesson 06's models, then lesson 07's ranking models.

    python scripts/run_course.py --dataset ml-latest-small        # what `make run-all` does
    python scripts/run_course.py --dataset synthetic -p epochs=2  # any lesson parameter, where a lesson has it
    python scripts/run_course.py -p n_factors=10 -p run=small     # an experiment, kept apart as run 'small'
    python scripts/run_course.py --lesson 02_dot_product -p n_factors=10   # one lesson (also: --lesson 02, 02..04)
    python scripts/run_course.py --accept-new-edition             # lesson 00 takes another edition, knowingly
    python scripts/run_course.py --backend jax                    # Keras on JAX (`make run-all BACKEND=jax`)
    python scripts/run_course.py --data-dir data/per-user --split per_user -p test_fraction=0.25 -p threshold=all
                                                                  # lesson 01 splits per user, into a folder of its own
    python scripts/run_course.py --in-place                       # maintainers: refresh the committed notebooks

Every ``-p`` value is checked against its rule before any lesson runs. With the lessons' own
parameters the run is the course's own: executed copies go to ``data/executed/<dataset>/``.
With other values it is an experiment, named by ``-p run=...`` or after what changed: its
models, metrics and executed copies go to ``data/experiments/<dataset>/<run>/`` and
``data/executed/<dataset>/<run>/``, and the course's own run is left as it was. Its closing table
marks its rows (a ``run`` column), and each model it trained gets its verdict: validation RMSE
against the course's, within the spread the seed alone makes. On an edition of the data accepted
with ``--accept-new-edition``, the closing line, the tables and ``summary.json`` name the edition,
and the executed copies go to ``data/executed/<dataset>-<edition>/``.
``--lesson`` (repeatable; a number such as ``02`` or a range such as ``02..04`` will do) runs only
those lessons. An earlier lesson they build on that has not run yet on the dataset runs first, with
the course's own settings, so ``--lesson`` works on a fresh clone too.
The committed notebooks are only written with ``--in-place``, which always uses ml-latest-small
and the lessons' own parameter values, then strips papermill's timing metadata.
The run stops at the first failing lesson and names the notebook and cell.
``--split`` (``random``, ``per_user``, ``time`` or a split file's path) is lesson 01's ``split``
(docs/data.md). A processed folder lesson 01 did not make (a learner's own) is checked before any
lesson and read as it is: lessons 00 and 01 do not run over it, and one line says so, or names what
it lacks.

``--backend`` (default: ``KERAS_BACKEND``, else TensorFlow) sets the lessons' Keras backend; a
backend that is not installed stops the run before any lesson, in one line. The course's own run
on JAX replaces the one on TensorFlow (same dataset, same parameters; the summary names the
backend); ``--in-place`` always runs on TensorFlow, as the committed outputs are TensorFlow's.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import papermill
from jupyter_client.kernelspec import NoSuchKernel

# Lets the script find the package in a checkout that was never pip-installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cfcourse.backend import DEFAULT_BACKEND, BackendError, chosen_backend, require_backend  # noqa: E402
from cfcourse.course import (BY_NAME, KERNEL_NAME, LESSONS, LIST_RANKING_FILE, MODELS, NOTEBOOKS_DIR,  # noqa: E402
                             PROCESSED, RANKING_FILE, RAW, TRAINED_BY, read_later)
from cfcourse.data.datasets import DATASETS, size_note  # noqa: E402
from cfcourse.data.editions import data_edition, dataset_and_edition, is_accepted  # noqa: E402
from cfcourse.data.split import SPLIT_METHODS  # noqa: E402
from cfcourse.exercises import EXERCISES  # noqa: E402
from cfcourse.exercises.record import forget_lessons, read_record, summary_line  # noqa: E402
from cfcourse.headless import execute_lesson, kernel_backend  # noqa: E402
from cfcourse.metrics import format_models_table, read_model_metrics, run_label, write_summary  # noqa: E402
from cfcourse.tables import format_table  # noqa: E402
from cfcourse.parameters import describe_relevance, parameter_problem  # noqa: E402
from cfcourse.paths import CoursePaths, course_paths, shown_path, summary_file  # noqa: E402
from cfcourse.processed import SPLIT_FILE, ProcessedDataError, check_processed, made_by_lesson_01  # noqa: E402
from cfcourse.published import changed_settings, rmse_verdict  # noqa: E402
from cfcourse.runs import experiment_name  # noqa: E402

COMMITTED_DATASET = "ml-latest-small"
#: The lessons whose results are rows of the closing table of top-10 lists (lessons 06 and 07).
RANKING_LESSONS = [name for name, lesson in BY_NAME.items() if lesson.results in (RANKING_FILE, LIST_RANKING_FILE)]
#: The lessons whose results file, when it holds its own models' lists, is a table of its own (lesson 08).
OWN_TABLE_LESSONS = [name for name, lesson in BY_NAME.items() if lesson.results and name not in RANKING_LESSONS]
#: The lessons that make the processed folder: they never run over a folder lesson 01 did not make.
DATA_LESSONS = tuple(name for name, lesson in BY_NAME.items() if lesson.writes in (RAW, PROCESSED))


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
            chosen = "no lesson" if len(declared) == len(LESSONS) else f"no lesson of {', '.join(declared)}"
            raise RunError(f"{chosen} has a parameter {name!r}")
        problem = parameter_problem(name, value)
        if problem:
            where = "" if len(lessons) == len(declared) else f"lesson {', '.join(lessons)}: "
            raise RunError(f"{where}{problem}")


def run_name(requested: dict, lessons: list[str] = LESSONS) -> str | None:
    """The run these values make for ``lessons``: ``-p run=...``, else named after what differs from
    the published lessons, else ``None`` (the course's own run)."""
    if requested.get("run") is not None:
        return requested["run"]
    changed = {}
    for lesson in lessons:
        changed.update(changed_settings(lesson, requested))
    return experiment_name(changed) if changed else None


def lesson_named(text: str) -> str:
    """The lesson ``text`` names: its name (``02_dot_product``, with or without a folder or ``.ipynb``)
    or its number (``02``)."""
    name = Path(text).stem
    matches = [lesson for lesson in LESSONS if lesson == name or lesson.split("_", 1)[0] == name]
    if not matches:
        raise RunError(f"no lesson {text!r}: the lessons are {', '.join(LESSONS)}")
    return matches[0]


def selected_lessons(specifications: list[str]) -> list[str]:
    """The lessons ``--lesson`` names, in course order: names, numbers, or ranges ``02..04``; all if none."""
    if not specifications:
        return list(LESSONS)
    chosen = set()
    for specification in specifications:
        first, separator, last = specification.partition("..")
        start = LESSONS.index(lesson_named(first))
        end = LESSONS.index(lesson_named(last)) if separator else start
        if end < start:
            raise RunError(f"the range {specification!r} runs backwards: lessons run in the order {', '.join(LESSONS)}")
        chosen.update(LESSONS[start:end + 1])
    return [lesson for lesson in LESSONS if lesson in chosen]


def outputs_of_lesson(lesson: str, course: CoursePaths) -> list[Path]:
    """What ``lesson`` writes for the course's own run that later lessons read (none for lessons 05 and 07)."""
    record = BY_NAME[lesson]
    if not read_later(record):
        return []
    if record.writes == RAW:
        return [course.raw]
    if record.writes == PROCESSED:
        return [course.processed / SPLIT_FILE]
    if record.trains:
        return [course.model_file(record.trains.model), course.metrics_file(record.trains.model)]
    return [course.metrics / record.results] if record.results else []


def lessons_for_the_folder(lessons: list[str], course: CoursePaths, requested: dict) -> list[str]:
    """``lessons``, less 00 and 01 where the processed folder is one lesson 01 did not make (a learner's, see
    docs/data.md): that folder is checked, announced in one line and read as it is, never replaced. A
    :class:`RunError` in one line if it lacks something, if a split is asked for, or if nothing is left to run."""
    if made_by_lesson_01(course.processed):
        return lessons
    folder = shown_path(course.processed)
    yours = f"{folder} was not made by lesson 01, so it is left as it is"
    if "split" in requested:
        raise RunError(f"{yours}: no split is drawn into it. Choose another data folder (--data-dir, DATA_DIR=) "
                       "for lesson 01's split")
    remaining = [name for name in lessons if name not in DATA_LESSONS]
    if not remaining:
        raise RunError(f"{yours}: lessons 00 and 01 have nothing to do. Move it away to let lesson 01 make one")
    try:
        check_processed(course)
    except ProcessedDataError as error:
        raise RunError(f"{error}; {yours}") from None
    print(f"{yours}: lessons 00 and 01 do not run, and the others read it (split: "
          f"{json.loads((course.processed / SPLIT_FILE).read_text()).get('method', 'not said')}).", flush=True)
    return remaining


def missing_prerequisites(lessons: list[str], course: CoursePaths) -> list[str]:
    """The lessons before the last of ``lessons``, not among them, whose files for the course's own run
    are missing: they must run first."""
    earlier = LESSONS[:LESSONS.index(lessons[-1])]
    return [lesson for lesson in earlier if lesson not in lessons
            and not all(path.exists() for path in outputs_of_lesson(lesson, course))]


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


def lesson_line(name: str, seconds: float, note: str = "") -> str:
    """The line the run prints for a lesson: its name and seconds (what :func:`lesson_seconds` reads back)."""
    return f"{name:<28} {seconds:6.1f} s{note}"


def total_line(count: int, seconds: float, on_what: str) -> str:
    """The line after the lessons: how many ran, in how long, on what."""
    return (f"{'All ' if count == len(LESSONS) else ''}{count} {'lesson' if count == 1 else 'lessons'} ran in "
            f"{seconds:.1f} s on {on_what}.")


LESSON_LINE = re.compile(r"^(\d\d_\w+) +(\d+\.\d) s\b", re.M)
TOTAL_LINE = re.compile(r"^(?:All )?\d+ lessons? ran in (\d+\.\d) s on ", re.M)


def lesson_seconds(output: str) -> tuple[dict[str, float], float]:
    """The seconds of each lesson and of them all, read back from a run's printed output."""
    lessons = {name: float(seconds) for name, seconds in LESSON_LINE.findall(output)}
    total = TOTAL_LINE.search(output)
    if not lessons or total is None:
        raise ValueError("the output holds no lesson lines or no total line of scripts/run_course.py")
    return lessons, float(total.group(1))


def format_ranking_table(ranking: dict) -> str:
    """Lesson 06's ``ranking.json`` as a plain-text table, one row per model; the title names an accepted
    edition, and where some rows are an experiment's (``row_runs``, see :func:`ranking_to_print`), a ``run``
    column marks them."""
    k = ranking["k"]
    qualifying = ranking["users_qualifying"]
    sample = f" (a seeded sample of the {qualifying:,} who qualify)" if qualifying > ranking["users_evaluated"] else ""
    title = (f"Top-{k} lists for {ranking['users_evaluated']:,} users{sample} of "
             f"{dataset_and_edition(ranking['dataset'], ranking.get('edition'))} "
             f"(relevant: {describe_relevance(ranking['threshold'])})")
    headings = ["model", f"precision@{k}", f"recall@{k}", f"NDCG@{k}", "coverage", "mean popularity"]
    rows = [[name, f"{m['precision']:.4f}", f"{m['recall']:.4f}", f"{m['ndcg']:.4f}", f"{m['coverage']:.4f}",
             f"{m['mean_popularity']:.1f}"] for name, m in ranking["models"].items()]
    widths, align = [14, 12, 10, 8, 9, 16], "lrrrrr"
    row_runs = ranking.get("row_runs", {})
    if any(run is not None for run in row_runs.values()):
        headings, widths, align = [*headings, "run"], [*widths, 0], align + "l"
        rows = [[*row, run_label(row_runs.get(name))] for row, name in zip(rows, ranking["models"])]
    return "\n".join([title, format_table(headings, rows, widths=widths, align=align)])


def format_results_table(lesson: str, record: dict) -> str:
    """A lesson's results file that holds its own models' top-k lists (``models``: name -> NDCG, coverage, mean
    popularity) as a plain-text table, then the rows it kept of earlier lessons judged on the same protocol
    (``lesson_NN_ndcg``: name -> NDCG, NDCG alone)."""
    k = record["k"]
    fitted_on = f", fitted on {record['fitted_on']}" if record.get("fitted_on") else ""
    title = (f"Top-{k} lists for {record['users_evaluated']:,} users of "
             f"{dataset_and_edition(record['dataset'], record.get('edition'))}{fitted_on} "
             f"(relevant: {describe_relevance(record['threshold'])}; {lesson})")
    headings = ["model", f"NDCG@{k}", "coverage", "mean popularity"]
    rows = [[name, f"{m['ndcg']:.4f}", f"{m['coverage']:.4f}", f"{m['mean_popularity']:.1f}"]
            for name, m in record["models"].items()]
    for key, earlier in record.items():
        number = re.fullmatch(r"lesson_(\d+)_ndcg", key)
        if number:
            rows += [[f"{name} (lesson {number[1]})", f"{ndcg:.4f}", "-", "-"] for name, ndcg in earlier.items()]
    return "\n".join([title, format_table(headings, rows, widths=[30, 8, 9, 16], align="lrrr")])


def results_tables(paths: CoursePaths, ran: list[str]) -> list[str]:
    """The tables of the lessons that ran, besides lessons 06's and 07's (the ranking table), whose results file
    holds its own models' lists (``models``), in lesson order."""
    tables = []
    for name in (name for name in ran if name in OWN_TABLE_LESSONS):
        source = paths.metrics / BY_NAME[name].results
        if source.is_file():
            record = json.loads(source.read_text())
            if isinstance(record.get("models"), dict):
                tables.append(format_results_table(name, record))
    return tables


def same_protocol(ranking: dict, list_ranking: dict) -> bool:
    """Whether lesson 06's and lesson 07's results judged the same users on the same relevant movies."""
    protocol = ("dataset", "k", "threshold", "users_evaluated", "users_qualifying", "max_users")
    return all(list_ranking[key] == ranking[key] for key in protocol)


def with_list_models(ranking: dict, list_ranking: dict | None) -> dict:
    """Lesson 06's ``ranking`` with lesson 07's models added below its own, where lesson 07 ran on the same
    protocol and users (its ``ranking_07.json``), marked ``(refit)`` where lesson 07 refit them on train + validation
    (lesson 06's models learned from train alone); ``ranking`` itself is left as it was."""
    if list_ranking is None or not same_protocol(ranking, list_ranking):
        return ranking
    mark = "" if list_ranking.get("fitted_on", "train") == "train" else " (refit)"
    return {**ranking, "models": {**ranking["models"], **{f"{name}{mark}": row for name, row in list_ranking["models"].items()}},
            "row_runs": {**ranking.get("row_runs", {}),
                         **{f"{name}{mark}": run for name, run in list_ranking.get("row_runs", {}).items()}}}


def read_ranking(file: Path, run: str | None) -> dict | None:
    """A ranking file (lesson 06's or 07's), its rows marked as ``run``'s in ``row_runs``; ``None`` if absent."""
    if not file.exists():
        return None
    ranking = json.loads(file.read_text())
    return {**ranking, "row_runs": {name: run for name in ranking["models"]}}


def ranking_to_print(paths: CoursePaths) -> dict | None:
    """The top-k lists of a run: lesson 06's rows, then lesson 07's where it ran on the same protocol. A run
    without lesson 06 of its own (an experiment of lesson 07) shows the course's lesson 06 rows, as it shows
    the course's models, or lesson 07's rows alone where those were judged on another protocol. Each row's
    run is in ``row_runs``."""
    lesson_07 = read_ranking(paths.list_ranking_file, paths.run)
    if paths.ranking_file.exists():
        return with_list_models(read_ranking(paths.ranking_file, paths.run), lesson_07)
    lesson_06 = read_ranking(paths.course_run().ranking_file, None)
    if lesson_06 is None or (lesson_07 is not None and not same_protocol(lesson_06, lesson_07)):
        return lesson_07
    return with_list_models(lesson_06, lesson_07)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default=COMMITTED_DATASET)
    parser.add_argument("--data-dir", help="data folder (default: data/ or $CFCOURSE_DATA_DIR)")
    parser.add_argument("--output-dir", help="where executed copies go (default: <data folder>/executed/<dataset>)")
    parser.add_argument("-p", "--parameter", action="append", default=[], type=parse_parameter,
                        help="name=value passed to every lesson that declares that parameter")
    parser.add_argument("--accept-new-edition", action="store_true",
                        help="let lesson 00 use a dataset edition other than the course's (recorded beside the data)")
    parser.add_argument("--lesson", action="append", default=[], metavar="NAME",
                        help="run only this lesson (02_dot_product, or 02; a range 02..04; repeatable); "
                             "earlier lessons whose files it reads run first if they are missing")
    parser.add_argument("--split", help="lesson 01's split: random (the course's, default), per_user, time, or the path "
                        "of a split file with the columns user, movie, split (docs/data.md)")
    parser.add_argument("--in-place", action="store_true", help="re-execute the committed notebooks themselves")
    parser.add_argument("--backend", help="Keras backend for the lessons: tensorflow or jax (default: $KERAS_BACKEND, "
                        f"else {DEFAULT_BACKEND})")
    args = parser.parse_args(argv)

    if args.in_place and (args.parameter or args.dataset != COMMITTED_DATASET or args.data_dir
                          or args.accept_new_edition or args.lesson or args.split):
        parser.error("--in-place runs the committed lessons as they are: no --dataset, --data-dir, "
                     "--accept-new-edition, --lesson, --split or -p")
    if args.in_place and args.backend not in (None, DEFAULT_BACKEND):
        parser.error(f"--in-place runs the committed lessons on {DEFAULT_BACKEND}, whose outputs they hold")
    requested = {**dict(args.parameter), **({"split": args.split} if args.split else {})}
    if isinstance(requested.get("split"), str) and requested["split"] not in SPLIT_METHODS:
        requested["split"] = str(Path(requested["split"]).resolve())  # the lessons run in notebooks/, not here
    try:
        args.backend = choose_backend(DEFAULT_BACKEND if args.in_place else args.backend)
        lessons = selected_lessons(args.lesson)
        declared = declared_parameters()
        check_requested({"dataset": args.dataset, **requested}, {name: declared[name] for name in lessons})
        return run_course(args, requested, declared, lessons)
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


def run_course(args, requested: dict, declared: dict[str, dict], lessons: list[str] = LESSONS) -> int:
    run = run_name(requested, lessons)
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
    if run is not None:
        print(f"Experiment {run!r}: models and metrics go to {shown_path(paths.run_folder)}/, executed lessons "
              f"to {shown_path(executed_folder(paths, args))}/; the course's own run is left as it was.\n", flush=True)
    course = paths.course_run()
    lessons = lessons_for_the_folder(lessons, course, requested)
    first = [] if args.in_place else missing_prerequisites(lessons, course)
    if not made_by_lesson_01(course.processed):
        first = [name for name in first if name not in DATA_LESSONS]
    if first:
        course_parameters = {key: parameters[key] for key in ("dataset", "data_dir", "accept_new_edition")
                             if key in parameters}
        chosen = lessons[0] if len(lessons) == 1 else "The lessons you chose"
        print(f"{chosen} {'builds' if len(lessons) == 1 else 'build'} on earlier lessons not yet run on "
              f"{args.dataset}; they run first, with the course's own settings.", flush=True)

    # The lessons' checks add to exercises.json; the lessons about to run start afresh there.
    ran = [name for name in LESSONS if name in first or name in lessons]
    forget_checks(paths, declared, ran, first)
    course_started = time.perf_counter()
    for name in ran:
        lesson_paths, lesson_parameters = (course, course_parameters) if name in first else (paths, parameters)
        folder = NOTEBOOKS_DIR if args.in_place else executed_folder(lesson_paths, args)
        accepting = BY_NAME[name].writes == RAW and args.accept_new_edition  # the download may change the folder
        output = folder / f"{name}{'.accepting' if accepting else ''}.ipynb"
        output.parent.mkdir(parents=True, exist_ok=True)
        seconds = run_lesson(name, output, {} if args.in_place else lesson_parameters, declared[name], args.backend)
        if args.in_place:
            strip_papermill_metadata(output)
        if accepting:
            move_to_its_edition(output, executed_folder(lesson_paths, args) / f"{name}.ipynb")
        whose = "   (the course's own run)" if name in first else ""
        print(lesson_line(name, seconds, whose), flush=True)
    total = time.perf_counter() - course_started

    edition = data_edition(args.dataset, args.data_dir)
    records = [r for r in read_model_metrics(paths) if r["model"] in MODELS]
    records.sort(key=lambda r: MODELS.index(r["model"]))
    for record in records:
        record["backend"] = args.backend
        record["edition"] = record.get("edition") or edition  # rows saved before metrics named their edition
    if records:
        write_summary(records, summary_file(args.data_dir))
    on_what = dataset_and_edition(args.dataset, edition) + ("" if run is None else f", run {run!r}")
    if args.backend != DEFAULT_BACKEND:
        on_what += f", on {args.backend}"
    if is_accepted(edition):
        on_what += (f"; edition {edition} is not the one the course published, so its executed lessons are in "
                    f"{shown_path(executed_folder(paths, args))}/")
    print(f"\n{total_line(len(ran), total, on_what)}\n")
    if records:
        print(format_models_table(records))
    verdicts = verdict_lines(records, run)
    if verdicts:
        print("\n" + "\n".join(verdicts))
    ranking = ranking_to_print(paths) if set(RANKING_LESSONS) & set(ran) else None
    if ranking:
        print()
        print(format_ranking_table(ranking))
    for table in results_tables(paths, ran):
        print()
        print(table)
    print()
    print(exercises_line(paths, declared, ran, first))
    return 0


def executed_folder(paths: CoursePaths, args) -> Path:
    """Where the executed copies of ``paths``' run go: ``--output-dir``, else the run's (edition's) folder."""
    return Path(args.output_dir) if args.output_dir else paths.executed


def move_to_its_edition(output: Path, target: Path) -> None:
    """Move lesson 00's executed copy, written under a name of its own while it downloaded with
    ``--accept-new-edition``, to ``target`` in the folder of the edition it fetched, so that neither it nor
    the published edition's copy stands in for the other."""
    target.parent.mkdir(parents=True, exist_ok=True)
    output.replace(target)
    if not any(output.parent.iterdir()):
        os.removedirs(output.parent)  # made for this copy alone, as were its empty parents


def verdict_lines(records: list[dict], run: str | None) -> list[str]:
    """For an experiment: each of its own models against the course's run, as its lesson judged it (on
    validation, within the seed's noise); nothing for the course's own run, whose lessons compare on test."""
    own = [r for r in records if run is not None and r.get("run") == run and "parameters" in r]
    return [f"{r['model']}: " + rmse_verdict(TRAINED_BY[r["model"]], r["dataset"], r["test_rmse"], r["parameters"],
                                             r.get("edition"), r["val_rmse"]) for r in own]


def record_file(paths: CoursePaths, lesson: str, declared: dict[str, dict], first=()) -> Path:
    """Where ``lesson``'s checks land in this run: the course's own metrics folder for a lesson without a `run`
    parameter (01, the same for every run) or one that ran first, with the course's settings; else the run's."""
    in_course_run = lesson in first or "run" not in declared.get(lesson, {})
    return (paths.course_run() if in_course_run else paths).exercises_file


def forget_checks(paths: CoursePaths, declared: dict[str, dict], ran: list[str], first=()) -> None:
    """Drop the verdicts of the lessons about to run, from the file each will record in."""
    for lesson in ran:
        forget_lessons(record_file(paths, lesson, declared, first), [lesson])


def exercises_line(paths, declared: dict[str, dict], ran: list[str] = LESSONS, first=()) -> str:
    """One line on the worked solutions the lessons that ``ran`` checked: "Exercises: N solutions checked, all
    correct". Each lesson's verdicts are read where it recorded them (see :func:`record_file`)."""
    record = {lesson: read_record(record_file(paths, lesson, declared, first)).get(lesson, {}) for lesson in ran}
    expected = {exercise_id: lesson for exercise_id, lesson in EXERCISES.items() if lesson in ran}
    return summary_line(record, expected)

if __name__ == "__main__":
    sys.exit(main())
