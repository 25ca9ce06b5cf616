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


def test_the_proxy_refuses_a_flood_of_posts_before_the_application(behind_nginx: dict[str, object]):
    """The shipped nginx file limits form posts per address: a script posting as fast as it is
    answered gets the proxy's own 429 page (with Retry-After) once past the burst, while pages
    (GET) from the same address still pass through to the application."""
    context = behind_nginx["context"]
    assert isinstance(context, ssl.SSLContext)
    https = http.client.HTTPSConnection("127.0.0.1", int(behind_nginx["tls_port"]), context=context, timeout=10)  # type: ignore[call-overload]
    statuses: list[int] = []
    refused_by_proxy: list[http.client.HTTPResponse] = []
    for _ in range(120):
        https.request(
            "POST", "/checks/new/concern", body="text=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = https.getresponse()
        body = response.read().decode()
        statuses.append(response.status)
        if 'name="continuum-refused-by" content="proxy"' in body:
            refused_by_proxy.append(response)
            assert "call 999" in body
    reached_the_application = [s for s in statuses if s != 429]
    assert len(reached_the_application) >= 50  # the burst passes (refused there by CSRF: no token)
    assert set(reached_the_application) == {403}
    assert refused_by_proxy and all(r.status == 429 for r in refused_by_proxy)
    assert refused_by_proxy[0].headers["Retry-After"] == "60"
    assert len(refused_by_proxy) == statuses.count(429)  # every 429 here is the proxy's, none the application's
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
