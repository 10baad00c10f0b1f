"""What the download tests share: toy archives, a real HTTP server on 127.0.0.1 that can misbehave on
request, snapshots of a data folder, and the command line run as a learner runs it.

Its fixtures ``server`` and ``data_dir`` reach every test file through ``tests/conftest.py``.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from cfcourse.data import download
from cfcourse.data.datasets import DatasetSpec
from cfcourse.data.download import DownloadError, fetch
from cfcourse.paths import REPOSITORY_ROOT

SCRIPT = REPOSITORY_ROOT / "scripts" / "download_movielens.py"

TOY_FILES = {
    "toy/ratings.csv": b"userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,3.5,964981247\n2,1,5.0,964982224\n",
    "toy/movies.csv": b"movieId,title,genres\n1,Toy Story (1995),Animation\n3,Heat (1995),Crime\n",
}


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


TOY_SPEC = DatasetSpec(
    name="toy",
    description="Two small CSV files",
    format="csv",
    ratings_file="toy/ratings.csv",
    movies_file="toy/movies.csv",
    file_sha256={path: sha256(content) for path, content in TOY_FILES.items()},
    archive="toy.zip",
)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def tree(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` with a digest of its content ("dir" for folders): a snapshot to compare."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): "dir" if path.is_dir() else sha256(path.read_bytes())
        for path in sorted(folder.rglob("*"))
    }


# --- A real HTTP server ----------------------------------------------------------------------


class ArchiveServer:
    """Serves the files of ``folder`` over HTTP (HTTPS with ``tls``), and can fail, stall, trickle or hang up."""

    def __init__(self, folder: Path, tls: ssl.SSLContext | None = None):
        self.folder = folder
        self.requests: list[str] = []
        self.failures_left = 0  # answer HTTP 500 to this many requests first
        self.delay = 0.0  # seconds to stall before answering
        self.hang_up_halfway = False  # promise the whole file, send half of it
        self.trickle: tuple[int, float] | None = None  # send (bytes, every seconds) instead of all at once
        self.headers: dict[str, str] = {}  # sent with every file, as a misconfigured server might
        self.partial: tuple[int, int] | None = None  # answer 206 with only these bytes (first, last) of the file
        self.padding = 0  # send this many zero bytes after the file, as a server serving something else might
        self.announce_length = True  # send Content-Length (else the body ends when the connection closes)
        self.sent_bytes = 0  # bytes of body written to the socket, padding included
        self.released = threading.Event()  # ends every stall when the test is over
        self.answered = threading.Event()  # set once the first answer has started
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                if server.delay:
                    server.released.wait(server.delay)
                if server.failures_left > 0:
                    server.failures_left -= 1
                    self.send_error(500)
                    return
                file = server.folder / urllib.parse.urlsplit(self.path).path.lstrip("/")
                if not file.is_file():
                    self.send_error(404)
                    return
                content = file.read_bytes()
                if server.partial:
                    first, last = server.partial
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {first}-{last}/{len(content)}")
                    content = content[first : last + 1]
                else:
                    self.send_response(200)
                if server.announce_length:
                    self.send_header("Content-Length", str(len(content) + server.padding))
                for name, value in server.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                server.answered.set()
                if server.trickle:
                    self.send_slowly(content, *server.trickle)
                elif server.padding:
                    self.send_padded(content, server.padding)
                else:
                    self.wfile.write(content[: len(content) // 2] if server.hang_up_halfway else content)

            def send_padded(self, content: bytes, padding: int) -> None:
                """The file, then ``padding`` zero bytes a piece at a time, until the client stops reading."""
                self.wfile.write(content)
                server.sent_bytes += len(content)
                piece = bytes(1 << 16)
                for start in range(0, padding, len(piece)):
                    self.wfile.write(piece[: padding - start])
                    server.sent_bytes += min(len(piece), padding - start)

            def send_slowly(self, content: bytes, size: int, every: float) -> None:
                for start in range(0, len(content), size):
                    if server.released.wait(every):
                        return
                    self.wfile.write(content[start : start + size])
                    self.wfile.flush()

            def log_message(self, *args):
                pass

        class QuietServer(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that gave up on a stalled answer closes its socket: expected here

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def add(self, name: str, content: bytes) -> None:
        (self.folder / name).write_bytes(content)

    def start(self) -> ArchiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens, so connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def serve(folder: Path, tls: ssl.SSLContext | None = None) -> ArchiveServer:
    """A started server for ``folder``, holding the toy archive; call ``stop()`` when done."""
    folder.mkdir(parents=True, exist_ok=True)
    archive_server = ArchiveServer(folder, tls)
    archive_server.add("toy.zip", zip_bytes(TOY_FILES))
    return archive_server.start()


@pytest.fixture
def server(tmp_path):
    archive_server = serve(tmp_path / "served")
    yield archive_server
    archive_server.stop()


@pytest.fixture
def data_dir(tmp_path):
    """A data folder with something unrelated in it already, which no call may disturb."""
    folder = tmp_path / "data"
    (folder / "raw" / "other").mkdir(parents=True)
    (folder / "raw" / "other" / "keep.txt").write_text("not ours")
    return folder


def fetch_quietly(spec, data_dir, **kwargs) -> tuple[Path, str]:
    out = io.StringIO()
    options = {"timeout": 5.0, "retries": 0, "backoff": 0.01, "progress": False} | kwargs
    return fetch(spec, data_dir, out=out, **options), out.getvalue()


def assert_fails_cleanly(spec, data_dir, match: str, **kwargs) -> str:
    """Fetch, expect a one-line DownloadError matching ``match``, and check data_dir is untouched."""
    before = tree(data_dir)
    existed = data_dir.exists()
    with pytest.raises(DownloadError, match=match) as failure:
        fetch_quietly(spec, data_dir, **kwargs)
    assert tree(data_dir) == before
    assert data_dir.exists() == existed
    message = str(failure.value)
    assert message and "\n" not in message
    return message


# --- The command line, as a learner runs it --------------------------------------------------


def cli_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in (download.MIRROR_VARIABLE, "CFCOURSE_DATA_DIR")}


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        cwd=REPOSITORY_ROOT,
        env=cli_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_cli_fails_in_one_line(data_dir: Path, *arguments: str) -> str:
    before = tree(data_dir)
    result = run_cli("--data-dir", str(data_dir), *arguments)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) > len("error: ")
    assert tree(data_dir) == before
    return lines[0]


def dead_process_id() -> int:
    """The ID of a process that has already exited (and been reaped), as a killed run's would be."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def wait_for(condition, seconds: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail the test if it does not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)
