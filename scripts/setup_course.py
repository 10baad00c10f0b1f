"""Create the course's environment in .venv, or re-resolve its locks.

    python scripts/setup_course.py                       # what `make setup` runs
    python scripts/setup_course.py --python python3.12   # use this interpreter (make setup PYTHON=...)
    python scripts/setup_course.py --find-python         # only say which Python set-up would use
    python scripts/setup_course.py --backend jax         # add JAX to .venv (make setup BACKEND=jax)
    python scripts/setup_course.py --lock                # what `make lock` runs

Set-up finds a Python the course supports (the range in pyproject.toml's requires-python),
creates .venv, installs requirements.lock with uv, installs the course package and registers
the Jupyter kernel ``cf-course`` inside .venv. With ``--backend jax`` it then installs
requirements-jax.lock (the same pins plus JAX) into .venv, so Keras can run on JAX (docs/backends.md). uv is the one on PATH if there is one, otherwise
the pinned UV_VERSION installed into .venv from the package index; only if that fails does
set-up fall back to pip, and says so.

Works on Linux, macOS and Windows, and is written for any Python 3.8 or later: it may be run by
a Python the course does not support, and must then say so plainly instead of failing on syntax.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
# The course's kernel names live in the package; cfcourse.course needs nothing beyond the standard library.
sys.path.insert(0, str(REPOSITORY_ROOT))
from cfcourse.course import KERNEL_DISPLAY_NAME, KERNEL_NAME  # noqa: E402

VENV = REPOSITORY_ROOT / ".venv"
LOCK = REPOSITORY_ROOT / "requirements.lock"
BENCHMARK_LOCK = REPOSITORY_ROOT / "requirements-benchmark.lock"
#: Keras backends beyond TensorFlow (which requirements.lock holds): each one's lock, and its pyproject extra.
BACKEND_LOCKS = {"jax": REPOSITORY_ROOT / "requirements-jax.lock"}
#: Why a backend is not offered, for the one line `make setup BACKEND=...` prints (docs/backends.md).
NOT_OFFERED = {"torch": "PyTorch is not offered: PyPI's Linux wheel is the CUDA build with some 20 nvidia-* packages "
                        "(gigabytes), and the CPU-only wheel is on PyTorch's own index (see docs/backends.md)"}
PYPROJECT = REPOSITORY_ROOT / "pyproject.toml"
#: The uv that set-up installs when none is on PATH, and that `make lock` always resolves with.
UV_VERSION = "0.13.9"
#: Asked of every candidate interpreter: its version, and whether it can create a venv with pip in it.
VERSION_QUERY = ("import sys, importlib.util as u; print('%d.%d' % sys.version_info[:2], "
                 "all(u.find_spec(m) is not None for m in ('venv', 'ensurepip')))")
INSTALL_HELP = ("install one with `uv python install 3.13`, from https://www.python.org/downloads/, or with your "
                "package manager (`sudo apt install python3.12`, `brew install python@3.13`), "
                "or name one with PYTHON=/path/to/python3.12")


class SetupError(Exception):
    """Set-up cannot go on; the message is the one line the learner sees."""


def supported_versions() -> list[tuple[int, int]]:
    """The minor versions allowed by requires-python (``">=3.10,<3.14"``), oldest first."""
    specifier = re.search(r'^requires-python\s*=\s*">=3\.(\d+),\s*<3\.(\d+)"', PYPROJECT.read_text(), re.MULTILINE)
    if specifier is None:
        raise SetupError(f"{PYPROJECT.name}: requires-python is not of the form \">=3.X,<3.Y\"")
    return [(3, minor) for minor in range(int(specifier.group(1)), int(specifier.group(2)))]


def shown_range(versions: list[tuple[int, int]]) -> str:
    return f"{versions[0][0]}.{versions[0][1]}–{versions[-1][0]}.{versions[-1][1]}"


def candidate_names(versions: list[tuple[int, int]]) -> list[str]:
    """Newest supported first, then the generic names (``python`` is the usual one on Windows)."""
    return [f"python{major}.{minor}" for major, minor in reversed(versions)] + ["python3", "python"]


class Interpreter(NamedTuple):
    command: str  # the name it was found by, or PYTHON's value
    path: str
    version: tuple[int, int]
    has_venv: bool  # the venv and ensurepip modules (Debian and Ubuntu ship them in python3.X-venv)

    @property
    def shown_version(self) -> str:
        return f"{self.version[0]}.{self.version[1]}"


def probe(command: str, search_path: str | None) -> Interpreter | None:
    """The interpreter ``command`` names, or None if there is none or it does not run (e.g. a pyenv shim)."""
    path = shutil.which(command, path=search_path)
    if path is None:
        return None
    try:
        answer = subprocess.run([path, "-c", VERSION_QUERY], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.fullmatch(r"(\d+)\.(\d+) (True|False)", answer.stdout.strip())
    if answer.returncode != 0 or match is None:
        return None
    return Interpreter(command, path, (int(match.group(1)), int(match.group(2))), match.group(3) == "True")


def find_python(requested: str | None, search_path: str | None = None) -> Interpreter:
    """``requested`` (PYTHON=...) if given, else the first candidate on the PATH that is in range."""
    versions = supported_versions()
    if requested:
        interpreter = probe(requested, search_path)
        if interpreter is None:
            raise SetupError(f"PYTHON={requested} did not answer as a Python 3 would (is it one?); "
                             f"the course needs Python {shown_range(versions)}: {INSTALL_HELP}")
        if interpreter.version not in versions:
            raise SetupError(f"PYTHON={requested} is Python {interpreter.shown_version}; the course needs "
                             f"Python {shown_range(versions)}: {INSTALL_HELP}")
        return interpreter
    found = [interpreter for interpreter in (probe(name, search_path) for name in candidate_names(versions))
             if interpreter is not None]
    for interpreter in found:
        if interpreter.version in versions:
            return interpreter
    seen = ", ".join(f"{i.command} is {i.shown_version} ({i.path})" for i in found) or "no python3 on PATH"
    raise SetupError(f"The course needs Python {shown_range(versions)}, found: {seen}. To fix it, {INSTALL_HELP}, "
                     "then run set-up again")


def venv_python(venv: Path = VENV) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_uv() -> Path:
    return VENV / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")


def run(*command: object) -> None:
    """Run a step of set-up; a failure stops it, naming the step (the tool printed its own reason above)."""
    arguments = [str(part) for part in command]
    if subprocess.run(arguments, cwd=REPOSITORY_ROOT).returncode != 0:
        raise SetupError(f"set-up stopped: `{' '.join(arguments)}` failed (its message is above)")


def create_venv(python: Interpreter, uv: str | None) -> None:
    """A fresh .venv with pip in it (`make benchmark` and the pip fallback use pip)."""
    if uv is not None:  # uv needs no venv module, so this also works where Debian's python3-venv is missing
        run(uv, "venv", "--quiet", "--clear", "--seed", "--python", python.path, VENV)
        return
    if not python.has_venv:
        raise SetupError(f"{python.path} (Python {python.shown_version}) cannot create a virtual environment: "
                         f"on Debian or Ubuntu install it with `sudo apt install python{python.shown_version}-venv`, "
                         "then run set-up again")
    run(python.path, "-m", "venv", "--clear", VENV)


def pinned_uv_into_venv() -> str | None:
    """Install the pinned uv into .venv with pip; its path, or None (with the fallback line) if it cannot be had."""
    installed = subprocess.run([str(venv_python()), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}"],
                               cwd=REPOSITORY_ROOT)
    if installed.returncode != 0:
        print(f"uv {UV_VERSION} could not be installed from the package index; installing with pip instead "
              "(several times slower).", flush=True)
        return None
    return str(venv_uv())


def bytecode_option() -> list[str]:
    """uv, unlike pip, leaves Python to write the bytecode (.pyc) on first import, which is faster to
    install. Where Python may not write it (PYTHONDONTWRITEBYTECODE), every lesson's kernel would
    compile TensorFlow's Python again, about 5 s each, so there set-up writes it once, now."""
    return ["--compile-bytecode"] if os.environ.get("PYTHONDONTWRITEBYTECODE") else []


