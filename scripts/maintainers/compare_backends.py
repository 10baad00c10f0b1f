"""Run the course on TensorFlow and on JAX, for one Python, as a fresh clone does; write the table in docs/backends.md.

    make compare-backends                                   # the Python set-up would choose
    make compare-backends PYTHON=python3.13                 # another Python (another JAX release)
    python scripts/maintainers/compare_backends.py --python python3.13 --json run.json   # keep what was measured
    python scripts/maintainers/compare_backends.py --from-json run.json                 # rewrite its section only
    python scripts/maintainers/compare_backends.py --python python3.11 --dataset ml-latest-small

In a fresh clone of this repository's committed HEAD (in a temporary folder, deleted afterwards):

1. ``make setup PYTHON=...`` then ``make setup PYTHON=... BACKEND=jax``, each timed, with the size of
   ``.venv`` after each (as ``du`` counts it: every file once, bytecode included). uv's cache is the
   maintainer's own, so the set-up times are those of a warm cache.
2. ``make download`` (so lesson 00 finds the data on both backends alike; ``MOVIELENS_MIRROR`` is honoured),
   then ``make run-all`` and ``make run-all BACKEND=jax``, one after the other. Each lesson's seconds and the
   total are read back from what the run prints (``run_course.lesson_seconds``); each model's test RMSE
   from its metrics file, and the NDCG@10 of every row of the top-10 table (lessons 06 and 07) from the
   files the run printed it from (``run_course.ranking_to_print``), after each run.
3. Writes, in docs/backends.md between the markers below, the section of that Python: machine, versions,
   set-up times and sizes, per-lesson seconds on both backends with the JAX / TensorFlow ratio, and the
   difference of every model's results. Sections of other Pythons are kept; sections are ordered by version.

The clone runs what is committed: commit first. Timings depend on the machine and on what else it is
doing; the load average at the start of each run is recorded beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS_DIR = REPOSITORY_ROOT / "scripts"
sys.path.insert(0, str(REPOSITORY_ROOT))
sys.path.insert(0, str(SCRIPTS_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import format_fixed, format_seconds, keras_description  # noqa: E402
from cfcourse.backend import SUPPORTED_BACKENDS  # noqa: E402
from cfcourse.course import LESSONS, MODELS  # noqa: E402
from cfcourse.metrics import read_model_metrics  # noqa: E402
from cfcourse.paths import course_paths  # noqa: E402
from cfcourse.tables import format_table  # noqa: E402
from machine import describe_machine  # noqa: E402
from measure_setup import fresh_clone  # noqa: E402
from run_course import COMMITTED_DATASET, lesson_seconds, ranking_to_print  # noqa: E402
from setup_course import venv_python  # noqa: E402

DOC = REPOSITORY_ROOT / "docs" / "backends.md"
BEGIN = "<!-- compare_backends.py writes from here: do not edit by hand -->"
END = "<!-- compare_backends.py writes up to here -->"
SECTION_HEADING = "### Python "
BACKENDS = ["tensorflow", "jax"]
#: Left out of the clone's environment, so it runs as from a learner's shell: nothing of the maintainer's
#: own settings (data folder, backend, make's variables, an enclosing make) moves it.
CLEARED = ("CFCOURSE_DATA_DIR", "KERAS_BACKEND", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHON", "BACKEND", "DATASET")
GB = 1024 ** 3


def disk_bytes(folder: Path) -> int:
    """The space ``folder`` takes as ``du -s`` counts it: allocated blocks, each file (inode) once."""
    seen, total = set(), 0
    for root, directories, files in os.walk(folder):
        for name in directories + files:
            status = os.lstat(os.path.join(root, name))
            if (status.st_dev, status.st_ino) not in seen:
                seen.add((status.st_dev, status.st_ino))
                total += getattr(status, "st_blocks", 0) * 512 or status.st_size
    return total


def learner_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in CLEARED}


def make(clone: Path, *arguments: str) -> tuple[float, subprocess.CompletedProcess]:
    """``make arguments`` in ``clone`` as a learner's shell runs it: its seconds and output. Stops if it fails."""
    started = time.perf_counter()
    result = subprocess.run(["make", *arguments], cwd=clone, env=learner_environment(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"`make {' '.join(arguments)}` failed in the clone:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return seconds, result


def clone_machine(clone: Path) -> dict:
    """:func:`machine.machine_description`, asked of the clone's Python (so its library versions are the clone's)."""
    code = ("import json, sys; sys.path.insert(0, 'scripts/maintainers'); from machine import machine_description; "
            "print(json.dumps(machine_description('jax')))")
    return json.loads(subprocess.run([str(venv_python(clone / ".venv")), "-c", code], cwd=clone,
                                     capture_output=True, text=True, check=True).stdout)


def run_results(clone: Path, dataset: str, output: str) -> dict:
    """What one ``make run-all`` printed and wrote: seconds per lesson, test RMSE per model, NDCG@10 per top-10 row."""
    paths = course_paths(dataset, clone / "data")
    lessons, total = lesson_seconds(output)
    rmse = {record["model"]: record["test_rmse"] for record in read_model_metrics(paths)}
    exercises = [line for line in output.splitlines() if line.startswith("Exercises:")]
    return {
        "lessons": lessons,
        "total": total,
        "rmse": {model: rmse[model] for model in MODELS},
        "ndcg": {model: row["ndcg"] for model, row in ranking_to_print(paths)["models"].items()},
        "exercises": exercises[-1] if exercises else "",
    }


def measure(python: str | None, dataset: str) -> dict:
    """Set up a fresh clone with ``python`` and run the course on each backend in it; everything measured."""
    python_option = [f"PYTHON={python}"] if python else []
    with tempfile.TemporaryDirectory(prefix="compare-backends-") as scratch:
        clone = fresh_clone(Path(scratch) / "clone")
        setup_seconds, _ = make(clone, "setup", *python_option)
        venv_tensorflow = disk_bytes(clone / ".venv")
        jax_seconds, _ = make(clone, "setup", *python_option, "BACKEND=jax")
        venv_both = disk_bytes(clone / ".venv")
        make(clone, "download", f"DATASET={dataset}")
        machine = clone_machine(clone)
        runs = {}
        for backend in BACKENDS:
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
            wall, result = make(clone, "run-all", f"DATASET={dataset}", f"BACKEND={backend}")
            keras = keras_description(backend, venv_python(clone / ".venv"), clone)
            runs[backend] = {**run_results(clone, dataset, result.stdout), "wall": wall, "load": load,
                             "output": result.stdout, "stderr": result.stderr, "keras": keras}
        return {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True,
                                     text=True, check=True).stdout.strip(),
            "python_option": python, "dataset": dataset, "machine": machine,
            "bytecode_at_setup": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
            "setup_seconds": setup_seconds, "jax_seconds": jax_seconds,
            "venv_tensorflow": venv_tensorflow, "venv_both": venv_both,
            "venv_after_runs": disk_bytes(clone / ".venv"), "data": disk_bytes(clone / "data"),
            "runs": runs,
        }


def gigabytes(size: int) -> str:
    return f"{size / GB:.2f} GB"


def megabytes(size: int) -> str:
    return f"{size / 1024 ** 2:.0f} MB"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}"


