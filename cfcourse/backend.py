"""The Keras backend the course runs on, imported quietly, and one call that makes a run reproducible.

**Which backend.** ``KERAS_BACKEND`` if it is set, otherwise the course's setting,
:data:`DEFAULT_BACKEND` (TensorFlow); Keras's own ``~/.keras/keras.json`` is not consulted, so a
setting made for another project does not change the course. The course supports
:data:`SUPPORTED_BACKENDS`; ``make run-all BACKEND=jax``, ``scripts/run_course.py --backend jax``
and ``make lab BACKEND=jax`` set ``KERAS_BACKEND`` for the lessons' kernels, and
``make setup BACKEND=jax`` installs JAX (docs/backends.md). A backend that is not installed
stops the lesson with one line saying what to run (:class:`BackendError`).

**Reproducible runs.** :func:`set_seeds` seeds every random number generator a lesson uses
(Python's ``random``, numpy and Keras's, which initial weights and dropout masks are drawn
from). On TensorFlow it also turns on TensorFlow's op determinism; JAX on the CPU is
deterministic as it is. A rerun on the same machine gives the same numbers to the last digit.
(Note the 2017 lesson's ``np.random.seed = 42``: it *replaced* numpy's seeding function with
the number 42 instead of calling it, so nothing was seeded.)

**TensorFlow, only on TensorFlow.** On another backend a bare ``import keras`` does not import
TensorFlow (Keras 3.15.1), but some calls do whenever it is installed: ``keras.utils.set_random_seed``
seeds it "for tf.data", and saving a model checks for ``tf.TensorShape``. The course's environment
always has TensorFlow, and importing it costs a lesson several seconds and prints TensorFlow's
start-up notices. On any other backend
:func:`import_keras` tells Keras that TensorFlow is not there, so it is never imported
(the course feeds Keras numpy arrays, never ``tf.data``).

**The quiet import.** ``TF_CPP_MIN_LOG_LEVEL=3`` silences TensorFlow's own C++ logging, but not
all of it: on CPUs where TensorFlow turns oneDNN's custom operations on by default (those with
AVX-512 VNNI or BF16, or AMX), TensorFlow 2.21 announces it through absl logging before absl is
initialised, which ignores that variable::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:... port.cc:153] oneDNN custom operations are on. You may see slightly ...

A notebook stores whatever the process writes to its stderr as a red output, so a
learner would take it for a problem. Turning oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``)
would silence it too, but would change the numbers on those CPUs. Instead, the import
runs with the process's stderr caught; these two notices are dropped and anything
else is passed on.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import sys
import tempfile
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: The backends the course runs on, each with the module it needs and the name it is shown by.
SUPPORTED_BACKENDS = {"tensorflow": ("tensorflow", "TensorFlow"), "jax": ("jax", "JAX")}
#: The course's setting, used when ``KERAS_BACKEND`` is not set.
DEFAULT_BACKEND = "tensorflow"
#: Why PyTorch is not offered (docs/backends.md), for the message a learner who asks for it sees.
NOT_OFFERED = {"torch": "PyTorch is not offered: PyPI's Linux wheel is the CUDA build with some 20 nvidia-* "
                        "packages (gigabytes), and the CPU-only wheel is on PyTorch's own index (see docs/backends.md)"}

START_UP_NOTICES = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|\] oneDNN custom operations are on\."
)


class BackendError(Exception):
    """The chosen backend cannot be used; the message is the one line the learner sees."""


def chosen_backend() -> str:
    """``KERAS_BACKEND`` if set (checked against :data:`SUPPORTED_BACKENDS`), else :data:`DEFAULT_BACKEND`."""
    backend = os.environ.get("KERAS_BACKEND", "").strip().lower() or DEFAULT_BACKEND
    if backend not in SUPPORTED_BACKENDS:
        reason = NOT_OFFERED.get(backend, f"the course runs on {' or '.join(SUPPORTED_BACKENDS)}")
        raise BackendError(f"KERAS_BACKEND={backend}: {reason}; unset it, or set it to one of "
                           f"{', '.join(SUPPORTED_BACKENDS)}")
    return backend


def backend_installed(backend: str) -> bool:
    """Whether ``backend``'s module can be imported in this environment (without importing it)."""
    return importlib.util.find_spec(SUPPORTED_BACKENDS[backend][0]) is not None


