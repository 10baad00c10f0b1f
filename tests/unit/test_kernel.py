"""One kernel name: the notebooks, the Makefile's registration and the runner agree, and it is the course's Python."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from cfcourse.course import KERNEL_DISPLAY_NAME, KERNEL_NAME, LESSONS, NOTEBOOKS_DIR


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_notebook_names_the_registered_kernel(lesson):
    kernelspec = json.loads((NOTEBOOKS_DIR / f"{lesson}.ipynb").read_text())["metadata"]["kernelspec"]
    assert (kernelspec["name"], kernelspec["display_name"]) == (KERNEL_NAME, KERNEL_DISPLAY_NAME)
    assert KernelSpecManager().get_kernel_spec(KERNEL_NAME).display_name == KERNEL_DISPLAY_NAME


def test_the_registered_kernel_runs_the_courses_own_python():
    """Any Jupyter that finds the kernel (JupyterLab from `make lab`, papermill) starts this environment."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve()
    assert Path(spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve()), "registered inside .venv"