def tenths(seconds: float) -> str:
    """Seconds as the run prints them, to a tenth."""
    return f"{seconds:.1f}"


def section(result: dict) -> str:
    """One Python's part of docs/backends.md, as markdown."""
    machine, runs = result["machine"], result["runs"]
    tensorflow, jax = runs["tensorflow"], runs["jax"]
    minor = ".".join(machine["python"].split(".")[:2])
    option = f" PYTHON=python{minor}"
    lesson_rows = [[name, tenths(tensorflow["lessons"][name]), tenths(jax["lessons"][name]),
                    ratio(jax["lessons"][name], tensorflow["lessons"][name])] for name in LESSONS]
    lesson_rows.append([f"**all {len(LESSONS)} lessons** (the run's total)", tenths(tensorflow["total"]),
                        tenths(jax["total"]), f"**{ratio(jax['total'], tensorflow['total'])}**"])
    lesson_rows.append(["`make run-all`, wall clock (kernel starts, make)", tenths(tensorflow["wall"]),
                        tenths(jax["wall"]), ratio(jax["wall"], tensorflow["wall"])])
    agreement_rows, gaps = [], {}
    for measure, key in [("test RMSE", "rmse"), ("NDCG@10", "ndcg")]:
        for model, value in tensorflow[key].items():
            gap = jax[key][model] - value
            gaps.setdefault(measure, []).append((abs(gap), model))
            agreement_rows.append([model, measure, format_fixed(value, 4), format_fixed(jax[key][model], 4),
                                   f"{gap:+.4f}"])
    largest = "; ".join(f"{measure} {gap:.4f} ({model})" for measure, (gap, model) in
                        ((measure, max(values)) for measure, values in gaps.items()))
    stderr = "empty on both runs" if not (tensorflow["stderr"] or jax["stderr"]) else "NOT empty (see the run)"
    bytecode = ("`PYTHONDONTWRITEBYTECODE` set, so set-up compiles every module's bytecode"
                if result["bytecode_at_setup"] else "Python compiles bytecode as the lessons import modules")
    loads = ", ".join(f"{SUPPORTED_BACKENDS[name][1]} {runs[name]['load']:.1f}" for name in BACKENDS)
    return "\n".join([
        f"{SECTION_HEADING}{machine['python']}: {tensorflow['keras']}; {jax['keras']} ({result['date']})",
        "",
        f"Machine: {describe_machine(machine, ('jax',))}; at the start of each run: {loads}. "
        f"Commit {result['commit']}, dataset {result['dataset']}. "
        f"Re-measure: `make compare-backends{option}`.",
        "",
        f"Set-up in the fresh clone (uv's cache warm; {bytecode}): `make setup{option}` {format_seconds(result['setup_seconds'])} s, "
        f"`.venv` {gigabytes(result['venv_tensorflow'])}; adding JAX (`make setup{option} BACKEND=jax`) "
        f"{format_seconds(result['jax_seconds'])} s and {megabytes(result['venv_both'] - result['venv_tensorflow'])}, "
        f"`.venv` {gigabytes(result['venv_both'])}; after both runs `.venv` {gigabytes(result['venv_after_runs'])} "
        f"and `data/` {megabytes(result['data'])} (as `du` counts them; 1 GB = 1024³ bytes).",
        "",
        format_table(["lesson", "TensorFlow, s", "JAX, s", "JAX / TensorFlow"], lesson_rows, markdown=True),
        "",
        format_table(["model", "result", "TensorFlow", "JAX", "JAX − TensorFlow"], agreement_rows,
                     align="llrrr", markdown=True),
        "",
        f"Largest difference: {largest}. Stderr: {stderr}. {tensorflow['exercises']} (TensorFlow); "
        f"{jax['exercises'].removeprefix('Exercises: ')} (JAX).",
        "",
    ])