def missing_backend_message(backend: str) -> str:
    """The one line for a backend that is not installed in the course's environment."""
    shown = SUPPORTED_BACKENDS[backend][1]
    return f"{shown} is not installed in this environment ({sys.prefix}): run `make setup BACKEND={backend}`"


def require_backend(backend: str) -> None:
    """Raise :class:`BackendError` with :func:`missing_backend_message` unless ``backend`` is installed."""
    if not backend_installed(backend):
        raise BackendError(missing_backend_message(backend))


def quiet_tensorflow_import():
    """``import tensorflow`` with the process's stderr caught, passing on all but the notices above."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    require_backend("tensorflow")
    sys.stderr.flush()
    with tempfile.TemporaryFile() as caught:
        saved_stderr = os.dup(2)
        os.dup2(caught.fileno(), 2)
        try:
            import tensorflow
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
            caught.seek(0)
            others = [line for line in caught.read().decode(errors="replace").splitlines()
                      if not START_UP_NOTICES.search(line)]
            if others:
                print("\n".join(others), file=sys.stderr)
    return tensorflow


def import_keras():
    """Import and return ``keras`` on the chosen backend, that backend first (quietly, see above).

    Raises :class:`BackendError` if the backend is unknown or not installed, or if Keras was
    already imported in this process on another backend (Keras picks it once, at import).
    """
    backend = chosen_backend()
    require_backend(backend)
    os.environ["KERAS_BACKEND"] = backend  # Keras reads it at import; it would otherwise read ~/.keras
    loaded = sys.modules.get("keras")
    if loaded is not None and loaded.backend.backend() != backend:
        raise BackendError(f"Keras is already running on {loaded.backend.backend()} in this process, "
                           f"not {backend}: restart the kernel")
    if backend == "tensorflow":
        quiet_tensorflow_import()
    import keras

    if backend != "tensorflow":
        _hide_tensorflow_from_keras()
    if backend == "jax":
        # JAX 0.11+ warns once that the int64 user and movie indices numpy hands Keras become int32;
        # they fit (JAX runs in 32 bits unless told otherwise), and the warning would sit in the lesson in red.
        warnings.filterwarnings("ignore", message="Explicitly requested dtype int64", category=UserWarning)
    return keras


def _hide_tensorflow_from_keras() -> None:
    """Make Keras's lazy ``tensorflow`` module report itself unavailable, so Keras never imports it."""
    try:
        from keras.src.utils import module_utils
    except ImportError:  # a Keras laid out otherwise: it imports TensorFlow as it likes, which costs time only
        return
    lazy = getattr(module_utils, "tensorflow", None)
    if lazy is not None and "_available" in vars(lazy) and "tensorflow" not in sys.modules:
        lazy._available = False


def set_seeds(seed: int) -> None:
    """Seed Python, numpy and Keras with ``seed``; on TensorFlow, also turn on its op determinism."""
    keras = import_keras()
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        quiet_tensorflow_import().config.experimental.enable_op_determinism()


def describe_backend() -> str:
    """One line for a lesson's plan: ``"Keras 3.15.1 on JAX 0.10.2 (CPU)"``. Imports Keras."""
    keras = import_keras()
    backend = keras.backend.backend()
    module, shown = SUPPORTED_BACKENDS[backend]
    version = _installed_version(backend)
    device = _device_kind(backend)
    return f"Keras {keras.__version__} on {shown} {version}{f' ({device})' if device else ''}"


def _installed_version(backend: str) -> str:
    for distribution in {"tensorflow": ("tensorflow-cpu", "tensorflow"), "jax": ("jax",)}[backend]:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "?"


def _device_kind(backend: str) -> str:
    """``CPU`` or ``GPU``: where the backend will compute."""
    if backend == "jax":
        import jax

        return "GPU" if any(device.platform == "gpu" for device in jax.devices()) else "CPU"
    return "GPU" if quiet_tensorflow_import().config.list_physical_devices("GPU") else "CPU"


def has_gpu() -> bool:
    """Whether the chosen backend sees a GPU."""
    return _device_kind(import_keras().backend.backend()) == "GPU"


def backend_name() -> str:
    """The backend's name as a lesson shows it, without versions (which differ between Pythons): ``"JAX"``."""
    return SUPPORTED_BACKENDS[import_keras().backend.backend()][1]
