"""Choosing the Keras backend (cfcourse.backend, run_course.py --backend, set-up's BACKEND), and
seeding on each backend without TensorFlow where it is not the backend.

Keras picks its backend once per process, at import, so what needs a real Keras on a given
backend runs in a fresh Python; the rest checks the choice itself.
"""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys

import pytest

from cfcourse import backend
from cfcourse.headless import kernel_backend
from course_testing import load_script

JAX_INSTALLED = backend.backend_installed("jax")
needs_jax = pytest.mark.skipif(not JAX_INSTALLED, reason="JAX is not installed in .venv: run `make setup BACKEND=jax`")


def in_fresh_python(code: str, keras_backend: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KERAS_BACKEND": keras_backend}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("value, expected", [(None, "tensorflow"), ("", "tensorflow"), ("jax", "jax"),
                                             ("JAX", "jax"), ("tensorflow", "tensorflow")])
def test_the_backend_is_keras_backend_else_tensorflow(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("KERAS_BACKEND", raising=False)
    else:
        monkeypatch.setenv("KERAS_BACKEND", value)
    assert backend.chosen_backend() == expected


def test_pytorch_is_refused_in_one_line_saying_why(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    with pytest.raises(backend.BackendError, match=r"^KERAS_BACKEND=torch: PyTorch is not offered: .*docs/backends.md"):
        backend.chosen_backend()


def test_an_unknown_backend_names_the_supported_ones(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "mxnet")
    with pytest.raises(backend.BackendError, match="the course runs on tensorflow or jax"):
        backend.import_keras()


def test_a_missing_backend_says_to_run_make_setup_with_it(monkeypatch):
    real_find_spec = backend.importlib.util.find_spec
    monkeypatch.setattr(backend.importlib.util, "find_spec", lambda name, *a: None if name == "jax" else real_find_spec(name, *a))
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(backend.BackendError) as raised:
        backend.import_keras()
    message = str(raised.value)
    assert message.startswith("JAX is not installed in this environment") and "\n" not in message
    assert message.endswith("run `make setup BACKEND=jax`")


def test_the_runner_stops_before_any_lesson_on_a_missing_backend(monkeypatch):
    run_course = load_script("run_course")
    monkeypatch.setattr(backend.importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(run_course.RunError, match=r"^JAX is not installed .*`make setup BACKEND=jax`$"):
        run_course.choose_backend("jax")


def test_the_runner_takes_keras_backend_unless_told(monkeypatch):
    run_course = load_script("run_course")
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert run_course.choose_backend(None) == "tensorflow"
    assert os.environ["KERAS_BACKEND"] == "tensorflow", "choosing leaves this process's environment as it was"


def test_the_committed_notebooks_are_only_refreshed_on_tensorflow(capsys):
    run_course = load_script("run_course")
    with pytest.raises(SystemExit):
        run_course.main(["--in-place", "--backend", "jax"])
    assert "--in-place runs the committed lessons on tensorflow" in capsys.readouterr().err


def test_a_lessons_kernel_gets_the_backend_and_this_process_keeps_its_own(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    with kernel_backend("jax"):
        assert os.environ["KERAS_BACKEND"] == "jax"
    assert os.environ["KERAS_BACKEND"] == "tensorflow"
    monkeypatch.delenv("KERAS_BACKEND")
    with kernel_backend(None):
        assert "KERAS_BACKEND" not in os.environ


@pytest.mark.parametrize("asked, line", [("torch", "BACKEND=torch: PyTorch is not offered"),
                                         ("theano", "BACKEND=theano: the course runs on tensorflow (the default) or jax")])
def test_set_up_refuses_a_backend_it_does_not_offer_in_one_line(asked, line):
    setup_course = load_script("setup_course")
    with pytest.raises(setup_course.SetupError, match="^" + re.escape(line)):
        setup_course.add_backend(asked)


SEEDED_RUN = """
import json, sys
from cfcourse.backend import describe_backend, import_keras, set_seeds
keras = import_keras()  # what lesson.start does before a lesson imports keras
import numpy as np
set_seeds(7)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dropout(0.5), keras.layers.Dense(1)])
model.compile("adam", "mse")
x = np.random.rand(64, 3).astype("float32")
model.fit(x, x.sum(axis=1), epochs=2, batch_size=16, verbose=0)
model.save(MODEL_FILE)
print(json.dumps({"weights": [w.tolist() for w in model.get_weights()], "tensorflow": "tensorflow" in sys.modules,
                  "described": describe_backend()}))
"""


@needs_jax
def test_on_jax_seeding_and_saving_never_import_tensorflow_and_reruns_are_identical(tmp_path):
    code = SEEDED_RUN.replace("MODEL_FILE", repr(str(tmp_path / "m.keras")))
    first, second = (in_fresh_python(code, "jax") for _ in range(2))
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stderr == "", "nothing in red in a lesson"
    result = json.loads(first.stdout)
    assert result["tensorflow"] is False
    assert result["described"].startswith("Keras 3.") and " on JAX " in result["described"]
    assert json.loads(second.stdout)["weights"] == result["weights"], "same seed, same digits"


def test_on_tensorflow_seeding_turns_op_determinism_on():
    code = ("from cfcourse.backend import set_seeds; set_seeds(1); from tensorflow.python.framework import config; "
            "print(config.is_op_determinism_enabled())")
    result = in_fresh_python(code, "tensorflow")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True"


def test_seeding_on_jax_asks_nothing_of_tensorflow(monkeypatch):
    """set_seeds on JAX seeds through Keras alone: the TensorFlow import is never reached."""
    calls = []
    monkeypatch.setattr(backend, "quiet_tensorflow_import", lambda: calls.append("tensorflow"))

    class FakeKeras:
        class utils:
            @staticmethod
            def set_random_seed(seed):
                calls.append(("seed", seed))

        class backend:
            @staticmethod
            def backend():
                return "jax"

    monkeypatch.setattr(backend, "import_keras", lambda: FakeKeras)
    backend.set_seeds(5)
    assert calls == [("seed", 5)]
