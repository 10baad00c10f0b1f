"""The committed locks (the course's, and requirements-jax.lock for Keras on JAX) install on every
supported Python and platform, from their pins alone.

For each target, uv resolves requirements.lock as if for that Python and platform, taking only
wheels (a pin with only a source archive would need a compiler on the learner's machine): a pin
with no wheel for a target, a dependency whose pin clashes, or one the lock forgot, fails that
target's test. Needs the package index; the time is the index's (uv revalidates its pages on
every call), so the targets are resolved side by side.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cfcourse.paths import REPOSITORY_ROOT
from course_testing import load_script

LOCK = REPOSITORY_ROOT / "requirements.lock"
JAX_LOCK = REPOSITORY_ROOT / "requirements-jax.lock"
LOCKS = {"course": LOCK, "jax": JAX_LOCK}
setup_course = load_script("setup_course")

PYTHONS = ["%d.%d" % version for version in setup_course.supported_versions()]
#: uv's names: x86-64 Linux (manylinux_2_28), Apple-silicon macOS, x86-64 Windows, and aarch64 Linux.
PLATFORMS = ["linux", "macos", "windows", "aarch64-unknown-linux-gnu"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)", re.MULTILINE)
#: A pin with its environment marker, as the universal locks write it: ``jax==0.10.2 ; python_full_version == '3.11.*'``.
PIN_LINE = re.compile(r"^[A-Za-z0-9._-]+==.*$", re.MULTILINE)


def uv() -> str:
    """The uv set-up used: the pinned one in .venv, else the one on PATH."""
    pinned = setup_course.venv_uv()
    if pinned.exists():
        return str(pinned)
    on_path = shutil.which("uv")
    if on_path is None:
        pytest.skip("no uv: set-up fell back to pip")
    return on_path


def resolve(lock: Path, python: str, platform: str) -> subprocess.CompletedProcess:
    return subprocess.run([uv(), "pip", "compile", str(lock), "--python-version", python, "--python-platform", platform,
                           "--only-binary", ":all:", "--no-header", "--no-annotate", "--quiet"],
                          capture_output=True, text=True, timeout=600)


def side_by_side(lock: Path, targets: list[tuple[str, str]]) -> list[subprocess.CompletedProcess]:
    """``resolve`` for each (python, platform) target, all at once: each one mostly waits on the index."""
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        return list(pool.map(lambda target: resolve(lock, *target), targets))


def pins(text: str) -> set[tuple[str, str]]:
    return {(name.lower().replace("_", "-"), version) for name, version in PIN.findall(text)}


@pytest.fixture(scope="module")
def resolutions() -> dict[tuple[str, str, str], subprocess.CompletedProcess]:
    targets = list(itertools.product(LOCKS, PYTHONS, PLATFORMS))
    with ThreadPoolExecutor(max_workers=len(PYTHONS) * len(PLATFORMS)) as pool:
        return dict(zip(targets, pool.map(lambda target: resolve(LOCKS[target[0]], *target[1:]), targets)))


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("lock", LOCKS)
def test_lock_resolves_for(resolutions, lock, python, platform):
    result = resolutions[lock, python, platform]
    name = LOCKS[lock].name
    assert result.returncode == 0, f"{name} does not install on Python {python}, {platform}:\n{result.stderr}"
    resolved = pins(result.stdout)
    assert resolved, result.stdout
    assert resolved <= pins(LOCKS[lock].read_text()), f"resolved outside {name}: {resolved - pins(LOCKS[lock].read_text())}"
    if lock == "jax":
        assert "jax" in {package for package, _ in resolved}, f"no JAX for Python {python}, {platform}"


def test_adding_jax_changes_no_pin_of_the_course():
    """requirements-jax.lock is requirements.lock plus JAX, so a run on TensorFlow is the same with JAX installed."""
    course, with_jax = set(PIN_LINE.findall(LOCK.read_text())), set(PIN_LINE.findall(JAX_LOCK.read_text()))
    assert course <= with_jax, f"requirements-jax.lock lacks or changes: {sorted(course - with_jax)}"
    assert {line.split("==")[0] for line in with_jax - course} == {"jax", "jaxlib"}


def test_a_pin_without_wheels_for_one_platform_fails_that_platform_only(tmp_path):
    """The lock as it stood before this test: tensorflow-cpu, which has no Linux-aarch64 wheel, on every non-macOS."""
    lock = LOCK.read_text()
    markers = {"tensorflow==2.21.0 ; platform_machine == 'aarch64' or sys_platform == 'darwin'":
               "tensorflow==2.21.0 ; sys_platform == 'darwin'",
               "tensorflow-cpu==2.21.0 ; platform_machine != 'aarch64' and sys_platform != 'darwin'":
               "tensorflow-cpu==2.21.0 ; sys_platform != 'darwin'"}
    assert all(line in lock.splitlines() for line in markers), "the lock's tensorflow lines changed; update this test"
    broken = tmp_path / "requirements.lock"
    for line, old_line in markers.items():
        lock = lock.replace(line, old_line)
    broken.write_text(lock)
    failed, passed = side_by_side(broken, [("3.12", "aarch64-unknown-linux-gnu"), ("3.12", "linux")])
    assert failed.returncode != 0 and "tensorflow-cpu" in failed.stderr and "no wheels" in failed.stderr, failed.stderr
    assert passed.returncode == 0, passed.stderr