def python_version_of(text: str) -> tuple[int, ...]:
    match = re.match(rf"{re.escape(SECTION_HEADING)}(\d+)\.(\d+)", text)
    return tuple(int(part) for part in match.groups()) if match else (0, 0)


def write_section(document: str, new_section: str) -> str:
    """``document`` with ``new_section`` in place of the section of the same Python minor version, or added."""
    if BEGIN not in document or END not in document:
        raise ValueError(f"{DOC.name} has no {BEGIN!r} ... {END!r} markers to write between")
    before, rest = document.split(BEGIN, 1)
    inside, after = rest.split(END, 1)
    sections = [part for part in re.split(rf"(?m)^(?={re.escape(SECTION_HEADING)})", inside)
                if part.startswith(SECTION_HEADING)]
    version = python_version_of(new_section)[:2]
    sections = [part for part in sections if python_version_of(part)[:2] != version] + [new_section]
    sections.sort(key=python_version_of)
    body = "\n".join(part.strip() + "\n" for part in sections)
    return f"{before}{BEGIN}\n\n{body}\n{END}{after}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", help="the interpreter the clone sets up with (make setup PYTHON=...; "
                                         "default: the one set-up chooses)")
    parser.add_argument("--dataset", default=COMMITTED_DATASET)
    parser.add_argument("--json", type=Path, help="also write everything measured to this file")
    parser.add_argument("--from-json", type=Path, help="measure nothing: write the section of a measurement "
                                                       "that --json saved")
    args = parser.parse_args(argv)
    if args.from_json:
        write_doc(json.loads(args.from_json.read_text()))
        return 0
    if shutil.which("make") is None:
        sys.exit("compare_backends needs make: it runs the course as a learner does")
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPOSITORY_ROOT,
                           capture_output=True, text=True).stdout.strip()
    if dirty:
        print("note: uncommitted changes are not measured: the clone runs the committed HEAD", flush=True)
    result = measure(args.python, args.dataset)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(section(result))
    write_doc(result)
    return 0


def write_doc(result: dict) -> None:
    """Write the section of ``result`` in docs/backends.md, and say so."""
    DOC.write_text(write_section(DOC.read_text(), section(result)))
    print(f"Wrote the section of Python {result['machine']['python']} in {DOC.relative_to(REPOSITORY_ROOT)}.")


if __name__ == "__main__":
    sys.exit(main())