def install_lock(uv: str | None) -> None:
    python = venv_python()
    if uv is None:
        run(python, "-m", "pip", "install", "--quiet", "-r", LOCK)
        run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--editable", REPOSITORY_ROOT)
    else:
        run(uv, "pip", "install", "--quiet", *bytecode_option(), "--python", python, "-r", LOCK)
        run(uv, "pip", "install", "--quiet", "--python", python, "--no-deps", "--editable", REPOSITORY_ROOT)


def add_backend(backend: str) -> None:
    """Install ``backend``'s lock into the existing .venv (`make setup BACKEND=jax` runs this after set-up)."""
    if backend == "tensorflow":
        return  # requirements.lock has it
    if backend not in BACKEND_LOCKS:
        reason = NOT_OFFERED.get(backend, "the course runs on tensorflow (the default) or "
                                          + " or ".join(BACKEND_LOCKS))
        raise SetupError(f"BACKEND={backend}: {reason}")
    python = venv_python()
    if not python.exists():
        raise SetupError("no .venv yet: run set-up first (make setup)")
    version = subprocess.run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    uv = venv_uv() if venv_uv().exists() else shutil.which("uv")
    lock = BACKEND_LOCKS[backend]
    if uv is None:
        run(python, "-m", "pip", "install", "--quiet", "-r", lock)
    else:
        run(uv, "pip", "install", "--quiet", *bytecode_option(), "--python", python, "-r", lock)
    # The lock pins a release per Python where one works with the course's Keras; where none does,
    # its markers leave it out, and the install above adds nothing.
    found = subprocess.run([str(python), "-c", f"import importlib.util as u; print(u.find_spec({backend!r}) is not None)"],
                           capture_output=True, text=True).stdout.strip()
    if found != "True":
        raise SetupError(f"{backend}: no release works with the course's Keras on Python {version}; the course "
                         f"still runs on TensorFlow (make setup PYTHON=python3.12 BACKEND={backend} for {backend})")
    print(f"Added {backend} to .venv from {lock.name} (Python {version}): "
          f"`make run-all BACKEND={backend}` runs the course on it.")


