"""The last fault cases of the download: malformed archives, a full or read-only disk, leftovers of
killed runs, two runs at once, and SIGTERM. Each stops with one line and leaves the data folder as it was,
over the real local HTTP server where a network is involved."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from cfcourse.data import folder as data_folder
from cfcourse.data.download import DownloadError, fetch
from cfcourse.paths import REPOSITORY_ROOT
from download_testing import (
    SCRIPT,
    TOY_FILES,
    TOY_SPEC,
    assert_fails_cleanly,
    cli_environment,
    dead_process_id,
    fetch_quietly,
    tree,
    wait_for,
    zip_bytes,
)


# --- Archives that cannot be unpacked as they are --------------------------------------------


@pytest.mark.parametrize(("members", "named", "problem"), [
    ({"toy/sub": b"a file", "toy/sub/x.csv": b"under it"}, "toy/sub/x.csv", "lies under 'toy/sub', which the archive also holds as a file"),
    ({"toy/sub/x.csv": b"under it", "toy/sub": b"a file"}, "toy/sub", "is a file where other members of the archive lie in a folder of that name"),
])
def test_a_member_where_another_member_needs_a_folder_is_refused_before_writing(server, data_dir, members, named, problem):
    server.add("toy.zip", zip_bytes({**TOY_FILES, **members}))
    message = assert_fails_cleanly(TOY_SPEC, data_dir, problem, mirror=server.url)
    assert f"member {named!r}" in message and "nothing was extracted" in message


def test_a_member_name_too_long_for_the_file_system(server, data_dir):
    server.add("toy.zip", zip_bytes({**TOY_FILES, "toy/" + "x" * 300 + ".csv": b"long"}))
    assert_fails_cleanly(TOY_SPEC, data_dir, "has a name too long for file systems", mirror=server.url)


def test_an_archive_declaring_more_than_the_registry_cap_is_refused_before_writing(server, data_dir):
    server.add("toy.zip", zip_bytes({**TOY_FILES, "toy/zeros.bin": bytes(2_000_000)}))
    spec = replace(TOY_SPEC, max_unpacked_bytes=100_000)
    message = assert_fails_cleanly(spec, data_dir, "declares 2.0 MB of files, more than the 100.0 kB this dataset can hold", mirror=server.url)
    assert "nothing was extracted" in message


# --- A full disk, a read-only data folder -----------------------------------------------------


@pytest.fixture
def full_disk_for(monkeypatch):
    """Make the download's data files land on /dev/full, where every write fails with ENOSPC, as on a full disk."""
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")

    def fill(which: str) -> None:
        real_open = data_folder.open_new_file

        def open_on_full_disk(path: Path):
            is_download = path.name.endswith(".part")
            return open("/dev/full", "wb") if is_download == (which == "download") else real_open(path)

        monkeypatch.setattr(data_folder, "open_new_file", open_on_full_disk)

    return fill


@pytest.mark.parametrize("which", ["download", "extraction"])
def test_a_full_disk(server, data_dir, full_disk_for, which):
    full_disk_for(which)
    # Two sources: a full disk is no fault of the first one, so the second must not be tried.
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "the disk holding .* is full", mirror=f"{server.url} {server.url}")
    assert server.requests == ["/toy.zip"]
    assert "free some space" in message


def test_a_read_only_data_folder_where_raw_exists(server, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    if os.geteuid() == 0:
        # Root writes through any permission bits; sysfs refuses new files even to root.
        (data_dir / "raw").symlink_to("/sys/kernel")
    else:
        (data_dir / "raw").mkdir()
        (data_dir / "raw").chmod(0o555)
    before = sorted(os.listdir(data_dir / "raw"))
    try:
        with pytest.raises(DownloadError, match="cannot write in .* make it writable, or set CFCOURSE_DATA_DIR") as failure:
            fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    finally:
        if os.geteuid() != 0:
            (data_dir / "raw").chmod(0o755)
    assert "\n" not in str(failure.value)
    assert sorted(os.listdir(data_dir / "raw")) == before
    assert server.requests == []


# --- Leftovers of killed runs -----------------------------------------------------------------


def test_leftovers_of_dead_runs_are_swept_and_a_live_runs_are_kept(server, data_dir):
    raw = data_dir / "raw"
    dead = dead_process_id()
    dead_download = raw / f".download-toy-{dead}-abcd1234.part"
    dead_download.write_bytes(b"x" * 3000)
    dead_extract = raw / f".extract-ml-1m-{dead}-efgh5678"
    (dead_extract / "ml-1m").mkdir(parents=True)
    (dead_extract / "ml-1m" / "ratings.dat").write_bytes(b"y" * 2000)
    (dead_extract / "ml-1m" / "movies.dat").write_bytes(b"")
    (dead_extract / "ml-1m" / "users.dat").write_bytes(b"")
    unknown_old = raw / ".download-toy-olderformat.part"
    unknown_old.write_bytes(b"z")
    os.utime(unknown_old, (time.time() - 2 * 3600,) * 2)
    live_fresh = raw / f".download-other-{os.getpid()}-ijkl9012.part"
    live_fresh.write_bytes(b"w")
    live_old = raw / f".extract-other-{os.getppid()}-mnop3456"
    live_old.mkdir()
    os.utime(live_old, (time.time() - 2 * 3600,) * 2)

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    # The folder counts as the 3 files it holds, not as one.
    assert "Removed 5 temporary files left by an interrupted earlier run (5.0 kB)." in output
    assert not dead_download.exists() and not dead_extract.exists() and not unknown_old.exists()
    assert live_fresh.exists() and live_old.exists(), "a live process's files may still be in use"


def test_a_lock_left_by_a_killed_run_is_swept_whichever_dataset_is_fetched(server, data_dir):
    raw = data_dir / "raw"
    dead_lock = raw / ".fetch-ml-1m.lock"
    dead_lock.write_text(str(dead_process_id()))
    live_lock = raw / ".fetch-ml-100k.lock"
    live_lock.write_text(str(os.getppid()))  # pytest's parent: alive all along

    _, output = fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)

    assert not dead_lock.exists(), "a killed run's lock goes with its temporary files, not when its dataset is fetched again"
    assert live_lock.exists()
    assert "Removed 1 temporary file left by an interrupted earlier run" in output


