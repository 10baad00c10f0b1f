"""The Keras backend, imported quietly, and one call that makes a run reproducible.

:func:`set_seeds` seeds every random number generator a lesson uses (Python's ``random``,
numpy and the backend, which Keras draws its initial weights and dropout masks from) and
asks the backend for deterministic kernels, so a rerun on the same machine gives the same
numbers to the last digit. (Note the 2017 lesson's ``np.random.seed = 42``: it *replaced*
numpy's seeding function with the number 42 instead of calling it, so nothing was seeded.)

TensorFlow is imported without the C++ start-up notices some CPUs print.

``TF_CPP_MIN_LOG_LEVEL=3`` silences TensorFlow's own C++ logging, but not all of it:
on CPUs where TensorFlow turns oneDNN's custom operations on by default (those with
AVX-512 VNNI or BF16, or AMX), TensorFlow 2.21 announces it through absl logging
before absl is initialised, which ignores that variable::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:... port.cc:153] oneDNN custom operations are on. You may see slightly ...

A notebook stores whatever the process writes to its stderr as a red output, so a
learner would take it for a problem. Turning oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``)
would silence it too, but would change the numbers on those CPUs. Instead, the import
runs with the process's stderr caught; these two notices are dropped and anything
else is passed on.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

START_UP_NOTICES = re.compile(
    r"All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|\] oneDNN custom operations are on\."
)


def import_tensorflow():
    """Import and return ``tensorflow``, dropping only its known start-up notices from stderr."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
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
    """Import and return ``keras``, its backend first and quietly (see above)."""
    import_tensorflow()
    import keras

    return keras


def set_seeds(seed: int) -> None:
    """Seed Python, numpy and the backend with ``seed``, and turn on the backend's op determinism."""
    keras = import_keras()
    keras.utils.set_random_seed(seed)
    import_tensorflow().config.experimental.enable_op_determinism()


def describe_backend() -> str:
    """Which backend Keras runs on, in a few words for a lesson's first lines."""
    return f"Keras on {import_keras().backend.backend().replace('tensorflow', 'TensorFlow')}"