def register_kernel(python: Interpreter) -> str:
    """The kernel lesson notebooks name (``cf-course``), inside .venv, never in the user's home."""
    display_name = KERNEL_DISPLAY_NAME
    registered = subprocess.run([str(venv_python()), "-m", "ipykernel", "install", "--sys-prefix", "--name",
                                 KERNEL_NAME, "--display-name", display_name],
                                cwd=REPOSITORY_ROOT, capture_output=True, text=True)
    if registered.returncode != 0:
        raise SetupError(f"registering the Jupyter kernel failed: {registered.stderr.strip()}")
    return display_name


def set_up(requested_python: str | None) -> None:
    python = find_python(requested_python)
    uv = shutil.which("uv")
    print(f"Setting up .venv with Python {python.shown_version} ({python.path}); "
          f"installer: {f'uv on PATH ({uv})' if uv else f'uv {UV_VERSION}, installed into .venv'}", flush=True)
    create_venv(python, uv)
    installer = uv or pinned_uv_into_venv()
    install_lock(installer)
    display_name = register_kernel(python)
    print(f"Set up: .venv with requirements.lock, the course package and the Jupyter kernel {display_name!r}.")


def relock() -> None:
    """Re-resolve both locks for every supported Python on Linux, macOS and Windows, with the pinned uv."""
    if not venv_python().exists():
        raise SetupError("no .venv yet: run set-up first (make setup)")
    uv = venv_uv()
    version = subprocess.run([str(uv), "--version"], capture_output=True, text=True) if uv.exists() else None
    if version is None or version.stdout.split()[1:2] != [UV_VERSION]:
        run(venv_python(), "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}")
    oldest = "%d.%d" % supported_versions()[0]
    # The course's lock holds what the tests need too (scikit-learn), since `make test` runs in the same .venv.
    for lock, extras in [(LOCK, ["--extra", "test"]), (BENCHMARK_LOCK, ["--extra", "test", "--extra", "benchmark"])]:
        run(uv, "pip", "compile", PYPROJECT.name, "--universal", "--python-version", oldest, *extras,
            "--no-header", "--quiet", "-o", lock.name)
    # A backend's lock is the course's, constrained to its pins, plus the backend: adding it changes no pin.
    for backend, lock in BACKEND_LOCKS.items():
        run(uv, "pip", "compile", PYPROJECT.name, "--universal", "--python-version", oldest, "--extra", "test",
            "--extra", backend, "--constraint", LOCK.name, "--no-header", "--quiet", "-o", lock.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=os.environ.get("PYTHON") or None,
                        help="the interpreter to build .venv with (default: $PYTHON, else the newest supported "
                             "python3.X on PATH, else python3)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--find-python", action="store_true", help="only print the interpreter set-up would use")
    action.add_argument("--lock", action="store_true",
                        help="re-resolve requirements.lock, requirements-benchmark.lock and each backend's lock "
                             "with uv " + UV_VERSION)
    parser.add_argument("--backend", default="tensorflow",
                        help="also install this Keras backend's lock (jax); with an existing .venv, only that")
    arguments = parser.parse_args()
    try:
        if arguments.find_python:
            python = find_python(arguments.python)
            print(f"Python {python.shown_version} ({python.path})")
        elif arguments.lock:
            relock()
        elif arguments.backend != "tensorflow" and venv_python().exists():
            add_backend(arguments.backend)
        else:
            if arguments.backend not in ("tensorflow", *BACKEND_LOCKS):
                add_backend(arguments.backend)  # says in one line why it is not offered, before any work
            set_up(arguments.python)
            add_backend(arguments.backend)
    except SetupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
