"""Fair under load (issue 19 item 2, ADR 0021): a realistic mix against ``continuum serve``, then
the same mix while ten clients flood the concern step with the longest concerns allowed.

Starts ``continuum serve`` (waitress) on a free loopback port with a throw-away data directory
(SQLite, or ``--database-url``), makes the demo accounts, signs a front-door worker in (password
and authenticator code), and gives each virtual user a session with a check in progress and a
stored check. Then ``--warmup`` seconds of the mix, not measured (a fresh server's first seconds
fill its caches and would flatter the flood), and two phases of ``--duration`` seconds each:

1. **normal**: ``--clients`` virtual users, together paced at ``--rate`` requests a second
   (open loop: a slow answer does not slow the arrivals), each request drawn from the mix:
   start page, concern step (a POST, matching by meaning), result page (a stored check,
   replayed and its view audited), ``/healthz`` (readiness), the front door's queue (signed
   in), and the **baseline**: ``/healthz/live``, a bare Django view through the same
   middleware, answered in the same run under the same load;
2. **flood**: the same, plus ``--flood`` clients each posting a concern of the longest length
   allowed (``CONCERN_MAX_CHARS``) as fast as they are answered.

Prints p50/p95/p99 per page, throughput and errors for each phase side by side, and the
ratio of each page's p95 under the flood to its normal p95 (the goal: within 2x).

Why a small asyncio client rather than locust: the figures wanted are exact per-page
percentiles of two phases and a baseline from one run, and an open-loop arrival rate; locust
would bring gevent's monkey-patching, its own process model and report format for a load
that one event loop generates. The client runs in this process, the flood in a second (as an
attacker's would, not in the measuring client's event loop), the server in others: on a machine
of two cores they all share the CPU, which the printed figures include.

The sessions are set up with httpx (sign-in, a stored check: not measured); the measured
requests and the flood are sent with aiohttp (``--client aiohttp``, the default), which costs
the machine about a fifteenth of httpx's CPU a request (0.24 against 3.5-3.8 ms, measured
against nginx's static file on loopback, 50 at a time): on two shared cores the client's CPU is
taken from the server it measures. ``--client httpx`` measures as before, to compare.

    .venv/bin/python bench/load.py                      # 60 s per phase, 50 clients, 200 req/s
    .venv/bin/python bench/load.py --duration 600       # the issue's 10 minutes
    .venv/bin/python bench/load.py --duration 20 --clients 10 --rate 50 --flood 10 --json
    .venv/bin/python bench/load.py --client httpx       # the earlier client, for comparison
    .venv/bin/python bench/load.py --duration 240 --flood 0 --timeline 20   # how a long run changes
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from base64 import b32decode
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from yarl import URL

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEMO_KEY = re.compile(r"(demo-front-door-worker-\S+): authenticator key (\S+)")
DEMO_PASSWORD = "bench-demo-password-not-secret"

BASELINE = "baseline: /healthz/live (bare view)"
START, CONCERN, RESULT, HEALTHZ, QUEUE = (
    "start page",
    "concern step POST",
    "result page",
    "/healthz (readiness)",
    "front-door queue (signed in)",
)
FLOOD = "flood: long concern POST"
# The mix: share of requests per page (a practitioner reads more than they write).
MIX = {START: 0.25, CONCERN: 0.10, RESULT: 0.25, HEALTHZ: 0.10, QUEUE: 0.15, BASELINE: 0.15}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


@dataclass
class Phase:
    """What one phase measured: latencies (s) and failures per page, and its length."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    seconds: float = 0.0
    origin: float = field(default_factory=time.perf_counter)
    # (seconds since the phase began, latency) of every measured request, and (seconds, CPU
    # readings) every --timeline seconds: how the phase went over time, not only overall.
    arrivals: list[tuple[float, float]] = field(default_factory=list)
    readings: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    # (seconds since the phase began, CPU ms) of each unit of the yardstick's fixed work (see Yardstick)
    yardstick: list[tuple[float, float]] = field(default_factory=list)

    def record(self, label: str, started: float, status: int, elapsed: float | None = None) -> None:
        latency = time.perf_counter() - started if elapsed is None else elapsed
        self.latencies[label].append(latency)
        if label != FLOOD:
            self.arrivals.append((started - self.origin, latency))
        self.statuses[label][status] += 1
        if status >= 400 or status == 0:
            self.errors[label] += 1


