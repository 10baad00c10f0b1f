"""The README stays a learner's page: short, self-contained, and true to the commands.

The longer material lives in docs/; docs/maintainers.md keeps the copy of `make help`.
The README's experiment commands are run, as written, by tests/smoke/test_readme_commands.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from cfcourse.course import LESSONS
from cfcourse.exercises.registry import EXERCISES
from cfcourse.paths import REPOSITORY_ROOT
from course_testing import TABLE_WORDS, load_script, number_in_words, outside_make, printed_text

README = REPOSITORY_ROOT / "README.md"
DOCS = REPOSITORY_ROOT / "docs"


def readme_text() -> str:
    return README.read_text()


def headings(text: str) -> list[str]:
    return [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("## ")]


def test_the_readme_is_at_most_250_lines():
    assert len(readme_text().splitlines()) <= 250


def test_the_readme_names_no_path_outside_the_repository():
    text = readme_text()
    assert "../" not in text and "..\\" not in text
    assert "shared/data" not in text


def test_the_readme_has_the_learners_sections():
    found = headings(readme_text())
    for heading in ["The lessons", "Two commands", "Prerequisites", "Opening the lessons", "Experimenting",
                    "Exercises", "Working offline", "Data licence and citation"]:
        assert heading in found, f"README has no '## {heading}' section"


def test_the_readme_shows_the_two_commands_and_the_lab():
    text = readme_text()
    for command in ["make run-all", "make test", "make lab"]:
        assert command in text


def test_the_readme_lists_every_lesson():
    text = readme_text()
    for lesson in LESSONS:
        assert f"(notebooks/{lesson}.ipynb)" in text, f"the lessons' table has no link to {lesson}.ipynb"


def test_the_readme_shows_no_raw_papermill_command():
    """Raw papermill writes kernel log lines that alarm a beginner; the course's runner is quiet."""
    for block in re.findall(r"```sh\n(.*?)```", readme_text(), re.S):
        assert "papermill " not in block


def test_the_readme_links_to_docs_once_and_every_doc_exists():
    text = readme_text()
    links = re.findall(r"\]\((docs/[^)#]*)[^)]*\)", text)
    assert links, "the README links to nothing in docs/"
    for link in links:
        assert (REPOSITORY_ROOT / link).exists(), f"README links to a missing {link}"
    linking_lines = {number for number, line in enumerate(text.splitlines()) if "](docs/" in line}
    assert max(linking_lines) - min(linking_lines) < 8, "the README links to docs/ from more than one place"
    for page in DOCS.glob("*.md"):
        assert f"docs/{page.name}" in links, f"the README never links to docs/{page.name}"


def test_every_relative_link_in_the_readme_and_docs_resolves():
    for page in [README, *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to a missing {target}"


def test_the_readme_defines_the_tools_it_names():
    """Jargon is defined where the README first uses it, or left to docs/."""
    flat = " ".join(readme_text().split())
    assert "papermill, a tool that runs a notebook from the command line" in flat
    if "nbval" in flat:
        assert "nbval* (a pytest plugin" in flat
    for jargon in ["ulp", "oneDNN", "AVX-512", "VNNI", "op determinism"]:
        assert jargon not in flat, f"the README uses {jargon!r} without need; it belongs in docs/"


def test_the_readme_states_the_disk_space_of_a_setup():
    flat = " ".join(readme_text().split())
    assert re.search(r"`\.venv` takes (up to )?[\d.]+ GB", flat)
    assert re.search(r"`data/` [\d.]+ MB after `make run-all`", flat)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_docs_list_every_make_target_as_make_help_does():
    listed = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=REPOSITORY_ROOT, env=outside_make(),
                            capture_output=True, text=True, check=True)
    assert listed.stdout in (DOCS / "maintainers.md").read_text()


def test_the_readme_counts_the_lessons_tables_and_solutions_the_course_has():
    """The numbers the README writes out are the course's: the lessons `make run-all` runs, the tables it
    prints (the RMSE table, the ranking table, and one per other lesson with a results file), the solutions it checks."""
    text = " ".join(readme_text().split())
    tables = 2 + len(load_script("run_course").OWN_TABLE_LESSONS)
    lessons = re.search(r"run all (\w+) lessons", text)
    solutions = re.search(r"`Exercises: (\d+) solutions …`", text)
    assert lessons and number_in_words(lessons.group(1)) == len(LESSONS), "the README's lesson count"
    assert [number_in_words(word) for word in TABLE_WORDS.findall(text)] == [tables], "the README's table count"
    assert solutions and int(solutions.group(1)) == len(EXERCISES), "the README's count of worked solutions"


def test_the_readmes_lesson_08_figures_are_the_committed_runs():
    """The README's sentence on lesson 08's table quotes the committed notebook's table, row by row."""
    sentence = re.search(r"the self-attention model .*? scores NDCG@10 (\d\.\d{4}), most popular (\d\.\d{4}), "
                         r"and the same model with each history shuffled (\d\.\d{4})", " ".join(readme_text().split()))
    assert sentence, "the README no longer summarises lesson 08's table as this test reads it"
    table = dict(re.findall(r"^(\w+) +(\d\.\d{4})$", printed_text(REPOSITORY_ROOT / "notebooks" / "08_next_movie.ipynb"), re.M))
    assert [table["next_movie"], table["most_popular"], table["next_movie_shuffled"]] == list(sentence.groups())
