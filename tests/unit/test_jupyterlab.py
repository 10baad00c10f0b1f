"""JupyterLab as a learner uses it: the server `make lab` starts lists the lessons and runs a kernel
from the project's venv that imports Keras.

The server runs headless on a free port of 127.0.0.1 with a random token, and is driven over its
REST API and a kernel's websocket (websocket-client comes with jupyter-server, so the lock has it).
Every wait is bounded, so a server or kernel that hangs fails the test instead of stalling the run.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import websocket

from cfcourse.course import LESSONS
from cfcourse.paths import REPOSITORY_ROOT

LESSON_FILES = [f"{lesson}.ipynb" for lesson in LESSONS]
SERVER_START_SECONDS = 60
EXECUTE_SECONDS = 90


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    log: Path

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """Call the REST API with the token; returns the status and the decoded JSON (None if empty)."""
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            content = response.read()
            return response.status, json.loads(content) if content else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`jupyter lab` from the venv, as `make lab` starts it, until it answers /api/status."""
    home = tmp_path_factory.mktemp("jupyter")
    port, token = free_port(), secrets.token_hex(24)
    log = home / "server.log"
    environment = {
        **os.environ,
        # Runtime files, IPython history and Keras' config go to tmp; kernelspecs still resolve from the venv.
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "KERAS_HOME": str(home / "keras"),
    }
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--notebook-dir", "notebooks",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # Jupyter refuses to run as root otherwise (containers, CI)
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPOSITORY_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    started = Server(f"http://127.0.0.1:{port}", token, log)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {process.returncode}:\n{log_tail(log)}")
            try:
                if started.request("GET", "/api/status")[0] == 200:
                    break
            except OSError:  # not listening yet (URLError, refused, reset or timed out)
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer within {SERVER_START_SECONDS} s:\n{log_tail(log)}")
            time.sleep(0.5)
        yield started
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def test_lists_every_lesson(server):
    status, listing = server.request("GET", "/api/contents")
    assert status == 200
    notebooks = sorted(item["name"] for item in listing["content"] if item["type"] == "notebook")
    assert set(LESSON_FILES) <= set(notebooks)  # a learner's own notebooks may sit beside them


def test_lab_page_opens_with_the_token(server):
    """The URL Jupyter prints for the learner: /lab?token=..."""
    with urllib.request.urlopen(f"{server.url}/lab?token={server.token}", timeout=10) as response:
        assert response.status == 200
        assert "JupyterLab" in response.read().decode()


def test_python3_kernel_imports_keras_from_the_venv(server):
    """The lessons' kernelspec, python3, runs the venv's Python, which has Keras 3 and the course package."""
    status, kernel = server.request("POST", "/api/kernels", {"name": "python3"})
    assert status == 201
    try:
        code = "import sys, cfcourse, keras\nprint(keras.__version__)\nprint(sys.prefix)"
        outcome, output = execute(server, kernel["id"], code)
    finally:
        assert server.request("DELETE", f"/api/kernels/{kernel['id']}")[0] == 204
    assert outcome == "ok", output
    version, prefix = output.splitlines()
    assert version.startswith("3."), output
    assert Path(prefix) == Path(sys.prefix)


def execute(server: Server, kernel_id: str, code: str) -> tuple[str, str]:
    """Run ``code`` over the kernel's channels websocket; return the reply's status and the stdout it printed."""
    reply, stdout = execute_request(server, kernel_id, code)
    return reply["status"], stdout


def evaluate(server: Server, kernel_id: str, code: str, expression: str) -> str:
    """Run ``code``, then return ``expression``'s value as the kernel writes it. It comes in the reply itself,
    where printed lines travel on a channel that drops what a kernel prints before the websocket subscribes."""
    reply, _ = execute_request(server, kernel_id, code, {"value": expression})
    assert reply["status"] == "ok", reply
    value = reply["user_expressions"]["value"]
    assert value["status"] == "ok", value
    return value["data"]["text/plain"]


def execute_request(server: Server, kernel_id: str, code: str, expressions: dict | None = None) -> tuple[dict, str]:
    """Send one execute request over the kernel's channels websocket; return the reply's content and the stdout
    the code printed."""
    session, msg_id = uuid.uuid4().hex, uuid.uuid4().hex
    request = {
        "header": {
            "msg_id": msg_id,
            "session": session,
            "username": "learner",
            "msg_type": "execute_request",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": expressions or {},
                    "allow_stdin": False},
        "channel": "shell",
        "buffers": [],
    }
    address = f"ws://127.0.0.1:{server.url.rsplit(':', 1)[1]}/api/kernels/{kernel_id}/channels?session_id={session}"
    connection = websocket.create_connection(address, header=[f"Authorization: token {server.token}"], timeout=10)
    try:
        connection.send(json.dumps(request))
        stdout = []
        deadline = time.monotonic() + EXECUTE_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            connection.settimeout(left)
            try:
                message = json.loads(connection.recv())
            except websocket.WebSocketTimeoutException:
                break
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream" and message["content"]["name"] == "stdout":
                stdout.append(message["content"]["text"])
            elif message["msg_type"] == "execute_reply":
                return message["content"], "".join(stdout)
        pytest.fail(f"no execute_reply within {EXECUTE_SECONDS} s; stdout so far: {''.join(stdout)!r}\n{log_tail(server.log)}")
    finally:
        connection.close()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_binds_localhost_and_says_which_url_to_open():
    """`make -n` prints the lab recipe without running it (or the setup it depends on)."""
    recipe = subprocess.run(["make", "-n", "lab"], cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=True).stdout
    lines = recipe.splitlines()
    hint = next(line for line in lines if line.startswith("echo "))
    assert "open the http://127.0.0.1:8888/lab?token=... URL it prints" in hint
    lab = shlex.split(next(line for line in lines if " lab " in line and "jupyter" in line))
    assert lab[1:6] == ["lab", "--notebook-dir", "notebooks", "--no-browser", "--ServerApp.ip=127.0.0.1"]


@pytest.mark.parametrize("path, name, run", [
    ("02_dot_product.ipynb", "02_dot_product.ipynb", None),  # as JupyterLab opens the lesson: the course's run
    ("mine/02_dot_product.ipynb", "02_dot_product.ipynb", "mine"),  # the README's copy
    ("mine/02_dot_product.ipynb", None, "mine"),  # a client that sends no name: a path from the server's root
    ("02_dot_product-Copy1.ipynb", "02_dot_product-Copy1.ipynb", "02_dot_product-Copy1"),  # "Duplicate"
])
def test_a_notebooks_kernel_knows_whether_it_runs_the_lesson_or_a_copy(server, path, name, run):
    """Jupyter Server tells each notebook's kernel its notebook (JPY_SESSION_NAME); `lesson.start` reads it."""
    session = {"path": path, "type": "notebook", "kernel": {"name": "python3"}, **({"name": name} if name else {})}
    status, created = server.request("POST", "/api/sessions", session)
    assert status == 201
    try:
        chosen = evaluate(server, created["kernel"]["id"], "from cfcourse.runs import own_copy_run",
                          "own_copy_run('02_dot_product', globals())")
    finally:
        assert server.request("DELETE", f"/api/sessions/{created['id']}")[0] == 204
    assert chosen == repr(run)

