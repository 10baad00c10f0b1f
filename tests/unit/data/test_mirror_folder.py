"""The mirror tests read the archives where MOVIELENS_MIRROR says, as the download does."""

from __future__ import annotations

from cfcourse.paths import REPOSITORY_ROOT
from course_testing import mirror_folder


def test_a_set_mirror_folder_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVIELENS_MIRROR", str(tmp_path))
    assert mirror_folder() == tmp_path


def test_the_first_local_folder_among_several_sources_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVIELENS_MIRROR", f"http://127.0.0.1:9/ {tmp_path / 'absent'} file://{tmp_path}")
    assert mirror_folder() == tmp_path


def test_a_relative_mirror_is_read_from_the_repository(monkeypatch):
    monkeypatch.setenv("MOVIELENS_MIRROR", "notebooks")
    assert mirror_folder() == REPOSITORY_ROOT / "notebooks"


def test_without_a_usable_mirror_the_shared_folder_beside_the_repository_is_used(monkeypatch):
    monkeypatch.setenv("MOVIELENS_MIRROR", "https://files.grouplens.org/datasets/movielens")
    assert mirror_folder() == REPOSITORY_ROOT.parent / "shared" / "data" / "movielens"
    monkeypatch.delenv("MOVIELENS_MIRROR")
    assert mirror_folder() == REPOSITORY_ROOT.parent / "shared" / "data" / "movielens"