class Measured:
    """The measured requests of one session: its cookies, headers and address, sent with aiohttp
    or httpx (``--client``). Each answers with the status only, redirects not followed."""

    def __init__(self, kind: str, base: str, cookies: dict[str, str], headers: dict[str, str]):
        self.kind = kind
        if kind == "httpx":
            self._httpx = httpx.AsyncClient(base_url=base, timeout=120, cookies=cookies, headers=headers, **tls())
            return
        jar = aiohttp.CookieJar(unsafe=True)  # "unsafe": cookies of an IP address (127.0.0.1) are kept
        jar.update_cookies(cookies, URL(base))
        self._aiohttp = aiohttp.ClientSession(
            base_url=base,
            cookie_jar=jar,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=120),
            connector=aiohttp.TCPConnector(
                limit=0,
                keepalive_timeout=KEEPALIVE_SECONDS,
                ssl=ssl.create_default_context(cafile=THROUGH["cafile"]) if THROUGH["cafile"] else False,
            ),
        )

    async def get(self, path: str) -> int:
        if self.kind == "httpx":
            return (await self._httpx.get(path)).status_code
        async with self._aiohttp.get(path, allow_redirects=False) as response:
            await response.read()
            return response.status

    async def post(self, path: str, data: dict[str, Any]) -> int:
        if self.kind == "httpx":
            return (await self._httpx.post(path, data=data)).status_code
        async with self._aiohttp.post(path, data=data, allow_redirects=False) as response:
            await response.read()
            return response.status

    async def close(self) -> None:
        await (self._httpx.aclose() if self.kind == "httpx" else self._aiohttp.close())


# How long an idle connection is kept for the next request: httpx's default (aiohttp's is 15 s). A
# connection stays with the server process that accepted it, so the longer they live the less evenly
# gunicorn's processes share the load (measured: at 150 req/s, 15 s gave p95s of seconds).
KEEPALIVE_SECONDS = float(os.environ.get("BENCH_KEEPALIVE_SECONDS", "5"))

FAILED = (httpx.HTTPError, aiohttp.ClientError, asyncio.TimeoutError)


@dataclass
class User:
    """One virtual practitioner: cookies (in the set-up client), a CSRF token, a stored check's
    path, and the client its measured requests go through (made once the session is set up)."""

    client: httpx.AsyncClient
    token: str = ""
    result_path: str = ""
    measured: Measured | None = None

    def measure_with(self, kind: str) -> Measured:
        """The session, its cookies as set up, handed to the measuring client."""
        self.measured = Measured(kind, str(self.client.base_url), dict(self.client.cookies), dict(self.client.headers))
        return self.measured


async def form(user: User, path: str, data: dict[str, Any]) -> httpx.Response:
    return await user.client.post(path, data={**data, "csrfmiddlewaretoken": user.token})


async def page(user: User, path: str) -> httpx.Response:
    response = await user.client.get(path)
    found = CSRF.search(response.text)
    if found:
        user.token = found.group(1)
    return response


# Through nginx (--proxy): https, the certificate made for the run, and the page's own origin on
# every post (Django's CSRF check of an https request wants it). Set in main, and in the flood's process.
THROUGH: dict[str, Any] = {"origin": None, "cafile": None}


def address(n: int) -> dict[str, str]:
    """The client's own address, as the TLS proxy in front would pass it (the server trusts 127.0.0.1;
    with --proxy nginx takes it as the client's address, as if the client were there)."""
    headers = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 or 1}", "X-Forwarded-Proto": "http"}
    return headers | ({"Origin": THROUGH["origin"]} if THROUGH["origin"] else {})


def tls() -> dict[str, Any]:
    """httpx's options for the proxy's https: its self-signed certificate trusted (none without --proxy)."""
    return {"verify": ssl.create_default_context(cafile=THROUGH["cafile"])} if THROUGH["cafile"] else {}


