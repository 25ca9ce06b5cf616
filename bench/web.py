"""How fast are the journey's pages under concurrent load? SQLite and PostgreSQL side by side.

Starts ``continuum serve`` (waitress) on a free loopback port, once per database, and
drives complete practitioner journeys from concurrent virtual users: every page of the
journey, GET and POST, with the session cookie and CSRF token a browser would send.
Prints p50/p95/p99 latency per page and overall throughput, against a baseline measured
in the same run: ``/healthz`` (one query; the floor of server, framework and database).
Also the start-up: launch to ready (``/healthz`` is readiness), the first request and the
first concern after start-up (goal 3 s), beside the concern step's warm p95 (goal 1 s).
A bounded run for those alone: ``--users 2 --journeys 5 --healthz 50 --pdf 0 --only sqlite``.

Loopback only; every loop is bounded by a count and a time limit.

    .venv/bin/python bench/web.py [--users 6] [--journeys 6] [--framework ID] [--max-seconds 120]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--only sqlite|postgresql] [--text "..."]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

import throwaway
from throwaway import percentile

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHECKBOX = re.compile(r'name="selected" type="checkbox" value="([^"]+)"')
LEVEL = re.compile(r'name="level" type="radio" value="([^"]+)"')
CONCERN = "concern POST (matching)"


class Client:
    """One virtual practitioner: a keep-alive connection, a cookie jar and the CSRF token."""

    def __init__(self, port: int, record: Any):
        self.port, self.record = port, record
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, label: str, method: str, path: str, form: dict[str, Any] | None = None) -> tuple[int, str, str]:
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = dict(form, csrfmiddlewaretoken=self.token)
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.record(label, time.perf_counter() - started, 599)
            raise
        self.record(label, time.perf_counter() - started, response.status)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        text = data.decode("utf-8", "replace")
        found = CSRF.search(text)
        if found:
            self.token = found.group(1)
        return response.status, response.headers.get("Location", ""), text

    def close(self) -> None:
        self.conn.close()


def journey(client: Client, framework: dict[str, Any]) -> None:
    """One practitioner's journey, every page, as a browser without JavaScript would make it."""
    get, post = (lambda label, path: client.request(label, "GET", path)), client.request
    get("start", "/")
    get("partnership", "/checks/new/partnership")
    post("partnership POST", "POST", "/checks/new/partnership", {"partnership": framework["id"]})
    get("concern", "/checks/new/concern")
    _, location, _ = post(CONCERN, "POST", "/checks/new/concern", {"text": framework["text"]})
    if location.endswith("/suggestions"):
        _, _, html = get("suggestions", "/checks/new/suggestions")
        post("suggestions POST", "POST", "/checks/new/suggestions", {"selected": CHECKBOX.findall(html)[:2]})
    _, _, html = get("indicators (area)", f"/checks/new/indicators?domain={framework['domain']}")
    shown = CHECKBOX.findall(html)
    post(
        "indicators POST",
        "POST",
        f"/checks/new/indicators?domain={framework['domain']}",
        {"shown": shown, "selected": shown[:1], "action": "save"},
    )
    get("indicators (search)", "/checks/new/indicators?q=school")
    if framework["strengths"]:
        get("strengths", "/checks/new/strengths")
        post("strengths POST", "POST", "/checks/new/strengths", {"selected": []})
    get("child", "/checks/new/child")
    post("child POST", "POST", "/checks/new/child", {"age_years": "7", "facts": ["disabled"]})
    get("answers", "/checks/new/answers")
    status, location, _ = post("answers POST (assess, store)", "POST", "/checks/new/answers", {})
    if status != 302:
        return
    path = urllib.parse.urlsplit(location).path
    _, _, html = get("result (replay, audit)", path)
    post("judgement POST", "POST", path, {"level": LEVEL.findall(html)[0], "reason": "Known to the school for a year"})
    get("report", path + "report")


