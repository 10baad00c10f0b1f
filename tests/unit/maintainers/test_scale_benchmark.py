"""scripts/maintainers/scale_benchmark.py: how it reports growth from one size to the next."""

from __future__ import annotations

from course_testing import load_script

scale_benchmark = load_script("maintainers/scale_benchmark")


def test_growth_compares_time_with_ratings():
    runs = [{"dataset": "synthetic-1m", "ratings": 1_000_000, "total_seconds": 60.0},
            {"dataset": "synthetic-25m", "ratings": 25_000_000, "total_seconds": 1200.0}]
    assert scale_benchmark.growth(runs) == [
        "- synthetic-1m to synthetic-25m: 25× the ratings, 20.0× the time (0.80 of linear)."]


def test_growth_of_a_single_size_is_empty():
    assert scale_benchmark.growth([{"dataset": "synthetic-1m", "ratings": 1_000_000, "total_seconds": 60.0}]) == []
