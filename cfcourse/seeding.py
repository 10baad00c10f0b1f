"""One call that makes a training run reproducible.

Seed every random number generator a lesson uses (Python's ``random``, numpy
and TensorFlow, which Keras draws its initial weights and dropout masks from)
and ask TensorFlow for deterministic kernels, so a rerun on the same machine
gives the same numbers to the last digit.

Note the 2017 lesson's ``np.random.seed = 42``: it *replaced* numpy's seeding
function with the number 42 instead of calling it, so nothing was seeded.
"""

from __future__ import annotations

from cfcourse.tensorflow_import import import_tensorflow

tf = import_tensorflow()
import keras  # noqa: E402  (after TensorFlow's quiet import)


def set_seeds(seed: int) -> None:
    """Seed Python, numpy and TensorFlow with ``seed`` and turn on TensorFlow op determinism."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
