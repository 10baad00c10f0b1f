"""What several test files share: where things are, and running lessons through a real Jupyter kernel."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from cfcourse.course import LESSONS, LIST_MODELS, MODELS
from cfcourse.headless import execute_lesson
from cfcourse.paths import REPOSITORY_ROOT
from cfcourse.data.sources import mirror_settings
from cfcourse.data.synthetic import synthetic_ratings

RUN_COURSE = REPOSITORY_ROOT / "scripts" / "run_course.py"


def mirror_folder() -> Path:
    """The folder of real MovieLens archives the mirror tests read: the first local folder that
    ``MOVIELENS_MIRROR`` names (relative to the repository, as CI sets it), else the course
    machines' ``../shared/data/movielens``. Tests skip only when it does not exist."""
    for source in mirror_settings(os.environ.get("MOVIELENS_MIRROR")):
        folder = Path(source.removeprefix("file://"))
        folder = folder if folder.is_absolute() else REPOSITORY_ROOT / folder
        if folder.is_dir():
            return folder
    return REPOSITORY_ROOT.parent / "shared" / "data" / "movielens"


#: The start of a path that exists on one machine only: a home folder (Linux, macOS, Windows), a temporary
#: folder, or the workplace the course is built in. Made from the folders' names, so that this file, which
#: must pass the check it defines, does not name such a path itself.
MACHINE_PATH = re.compile("|".join(
    [re.escape(f"/{folder}/") for folder in ("root", "home", "Users", "tmp", "var/tmp", "var/folders", "private/var",
                                             "work")]
    + [r"\b[A-Za-z]:(?:\\{1,2}|/)Users\b"]))


