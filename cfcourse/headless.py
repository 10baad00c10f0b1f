"""Running a lesson headless, as ``make run-all``, the benchmark and the tests do.

Papermill starts a Jupyter kernel for each lesson. Two things about that kernel
would otherwise reach the terminal as alarming log lines, with nothing wrong:

- ipykernel 7 warns "Kernel is running over TCP without encryption" whenever the
  kernel talks over TCP. Where the operating system has local (IPC) sockets, the
  kernel uses those instead: nothing travels through the network stack at all.
  Windows has no IPC transport, so there the warning stays (the README explains it).
- jupyter_client interrupts a kernel (SIGINT) before every shutdown, in case it is
  still busy. A lesson that finished is idle, and ipykernel logs the interrupt that
  lands while it handles its last message as "ERROR | KeyboardInterrupt caught in
  kernel". Here a kernel is shut down with a shutdown request alone.

The kernel inherits this process's environment; ``backend`` sets its ``KERAS_BACKEND`` (see
:mod:`cfcourse.backend`), which is how ``run_course.py --backend jax`` runs a lesson on JAX. It runs in
``notebooks/``, which makes the lesson the course's own, not a learner's copy (:mod:`cfcourse.runs`);
a ``JPY_SESSION_NAME`` inherited from a notebook that started the run would say otherwise, so it is dropped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager, nullcontext
from pathlib import Path

import papermill
from jupyter_client.manager import AsyncKernelManager

from cfcourse.course import KERNEL_NAME, NOTEBOOKS_DIR
from cfcourse.runs import SESSION_VARIABLE


class QuietKernelManager(AsyncKernelManager):
    """A kernel on IPC sockets where the OS has them, shut down without a needless interrupt."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._socket_folder = None
        if os.name != "nt":
            # Socket paths must stay short (about 100 bytes), so they live in a fresh temporary folder.
            self._socket_folder = tempfile.mkdtemp(prefix="cf-kernel-")
            self.transport = "ipc"
            self.ip = str(Path(self._socket_folder) / "kernel")

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return  # the lesson has finished; a shutdown request is enough
        await super()._async_interrupt_kernel()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._socket_folder and not restart:
            shutil.rmtree(self._socket_folder, ignore_errors=True)


@contextmanager
def kernel_variable(name: str, value: str | None):
    """The environment variable ``name`` set to ``value`` (``None``: unset) for the kernels started inside."""
    saved = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


def kernel_backend(backend: str | None):
    """``KERAS_BACKEND=backend`` for the kernels started inside (``None``: as this process has it)."""
    return nullcontext() if backend is None else kernel_variable("KERAS_BACKEND", backend)


def execute_lesson(name: str, output: Path, parameters: dict, backend: str | None = None,
                   notebooks_dir: Path = NOTEBOOKS_DIR) -> None:
    """Execute ``<notebooks_dir>/<name>.ipynb`` (the course's ``notebooks/`` unless told) with ``parameters``
    into ``output`` on the course's kernel, with Keras on ``backend`` (default: ``KERAS_BACKEND`` as set
    here, else the course's, TensorFlow).

    Raises papermill's ``PapermillExecutionError`` if a cell fails; ``output`` then holds the error.
    """
    with kernel_backend(backend), kernel_variable(SESSION_VARIABLE, None):
        _execute(name, output, parameters, notebooks_dir)


def _execute(name: str, output: Path, parameters: dict, notebooks_dir: Path) -> None:
    papermill.execute_notebook(
        str(Path(notebooks_dir) / f"{name}.ipynb"),
        str(output),
        parameters=parameters,
        kernel_name=KERNEL_NAME,
        kernel_manager_class=QuietKernelManager,
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        log_output=False,
    )
