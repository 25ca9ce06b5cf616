"""Liveness and readiness: /healthz is 200 only when no request would wait for the model (issue 18)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_live_answers_whatever_matching_is_doing(client, monkeypatch):
    monkeypatch.setattr("continuum.matching.is_ready", lambda loaded: False)
    response = client.get("/healthz/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/healthz", "/healthz/ready"])
def test_ready_only_when_matching_is_ready_for_every_offered_framework(client, monkeypatch, path):
    from continuum.apps.partnerships.catalogue import catalogue

    offered = sorted(f.id for f in catalogue().choices())
    assert offered, "the test frameworks directory offers frameworks"
    waiting = set(offered[:1])
    monkeypatch.setattr("continuum.matching.is_ready", lambda loaded: loaded.id not in waiting)
    response = client.get(path)
    assert response.status_code == 503
    assert response.json() == {"status": "preparing", "preparing": sorted(waiting)}
    waiting.clear()
    response = client.get(path)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_failing_readiness_check_is_not_ready_and_shows_no_traceback(client, monkeypatch):
    def broken(loaded):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("continuum.matching.is_ready", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and "disk on fire" not in response.content.decode()
