"""``continuum serve``: migrate the database, collect static files, then serve.

One process (the default) is served by waitress, threads in one process; ``--workers N`` (or
``WEB_WORKERS``) by gunicorn's pre-fork arbiter, N processes of threads behind one port, for a
machine with more than one core (docs/decisions/0021).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger("continuum.web")

# Debian's Chromium (``scripts/system-deps`` installs it), as the browser tests and the
# screenshot script run it, headless, through Playwright.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch_chromium(playwright: Any) -> Any:
    """Headless Chromium from a Playwright instance (``sync_playwright()``)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))


def prepare() -> None:
    """Set Django up and bring the database and static files up to date."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "continuum.web.settings.base")
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import call_command

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise SystemExit(f"the configuration is not usable: {exc}") from None
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not (Path(settings.STATICFILES_DIRS[0]) / "dist" / "app.css").is_file():
        raise SystemExit("the GOV.UK Frontend assets are not built: run `make static` (scripts/build-static)")
    from django.db import DatabaseError, connection

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        where = connection.settings_dict.get("HOST") or connection.settings_dict.get("NAME")
        raise SystemExit(
            f"cannot use the {connection.vendor} database at {where}: {str(exc).strip()}\n"
            "Check DATABASE_URL (unset it to use the embedded SQLite database) and that the database is running."
        ) from None
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # only if CACHE_URL is the database cache (dbcache://)
    from continuum.apps.partnerships.catalogue import warm

    for framework_id, problem in warm():
        log.warning("framework %s is not offered: %s", framework_id, problem)


def _warm() -> None:
    """Make matching ready for every offered framework and parse the PDF stylesheet, before the
    server listens: no practitioner's request waits for the model.

    Embeddings come from the cache ``continuum frameworks prepare`` (``make run``) filled, and
    whatever is missing (a fresh cache directory, a new framework version) is built here, once.
    A framework that fails to prepare is served by word matching, which says so.
    """
    from continuum.apps.checks import recorded
    from continuum.apps.checks.matching_pool import PoolSettings, limit_model_threads
    from continuum.apps.checks.suggest import suggest
    from continuum.apps.govuk import pdf
    from continuum.apps.partnerships.catalogue import catalogue

    started = time.perf_counter()
    pdf.warm()
    recorded.code_version()  # the result page cache's key reads the code that renders it, once: here, not on a page
    log.info(
        "matching may use %d CPU threads (MATCHING_CPU_THREADS)", limit_model_threads(PoolSettings.from_settings())
    )
    try:
        from continuum.matching import prepare as prepare_matching
    except ImportError as exc:
        log.warning("matching is unavailable: %s", exc)
        return
    for loaded in catalogue().choices():
        try:
            done = prepare_matching(loaded)
        except Exception:  # logged; that framework's checks fall back to word matching
            log.exception("could not prepare matching for %s", loaded.id)
            continue
        log.info("matching ready for %s %s (%s, %.1f s)", done.framework, done.version, done.source, done.seconds)
        # the first query's one-off costs, here rather than on a request (no request budget at start-up),
        # on both lanes: a long text starts the long lane's own process, its model and its index
        suggest(loaded, "warm up", top=1, budget=600)
        suggest(loaded, "warm up " * (PoolSettings.from_settings().long_chars // 8 + 1), top=1, budget=600)
    log.info("ready to serve in %.1f s", time.perf_counter() - started)


def whole_number(name: str, default: int) -> int:
    """A positive whole number from the environment variable ``name``; start-up stops with a clear
    message (not a traceback) if it is anything else."""
    given = os.environ.get(name, "").strip()
    if not given:
        return default
    if not (given.isascii() and given.isdecimal() and len(given) <= 9) or int(given) < 1:
        raise SystemExit(f"{name} must be a whole number of 1 or more (it is {given!r}); unset it for {default}")
    return int(given)


def serve(host: str = "127.0.0.1", port: int = 8000, threads: int | None = None, workers: int | None = None) -> None:
    """Run the service on a production WSGI server (not Django's development server)."""
    prepare()
    from django.conf import settings

    threads = threads or whole_number("WEB_THREADS", 8)
    workers = workers or whole_number("WEB_WORKERS", 1)
    # Browsers keep connections open between pages. Waitress stops accepting new connections at
    # its limit (100 by default) until an idle one times out (120 s by default), so the 101st
    # person's page hung for two minutes (found by bench/load.py). Idle connections cost little
    # with poll(), which has no 1,024-descriptor ceiling as select() has.
    connections = whole_number("WEB_CONNECTION_LIMIT", 1000)
    idle_seconds = whole_number("WEB_IDLE_SECONDS", 60)
    if workers > 1:
        serve_with_workers(host, port, workers=workers, threads=threads, connections=connections, idle=idle_seconds)
        return
    from waitress import create_server

    from continuum.web.wsgi import application

    if settings.CONTINUUM_RUN_WORKER:
        from continuum.apps.jobs.worker import start_beside_server

        start_beside_server()  # stopped at exit (atexit), after the server has drained
    _warm()  # before listening: readiness (/healthz) is then true from the first answer
    proxy: dict[str, Any] = {}
    if settings.BEHIND_TLS_PROXY:
        # Only the proxy's own X-Forwarded-Proto/-For are believed; anyone else's are removed.
        proxy = {
            "trusted_proxy": settings.TRUSTED_PROXY,
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
        }
    server = create_server(
        application,
        host=host,
        port=port,
        threads=threads,
        connection_limit=connections,
        channel_timeout=idle_seconds,
        asyncore_use_poll=True,
        ident="continuum",
        clear_untrusted_proxy_headers=True,
        **proxy,
    )
    log.info("Continuum is serving on http://%s:%s/ (%d threads)", host, port, threads)
    run_until_terminated(server)


FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


def proxy_headers(application: Any, trusted_proxy: str | None) -> Any:
    """The WSGI application behind a trusted proxy, as waitress's ``trusted_proxy`` does it.

    From ``trusted_proxy`` alone, the client's address is the last one its ``X-Forwarded-For``
    names (the proxy appends the address it saw) and its ``X-Forwarded-Proto`` stays for
    Django's ``SECURE_PROXY_SSL_HEADER``; from anyone else (or with no proxy, ``None``) those
    headers are removed, so nobody can pose as the proxy. gunicorn believes a proxy's scheme
    (``forwarded_allow_ips``) but never sets ``REMOTE_ADDR`` from it, which the rate limits
    and the audit count by.
    """

    def with_proxy_headers(environ: dict[str, Any], start_response: Any) -> Any:
        if trusted_proxy is not None and environ.get("REMOTE_ADDR") == trusted_proxy:
            client = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
            if client:
                environ["REMOTE_ADDR"] = client
            for name in FORWARDED_HEADERS[2:]:
                environ.pop(name, None)
        else:
            for name in FORWARDED_HEADERS:
                environ.pop(name, None)
        return application(environ, start_response)

    return with_proxy_headers


def serve_with_workers(host: str, port: int, *, workers: int, threads: int, connections: int, idle: int) -> None:
    """gunicorn's arbiter: ``workers`` processes of ``threads`` threads, graceful on SIGTERM.

    This process (the arbiter) never loads the model: matching's cache is filled by ``continuum
    frameworks prepare`` in a child first, then each worker loads it and warms up before it takes
    a request (a worker forked after the model's runtime has started its threads can hang). The job worker
    runs once, beside the arbiter, not in every worker.
    """
    from django.conf import settings
    from django.db import connections as database_connections
    from gunicorn.app.base import BaseApplication
    from gunicorn.http import wsgi as gunicorn_wsgi

    if "locmem" in settings.CACHES["default"]["BACKEND"].lower():
        log.warning(
            "%d server processes count rate limits each on their own (the cache is in each process's "
            "memory): set CACHE_URL=redis://... to share the counts",
            workers,
        )
    prepared = subprocess.run([sys.executable, "-m", "continuum", "frameworks", "prepare"], stdout=subprocess.DEVNULL)
    if prepared.returncode != 0:
        log.warning("preparing matching's cache failed (exit %d); each worker prepares its own", prepared.returncode)
    database_connections.close_all()  # no connection of the arbiter's is shared with a forked worker
    if settings.CONTINUUM_RUN_WORKER:
        from continuum.apps.jobs.worker import start_beside_server

        start_beside_server()
    trusted = settings.TRUSTED_PROXY if settings.BEHIND_TLS_PROXY else None
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "worker_connections": connections,
        "keepalive": idle,
        "timeout": whole_number("WEB_WORKER_TIMEOUT", 120),  # a worker's start-up is under it
        "graceful_timeout": 30,  # SIGTERM: the requests in flight finish, for up to 30 s
        "forwarded_allow_ips": trusted or "",
        "preload_app": False,
        "proc_name": "continuum",
        "errorlog": "-",
        "loglevel": "info",
        "control_socket_disable": True,  # no control socket in the home directory, shared by every server
    }

    class Service(BaseApplication):
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)
            # The Server header names Continuum, as waitress's ``ident`` does, not "gunicorn" and its
            # version; gunicorn has no setting for it, only this module's name (read for each response).
            gunicorn_wsgi.SERVER = "continuum"

        def load(self) -> Any:
            from continuum.web.wsgi import application

            _warm()
            return proxy_headers(application, trusted)

    log.info("Continuum is serving on http://%s:%s/ (%d processes of %d threads)", host, port, workers, threads)
    Service().run()


