"""scripts/maintainers/compare_backends.py: what it reads back from a run, and how it writes docs/backends.md."""

from __future__ import annotations

import os

import pytest

from cfcourse.course import LESSONS, MODELS
from course_testing import load_script

compare_backends = load_script("maintainers/compare_backends")
run_course = load_script("run_course")

TOP_10_ROWS = ["random", "most_popular", *MODELS, "bpr", "two_tower", "ease"]


def printed_run(seconds: list[float]) -> str:
    """What run_course prints around its lesson lines, made with its own line makers."""
    lines = [run_course.lesson_line(name, value) for name, value in zip(LESSONS, seconds)]
    return "\n".join(["Keras backend: jax (the course's default is tensorflow)", *lines, "",
                      run_course.total_line(len(LESSONS), sum(seconds), "ml-latest-small, on jax"), "",
                      "Exercises: 30 solutions checked, all correct"])


def test_lesson_seconds_reads_back_what_the_run_prints():
    seconds = [0.5, 4.25, 9.0, 12.5, 101.0, 7.75, 13.0, 20.0]
    lessons, total = run_course.lesson_seconds(printed_run(seconds))
    assert lessons == {name: round(value, 1) for name, value in zip(LESSONS, seconds)}
    assert total == round(sum(seconds), 1)


def test_lesson_seconds_refuses_output_without_lessons():
    with pytest.raises(ValueError):
        run_course.lesson_seconds("error: lesson 02_dot_product: parameter 'epochs' must be a whole number > 0")


def test_disk_bytes_counts_a_hard_linked_file_once(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    once = compare_backends.disk_bytes(tmp_path)
    os.link(tmp_path / "a", tmp_path / "b")
    assert compare_backends.disk_bytes(tmp_path) == once >= 100_000


def fake_result(python: str, jax_scale: float, rmse_gap: float, ndcg_gap: float) -> dict:
    lessons = {name: 2.0 + index for index, name in enumerate(LESSONS)}

    def run(scale: float, gap: float, ndcg_gap: float, backend: str) -> dict:
        return {"lessons": {name: value * scale for name, value in lessons.items()},
                "total": sum(lessons.values()) * scale, "wall": sum(lessons.values()) * scale + 5,
                "rmse": {model: 0.85 + gap for model in MODELS},
                "ndcg": {model: 0.1 + (ndcg_gap if model == "bpr" else 0.0) for model in TOP_10_ROWS},
                "exercises": "Exercises: 30 solutions checked, all correct", "stderr": "", "load": 1.5,
                "keras": f"Keras 3.15.1 on {backend}"}

    machine = {"cpu_count": 2, "cpu_model": "Some CPU", "memory_gb": 23.5, "platform": "Linux", "python": python,
               "numpy": "2", "pandas": "2", "tensorflow": "2.21.0", "keras": "3.15.1", "jax": "0.12.0.1",
               "load_average_at_start": 1.5}
    return {"date": "2026-12-05 09:00 UTC", "commit": "abc1234", "python_option": None, "dataset": "ml-latest-small",
            "machine": machine, "bytecode_at_setup": True, "setup_seconds": 40.0, "jax_seconds": 3.0, "venv_tensorflow": 2 * 1024 ** 3,
            "venv_both": 2 * 1024 ** 3 + 400 * 1024 ** 2, "venv_after_runs": 3 * 1024 ** 3, "data": 30 * 1024 ** 2,
            "runs": {"tensorflow": run(1.0, 0.0, 0.0, "TensorFlow"), "jax": run(jax_scale, rmse_gap, ndcg_gap, "JAX")}}


def test_a_section_has_every_lesson_every_model_and_the_ratio():
    text = compare_backends.section(fake_result("3.13.0", 0.5, 0.004, -0.014))
    for name in LESSONS:
        assert f"| {name} |" in text
    total = sum(2.0 + index for index in range(len(LESSONS)))  # fake_result's seconds, 2 s for the first lesson
    assert f"| **all {len(LESSONS)} lessons** (the run's total) | {total:.1f} | {total / 2:.1f} | **0.50** |" in text
    for model in MODELS:
        assert f"| {model} | test RMSE | 0.8500 | 0.8540 | +0.0040 |" in text
    for model in TOP_10_ROWS:
        assert f"| {model} | NDCG@10 |" in text
    assert "Largest difference: test RMSE 0.0040" in text and "NDCG@10 0.0140 (bpr)" in text
    assert "`make compare-backends PYTHON=python3.13`" in text
    assert "`.venv` 2.00 GB" in text and "400 MB" in text


def test_writing_a_section_replaces_that_pythons_and_keeps_the_others():
    document = f"# Backends\n\nProse.\n\n{compare_backends.BEGIN}\n{compare_backends.END}\n\nAfter.\n"
    for python, scale in [("3.13.0", 0.8), ("3.11.7", 0.9), ("3.13.1", 0.7)]:
        document = compare_backends.write_section(document, compare_backends.section(fake_result(python, scale, 0, 0)))
    assert document.startswith("# Backends\n\nProse.\n\n") and document.endswith("\n\nAfter.\n")
    headings = [line for line in document.splitlines() if line.startswith(compare_backends.SECTION_HEADING)]
    assert [heading.split(":")[0] for heading in headings] == ["### Python 3.11.7", "### Python 3.13.1"]
    assert "**0.70**" in document and "**0.80**" not in document


def test_writing_needs_the_markers():
    with pytest.raises(ValueError):
        compare_backends.write_section("# Backends\n", compare_backends.section(fake_result("3.11.7", 1, 0, 0)))
