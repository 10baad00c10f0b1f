"""One kernel name: the notebooks, the Makefile's registration and the runner agree, and it is the course's Python."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from cfcourse.course import KERNEL_NAME
from cfcourse.paths import REPOSITORY_ROOT


def test_the_makefile_registers_the_kernel_the_notebooks_name():
    makefile = (REPOSITORY_ROOT / "Makefile").read_text()
    assert re.search(rf"^KERNEL_NAME := {re.escape(KERNEL_NAME)}$", makefile, re.MULTILINE)


def test_the_registered_kernel_runs_the_courses_own_python():
    """Any Jupyter that finds the kernel (JupyterLab from `make lab`, papermill) starts this environment."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert Path(spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve()), "registered inside .venv"