async def practitioner(base: str, framework: str, n: int) -> User:
    """A session with a check in progress (the concern step is next) and one stored check."""
    user = User(httpx.AsyncClient(base_url=base, timeout=120, headers=address(n), **tls()))
    await page(user, "/checks/new/partnership")
    await form(user, "/checks/new/partnership", {"partnership": framework})
    await page(user, "/checks/new/child")
    await form(user, "/checks/new/child", {"age_years": "7", "facts": ["disabled"]})
    await page(user, "/checks/new/answers")
    stored = await form(user, "/checks/new/answers", {})
    if stored.status_code != 302:
        raise SystemExit(f"could not store a check for the result page: {stored.status_code}")
    user.result_path = stored.headers["Location"]
    await page(user, "/checks/new/partnership")
    await form(user, "/checks/new/partnership", {"partnership": framework})
    await page(user, "/checks/new/concern")
    return user


async def front_door_session(base: str, username: str, key: str) -> httpx.Cookies:
    """A front-door worker signed in with password and code; the session the queue clients share."""
    from django_otp.oath import totp

    user = User(httpx.AsyncClient(base_url=base, timeout=60, headers=address(1), **tls()))
    await page(user, "/accounts/sign-in")
    signed = await form(user, "/accounts/sign-in", {"username": username, "password": DEMO_PASSWORD})
    if signed.status_code != 302:
        raise SystemExit(f"the front-door worker could not sign in: {signed.status_code}")
    await page(user, signed.headers["Location"])
    code = f"{totp(b32decode(key), 30, 0, 6, 0):06d}"
    verified = await form(user, "/accounts/two-factor", {"token": code})
    if verified.status_code != 302:
        raise SystemExit(f"the front-door worker's code was refused: {verified.status_code}")
    queue = await user.client.get("/front-door/")
    if queue.status_code != 200:
        raise SystemExit(f"the front door's queue did not open for the signed-in worker: {queue.status_code}")
    cookies = user.client.cookies
    await user.client.aclose()
    return cookies


async def one(user: User, label: str, phase: Phase, text: str, queue_client: Measured) -> None:
    client = user.measured
    assert client is not None, "a measured session has its measuring client"
    started = time.perf_counter()
    status = 0
    try:
        if label == START:
            status = await client.get("/")
        elif label == CONCERN:
            status = await client.post("/checks/new/concern", {"text": text, "csrfmiddlewaretoken": user.token})
        elif label == RESULT:
            status = await client.get(user.result_path)
        elif label == HEALTHZ:
            status = await client.get("/healthz")
        elif label == QUEUE:
            status = await queue_client.get("/front-door/")
        else:
            status = await client.get("/healthz/live")
    except FAILED:
        status = 0
    phase.record(label, started, status)


def at_hand(user: User) -> dict[str, Any]:
    """What another process needs to post as ``user``: its cookies, CSRF token and address."""
    return {"cookies": dict(user.client.cookies), "token": user.token, "headers": dict(user.client.headers)}


def flood_from_elsewhere(
    base: str, sessions: list[dict[str, Any]], texts: list[str], args: argparse.Namespace
) -> list[tuple[float, int]]:
    """The flood, in a process of its own (an attacker's machine is not ours): each session posts
    the longest concern allowed as fast as it is answered, for ``args.duration`` seconds. Returns
    (seconds, status) per post. It still shares this machine's cores with the server and the
    measuring client, but no longer their event loop, whose delays would count as the server's.

    At niceness ``args.flood_nice`` (19 by default): an attacker's own CPU is on their machine, not
    the server's, so here it takes only the CPU the server and the measuring client leave idle. The
    server's side of every post (reading it, counting it, refusing it, matching what gets through)
    is still the server's."""
    THROUGH.update(args.through)
    if args.flood_nice > 0 and hasattr(os, "nice"):
        os.nice(max(0, args.flood_nice - os.nice(0)))
    rng = random.Random(args.seed + 1)
    stop = time.monotonic() + args.duration
    answered: list[tuple[float, int]] = []

    def long_text() -> str:
        """The longest concern allowed, different each time (the same text again is not matched again)."""
        words = rng.sample(texts, len(texts))
        return (" ".join(words) * 20)[: args.long_chars]

    async def flooder(session: dict[str, Any]) -> None:
        client = Measured(args.client, base, session["cookies"], session["headers"])
        try:
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    data = {"text": long_text(), "csrfmiddlewaretoken": session["token"]}
                    status = await client.post("/checks/new/concern", data)
                except FAILED:
                    status = 0
                answered.append((time.perf_counter() - started, status))
        finally:
            await client.close()

    async def all_of_them() -> None:
        await asyncio.gather(*[flooder(s) for s in sessions])

    asyncio.run(all_of_them())
    return answered


