"""The database lost and back during a load run: clear errors while it is gone, recovery without a restart.

The test starts a PostgreSQL cluster of its own (initdb, its own port and directory: never the shared
server), serves Continuum against it (``continuum serve``, the production server), and drives
concurrent requests: API writes (each stores a check and its audit event), a page, readiness and
liveness. Mid-run the cluster stops with ``pg_ctl stop -m immediate`` (as on a crash). While it is
down every answer must be a clear error: a GOV.UK error page or the API's JSON error, never a
traceback, and readiness must say not ready while liveness stays up. Then the cluster starts again:
the same server process must serve writes again, the audit's hash chain must verify, and every
stored check must have its audit event (nothing half-written).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from continuum.web.serve import free_port
from tests.drills.postgres import REPO, connect, continuum, django_env, own_cluster, with_database

pytestmark = pytest.mark.slow

TINY = REPO / "tests" / "fixtures" / "frameworks"
CLIENTS = 6


@dataclass(frozen=True)
class Answer:
    phase: str
    what: str
    status: int  # 0: no HTTP answer at all
    body: str
    content_type: str


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the page (with its CSRF token) as a practitioner; the session cookie."""
    import requests

    browser = requests.Session()
    page = browser.get(base + "/accounts/sign-in", timeout=30)
    token = page.text.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    answer = browser.post(
        base + "/accounts/sign-in",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password, "next": ""},
        headers={"Referer": base + "/accounts/sign-in"},
        timeout=30,
    )
    assert answer.status_code == 200 and "Signed in as" in answer.text, answer.text[:2000]
    return f"sessionid={browser.cookies['sessionid']}"


def request(base: str, what: str, token: str, session: str = "") -> tuple[int, str, str]:
    if what == "write":
        body = json.dumps({"framework": "tiny", "indicators": ["edu-l2-1"]}).encode()
        req = urllib.request.Request(
            base + "/api/v1/checks",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
    elif what == "page":  # a signed-in person's page: the session and the page's records are in the database
        req = urllib.request.Request(base + "/referrals/", headers={"Cookie": session})
    else:
        req = urllib.request.Request(base + {"ready": "/healthz/ready", "live": "/healthz/live"}[what])
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read().decode(errors="replace"), response.headers["Content-Type"] or ""
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), error.headers["Content-Type"] or ""
    except OSError as error:
        return 0, repr(error), ""


class Load:
    """Clients sending a mix of requests until told to stop; every answer kept with the phase it was sent in."""

    def __init__(self, base: str, token: str, session: str):
        self.base, self.token, self.session = base, token, session
        self.phase = "before"
        self.answers: list[Answer] = []
        self.created: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(CLIENTS)]

    def _client(self, n: int) -> None:
        mix = ["write", "write", "page", "ready", "write", "live"]
        i = n
        while not self._stop.is_set():
            what = mix[i % len(mix)]
            i += 1
            phase = self.phase
            status, body, content_type = request(self.base, what, self.token, self.session)
            if self.phase != phase:  # sent before a change and answered after it: in neither phase
                phase = "between"
            with self._lock:
                self.answers.append(Answer(phase, what, status, body, content_type))
                if what == "write" and status == 201:
                    self.created.append(json.loads(body)["id"])
            time.sleep(0.02)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def of(self, phase: str, what: str | None = None) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if a.phase == phase and (what is None or a.what == what)]