#: The real MovieLens archives (see :func:`mirror_folder`).
MIRROR_FOLDER = mirror_folder()


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` (``name`` may be ``maintainers/benchmark``) as a module, to test its functions
    (scripts/ is not a package)."""
    path = REPOSITORY_ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{path.stem}_script", path)
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs: a dataclass looks its own module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def outside_make() -> dict:
    """The environment without what an enclosing `make test` passes down (its flags and level), so a
    `make` the test runs prints what it would print from a shell."""
    return {name: value for name, value in os.environ.items() if name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


def run_course(*arguments: str) -> subprocess.CompletedProcess:
    """``scripts/run_course.py`` with ``arguments``, as ``make run-all`` runs it."""
    return subprocess.run([sys.executable, str(RUN_COURSE), *arguments], cwd=REPOSITORY_ROOT,
                          capture_output=True, text=True, timeout=600)


def run_lesson(name: str, output_dir: Path, **parameters) -> Path:
    """Execute one lesson with papermill into ``output_dir``, as ``make run-all`` does; return the executed
    copy. Raises PapermillExecutionError if it fails."""
    output = output_dir / f"{name}.ipynb"
    execute_lesson(name, output, parameters)
    return output


def most_rated_synthetic_title() -> str:
    """A title lesson 05 can query on the synthetic dataset."""
    ratings, movies = synthetic_ratings()
    most_rated = ratings.movieId.value_counts().index[0]
    return movies.loc[movies.movieId == most_rated, "title"].iloc[0]


def outputs_of(notebook: Path) -> list[dict]:
    """Every output of every code cell of a notebook file."""
    cells = json.loads(notebook.read_text())["cells"]
    return [output for cell in cells if cell["cell_type"] == "code" for output in cell.get("outputs", [])]


def printed_text(notebook: Path) -> str:
    """Everything a notebook's code cells printed or displayed as text."""
    return "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for o in outputs_of(notebook))


def readme_section(text: str, heading: str) -> str:
    """The text of the README's ``## heading`` section, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no '## {heading}' section"
    return match.group(1)


def sh_commands(section: str) -> list[str]:
    """Each command of the section's fenced ``sh`` blocks (indented blocks too, as in a list item),
    with backslash continuations joined; blank and comment-only lines dropped."""
    commands = []
    for indent, block in re.findall(r"^([ \t]*)```sh\n(.*?)^\1```", section, re.M | re.S):
        lines = [line[len(indent):] if line.startswith(indent) else line for line in block.splitlines()]
        for command in re.sub(r"\\\n\s*", " ", "\n".join(lines)).splitlines():
            if command.strip() and not command.lstrip().startswith("#"):
                commands.append(command.strip())
    return commands


# The README's description of what `make run-all` prints ("What you will see"), read as a list of pieces.

README = REPOSITORY_ROOT / "README.md"
#: The README's words for the printed lines that have no fixed text of their own.
COMMAND_WORDS, LESSON_WORDS = "the command it runs", "one line per lesson"
#: The README's words for the tables, with how many: each table has one dashed rule under its heading.
TABLE_WORDS = re.compile(r"the (\w+) tables above")
#: Numbers as the README writes them in words.
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
#: What the command line make echoes starts with.
RUNNER_COMMAND = ".venv/bin/python scripts/run_course.py "
#: The first word of each row of the RMSE and ranking tables: the models and the baselines.
TABLE_ROWS = ("random", "most_popular", *MODELS, *LIST_MODELS)
#: A row of a lesson's own results table: a model's name (an earlier lesson's marked so), then figures or "-".
RESULTS_ROW = re.compile(r"[a-z0-9_]+(?: \(lesson \d+\))?(?: +(?:\d+\.\d+|-))+")


def output_description() -> str:
    """The README's "What you will see" up to "Nothing else", its whitespace made single spaces."""
    section = " ".join(readme_section(README.read_text(), "What you will see").split())
    assert "Nothing else" in section, "the README's 'What you will see' does not end its description with 'Nothing else'"
    return section.split("Nothing else", 1)[0]


def run_all_description() -> str:
    """What the README says `make run-all` prints (up to what `make experiment` adds)."""
    return output_description().split("`make experiment`", 1)[0]


def span_pattern(span: str) -> re.Pattern:
    """A code span of the description as the pattern of a whole line: ``…`` and ``<name>`` stand for any text."""
    return re.compile("".join(".+" if part == "…" or re.fullmatch(r"<\w+>", part) else re.escape(part)
                              for part in re.split(r"(…|<\w+>)", span)))


def number_in_words(word: str) -> int:
    assert word in NUMBER_WORDS, f"the README writes {word!r} where a number in words belongs"
    return NUMBER_WORDS.index(word)


def described_pieces(description: str) -> list[tuple[str, re.Pattern | int | None]]:
    """What ``description`` names, in its order: ``("command" | "lessons", None)`` for its words,
    ``("tables", how many)`` for its tables, ``("line", pattern)`` for each code span with ``…`` or ``<name>``."""
    found = [(description.index(words), kind, None) for kind, words in
             [("command", COMMAND_WORDS), ("lessons", LESSON_WORDS)] if words in description]
    found += [(match.start(), "tables", number_in_words(match.group(1)))
              for match in TABLE_WORDS.finditer(description)]
    found += [(match.start(), "line", span_pattern(match.group(1)))
              for match in re.finditer(r"`([^`]*(?:…|<\w+>)[^`]*)`", description)]
    return [(kind, pattern) for _, kind, pattern in sorted(found, key=lambda piece: piece[0])]


def is_table_line(line: str) -> bool:
    return (line.startswith(("model ", "Top-10 lists for ")) or set(line) == {"-"}
            or line.split(" ", 1)[0] in TABLE_ROWS or bool(RESULTS_ROW.fullmatch(line)))


def read_as_described(lines: list[str], pieces: list[tuple[str, re.Pattern | int | None]]) -> list[str]:
    """Read the printed (non-blank) ``lines`` piece by piece; return the lines from the first that does not fit,
    or those left over (empty when the description fits every line)."""
    lines = list(lines)
    for index, (kind, detail) in enumerate(pieces):
        if kind == "command":
            if not lines or not lines[0].startswith(RUNNER_COMMAND):
                return lines or [f"(no line for {COMMAND_WORDS!r})"]
            lines.pop(0)
        elif kind == "line":
            if not lines or not detail.fullmatch(lines[0]):
                return lines or [f"(no line like {detail.pattern!r})"]
            lines.pop(0)
        elif kind == "lessons":
            for lesson in LESSONS:
                if not lines or not re.fullmatch(rf"{lesson} +\d+\.\d s", lines[0]):
                    return lines or [f"(no line for lesson {lesson})"]
                lines.pop(0)
        else:
            following = pieces[index + 1][1] if index + 1 < len(pieces) and pieces[index + 1][0] == "line" else None
            table = []
            while lines and not (following is not None and following.fullmatch(lines[0])):
                table.append(lines.pop(0))
            if sum(set(line) == {"-"} for line in table) != detail or not all(map(is_table_line, table)):
                return table + lines
    return lines
