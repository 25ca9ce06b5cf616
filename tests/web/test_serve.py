"""`continuum serve` migrates, collects static files and serves with waitress (not runserver)."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from pathlib import Path

import pytest

from continuum.web.serve import free_port, launch

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def test_serve_starts_a_production_server_with_static_files(tmp_path: Path):
    port = free_port()
    env = os.environ | {
        "CONTINUUM_DATA_DIR": str(tmp_path),
        "CONTINUUM_FRAMEWORKS_DIR": str(REPO / "tests" / "fixtures" / "frameworks"),
        "SECRET_KEY": "serve-test-only",
        "CONTINUUM_MATCH_MODE": "lexical",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    server = launch(port, env)  # returns once /healthz answers 200
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
    env = os.environ | {
        "CONTINUUM_DATA_DIR": str(tmp_path),
        "CONTINUUM_FRAMEWORKS_DIR": str(REPO / "tests" / "fixtures" / "frameworks"),
        "SECRET_KEY": "serve-test-only",
        "CONTINUUM_MATCH_MODE": "lexical",
        "CONTINUUM_WORKER": "false",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    server = launch(port, env)
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
