"""How set-up picks its Python, shown with stand-in interpreters on a PATH of their own.

Each stand-in is a two-line shell script that answers scripts/setup_course.py's version query
the way a real interpreter of that version would. The script runs from a copy of the repository's
set-up files in a temporary folder, so no test can touch the real .venv.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cfcourse.paths import REPOSITORY_ROOT

SETUP_SCRIPT = REPOSITORY_ROOT / "scripts" / "setup_course.py"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="the stand-in interpreters are shell scripts")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The set-up script and pyproject.toml (where the supported range is read) in a folder of their own."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SETUP_SCRIPT, tmp_path / "scripts")
    shutil.copy(REPOSITORY_ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "bin").mkdir()
    return tmp_path


def stand_in(checkout: Path, name: str, version: str, has_venv: bool = True, exit_code: int = 0) -> Path:
    """An executable ``name`` on the test PATH that claims to be Python ``version``."""
    path = checkout / "bin" / name
    path.write_text(f"#!/bin/sh\necho '{version} {has_venv}'\nexit {exit_code}\n")
    path.chmod(0o755)
    return path


def set_up(checkout: Path, *arguments: str, python: str | None = None) -> subprocess.CompletedProcess:
    environment = {"PATH": str(checkout / "bin"), **({"PYTHON": python} if python else {})}
    return subprocess.run([sys.executable, str(checkout / "scripts" / "setup_course.py"), *arguments],
                          capture_output=True, text=True, env=environment, timeout=60)


def chosen(checkout: Path, python: str | None = None) -> str:
    result = set_up(checkout, "--find-python", python=python)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_newest_supported_python_on_path_wins(checkout):
    stand_in(checkout, "python3", "3.14")
    stand_in(checkout, "python3.11", "3.11")
    newest = stand_in(checkout, "python3.12", "3.12")
    assert chosen(checkout) == f"Python 3.12 ({newest})"


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.12", "3.13"])
def test_python3_itself_is_used_when_in_range(checkout, version):
    python3 = stand_in(checkout, "python3", version)
    assert chosen(checkout) == f"Python {version} ({python3})"


def test_a_candidate_that_does_not_run_is_passed_over(checkout):
    """A pyenv shim for a version that is installed but not active exits 127."""
    stand_in(checkout, "python3.13", "3.13", exit_code=127)
    python3_10 = stand_in(checkout, "python3.10", "3.10")
    assert chosen(checkout) == f"Python 3.10 ({python3_10})"


def test_python_variable_wins_over_the_path(checkout):
    stand_in(checkout, "python3.13", "3.13")
    requested = stand_in(checkout, "python3.11", "3.11")
    assert chosen(checkout, python=str(requested)) == f"Python 3.11 ({requested})"


@pytest.mark.parametrize("version", ["3.14", "3.9"])
def test_out_of_range_stops_with_one_line_naming_found_needed_and_how(checkout, version):
    python3 = stand_in(checkout, "python3", version)
    result = set_up(checkout)
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert f"python3 is {version} ({python3})" in line
    assert "Python 3.10–3.13" in line
    assert "uv python install" in line and "python.org" in line
    assert not (checkout / ".venv").exists()


def test_python_variable_out_of_range_is_named(checkout):
    stand_in(checkout, "python3.12", "3.12")
    too_new = stand_in(checkout, "python3.14", "3.14")
    result = set_up(checkout, python=str(too_new))
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert f"PYTHON={too_new} is Python 3.14" in line and "3.10–3.13" in line


def test_python_variable_that_does_not_run_is_named(checkout):
    stand_in(checkout, "python3.12", "3.12")
    broken = stand_in(checkout, "python3.13", "3.13", exit_code=127)
    result = set_up(checkout, python=str(broken))
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert f"PYTHON={broken} did not answer as a Python 3" in line and "3.10–3.13" in line


def test_none_found_says_so(checkout):
    result = set_up(checkout)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "no python3 on PATH" in line and "Python 3.10–3.13" in line
    assert not (checkout / ".venv").exists()


def test_missing_venv_module_names_the_debian_package(checkout):
    """Without uv on PATH set-up needs `python -m venv`, which Debian and Ubuntu ship separately."""
    stand_in(checkout, "python3.12", "3.12", has_venv=False)
    result = set_up(checkout)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "sudo apt install python3.12-venv" in line
    assert not (checkout / ".venv").exists()


def test_the_script_parses_on_python_3_8():
    """It must run on an unsupported Python long enough to say so."""
    ast.parse(SETUP_SCRIPT.read_text(), feature_version=(3, 8))