def serve(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``continuum serve`` (it migrates first), once readiness answers 200; its output goes to ``log``.

    Not :func:`continuum.web.serve.launch`: that keeps the server's error output in a pipe nobody
    reads while it runs, and the errors of a database outage would fill it and stall the server.
    """
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "continuum", "serve", "--port", str(port)], env=env, stdout=output, stderr=output
        )
    ready = wait_for(
        lambda: request(f"http://127.0.0.1:{port}", "ready", "")[0] == 200 or server.poll() is not None, 300
    )
    if not ready or server.poll() is not None:
        server.kill()
        pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")
    return server


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_the_service_answers_clearly_without_its_database_and_recovers_without_a_restart():
    directory = Path(tempfile.mkdtemp(prefix="continuum-drill-"))
    with own_cluster(Path(tempfile.mkdtemp(prefix="continuum-drill-pg-")), free_port()) as cluster:
        with connect(cluster.url) as admin:
            admin.execute("CREATE DATABASE continuum")
        database = with_database(cluster.url, "continuum")
        # The test settings (production's, but static files served from the source tree): collecting and
        # hashing them for production takes minutes on two busy cores, and tests/web/test_serve.py covers it.
        env = django_env(
            database,
            CONTINUUM_DATA_DIR=str(directory / "data"),
            CONTINUUM_FRAMEWORKS_DIR=str(TINY),
            DJANGO_SETTINGS_MODULE="continuum.web.settings.test",
            DEBUG="false",
        )
        port = free_port()
        server = serve(port, env, directory / "server.log")
        try:
            made = continuum(
                "users", "create", "drill", "--membership", "tiny:practitioner", "--password", "drill-only-pw", env=env
            )
            assert made.returncode == 0, made.stderr
            issued = continuum(
                "users", "token", "create", "drill", "--membership", "tiny:practitioner", "--json", env=env
            )
            assert issued.returncode == 0, issued.stderr
            token = json.loads(issued.stdout)["token"]
            base = f"http://127.0.0.1:{port}"

            session = sign_in(base, "drill", "drill-only-pw")
            with Load(base, token, session) as load:
                assert wait_for(lambda: len(load.of("before", "write")) >= 10, 60), "no load before the stop"
                load.phase = "stopping"
                cluster.stop("immediate")
                load.phase = "down"
                time.sleep(2)
                assert wait_for(lambda: len(load.of("down", "write")) >= 10 and len(load.of("down", "ready")) >= 3, 60)
                load.phase = "starting"
                cluster.start()
                load.phase = "back"
                recovered = wait_for(
                    lambda: (
                        any(a.status == 201 for a in load.of("back", "write"))
                        and any(a.status == 200 for a in load.of("back", "ready"))
                    ),
                    60,
                )
                time.sleep(1)
            assert server.poll() is None, "the server process stopped"

            before, down, back = load.of("before"), load.of("down"), load.of("back")
            assert {a.status for a in before} <= {200, 201}, Counter((a.what, a.status) for a in before)
            # While the database is gone: answers, all clear errors, none a traceback.
            assert all(a.status != 0 for a in down), [a.body for a in down if a.status == 0][:3]
            assert not [a for a in down if "Traceback" in a.body or 'File "' in a.body]
            assert {a.status for a in down if a.what == "write"} <= {503}, Counter(a.status for a in down)
            assert all("application/json" in a.content_type for a in down if a.what == "write")
            assert {a.status for a in down if a.what == "ready"} == {503}, "readiness must say not ready"
            assert {a.status for a in down if a.what == "live"} <= {200}, "liveness stays up (no restart needed)"
            pages = [a for a in down if a.what == "page"]
            assert pages and {a.status for a in pages} == {503}, Counter(a.status for a in pages)
            assert all("Sorry, the service is unavailable" in a.body and "govuk-" in a.body for a in pages)
            # Back: the same process serves again.
            assert recovered, Counter((a.what, a.status) for a in back)

            verified = continuum("audit", "verify", "--json", env=env)
            assert verified.returncode == 0, verified.stdout + verified.stderr
            assert json.loads(verified.stdout)["ok"] is True
            with connect(database) as conn:
                stored = {row[0] for row in conn.execute("SELECT public_id FROM checks_check").fetchall()}
                audited = Counter(
                    row[0]
                    for row in conn.execute(
                        "SELECT target_id FROM audit_auditevent WHERE verb = 'checks.recorded'"
                    ).fetchall()
                )
            assert set(load.created) <= stored, "a check reported stored is missing"
            assert {c: audited[c] for c in stored if audited[c] != 1} == {}, "a check without exactly one audit event"
            assert set(audited) <= stored, "an audit event for a check that was never stored"
        finally:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                raise