async def run_phase(
    users: list[User],
    concern_users: list[User],
    queue_clients: list[Measured],
    args: argparse.Namespace,
    texts: list[str],
    flood: list[User],
    attacker: ProcessPoolExecutor,
    duration: float | None = None,
    meter: CpuMeter | None = None,
    yardstick: Yardstick | None = None,
) -> Phase:
    """The mix at ``args.rate`` for ``duration`` (else ``args.duration``) seconds, open loop, with
    ``flood`` clients posting long concerns; with a ``meter``, CPU read every ``args.timeline`` seconds."""
    phase = Phase()
    labels, weights = list(MIX), list(MIX.values())
    stop = time.monotonic() + (duration or args.duration)
    rng = random.Random(args.seed)
    in_flight: set[asyncio.Task[None]] = set()

    flooding = (
        asyncio.get_running_loop().run_in_executor(
            attacker, flood_from_elsewhere, str(flood[0].client.base_url), [at_hand(u) for u in flood], texts, args
        )
        if flood
        else None
    )
    if yardstick is not None:
        yardstick.drain()  # the last phase's
    started = phase.origin = time.perf_counter()
    interval = 1.0 / args.rate

    async def read_cpu_every(seconds: float) -> None:
        assert meter is not None
        while True:
            phase.readings.append((time.perf_counter() - started, meter.read()))
            await asyncio.sleep(seconds)

    reading = asyncio.create_task(read_cpu_every(args.timeline)) if meter and args.timeline else None
    next_at = time.monotonic()
    n = concerns = 0
    while next_at < stop:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        label = rng.choices(labels, weights)[0]
        if label == CONCERN:  # in turn, so each session posts at the same even pace
            user = concern_users[concerns % len(concern_users)]
            concerns += 1
        else:
            user = users[n % len(users)]
        task = asyncio.create_task(one(user, label, phase, rng.choice(texts), queue_clients[n % len(queue_clients)]))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        n += 1
        next_at += rng.expovariate(1.0 / interval)  # Poisson arrivals at the rate asked
    if in_flight:
        await asyncio.wait(in_flight, timeout=180)
    phase.seconds = time.perf_counter() - started
    if reading is not None:
        reading.cancel()
        assert meter is not None
        phase.readings.append((phase.seconds, meter.read()))
    if yardstick is not None:
        phase.yardstick = [(done - started, cpu_ms) for done, cpu_ms in yardstick.drain() if done >= started]
    if flooding is not None:
        for elapsed, status in await flooding:
            phase.record(FLOOD, 0.0, status, elapsed)
    return phase


def stats(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
    }


def timeline(phase: Phase) -> list[dict[str, float]]:
    """Per window between two CPU readings: requests begun, p50/p95/max of their latency, and
    the cores used by the server and the machine (empty without ``--timeline``)."""
    windows = []
    for (t0, a), (t1, b) in itertools.pairwise(phase.readings):
        ms = [latency * 1000 for at, latency in phase.arrivals if t0 <= at < t1]
        units = [cpu_ms for at, cpu_ms in phase.yardstick if t0 <= at < t1]
        seconds = b["wall"] - a["wall"]
        windows.append(
            {
                "from_s": t0,
                "to_s": t1,
                "requests": len(ms),
                "p50_ms": percentile(ms, 50),
                "p95_ms": percentile(ms, 95),
                "max_ms": max(ms, default=float("nan")),
                "server_cores": (b["server"] - a["server"]) / seconds if seconds else float("nan"),
                "machine_cores": (b["machine"] - a["machine"]) / seconds if seconds else float("nan"),
                "yardstick_ms": statistics.median(units) if units else float("nan"),
            }
        )
    return windows


