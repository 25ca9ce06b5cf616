"""Production behind a TLS-terminating proxy (issue 19 item 1): Debian's nginx on loopback with a
self-signed certificate made here, in front of ``continuum serve`` with the production settings.

Also: SIGTERM lets the requests in flight finish (``run_until_terminated``).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from continuum.web import nginx as nginx_run
from continuum.web.serve import free_port
from tests.conftest import missing_part

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _get(
    conn: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response


@pytest.fixture(params=[1, 2], ids=["one process (waitress)", "two processes (gunicorn)"])
def behind_nginx(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """``continuum serve`` (production settings) behind nginx, in one server process or two;
    yields the ports, the TLS context and the env."""
    if nginx_run.executable() is None:
        missing_part("Debian's nginx is not installed (scripts/system-deps installs it)")
    cert, key = nginx_run.certificate(tmp_path)
    tls_port, app_port = free_port(), free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "continuum.web.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'continuum.sqlite3'}",
        "CONTINUUM_WORKER": "false",
        "CONTINUUM_DATA_DIR": str(tmp_path),
        "CONTINUUM_FRAMEWORKS_DIR": str(REPO / "tests" / "fixtures" / "frameworks"),
        "CONTINUUM_MATCH_MODE": "lexical",
        "WEB_WORKERS": str(request.param),
    }
    site = nginx_run.shipped_site(tls_port, app_port, cert, key)
    nginx = nginx_run.start(nginx_run.main_conf(tmp_path, site), tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-m", "continuum", "serve", "--port", str(app_port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    context = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert nginx.poll() is None, nginx.stderr.read().decode() if nginx.stderr else ""
            try:
                conn = http.client.HTTPSConnection("127.0.0.1", tls_port, context=context, timeout=5)
                if _get(conn, "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server behind nginx did not become ready"
            time.sleep(0.5)
        yield {"tls_port": tls_port, "app_port": app_port, "context": context, "env": env}
    finally:
        server.send_signal(signal.SIGTERM)
        nginx.send_signal(signal.SIGQUIT)
        server.wait(timeout=60)
        nginx.wait(timeout=30)


def test_production_behind_a_tls_proxy(behind_nginx: dict[str, object]):
    tls_port, app_port = int(behind_nginx["tls_port"]), int(behind_nginx["app_port"])  # type: ignore[call-overload]
    context = behind_nginx["context"]
    assert isinstance(context, ssl.SSLContext)
    https = http.client.HTTPSConnection("127.0.0.1", tls_port, context=context, timeout=10)

    # Readiness over https: 200 straight away (no redirect to https, so no loop), with HSTS.
    health = _get(https, "/healthz")
    assert health.status == 200
    assert "max-age=31536000" in (health.headers["Strict-Transport-Security"] or "")

    # Sign in: a person made with `continuum users create` (never a demo account in production).
    password = secrets.token_urlsafe(16)
    env = dict(behind_nginx["env"]) | {"CONTINUUM_USER_PASSWORD": password}  # type: ignore[call-overload]
    made = subprocess.run(
        [sys.executable, "-m", "continuum", "users", "create", "proxy-tester"], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    https.request("GET", "/accounts/sign-in")
    page = https.getresponse()
    html = page.read().decode()
    assert page.status == 200
    cookies = {c.split("=", 1)[0]: c.split(";", 1)[0] for c in page.headers.get_all("Set-Cookie") or []}
    assert "Secure" in (page.headers["Set-Cookie"] or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token and "csrftoken" in cookies
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "proxy-tester", "password": password, "next": "/"}
    )
    https.request(
        "POST",
        "/accounts/sign-in",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookies["csrftoken"],
            "Origin": f"https://127.0.0.1:{tls_port}",
            "Referer": f"https://127.0.0.1:{tls_port}/accounts/sign-in",
        },
    )
    signed_in = https.getresponse()
    signed_in.read()
    assert signed_in.status == 302, signed_in.status  # not 403 (CSRF) and not the form again (200)
    assert "sign-in" not in (signed_in.headers["Location"] or "")
    assert any(c.startswith("sessionid=") for c in signed_in.headers.get_all("Set-Cookie") or [])

    # Plain http to the application's port, without the proxy's header: sent to https.
    direct = _get(http.client.HTTPConnection("127.0.0.1", app_port, timeout=10), "/healthz")
    assert direct.status == 301
    assert direct.headers["Location"] == f"https://127.0.0.1:{app_port}/healthz"


def _post(
    tls_port: int, context: ssl.SSLContext, https: http.client.HTTPSConnection | None = None
) -> tuple[int, str, str]:
    """A form post with no CSRF token to the concern step, on ``https`` or a connection of its own
    (closed after): (status, body, Retry-After)."""
    conn = https or http.client.HTTPSConnection("127.0.0.1", tls_port, context=context, timeout=30)
    try:
        conn.request(
            "POST", "/checks/new/concern", body="text=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = conn.getresponse()
        return response.status, response.read().decode(), response.headers.get("Retry-After", "")
    finally:
        if https is None:
            conn.close()


def test_the_proxy_slows_a_flood_of_posts_and_refuses_what_is_left_before_the_application(
    behind_nginx: dict[str, object],
) -> None:
    """The shipped nginx file limits form posts per address (ADR 0021): a script posting as fast as
    it is answered gets 20 at once, then waits in nginx at five a second (costing no server CPU: a
    flood's clients are slowed, not answered faster); past 50 beyond the rate, the proxy's own 429 page
    (with Retry-After). Pages (GET) from the same address still pass through at once."""
    context = behind_nginx["context"]
    assert isinstance(context, ssl.SSLContext)
    tls_port = int(behind_nginx["tls_port"])  # type: ignore[call-overload]
    https = http.client.HTTPSConnection("127.0.0.1", tls_port, context=context, timeout=30)
    started = time.monotonic()
    one_after_another = [_post(tls_port, context, https)[0] for _ in range(32)]
    slowed_for = time.monotonic() - started
    assert set(one_after_another) == {403}  # all reach the application (refused there by CSRF: no token)
    assert slowed_for >= 1.0  # about 10 past the 20 at once, at five a second

    with ThreadPoolExecutor(40) as pool:  # 40 at once, the excess already near 20: past the 50 that may wait
        at_once = list(pool.map(lambda _: _post(tls_port, context), range(40)))
    refused_by_proxy = [
        (status, retry) for status, body, retry in at_once if 'name="continuum-refused-by" content="proxy"' in body
    ]
    assert refused_by_proxy and all(status == 429 and retry == "60" for status, retry in refused_by_proxy)
    assert all("call 999" in body for status, body, _ in at_once if status == 429)
    assert [status for status, _, _ in at_once].count(429) == len(refused_by_proxy)  # none the application's
    assert {status for status, _, _ in at_once if status != 429} == {403}  # the rest waited, then passed
    assert _get(https, "/healthz").status == 200  # pages from the same address are not counted


SLOW_APP = """
import sys, time
from waitress import create_server
from continuum.web.serve import run_until_terminated

def app(environ, start_response):
    time.sleep(float(environ["QUERY_STRING"] or 0))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"finished"]

server = create_server(app, host="127.0.0.1", port=int(sys.argv[1]), threads=2)
print("listening", flush=True)
run_until_terminated(server, grace=10)
"""


def test_sigterm_finishes_requests_in_flight():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SLOW_APP, str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout and server.stdout.readline().strip() == "listening"
        answers: list[tuple[int, bytes]] = []

        def ask() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            conn.request("GET", "/?2")
            response = conn.getresponse()
            answers.append((response.status, response.read()))

        asking = threading.Thread(target=ask)
        asking.start()
        time.sleep(0.5)  # the request is now in the application
        server.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises(OSError):  # no new connections once stopping
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        asking.join(timeout=20)
        assert answers == [(200, b"finished")]
        assert server.wait(timeout=20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
