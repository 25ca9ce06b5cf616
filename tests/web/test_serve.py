"""`continuum serve` migrates, collects static files and serves with waitress (not runserver), or
with gunicorn's worker processes (``--workers``)."""

from __future__ import annotations

import os
import signal
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from continuum.web.serve import free_port, launch

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a throw-away ``continuum serve``: its own SQLite database and data, the
    test frameworks, matching by words (no model to load)."""
    env = os.environ | {
        "CONTINUUM_DATA_DIR": str(data_dir),
        "CONTINUUM_FRAMEWORKS_DIR": str(REPO / "tests" / "fixtures" / "frameworks"),
        "SECRET_KEY": "serve-test-only",
        "CONTINUUM_MATCH_MODE": "lexical",
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return env


def test_serve_starts_a_production_server_with_static_files(tmp_path: Path):
    port = free_port()
    server = launch(port, server_env(tmp_path))  # returns once /healthz answers 200
    try:
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            assert response.status == 200
        with urllib.request.urlopen(base + "/") as response:
            html = response.read().decode()
            assert response.headers["Server"] == "continuum"
        css = html.split('rel="stylesheet" href="')[1].split('"')[0]
        assert css.startswith("/static/dist/app.") and css.endswith(".css")  # hashed by the manifest
        with urllib.request.urlopen(base + css) as response:
            assert response.status == 200
            assert "max-age=315360000" in response.headers["Cache-Control"]
        assert (tmp_path / "continuum.sqlite3").exists()
        assert (tmp_path / "static" / "staticfiles.json").exists()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_server_that_cannot_start_says_why(tmp_path: Path):
    env = os.environ | {
        "CONTINUUM_DATA_DIR": str(tmp_path),
        "SECRET_KEY": "serve-test-only",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",  # nothing listens there
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with pytest.raises(RuntimeError, match=r"^the server stopped: ") as stopped:
        launch(free_port(), env, seconds=60)
    message = str(stopped.value)
    assert "cannot use the postgresql database at 127.0.0.1" in message and "Connection refused" in message
    assert "Check DATABASE_URL" in message
    assert "Traceback" not in message


def test_many_open_connections_do_not_keep_the_next_person_waiting(tmp_path: Path):
    """Browsers hold connections open between pages: with 150 of them open, a new person is still
    answered at once (waitress's default stopped accepting at 100 until one idled out, 120 s)."""
    port = free_port()
    server = launch(port, server_env(tmp_path, CONTINUUM_WORKER="false"))
    held: list[socket.socket] = []
    try:
        for _ in range(150):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.5)  # the server has accepted what it will
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/live", timeout=10) as response:
            assert response.status == 200
        assert time.monotonic() - started < 5
    finally:
        for connection in held:
            connection.close()
        server.terminate()
        server.wait(timeout=30)


def _children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux's /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def test_several_workers_serve_one_port_and_stop_together_on_sigterm(tmp_path: Path):
    port = free_port()
    server = launch(port, server_env(tmp_path, WEB_WORKERS="2", WEB_THREADS="2"))
    try:
        deadline = time.monotonic() + 120
        while len(children := _children(server.pid)) < 3:  # two server processes and the job worker, once
            assert time.monotonic() < deadline, children
            time.sleep(0.5)
        assert len(children) == 3
        base = f"http://127.0.0.1:{port}"
        for _ in range(20):  # spread over both processes by the kernel; every answer whole
            with urllib.request.urlopen(base + "/", timeout=10) as response:
                assert response.status == 200 and b"</html>" in response.read()
                assert response.headers["Server"] == "continuum"  # as waitress's: not the server's name and version
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        time.sleep(1)
        still_running = [pid for pid in children if Path(f"/proc/{pid}").exists()]
        assert still_running == []
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)


def test_a_malformed_server_setting_stops_start_up_with_a_clear_message(tmp_path: Path):
    with pytest.raises(RuntimeError, match=r"^the server stopped: ") as stopped:
        launch(free_port(), server_env(tmp_path, WEB_THREADS="eight", CONTINUUM_WORKER="false"), seconds=60)
    message = str(stopped.value)
    assert "WEB_THREADS must be a whole number of 1 or more (it is 'eight'); unset it for 8" in message
    assert "Traceback" not in message