def summary(phase: Phase) -> dict[str, Any]:
    total = sum(len(v) for k, v in phase.latencies.items() if k != FLOOD)
    return {
        "timeline": timeline(phase),
        "seconds": phase.seconds,
        "requests": total,
        "requests_per_s": total / phase.seconds if phase.seconds else 0.0,
        "errors": {k: v for k, v in phase.errors.items() if k != FLOOD},  # other users' (the flood's: statuses)
        "pages": {label: stats(values) for label, values in phase.latencies.items()},
        "statuses": {label: dict(s) for label, s in phase.statuses.items()},
    }


def print_report(result: dict[str, Any]) -> None:
    normal, flood = result["normal"], result["flood"]
    print(
        f"continuum serve on loopback: {result['clients']} clients at {result['rate']:g} req/s asked, "
        f"{result['duration']:g} s per phase after {result['warmup']:g} s unmeasured, {result['workers']} server process(es) of {result['threads']} threads "
        f"(rate limits counted in {result['cache']}), {result['database']}; "
        f"flood: {result['flood_clients']} clients posting {result['long_chars']:,}-character concerns "
        f"(their process at niceness {result['flood_nice']}); "
        f"rate limits {'on (as deployed)' if result['rate_limits'] else 'off'}"
    )
    if result["server_env"]:
        print("server environment:", " ".join(result["server_env"]))
    print(f"proxy: {result['proxy']}; measuring client: {result['client']}")
    print(
        f"{result['sessions']} practitioner sessions, each with an address of its own; the concern step spread over them"
    )
    print(
        f"load average before the run: {result['load_before']}; after: {result['load_after']} (the machine is shared)"
    )
    header = f"{'page':<34}{'normal p50 / p95 / p99 ms':>30}{'under flood p50 / p95 / p99 ms':>36}{'p95 x':>8}"
    print(header)
    print("-" * len(header))
    labels = [BASELINE, *[k for k in MIX if k != BASELINE], FLOOD]
    for label in labels:
        a, b = normal["pages"].get(label), flood["pages"].get(label)

        def cell(s: dict[str, float] | None, width: int) -> str:
            return (
                f"{s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['p99_ms']:>8.1f}".rjust(width) if s else "-".rjust(width)
            )

        ratio = f"{b['p95_ms'] / a['p95_ms']:>7.2f}" if a and b and a["p95_ms"] else "".rjust(7)
        print(f"{label:<34}{cell(a, 30)}{cell(b, 36)} {ratio}")
    for name, s in (("normal", normal), ("flood", flood)):
        errors = ", ".join(f"{k}: {v}" for k, v in s["errors"].items()) or "none"
        print(
            f"{name}: {s['requests']} requests in {s['seconds']:.1f} s = {s['requests_per_s']:.1f} req/s; errors: {errors}"
        )
    for name, s in (("normal", normal), ("flood", flood)):
        words = s["matched_by_words"]
        print(
            f"{name}: concerns matched by words only: {words['pool full']} (pool full), {words['over budget']} (over budget)"
        )
    for name, s in (("normal", normal), ("flood", flood)):
        c = s["cores"]
        print(
            f"{name}: cores used: server {c['server']:.2f}, proxy {c['proxy']:.2f}, this client {c['client']:.2f}, "
            f"flood {c['flood']:.2f}; "
            f"the machine {c['machine']:.2f} of {c['of']:g} (the rest is anything else running)"
        )
    for name, s in (("normal", normal), ("flood", flood)):
        if s["timeline"]:
            print(
                f"{name}, over time:  from s   requests   p50 ms   p95 ms   max ms   server cores   machine cores"
                "   yardstick CPU ms"
            )
            for w in s["timeline"]:
                print(
                    f"{'':<19}{w['from_s']:>6.0f} {w['requests']:>10} {w['p50_ms']:>8.1f} {w['p95_ms']:>8.1f} "
                    f"{w['max_ms']:>8.1f} {w['server_cores']:>14.2f} {w['machine_cores']:>15.2f}"
                    f"{w['yardstick_ms']:>19.2f}"
                )
    if result["server_errors"]:
        print("server errors:", *result["server_errors"], sep="\n  ")
    flood_codes = flood["statuses"].get(FLOOD, {})
    answered = sum(flood_codes.values())
    print(
        f"flood posts answered: {answered} = {answered / flood['seconds']:.1f} a second (status: {dict(flood_codes)})"
        if flood["seconds"]
        else "flood posts answered: 0"
    )