def run_until_terminated(server: Any, grace: float = 30.0) -> None:
    """Run a waitress server until SIGTERM or SIGINT, then shut down gracefully.

    Waitress itself stops its loop at once on a signal, and responses still being written
    are lost. Here the listening socket is closed first (no new connections), the requests
    in flight finish and their responses are sent, for up to ``grace`` seconds, and then
    the worker threads stop.
    """
    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    loop_timeout = min(float(server.adj.asyncore_loop_timeout), 0.2)
    while not stopping:
        server.asyncore.loop(timeout=loop_timeout, map=server._map, count=1, use_poll=server.adj.asyncore_use_poll)
    log.info("stopping: no new connections; finishing the requests in flight")
    server.accepting = False
    server.del_channel()
    server.socket.close()
    deadline = time.monotonic() + grace
    while _busy(server) and time.monotonic() < deadline:
        server.asyncore.loop(timeout=0.05, map=server._map, count=1, use_poll=server.adj.asyncore_use_poll)
    if _busy(server):
        log.warning("stopped with requests still in flight after %.0f s", grace)
    server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
    log.info("stopped")


def _busy(server: Any) -> bool:
    """Whether any connection has a request being served or a response not yet sent."""
    return any(channel.requests or channel.total_outbufs_len for channel in list(server.active_channels.values()))


def free_port() -> int:
    """A loopback port nothing listens on (for a throw-away server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(port: int, env: Mapping[str, str], seconds: float = 600) -> subprocess.Popen[bytes]:
    """``continuum serve`` in a child process, returned once ``/healthz`` (readiness) answers 200.

    The server prepares matching before it listens, which takes minutes from an empty cache.

    For tools that drive a real server (the web benchmark, the screenshot script). Raises
    ``RuntimeError`` with the server's own error output if it stops or does not answer
    within ``seconds``.
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "continuum", "serve", "--port", str(port)],
        env=dict(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                output = server.stderr.read().decode(errors="replace") if server.stderr else ""
                raise RuntimeError(f"the server stopped: {output}") from None
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"the server did not answer within {seconds:g} seconds")
