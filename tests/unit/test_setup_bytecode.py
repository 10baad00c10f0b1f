"""Set-up writes Python's bytecode at install time only where Python could not cache it on first import."""

from __future__ import annotations

from course_testing import load_script


def test_bytecode_is_compiled_at_install_only_where_python_may_not_write_it(monkeypatch):
    setup_course = load_script("setup_course")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    assert setup_course.bytecode_option() == ["--compile-bytecode"]
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE")
    assert setup_course.bytecode_option() == []
