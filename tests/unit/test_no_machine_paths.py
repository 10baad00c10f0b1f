"""No file the repository tracks names a path of one machine: a home folder, a temporary folder or the
workplace the course is built in (``course_testing.MACHINE_PATH``). Such a path works only where it was
written, and tells every reader about someone's machine; examples use a relative path or ``/path/to/...``."""

from __future__ import annotations

import json
import subprocess

import pytest

from cfcourse.paths import REPOSITORY_ROOT
from course_testing import MACHINE_PATH


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPOSITORY_ROOT, capture_output=True, check=True)
    return [name for name in listed.stdout.decode().split("\0") if name]


def readable_text(name: str) -> str | None:
    """The file's text, without a notebook's images (base64 can spell anything); ``None`` for a binary file."""
    path = REPOSITORY_ROOT / name
    if not path.is_file():  # deleted in the working tree, not yet in the index
        return None
    data = path.read_bytes()
    if b"\0" in data:
        return None
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        notebook = json.loads(text)
        for cell in notebook.get("cells", []):
            for output in cell.get("outputs", []):
                for kind in [kind for kind in output.get("data", {}) if kind.startswith("image/")]:
                    del output["data"][kind]
            cell.get("attachments", {}).clear()
        text = json.dumps(notebook, indent=1)
    return text


def machine_paths(text: str) -> list[str]:
    """Each line of ``text`` that names a machine path, with its number."""
    return [f"{number}: {line.strip()[:160]}" for number, line in enumerate(text.splitlines(), 1)
            if MACHINE_PATH.search(line)]


@pytest.mark.skipif(not (REPOSITORY_ROOT / ".git").exists(), reason="needs the git checkout")
def test_no_tracked_file_names_a_machine_path():
    found = {}
    for name in tracked_files():
        text = readable_text(name)
        if text is not None and (lines := machine_paths(text)):
            found[name] = lines
    assert found == {}, "machine paths in tracked files (use a relative path or /path/to/...):\n" + "\n".join(
        f"{name}:{line}" for name, lines in found.items() for line in lines)


def path(*folders: str) -> str:
    """An absolute path from its folders' names (written so, this file holds no machine path itself)."""
    return "/" + "/".join(folders)


@pytest.mark.parametrize("text", [f"MOVIELENS_MIRROR={path('work', 'shared', 'data', 'movielens')} make benchmark",
                                  f"see {path('home', 'ana', 'course')}", f"cache in {path('Users', 'ana', 'Library')}",
                                  f"wrote {path('tmp', 'run-1', 'out')}", f"macOS: {path('private', 'var', 'folders')}",
                                  "C:" + "\\" + "Users\\ana", '"C:' + '\\\\' + 'Users\\\\ana"', "C:" + "/" + "Users/ana",
                                  f"export HOME={path('root', '')}"])
def test_the_check_finds_each_kind_of_machine_path(text):
    assert machine_paths(text)


@pytest.mark.parametrize("text", ["MOVIELENS_MIRROR=/path/to/movielens make run-all", "../shared/data/movielens",
                                  "data/executed/<dataset>/", "~/.keras/keras.json", "tmp_path / 'm.keras'",
                                  "https://files.grouplens.org/datasets/movielens/ml-latest-small.zip",
                                  "homework/", "network/"])
def test_the_check_leaves_ordinary_paths_alone(text):
    assert machine_paths(text) == []
