"""Running the worker: in its own process beside the web server, or in the foreground."""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import threading
import time

log = logging.getLogger("continuum.jobs")


def start_beside_server() -> subprocess.Popen[bytes]:
    """``continuum worker`` as a child process that ends when the server does."""
    env = dict(os.environ, CONTINUUM_WORKER_PARENT=str(os.getpid()))
    worker = subprocess.Popen([sys.executable, "-m", "continuum", "worker"], env=env)
    owner = os.getpid()

    def stop() -> None:
        if os.getpid() != owner:  # a server process forked from this one (gunicorn's workers) exits
            return
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    atexit.register(stop)
    log.info("job worker started (pid %d)", worker.pid)
    return worker


def _stop_with_parent(parent: int) -> None:
    """A worker started beside a server stops when the server is gone, even if it was killed."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(2)
        log.info("the server (pid %d) is gone; the job worker stops", parent)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run(*, batch: bool = False, interval: float = 1.0, max_tasks: int | None = None) -> None:
    """The django-tasks database worker, with Continuum's periodic jobs scheduled first."""
    from django.core.management import call_command

    parent = os.environ.get("CONTINUUM_WORKER_PARENT")
    if parent and not batch:
        _stop_with_parent(int(parent))
    from continuum.apps.jobs.tasks import ensure_periodic_jobs

    started = ensure_periodic_jobs()
    if started:
        log.info("scheduled periodic job(s): %s", ", ".join(started))
    options: dict[str, object] = {"interval": interval, "startup_delay": False, "batch": batch}
    if max_tasks is not None:
        options["max_tasks"] = max_tasks
    call_command("db_worker", **options)
