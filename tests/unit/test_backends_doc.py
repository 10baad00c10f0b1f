"""docs/backends.md holds what `make compare-backends` wrote, for Pythons that get different JAX releases,
and what the README and the page's own prose say about the backends agrees with those tables.

The tables are not checked against a new run here (timings belong in the docs, written by the script);
a claim that a re-measurement no longer bears out fails below until the prose is updated.
"""

from __future__ import annotations

import re

import pytest

from cfcourse.course import LESSONS, LIST_MODELS, MODELS
from cfcourse.paths import REPOSITORY_ROOT
from course_testing import load_script

compare_backends = load_script("maintainers/compare_backends")

README = REPOSITORY_ROOT / "README.md"
DOC = REPOSITORY_ROOT / "docs" / "backends.md"
#: Every row of the top-10 table `make run-all` prints: lesson 06's baselines and models, then lesson 07's.
TOP_10_ROWS = ["random", "most_popular", *MODELS, *LIST_MODELS]
GB = 1024 ** 3


def flat(text: str) -> str:
    return " ".join(text.split())


SECTION_HEADING = compare_backends.SECTION_HEADING


def generated_sections() -> list[str]:
    text = DOC.read_text()
    assert compare_backends.BEGIN in text and compare_backends.END in text
    inside = text.split(compare_backends.BEGIN, 1)[1].split(compare_backends.END, 1)[0]
    return [SECTION_HEADING + part for part in inside.split(SECTION_HEADING)[1:]]


SECTIONS = generated_sections()


def table_rows(section: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| lesson |") and not line.startswith("| model |")]


def differences(section: str, measure: str) -> dict[str, float]:
    """Each model's JAX − TensorFlow difference of ``measure`` (``test RMSE`` or ``NDCG@10``)."""
    return {row[0]: float(row[4].replace("−", "-")) for row in table_rows(section) if row[1:2] == [measure]}


def total_ratio(section: str) -> float:
    row = next(row for row in table_rows(section) if row[0].startswith("**all"))
    return float(row[3].strip("*"))


def jax_version(section: str) -> str:
    return re.search(r"on JAX ([\d.]+)", section.splitlines()[0]).group(1)


def python_minor(section: str) -> str:
    return re.match(rf"{SECTION_HEADING}(\d+\.\d+)", section).group(1)


def test_the_page_has_sections_for_pythons_that_get_different_jax_releases():
    versions = {python_minor(section): jax_version(section) for section in SECTIONS}
    assert {"3.11", "3.13"} <= versions.keys(), versions
    assert len(set(versions.values())) >= 2, versions


@pytest.mark.parametrize("section", SECTIONS, ids=python_minor)
def test_each_section_times_every_lesson_and_compares_every_model(section):
    rows = table_rows(section)
    assert [row[0] for row in rows if row[0] in LESSONS] == LESSONS
    assert f"**all {len(LESSONS)} lessons**" in section
    assert list(differences(section, "test RMSE")) == MODELS
    assert list(differences(section, "NDCG@10")) == TOP_10_ROWS
    assert "Machine: " in section and "Re-measure: `make compare-backends PYTHON=python" in section


def readme_band(measure: str) -> float:
    match = re.search(rf"{re.escape(measure)}[^±]*±([\d.]+)", flat(README.read_text()))
    assert match, f"the README states no band for {measure}"
    return float(match.group(1))


@pytest.mark.parametrize("section", SECTIONS, ids=python_minor)
def test_the_readme_bands_hold_in_every_section(section):
    rmse_band, ndcg_band = readme_band("test RMSE stays within"), readme_band("NDCG@10 within")
    for model, gap in differences(section, "test RMSE").items():
        assert abs(gap) <= rmse_band, f"{model}: test RMSE {gap:+.4f} on JAX, the README promises ±{rmse_band}"
    for model, gap in differences(section, "NDCG@10").items():
        assert abs(gap) <= ndcg_band, f"{model}: NDCG@10 {gap:+.4f} on JAX, the README promises ±{ndcg_band}"


def test_the_pages_largest_differences_are_the_tables():
    """The prose above the tables names the largest difference of each measure over every section."""
    prose = flat(DOC.read_text().split(compare_backends.BEGIN, 1)[0])
    for measure in ["test RMSE", "NDCG@10"]:
        largest = max(abs(gap) for section in SECTIONS for gap in differences(section, measure).values())
        assert f"at most {largest:.4f}" in prose, f"the page's prose does not give {measure}'s largest gap {largest:.4f}"


def test_the_readme_speed_is_the_tables():
    match = re.search(r"JAX took about ([\d.]+) × TensorFlow's time", flat(README.read_text()))
    assert match, "the README says nothing of JAX's speed"
    for section in SECTIONS:
        assert abs(total_ratio(section) - float(match.group(1))) <= 0.1, (python_minor(section), total_ratio(section))


def sizes(section: str) -> dict[str, float]:
    """The sizes a section gives: `.venv` after both runs (GB), what JAX adds (MB) and `data/` (MB)."""
    line = flat(next(line for line in section.splitlines() if line.startswith("Set-up in the fresh clone")))
    after_runs, data = re.search(r"after both runs `\.venv` ([\d.]+) GB and `data/` (\d+) MB", line).groups()
    jax = re.search(r"BACKEND=jax`\) [\d.]+ s and (\d+) MB", line).group(1)
    return {"after_runs": float(after_runs), "data_mb": float(data), "jax_mb": float(jax)}


def test_the_readme_disk_figures_are_the_largest_route_measured():
    readme = flat(README.read_text())
    largest = max(SECTIONS, key=lambda section: sizes(section)["after_runs"])
    figures = sizes(largest)
    disk = readme.split("**Disk space**", 1)[1][:400]
    venv, python, data = re.search(r"`\.venv` takes up to ([\d.]+) GB on Python (3\.\d+).*`data/` (\d+) MB",
                                   disk).groups()
    assert python == python_minor(largest), "the README's disk space is not the largest route's"
    assert f"make compare-backends PYTHON=python{python}" in disk, "the README does not say how to re-measure"
    assert float(venv) == round(figures["after_runs"], 1) and float(data) == figures["data_mb"]
    free = float(re.search(r"about ([\d.]+) GB of free disk space", readme).group(1))
    assert free >= figures["after_runs"] + figures["data_mb"] / 1024, "the README asks for less disk than a set-up takes"
    jax = re.search(r"`make setup BACKEND=jax` adds JAX \((\d+) MB\)", readme).group(1)
    assert abs(float(jax) - figures["jax_mb"]) <= 10, "the README's size of JAX is not the largest route's"


def readme_table_value(model: str, measure: str) -> float:
    """The README's published test RMSE (table of models: model, dataset, test RMSE, ...) or NDCG@10 (top-10
    table: model, precision, recall, NDCG@10, ...) of ``model``."""
    rows = [line.split() for line in README.read_text().splitlines() if line.split()[:1] == [model]]
    if measure == "test RMSE":
        rows = [row for row in rows if row[1] == "ml-latest-small"]
        return float(rows[0][2])
    rows = [row for row in rows if len(row) == 6 and row[1] != "ml-latest-small"]
    return float(rows[0][3])


@pytest.mark.parametrize("section", SECTIONS, ids=python_minor)
def test_tensorflow_gives_the_readmes_digits_in_every_section(section):
    compared = 0
    for row in table_rows(section):
        if row[1:2] in (["test RMSE"], ["NDCG@10"]):
            assert float(row[2]) == readme_table_value(row[0], row[1]), row
            compared += 1
    assert compared == len(MODELS) + len(TOP_10_ROWS)
