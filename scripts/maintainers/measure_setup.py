"""Time a cold-cache set-up against plain pip installing the same lock, side by side in one run.

    python scripts/maintainers/measure_setup.py             # one round of each
    python scripts/maintainers/measure_setup.py --rounds 3  # alternate them three times; prints every time

(a) `make setup` (or `python scripts/setup_course.py` where there is no make) in a fresh clone of
    this repository's committed HEAD, with an empty uv cache and pip's cache off;
(b) `python -m venv` and `pip install --no-cache-dir -r requirements.lock` into a fresh venv.

Both use the interpreter set-up would choose, and pip with no configuration file, so that both
fetch from the package index and nothing from a machine's local wheel folders. Everything goes
to a temporary folder that is deleted afterwards. Needs the network (the package index).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import setup_course  # noqa: E402  (in scripts/, one folder up)

REPOSITORY_ROOT = setup_course.REPOSITORY_ROOT


def cold_environment(scratch: Path) -> dict[str, str]:
    """No pip cache or pip configuration, and a uv cache that starts empty."""
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("PIP_", "UV_")) or name == "PIP_CERT"}
    uv_cache = scratch / "uv-cache"
    shutil.rmtree(uv_cache, ignore_errors=True)
    environment.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_CACHE_DIR="1", UV_CACHE_DIR=str(uv_cache))
    return environment


def timed(command: list[str], cwd: Path, environment: dict[str, str]) -> tuple[float, str]:
    """Seconds ``command`` took, and its output; stops the measurement if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"`{' '.join(command)}` failed:\n{result.stdout}{result.stderr}")
    return seconds, result.stdout


def fresh_clone(clone: Path) -> Path:
    """A fresh clone of this repository's committed HEAD at ``clone`` (whatever was there is deleted)."""
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "--quiet", str(REPOSITORY_ROOT), str(clone)], check=True)
    return clone


def course_setup(scratch: Path, python: str) -> tuple[float, str]:
    clone = fresh_clone(scratch / "clone")
    make = shutil.which("make")
    command = ([make, "setup", f"PYTHON={python}"] if make
               else [python, "scripts/setup_course.py", "--python", python])
    seconds, output = timed(command, clone, cold_environment(scratch))
    return seconds, output.splitlines()[0]


def plain_pip(scratch: Path, python: str) -> float:
    venv = scratch / "pip-venv"
    shutil.rmtree(venv, ignore_errors=True)
    environment = cold_environment(scratch)
    created, _ = timed([python, "-m", "venv", str(venv)], scratch, environment)
    installed, _ = timed([str(setup_course.venv_python(venv)), "-m", "pip", "install", "--quiet", "--no-cache-dir",
                          "-r", str(REPOSITORY_ROOT / "requirements.lock")], scratch, environment)
    return created + installed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two this many times (default 1)")
    parser.add_argument("--python", help="interpreter for both (default: the one set-up would choose)")
    arguments = parser.parse_args()
    if arguments.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        python = setup_course.find_python(arguments.python).path
    except setup_course.SetupError as error:
        sys.exit(str(error))
    setup_times, pip_times = [], []
    with tempfile.TemporaryDirectory(prefix="measure-setup-") as scratch_name:
        scratch = Path(scratch_name)
        for round_number in range(1, arguments.rounds + 1):
            seconds, first_line = course_setup(scratch, python)
            setup_times.append(seconds)
            print(f"round {round_number}: make setup, cold caches   {seconds:6.1f} s   ({first_line})", flush=True)
            pip_times.append(plain_pip(scratch, python))
            print(f"round {round_number}: venv + pip, no cache      {pip_times[-1]:6.1f} s", flush=True)
        setup_median, pip_median = statistics.median(setup_times), statistics.median(pip_times)
        print(f"median of {arguments.rounds}: set-up {setup_median:.1f} s, plain pip {pip_median:.1f} s, "
              f"ratio {setup_median / pip_median:.2f} (target <= 0.40); deleting the scratch folder", flush=True)


if __name__ == "__main__":
    main()
