"""Fair under load (ADR 0021): matching on a bounded pool within a time budget, the concern's
length cap, and a real ``continuum serve`` that keeps answering while long concerns flood it.

Nothing here asserts a speed (bench/load.py measures those): only that every request is
answered, and what it is answered with, whatever the pool's state.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from continuum.apps.checks import matching_pool
from continuum.apps.checks.matching_pool import BUSY_NOTE, SLOW_NOTE, Lane, PoolSettings, lane_for, run_within_budget
from continuum.apps.checks.suggest import suggest
from continuum.apps.partnerships.catalogue import catalogue

REPO = Path(__file__).resolve().parents[2]
BRUISES = "The baby has bruises and is often late for school"


@pytest.fixture
def hold() -> Iterator[Callable[[Lane], None]]:
    """``hold(lane)`` takes one of the lane's places with a job that waits until the test ends."""
    release = threading.Event()
    started: list[threading.Event] = []

    def take(lane: Lane) -> None:
        running = threading.Event()
        started.append(running)

        def job() -> None:
            running.set()
            release.wait(30)

        assert lane.submit(job) is not None

    yield take
    release.set()


@pytest.fixture
def small_pool(settings: Any) -> PoolSettings:
    """A pool of its own for the test (lanes are per configuration): one worker, one place in the queue."""
    settings.CONTINUUM_MATCHING = {
        "workers": 1,
        "queue": 1,
        "long_workers": 1,
        "long_queue": 0,
        "long_chars": 200 + len(matching_pool._lanes),  # a configuration (so a lane) no other test has
        "budget_seconds": 0.3,
    }
    return PoolSettings.from_settings()


def test_a_lane_refuses_at_once_when_every_place_is_taken(hold):
    lane = Lane("test", workers=1, queue=2)
    for _ in range(3):
        hold(lane)
    assert lane.taken == 3
    started = time.perf_counter()
    assert lane.submit(lambda: None) is None
    assert time.perf_counter() - started < 1  # no waiting for a place


def test_a_withdrawn_job_frees_its_place():
    release = threading.Event()
    lane = Lane("withdraw", workers=1, queue=1)
    running = lane.submit(release.wait, 30)
    queued = lane.submit(lambda: "never")
    assert running is not None and queued is not None
    assert lane.submit(lambda: None) is None
    assert queued.cancel()
    assert lane.taken == 1
    again = lane.submit(lambda: "ran")
    assert again is not None
    release.set()
    assert again.result(timeout=5) == "ran"
    running.result(timeout=5)
    assert lane.taken == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a niceness per thread is Linux's")
def test_a_nice_lane_runs_its_jobs_at_a_lower_priority_and_others_at_the_usual():
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    usual = niceness()
    nice = Lane("nice", workers=1, queue=0, nice=10)
    plain = Lane("plain", workers=1, queue=0)
    running_nice, running_plain = nice.submit(niceness), plain.submit(niceness)
    assert running_nice is not None and running_plain is not None
    assert running_nice.result(timeout=5) == min(19, usual + 10) > usual
    assert running_plain.result(timeout=5) == usual
    assert niceness() == usual  # the request's own thread is untouched


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a niceness per thread is Linux's")
def test_a_lane_in_a_process_runs_its_jobs_there_at_a_lower_priority_and_replaces_a_dead_child():
    usual = os.getpriority(os.PRIO_PROCESS, 0)
    lane = Lane("child", workers=1, queue=0, nice=10, in_process=True)
    elsewhere = lane.submit(os.getpid)
    assert elsewhere is not None and elsewhere.result(timeout=120) != os.getpid()
    there = lane.submit(os.getpriority, os.PRIO_PROCESS, 0)  # the child's working thread
    assert there is not None and there.result(timeout=30) == min(19, usual + 10)
    assert os.getpriority(os.PRIO_PROCESS, 0) == usual  # nothing here is made nicer
    dies = lane.submit(os._exit, 3)
    assert dies is not None
    with pytest.raises(BrokenProcessPool):
        dies.result(timeout=30)
    again = lane.submit(os.getpid)  # a new child for the next job
    assert again is not None and again.result(timeout=120) not in {os.getpid(), elsewhere.result()}
    assert lane.taken == 0


