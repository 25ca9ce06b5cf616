"""Matching on a request, fairly: bounded pools, bounded queues and a time budget (ADR 0021).

Matching by meaning costs from a few tens of milliseconds (a sentence) to many seconds (a
long concern) of CPU. Run on the request's
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

The short lane's threads run the model themselves: the model's runtime releases the GIL during its
operations, so the server's other threads keep answering, and the lanes' passes run side by
side (the encoder locks only its tokenizer, for milliseconds). The long lane runs at a lower CPU
priority (``long_nice``, the operating system's niceness, Linux), so a flood of long concerns
takes the cores only while pages and short concerns leave them idle, and, with ``long_process``
(on in the settings), in a process of its own (:class:`ChildProcesses`): a low-priority *thread*
holding the interpreter's lock while off the CPU held up its whole server process. The
sizes, the budget and the length that makes a text long are Continuum configuration
(``CONTINUUM_MATCHING`` in the settings), not framework data.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
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
    long_nice: int = 19  # the long lane's niceness (0 to 19; 19 runs only on otherwise idle CPU)
    long_process: bool = False  # the long lane's matching in a process of its own (the settings turn it on)

    @classmethod
    def from_settings(cls) -> PoolSettings:
        from django.conf import settings

        given = dict(getattr(settings, "CONTINUUM_MATCHING", {}))
        return cls(**given)


def limit_model_threads(config: PoolSettings) -> int:
    """Let the model use only ``cpu_threads`` cores (its runtime's intra-op threads, process-wide), so
    that the server's other threads keep a core while matching is saturated; returns the number."""
    return _set_model_threads(model_threads(config))


def model_threads(config: PoolSettings) -> int:
    """``cpu_threads``, or half the machine's cores (at least one)."""
    return config.cpu_threads or max(1, (os.cpu_count() or 2) // 2)


def _set_model_threads(threads: int) -> int:
    from continuum.matching.semantic import set_threads

    set_threads(threads)  # applied when the model loads, if it has not yet (no extra: nothing to limit)
    return threads


class ChildProcesses:
    """A lane's work in processes of its own, started once (``spawn``: a process forked after
    the model's runtime started its threads can hang) at niceness ``nice`` with ``cpu_threads`` for the model.

    Why a process and not a low-priority thread: a thread at niceness 19 that holds the
    interpreter's lock (between the model's operations it does, hundreds of times a second) and is
    then left off the CPU for a while holds up every other thread of the server process with it.
    A process has its own interpreter, so a long concern there costs the server only idle CPU.
    The text and the framework are sent to it (pickled, milliseconds); it keeps its own model and
    its own index per framework version, read from the on-disk cache.
    """

    def __init__(self, workers: int, nice: int, cpu_threads: int):
        self._workers, self._nice, self._cpu_threads = workers, nice, cpu_threads
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self._workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_child_started,
                    initargs=(self._nice, self._cpu_threads),
                )
            return self._pool

    def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` in a child process, waited for (on the lane's thread, which holds
        no lock meanwhile). A child that died is replaced for the next job; this one fails."""
        pool = self._executor()
        try:
            return pool.submit(fn, *args, **kwargs).result()
        except BrokenProcessPool:
            log.error("a matching process stopped unexpectedly; starting another for the next text")
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _child_started(nice: int, cpu_threads: int) -> None:
    """In a new child process: its priority, and the model's threads."""
    lower_priority(nice)  # the child's one working thread (its main thread)
    _set_model_threads(cpu_threads)


class Lane:
    """A fixed number of worker threads and of places in their queue; :meth:`submit` never blocks."""

    def __init__(
        self, name: str, workers: int, queue: int, nice: int = 0, *, in_process: bool = False, cpu_threads: int = 1
    ):
        if workers < 1 or queue < 0:
            raise ValueError(f"a matching lane needs at least one worker and no negative queue (lane {name})")
        self.name = name
        self.capacity = workers + queue
        # In processes of their own, the jobs run at ``nice`` there and the lane's threads only wait.
        self._children = ChildProcesses(workers, nice, cpu_threads) if in_process else None
        self._executor = ThreadPoolExecutor(
            max_workers=workers,
            thread_name_prefix=f"matching-{name}",
            initializer=lower_priority,
            initargs=(0 if in_process else nice,),
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
            if self._children is not None:
                future = self._executor.submit(self._children.run, fn, *args, **kwargs)
            else:
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


_lanes: dict[tuple[str, int, int, int, bool], Lane] = {}
_lanes_lock = threading.Lock()


def lane_for(text: str, config: PoolSettings) -> Lane:
    """The lane for ``text`` under ``config``, made once per process (and per configuration)."""
    long = len(text) > config.long_chars
    key = (
        ("long", config.long_workers, config.long_queue, config.long_nice, config.long_process)
        if long
        else ("short", config.workers, config.queue, 0, False)
    )
    lane = _lanes.get(key)
    if lane is None:
        with _lanes_lock:
            lane = _lanes.get(key)
            if lane is None:
                name, workers, queue, nice, in_process = key
                lane = _lanes[key] = Lane(
                    name, workers, queue, nice, in_process=in_process, cpu_threads=model_threads(config)
                )
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