# --- Two runs at once -------------------------------------------------------------------------


def test_a_second_run_while_one_holds_the_lock_says_so_in_one_line(server, data_dir):
    (data_dir / "raw" / ".fetch-toy.lock").write_text(str(os.getppid()))  # pytest's parent: alive all along
    message = assert_fails_cleanly(TOY_SPEC, data_dir, "another run", mirror=server.url)
    assert f"(process {os.getppid()}) is fetching toy into" in message and "let it finish" in message
    assert server.requests == []


def test_the_lock_file_is_an_ordinary_file_not_an_executable_one(server, data_dir):
    lock = data_dir / "raw" / ".fetch-toy.lock"
    modes: list[int] = []

    class LookAtTheLock(io.StringIO):
        """Output that notes the lock's mode when the fetch announces its source, while the lock is held."""

        def write(self, text):
            if text.startswith("Fetching"):
                modes.append(lock.stat().st_mode & 0o777)
            return super().write(text)

    fetch(TOY_SPEC, data_dir, mirror=server.url, progress=False, out=LookAtTheLock())

    assert len(modes) == 1 and modes[0] & 0o111 == 0 and modes[0] & 0o600 == 0o600, oct(modes[0])


def test_a_lock_left_by_a_killed_run_is_taken_over(server, data_dir):
    (data_dir / "raw" / ".fetch-toy.lock").write_text(str(dead_process_id()))
    fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)
    assert (data_dir / "raw" / "toy" / "ratings.csv").is_file()
    assert not (data_dir / "raw" / ".fetch-toy.lock").exists()


def test_concurrent_runs_into_one_fresh_data_folder_both_succeed_or_one_says_another_is_fetching(server, tmp_path):
    server.delay = 0.3  # both runs start before either finishes
    data_dir = tmp_path / "fresh" / "data"
    results: list[object] = []

    def one_run():
        try:
            results.append(fetch_quietly(TOY_SPEC, data_dir, mirror=server.url)[0])
        except DownloadError as error:
            results.append(error)

    runs = [threading.Thread(target=one_run) for _ in range(4)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)

    errors = [str(result) for result in results if isinstance(result, DownloadError)]
    assert len(results) == 4 and len(errors) < 4
    assert all("another run" in error and "\n" not in error for error in errors), errors
    assert sorted(path.name for path in (data_dir / "raw").iterdir()) == ["toy"]
    assert (data_dir / "raw" / "toy" / "ratings.csv").read_bytes() == TOY_FILES["toy/ratings.csv"]


# --- SIGTERM, like Ctrl-C ---------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM cannot be caught on Windows")
def test_sigterm_stops_the_command_line_cleanly(server, data_dir):
    server.trickle = (50, 0.1)
    server.add("ml-latest-small.zip", zip_bytes(TOY_FILES) * 10)
    before = tree(data_dir)
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--dataset", "ml-latest-small", "--data-dir", str(data_dir), "--mirror", server.url],
        cwd=REPOSITORY_ROOT, env=cli_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    wait_for(server.answered.is_set)
    wait_for(lambda: any(path.name.startswith(".download-") for path in (data_dir / "raw").iterdir()))
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 143
    assert stderr.splitlines() == ["terminated (SIGTERM): temporary files removed, the data folder is as it was"]
    assert tree(data_dir) == before
