"""Set-up writes Python's bytecode at install time only where Python could not cache it on first import."""

from __future__ import annotations

import importlib.util
import sys

from cfcourse.paths import REPOSITORY_ROOT


def load_setup_script():
    spec = importlib.util.spec_from_file_location("setup_course", REPOSITORY_ROOT / "scripts" / "setup_course.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bytecode_is_compiled_at_install_only_where_python_may_not_write_it(monkeypatch):
    setup_course = load_setup_script()
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    assert setup_course.bytecode_option() == ["--compile-bytecode"]
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE")
    assert setup_course.bytecode_option() == []