@pytest.mark.django_db
def test_a_long_concern_is_matched_by_meaning_in_the_long_lanes_process(settings: Any):
    """The matcher and the framework go to the child and its answer comes back: the same
    suggestions as matching here, by meaning (not the fallback by words)."""
    from continuum.matching import match

    long_chars = 100 + len(matching_pool._lanes)  # a configuration (so a lane) no other test has
    settings.CONTINUUM_MATCHING = {"long_chars": long_chars, "long_process": True, "long_nice": 5}
    loaded = catalogue().get("tiny")
    assert loaded is not None
    text = " ".join([BRUISES, "Mum says she cannot cope and the children are left alone at night."] * 3)
    assert len(text) > long_chars
    here = match(loaded, text, top=10, wait=True)  # by meaning here (its embeddings are on disk after)
    assert here["mode"] == "hybrid"
    found = suggest(loaded, text, budget=300)  # the first job starts the child: its model, its index
    assert found.available and found.mode == "hybrid" and found.note not in {SLOW_NOTE, BUSY_NOTE}
    assert [m["indicator"] for m in found.matches] == [r["indicator"] for r in here["results"]]
    lane = lane_for(text, PoolSettings.from_settings())
    assert lane.name == "long" and lane._children is not None


def test_the_long_lane_is_the_nice_one(settings: Any):
    settings.CONTINUUM_MATCHING = {"long_chars": 300 + len(matching_pool._lanes), "long_nice": 7}
    config = PoolSettings.from_settings()
    assert lane_for("x" * 1000, config).name == "long"
    assert lane_for("x" * 1000, config) is lane_for("y" * 2000, config)
    assert lane_for("short", config).name == "short"
    assert ("long", 1, 1, 7, False) in matching_pool._lanes


def test_the_budget_and_a_full_lane_each_give_an_outcome_without_an_answer(small_pool, hold):
    lane = lane_for("short", small_pool)
    hold(lane)  # the worker is busy: the next job queues
    started = time.perf_counter()
    slow = run_within_budget(lambda: {"results": []}, "short")
    assert slow.found is None and slow.why_not == "slow"
    assert 0.25 < time.perf_counter() - started < 5
    assert lane.taken == 1  # the queued job was withdrawn, its place given back
    hold(lane)  # now the queue's place is taken too
    busy = run_within_budget(lambda: {"results": []}, "short")
    assert busy.found is None and busy.why_not == "busy"


def test_a_short_text_does_not_queue_behind_long_ones(small_pool, hold):
    long_lane = lane_for("x" * (small_pool.long_chars + 1), small_pool)
    hold(long_lane)
    assert run_within_budget(lambda: {"results": ["found"]}, "short").found == {"results": ["found"]}
    assert run_within_budget(lambda: {}, "x" * (small_pool.long_chars + 1)).why_not == "busy"


@pytest.mark.django_db
def test_suggestions_come_from_words_when_the_pool_is_full_and_say_so(small_pool, hold):
    tiny = catalogue().get("tiny")
    assert tiny is not None
    lane = lane_for(BRUISES, small_pool)
    hold(lane)
    queued = suggest(tiny, BRUISES)  # behind the held job, past the budget
    assert queued.available and queued.mode == "lexical" and queued.note == SLOW_NOTE
    assert "harm-l3-1" in [m["indicator"] for m in queued.matches]
    hold(lane)
    refused = suggest(tiny, BRUISES)
    assert refused.available and refused.mode == "lexical" and refused.note == BUSY_NOTE
    assert [m["indicator"] for m in refused.matches] == [m["indicator"] for m in queued.matches]