def pick_framework(framework_id: str | None) -> dict[str, Any]:
    from continuum.frameworks import default_registry

    registry = default_registry()
    loaded = registry.get(framework_id or registry.ids()[0])
    fw = loaded.framework
    text = (
        next((v.text for v in fw.vignettes if v.text), None) or "The child is often late for school and seems hungry."
    )
    return {
        "id": fw.id,
        "text": text,
        "domain": next(i.domain for i in fw.indicators if not i.protective),
        "strengths": any(i.protective for i in fw.indicators),
    }


def run_load(port: int, users: int, work: Any, deadline: float) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """``users`` threads each run ``work(client)`` until it returns False or the deadline passes."""
    latencies: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def record(label: str, seconds: float, status: int) -> None:
        with lock:
            latencies[label].append(seconds)
            if status >= 400:
                failures[label] += 1

    def user() -> None:
        client = Client(port, record)
        try:
            while time.monotonic() < deadline and work(client):
                pass
        finally:
            client.close()

    threads = [threading.Thread(target=user) for _ in range(users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, failures, time.perf_counter() - started


def bench_backend(
    name: str, database_url: str | None, args: argparse.Namespace, framework: dict[str, Any]
) -> dict[str, Any]:
    from continuum.web.serve import free_port, launch

    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = os.environ | {
            "CONTINUUM_DATA_DIR": data_dir,
            "SECRET_KEY": "bench-only",
            "WEB_THREADS": str(args.threads),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        launched = time.perf_counter()
        try:
            server = launch(port, env)  # returns once /healthz (readiness) answers 200
        except RuntimeError as exc:
            raise SystemExit(str(exc)) from None
        ready_s = time.perf_counter() - launched
        try:
            # The first journey after start-up, timed on its own: the server prepares matching
            # before it listens, so its first concern should cost what later ones do.
            first: dict[str, float] = {}
            warm = Client(port, lambda label, seconds, status: first.setdefault(label, seconds))
            journey(warm, framework)
            warm.close()
            deadline = time.monotonic() + args.max_seconds

            remaining = {"n": args.healthz}
            lock = threading.Lock()

            def healthz(client: Client) -> bool:
                with lock:
                    if remaining["n"] <= 0:
                        return False
                    remaining["n"] -= 1
                client.request("baseline: /healthz", "GET", "/healthz")
                return True

            base_lat, _, base_elapsed = run_load(port, args.users, healthz, deadline)

            left = {"n": args.users * args.journeys}

            def one_journey(client: Client) -> bool:
                with lock:
                    if left["n"] <= 0:
                        return False
                    left["n"] -= 1
                client.cookies.clear()
                journey(client, framework)
                return True

            lat, failures, elapsed = run_load(port, args.users, one_journey, deadline)
            pdf_lat: dict[str, list[float]] = {}
            if args.pdf:
                pdf_client = Client(port, lambda *a: None)
                path = _last_check_path(pdf_client, framework)
                pdf_client.close()
                pdf_lat, _, _ = run_load(port, 1, _pdf_work(path, args.pdf), deadline + 60)
        finally:
            server.terminate()
            server.wait(timeout=30)
    journeys = args.users * args.journeys - left["n"]
    requests = sum(len(v) for v in lat.values())
    return {
        "backend": name,
        "users": args.users,
        "threads": args.threads,
        "journeys": journeys,
        "requests": requests,
        "elapsed_s": elapsed,
        "requests_per_s": requests / elapsed if elapsed else 0.0,
        "journeys_per_s": journeys / elapsed if elapsed else 0.0,
        "failures": dict(failures),
        "pages": {label: _stats(values) for label, values in lat.items()},
        "baseline": _stats(base_lat["baseline: /healthz"])
        | {"requests_per_s": len(base_lat["baseline: /healthz"]) / base_elapsed},
        "pdf": {label: _stats(values) for label, values in pdf_lat.items()},
        "startup": {"ready_s": ready_s, **{f"first {label}": seconds * 1000 for label, seconds in first.items()}},
    }


def _last_check_path(client: Client, framework: dict[str, Any]) -> str:
    """Make one check and return its page's path (for the PDF measurement)."""
    client.request("x", "GET", "/checks/new/partnership")
    client.request("x", "POST", "/checks/new/partnership", {"partnership": framework["id"]})
    client.request("x", "GET", "/checks/new/child")
    client.request("x", "POST", "/checks/new/child", {"facts": ["disabled"]})
    client.request("x", "GET", "/checks/new/answers")
    _, location, _ = client.request("x", "POST", "/checks/new/answers", {})
    return urllib.parse.urlsplit(location).path


def _pdf_work(path: str, count: int) -> Any:
    left = {"n": count}

    def work(client: Client) -> bool:
        if left["n"] <= 0:
            return False
        left["n"] -= 1
        client.request("report.pdf (WeasyPrint)", "GET", path + "report.pdf")
        return True

    return work


def _stats(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms) if ms else 0.0,
    }


def print_table(results: list[dict[str, Any]]) -> None:
    names = [r["backend"] for r in results]
    labels = list(dict.fromkeys(label for r in results for label in r["pages"]))
    width = max(len(label) for label in [*labels, "baseline: /healthz", "report.pdf (WeasyPrint)"]) + 2
    header = f"{'page':<{width}}" + "".join(f"{n + ' p50/p95/p99 ms':>34}" for n in names)
    print(header)
    print("-" * len(header))

    def row(label: str, stats: list[dict[str, float] | None]) -> None:
        cells = "".join(
            f"{s['p50_ms']:>10.1f} {s['p95_ms']:>10.1f} {s['p99_ms']:>10.1f}  " if s else f"{'-':>34}" for s in stats
        )
        print(f"{label:<{width}}{cells}")

    row("baseline: /healthz", [r["baseline"] for r in results])
    for label in labels:
        row(label, [r["pages"].get(label) for r in results])
    for label in ("report.pdf (WeasyPrint)",):
        if any(r["pdf"].get(label) for r in results):
            row(label, [r["pdf"].get(label) for r in results])
    print()
    for r in results:
        concern = r["pages"].get(CONCERN)
        print(
            f"{r['backend']:<11} start to ready {r['startup']['ready_s']:.1f} s; first request after start-up"
            f" {r['startup'].get('first start', float('nan')):.0f} ms; first concern after start-up"
            f" {r['startup'].get('first ' + CONCERN, float('nan')):.0f} ms (goal 3000);"
            f" later concerns p95 {concern['p95_ms'] if concern else float('nan'):.0f} ms (goal 1000)"
        )
    print()
    for r in results:
        all_ms = [s for s in r["pages"].values()]
        n = sum(s["n"] for s in all_ms)
        print(
            f"{r['backend']:<11} {r['journeys']} journeys, {n} requests in {r['elapsed_s']:.1f} s from {r['users']} users "
            f"({r['threads']} server threads): {r['requests_per_s']:.1f} requests/s, {r['journeys_per_s']:.2f} journeys/s; "
            f"baseline /healthz {r['baseline']['requests_per_s']:.0f} requests/s; failures: {r['failures'] or 'none'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=6, help="concurrent virtual practitioners")
    parser.add_argument("--journeys", type=int, default=6, help="journeys per user")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--healthz", type=int, default=600, help="baseline requests")
    parser.add_argument("--pdf", type=int, default=5, help="PDF reports to time (one at a time)")
    parser.add_argument("--framework", help="framework id (default: the first)")
    parser.add_argument("--text", help="the concern typed (default: the framework's first vignette in words)")
    parser.add_argument("--max-seconds", type=float, default=180, help="stop each backend's load after this long")
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="admin URL of the local PostgreSQL server",
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "web.json")
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.postgres).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("bench/web.py only runs against loopback")

    framework = pick_framework(args.framework)
    if args.text:
        framework["text"] = args.text
    print(f"framework {framework['id']}; {args.users} users x {args.journeys} journeys per database\n", flush=True)
    results = []
    if args.only in (None, "sqlite"):
        results.append(bench_backend("SQLite", None, args, framework))
    if args.only in (None, "postgresql"):
        name = f"continuum_bench_{os.getpid()}"
        url = throwaway.create_database(args.postgres, name)
        try:
            results.append(bench_backend("PostgreSQL", url, args, framework))
        finally:
            throwaway.drop_database(args.postgres, name)
    print_table(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"framework": framework["id"], "results": results}, indent=2))
    print(f"\nwritten {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


if __name__ == "__main__":
    main()