class ServerLog:
    """Reads the server's log as it runs (an unread pipe would stop the server once full) and
    counts the concerns matched by words only, because the pool was full or the budget ran out."""

    def __init__(self, stream: Any):
        self.full = self.slow = 0
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for raw in stream:
            line = raw.decode(errors="replace")
            if "is full" in line:
                self.full += 1
            elif "took longer than" in line:
                self.slow += 1
            elif "ERROR" in line or "Traceback" in line:
                self.lines.append(line.rstrip())

    def counts(self) -> tuple[int, int]:
        return self.full, self.slow


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # the fields after the command name


def cpu_of(pids: list[int], with_children: bool = False) -> float:
    """CPU seconds (user + system) used so far by ``pids`` and, if asked, every process under them
    (Linux's /proc; 0 elsewhere). A process that ended is no longer counted."""
    try:
        table = {int(d.name): _stat(int(d.name)) for d in Path("/proc").iterdir() if d.name.isdigit()}
    except OSError:
        return 0.0
    wanted, found = set(pids), True
    while with_children and found:
        found = False
        for pid, fields in table.items():
            if pid not in wanted and int(fields[1]) in wanted:
                wanted.add(pid)
                found = True
    return sum(int(table[p][11]) + int(table[p][12]) for p in wanted if p in table) / TICKS


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine so far, summed over its cores (/proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]  # idle and waiting for input/output
    return (sum(fields[:8]) - idle) / TICKS


# One unit of fixed, pure-Python work (about 2 ms here) every half second, in a process of its own,
# printing when it was done (time.perf_counter(): the same clock in every process on Linux) and its CPU ms.
YARDSTICK = """
import time
while True:
    time.sleep(0.5)
    started = time.thread_time()
    total = 0
    for i in range(40_000):
        total += i * i % 7
    print(time.perf_counter(), (time.thread_time() - started) * 1000, flush=True)
"""


class Yardstick:
    """Whether the cores themselves got slower: a process of its own does the same unit of work
    every half second and reports the CPU time it took. Waiting for a core (a busy machine) does not
    change it; a core whose sibling hyperthread or neighbour is busy, or that runs at a lower clock,
    does. So a window whose server needs more CPU for the same requests, with the yardstick's CPU
    per unit up too, is the machine's doing, not the server's. Costs about 0.005 of a core."""

    def __init__(self) -> None:
        self._process = subprocess.Popen([sys.executable, "-c", YARDSTICK], stdout=subprocess.PIPE, text=True)
        self._found: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            done, cpu_ms = line.split()
            with self._lock:
                self._found.append((float(done), float(cpu_ms)))

    def drain(self) -> list[tuple[float, float]]:
        """The units done since the last drain: (time.perf_counter() when done, CPU ms)."""
        with self._lock:
            found, self._found = self._found, []
        return found

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(5)
        self._reader.join(5)


@dataclass
class CpuMeter:
    """Cores used over a phase: by the server (all its processes), by this measuring client, by
    the flood's process, and by the machine as a whole (the rest: anything else running)."""

    server_pid: int
    flood_pids: list[int] = field(default_factory=list)
    proxy_pid: int | None = None
    started: dict[str, float] = field(default_factory=dict)

    def read(self) -> dict[str, float]:
        return {
            "server": cpu_of([self.server_pid], with_children=True),
            "client": cpu_of([os.getpid()]),
            "flood": cpu_of(self.flood_pids, with_children=True),
            "proxy": cpu_of([self.proxy_pid]) if self.proxy_pid else 0.0,
            "machine": machine_busy(),
            "wall": time.monotonic(),
            "cores": float(os.cpu_count() or 1),
        }

    def start(self) -> None:
        self.started = self.read()

    def cores(self) -> dict[str, float]:
        """Average cores used by each since :meth:`start`."""
        now = self.read()
        seconds = now["wall"] - self.started["wall"]
        used = {k: (now[k] - self.started[k]) / seconds for k in ("server", "client", "flood", "proxy", "machine")}
        return used | {"of": now["cores"]}