@pytest.mark.django_db
def test_the_concern_step_goes_on_when_matching_is_busy(client, small_pool, hold):
    hold(lane_for(BRUISES, small_pool))
    hold(lane_for(BRUISES, small_pool))
    client.post(reverse("checks:partnership"), {"partnership": "tiny"})
    assert client.post(reverse("checks:concern"), {"text": BRUISES})["Location"] == reverse("checks:suggestions")
    page = client.get(reverse("checks:suggestions")).content.decode()
    assert "Bruising to a baby who is not mobile" in page
    assert "Many people are using the service right now" in page  # the note, as the page shows it
    assert client.get(reverse("healthz-live")).status_code == 200


@pytest.mark.django_db
def test_the_longest_concern_is_configuration(client, settings):
    settings.CONTINUUM_CONCERN_MAX_CHARS = 120
    client.post(reverse("checks:partnership"), {"partnership": "tiny"})
    page = client.get(reverse("checks:concern")).content.decode()
    assert "You can enter up to 120 characters." in page
    response = client.post(reverse("checks:concern"), {"text": "x" * 121})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your description must be 120 characters or fewer" in html and "govuk-error-summary" in html
    assert client.post(reverse("checks:concern"), {"text": "x" * 120}).status_code == 302
    settings.CONTINUUM_CONCERN_MAX_CHARS = 3000
    assert "You can enter up to 3,000 characters." in client.get(reverse("checks:concern")).content.decode()


@pytest.mark.slow
def test_a_flood_of_long_concerns_leaves_the_server_answering(tmp_path: Path):
    """A real server, matching by meaning, 10 clients posting the longest concerns allowed, while
    another person checks a short one and a load balancer asks ``/healthz``: every request is
    answered (no error, no hang), the short one with suggestions."""
    import httpx

    from continuum.web.serve import free_port, launch

    port = free_port()
    env = os.environ | {
        "CONTINUUM_DATA_DIR": str(tmp_path),
        "CONTINUUM_FRAMEWORKS_DIR": str(REPO / "tests" / "fixtures" / "frameworks"),
        "SECRET_KEY": "fairness-test-only",
        "CONTINUUM_WORKER": "false",
        "RATE_LIMITS": "false",  # ten clients from one address
        "MATCHING_BUDGET_SECONDS": "1",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CONTINUUM_MATCH_MODE"):
        env.pop(name, None)
    server = launch(port, env)
    base = f"http://127.0.0.1:{port}"
    long_text = " ".join([BRUISES, "Mum said the children were left alone overnight."] * 60)[:3000]
    stop = threading.Event()

    def flood() -> list[int]:
        statuses = []
        with httpx.Client(base_url=base, timeout=60) as c:
            start_journey(c)
            while not stop.is_set():
                statuses.append(post_form(c, "/checks/new/concern", {"text": long_text}).status_code)
        return statuses

    try:
        with ThreadPoolExecutor(10) as pool:
            floods = [pool.submit(flood) for _ in range(10)]
            time.sleep(2)
            with httpx.Client(base_url=base, timeout=60) as c:
                health = [c.get("/healthz").status_code for _ in range(10)]
                start_journey(c)
                short = post_form(c, "/checks/new/concern", {"text": BRUISES})
                suggestions = c.get("/checks/new/suggestions").text
            stop.set()
            flooded = [s for f in floods for s in f.result(timeout=120)]
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=60)
    assert health == [200] * 10
    assert short.status_code == 302
    assert "Bruising to a baby who is not mobile" in suggestions
    assert flooded and set(flooded) == {302}


def start_journey(c: Any) -> None:
    assert post_form(c, "/checks/new/partnership", {"partnership": "tiny"}).status_code == 302


def post_form(c: Any, path: str, data: dict[str, str]) -> Any:
    """A form post as a browser makes it: the CSRF token from the page, then the post."""
    page = c.get(path).text
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    return c.post(path, data={**data, "csrfmiddlewaretoken": token}, headers={"Referer": f"{c.base_url}{path}"})
