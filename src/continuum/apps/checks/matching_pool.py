"""Matching on a request, fairly: bounded pools, bounded queues and a time budget (ADR 0021).

Matching by meaning costs from a few tens of milliseconds (a sentence) to many seconds (a
long concern) of CPU, and the encoder runs one forward pass at a time. Run on the request's
own thread, a few long concerns held every server thread, and ``/healthz`` with them
(issue 19). Here a request hands its text to a *lane* and waits at most the time budget:

- two lanes, by the length of the text, so that long concerns queue only behind each other
  and a short one never waits behind a queue of long ones;
- each lane has a fixed number of worker threads and a fixed number of places in its queue;
  when every place is taken the request does not wait at all;
- a request that cannot get a place, or whose answer does not come within the budget, is
  matched by words only (milliseconds, even for the longest text allowed) and the page says
  so. A job that has not started is withdrawn; one already running finishes and its place
  is then freed, so the work in flight is bounded by the lanes' sizes, never by the traffic.

Threads are enough: PyTorch releases the GIL during the forward pass, so the server's other
threads keep answering. The long lane's thread runs at a lower CPU priority (``long_nice``, the
operating system's niceness of that one thread, Linux): a flood of long concerns then takes the
cores only while pages and short concerns leave them idle, in every server process alike. The
sizes, the budget and the length that makes a text long are Continuum configuration
(``CONTINUUM_MATCHING`` in the settings), not framework data.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

# Why the suggestions came from words only (shown on the suggestions page, as the matcher's own notes are).
BUSY_NOTE = (
    "many people are using the service right now, so these suggestions come from matching your words only, "
    "not their meaning; check the full list of indicators on the next page as well"
)
SLOW_NOTE = (
    "matching your description by meaning took too long, so these suggestions come from matching your words "
    "only; check the full list of indicators on the next page as well"
)


@dataclass(frozen=True)
class PoolSettings:
    """``CONTINUUM_MATCHING``: the lanes' sizes, the time budget, and where a long text starts."""

    workers: int = 1
    queue: int = 4
    long_workers: int = 1
    long_queue: int = 1
    long_chars: int = 600
    budget_seconds: float = 2.0
    cpu_threads: int = 0  # cores one forward pass of the model may use; 0: half the machine's (at least one)
    long_nice: int = 19  # the long lane thread's niceness (0 to 19; 19 runs only on otherwise idle CPU)

    @classmethod
    def from_settings(cls) -> PoolSettings:
        from django.conf import settings

        given = dict(getattr(settings, "CONTINUUM_MATCHING", {}))
        return cls(**given)


def limit_model_threads(config: PoolSettings) -> int:
    """Let the model use only ``cpu_threads`` cores (PyTorch's intra-op threads, process-wide), so
    that the server's other threads keep a core while matching is saturated; returns the number."""
    threads = config.cpu_threads or max(1, (os.cpu_count() or 2) // 2)
    try:
        import torch
    except ImportError:  # no semantic extra: matching by words only, nothing to limit
        return 0
    torch.set_num_threads(threads)
    return threads


class Lane:
    """A fixed number of worker threads and of places in their queue; :meth:`submit` never blocks."""

    def __init__(self, name: str, workers: int, queue: int, nice: int = 0):
        if workers < 1 or queue < 0:
            raise ValueError(f"a matching lane needs at least one worker and no negative queue (lane {name})")
        self.name = name
        self.capacity = workers + queue
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=f"matching-{name}", initializer=lower_priority, initargs=(nice,)
        )
        self._places = threading.BoundedSemaphore(self.capacity)
        self._taken = 0
        self._count_lock = threading.Lock()

    @property
    def taken(self) -> int:
        """Places in use: jobs running or waiting (for the tests and the logs)."""
        return self._taken

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any] | None:
        """``fn`` queued on this lane, or None at once if every place is taken."""
        if not self._places.acquire(blocking=False):
            return None
        with self._count_lock:
            self._taken += 1
        try:
            future = self._executor.submit(fn, *args, **kwargs)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(lambda _done: self._release())  # also when withdrawn (cancelled)
        return future

    def _release(self) -> None:
        with self._count_lock:
            self._taken -= 1
        self._places.release()


def lower_priority(nice: int) -> None:
    """Make the calling thread this much nicer (Linux keeps a niceness per thread; elsewhere, or
    with 0, nothing). Raising one's own niceness needs no privilege."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(nice, 19))
    except OSError as exc:  # a sandbox that forbids it: the lane still works, at normal priority
        log.warning("could not lower the matching thread's priority: %s", exc)


_lanes: dict[tuple[str, int, int, int], Lane] = {}
_lanes_lock = threading.Lock()


def lane_for(text: str, config: PoolSettings) -> Lane:
    """The lane for ``text`` under ``config``, made once per process (and per configuration)."""
    long = len(text) > config.long_chars
    key = (
        ("long", config.long_workers, config.long_queue, config.long_nice)
        if long
        else ("short", config.workers, config.queue, 0)
    )
    lane = _lanes.get(key)
    if lane is None:
        with _lanes_lock:
            lane = _lanes.get(key)
            if lane is None:
                lane = _lanes[key] = Lane(*key)
    return lane


@dataclass(frozen=True)
class Outcome:
    """What a lane gave: the matcher's answer, or why there is none (``busy``, ``slow``)."""

    found: dict[str, Any] | None
    why_not: str | None = None


def run_within_budget(
    fn: Callable[..., dict[str, Any]], text: str, *args: Any, budget: float | None = None, **kwargs: Any
) -> Outcome:
    """``fn(*args, **kwargs)`` on ``text``'s lane, waited for at most the budget.

    Exceptions from ``fn`` propagate (the caller decides what a failure means).
    """
    config = PoolSettings.from_settings()
    lane = lane_for(text, config)
    future = lane.submit(fn, *args, **kwargs)
    if future is None:
        log.warning("matching lane %s is full (%d places): matching by words", lane.name, lane.capacity)
        return Outcome(None, "busy")
    try:
        return Outcome(future.result(timeout=config.budget_seconds if budget is None else budget))
    except FutureTimeout:
        withdrawn = future.cancel()
        log.warning(
            "matching on lane %s took longer than %.1f s (%s): matching by words",
            lane.name,
            config.budget_seconds if budget is None else budget,
            "withdrawn before it started" if withdrawn else "left to finish",
        )
        return Outcome(None, "slow")