def through_nginx(where: Path, app_port: int) -> tuple[str, subprocess.Popen[bytes]]:
    """nginx with the shipped file in front of the server on ``app_port``: its https address and process.

    One addition for the bench: nginx takes each virtual user's ``X-Forwarded-For`` as the client's
    address (realip from 127.0.0.1), so that its limit counts each user by their own address, as
    it would count real people arriving from their own networks."""
    from continuum.web import nginx
    from continuum.web.serve import free_port

    tls_port = free_port()
    cert, key = nginx.certificate(where)
    conf = nginx.main_conf(
        where,
        nginx.shipped_site(tls_port, app_port, cert, key),
        http_extra="set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For;",
        connections=4096,
    )
    process = nginx.start(conf, where)
    base = f"https://127.0.0.1:{tls_port}"
    THROUGH.update(origin=base, cafile=str(cert))
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", verify=ssl.create_default_context(cafile=str(cert))).status_code == 200:
                return base, process
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"nginx did not start: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.2)


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def drive(
    base: str,
    args: argparse.Namespace,
    demo: tuple[str, str],
    texts: list[str],
    framework: str,
    log: ServerLog,
    server_pid: int,
    proxy_pid: int | None,
) -> dict[str, Any]:
    cookies = await front_door_session(base, *demo)
    queue_clients = [Measured(args.client, base, dict(cookies), address(1)) for _ in range(4)]
    setting_up = asyncio.Semaphore(4)  # sessions made a few at a time: the set-up is not the load

    async def session(n: int) -> User:
        async with setting_up:
            return await practitioner(base, framework, n)

    users = list(await asyncio.gather(*[session(100 + n) for n in range(args.clients)]))
    flood = list(await asyncio.gather(*[session(60000 + n) for n in range(args.flood)]))
    # Concerns at the mix's rate, spread over enough sessions (each its own address) that no one
    # person posts more than 6 a minute: under the per-account limit of 10, as real people are.
    wanted = math.ceil(args.rate * MIX[CONCERN] * 60 / 6) if args.limits else 0
    extra = list(await asyncio.gather(*[session(30000 + n) for n in range(max(0, wanted - len(users)))]))
    concern_users = users + extra
    for user in concern_users:
        user.measure_with(args.client)
        await user.client.aclose()  # the set-up's connection: the measured requests have their own
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as attacker:
        attacker.submit(len, "the process started before it is needed").result()
        if args.warmup > 0:  # the same mix, not measured: the first minute of a fresh server is not its normal
            await run_phase(users, concern_users, queue_clients, args, texts, [], attacker, args.warmup)
        meter = CpuMeter(server_pid, flood_pids=list(getattr(attacker, "_processes", {}) or {}), proxy_pid=proxy_pid)
        yardstick = Yardstick() if args.timeline else None
        try:
            before = log.counts()
            meter.start()
            normal = await run_phase(
                users, concern_users, queue_clients, args, texts, [], attacker, meter=meter, yardstick=yardstick
            )
            normal_cores = meter.cores()
            middle = log.counts()
            meter.start()
            under_flood = await run_phase(
                users, concern_users, queue_clients, args, texts, flood, attacker, meter=meter, yardstick=yardstick
            )
            flood_cores = meter.cores()
        finally:
            if yardstick is not None:
                yardstick.close()
    after = log.counts()
    for c in [u.measured for u in concern_users if u.measured] + queue_clients:
        await c.close()
    for u in flood:
        await u.client.aclose()

    def by_words(a: tuple[int, int], b: tuple[int, int]) -> dict[str, int]:
        return {"pool full": b[0] - a[0], "over budget": b[1] - a[1]}

    return {
        "normal": summary(normal) | {"matched_by_words": by_words(before, middle), "cores": normal_cores},
        "flood": summary(under_flood) | {"matched_by_words": by_words(middle, after), "cores": flood_cores},
        "server_errors": log.lines[:20],
        "sessions": len(concern_users),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase (default 60)")
    parser.add_argument(
        "--warmup",
        type=float,
        default=20.0,
        help="seconds of the mix before the normal phase, not measured (default 20)",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200.0, help="requests a second asked of the mix")
    parser.add_argument("--flood", type=int, default=10, help="clients posting long concerns in the second phase")
    parser.add_argument(
        "--flood-nice",
        type=int,
        default=19,
        help="the flood process's niceness: 19 (default) gives it only idle CPU, as an attacker's own machine; 0 competes",
    )
    parser.add_argument("--long-chars", type=int, default=3000, help="length of the flood's concerns (the cap)")
    parser.add_argument("--threads", type=int, default=8, help="the server's threads (WEB_THREADS), per process")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (WEB_WORKERS): 1 is waitress, more is gunicorn"
    )
    parser.add_argument(
        "--cache-url",
        default="",
        help="the rate limits' shared cache, e.g. redis://127.0.0.1:6379/15 (several workers)",
    )
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="through nginx with the shipped deploy/nginx/continuum.conf (https, its per-address limit on posts)",
    )
    parser.add_argument("--framework", default="bury")
    parser.add_argument("--database-url", default="", help="PostgreSQL (a throw-away database); default SQLite")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--no-limits", dest="limits", action="store_false", help="rate limits off: the pool alone against the flood"
    )
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=VALUE for the server, e.g. MATCHING_BUDGET_SECONDS=1"
    )
    parser.add_argument(
        "--client",
        choices=("aiohttp", "httpx"),
        default="aiohttp",
        help="what sends the measured requests and the flood: aiohttp (default, less CPU) or httpx (as before)",
    )
    parser.add_argument(
        "--timeline",
        type=float,
        default=0.0,
        help="seconds per window: print each window's requests, p50/p95/max, cores and the yardstick's CPU per unit "
        "(how a long run changes, and whether the cores themselves got slower)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from continuum.web.serve import free_port, launch

    texts = [json.loads(line)["text"] for line in (ROOT / "bench" / "data" / "match_eval.jsonl").open()][:40]
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        env = os.environ | {
            "CONTINUUM_DATA_DIR": data_dir,
            "SECRET_KEY": "bench-only",
            "WEB_THREADS": str(args.threads),
            "WEB_WORKERS": str(args.workers),
            # Each virtual user has an address of its own, passed as a TLS proxy on 127.0.0.1 would.
            "BEHIND_TLS_PROXY": "true",
            "TRUSTED_PROXY": "127.0.0.1",
            "RATE_LIMITS": "true" if args.limits else "false",
            "CONCERN_MAX_CHARS": str(max(args.long_chars, 3000)),
            "CONTINUUM_DEMO_PASSWORD": DEMO_PASSWORD,
        }
        for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
            env.pop(name, None)
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        if args.cache_url:
            env["CACHE_URL"] = args.cache_url
        for assignment in args.env:
            name, _, value = assignment.partition("=")
            env[name] = value
        server = launch(port, env)
        log = ServerLog(server.stderr)
        base, proxy = f"http://127.0.0.1:{port}", None
        try:
            if args.proxy:
                base, proxy = through_nginx(Path(data_dir), port)
            args.through = dict(THROUGH)
            made = subprocess.run(
                [sys.executable, "-m", "continuum", "demo"], env=env, capture_output=True, text=True, check=True
            )
            keys = DEMO_KEY.findall(made.stdout)
            if not keys:
                raise SystemExit(f"no front-door demo account was made: {made.stdout} {made.stderr}")
            load_before = loadavg()
            result = asyncio.run(
                drive(base, args, keys[0], texts, args.framework, log, server.pid, proxy.pid if proxy else None)
            )
            load_after = loadavg()
        finally:
            server.terminate()
            server.wait(timeout=60)
            if proxy is not None:
                proxy.send_signal(signal.SIGQUIT)
                proxy.wait(timeout=30)
    result |= {
        "clients": args.clients,
        "rate": args.rate,
        "duration": args.duration,
        "warmup": args.warmup,
        "threads": args.threads,
        "workers": args.workers,
        "cache": args.cache_url or "each process's memory",
        "flood_clients": args.flood,
        "flood_nice": args.flood_nice,
        "long_chars": args.long_chars,
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "proxy": "nginx (deploy/nginx/continuum.conf), https" if args.proxy else "none (straight to the server)",
        "load_before": load_before,
        "load_after": load_after,
        "server_env": args.env,
        "rate_limits": args.limits,
        "client": args.client,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_report(result)


if __name__ == "__main__":
    main()
