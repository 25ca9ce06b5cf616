"""The access log: every showing of a stored check writes who saw it, when and how; if that write
fails, the check is not shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from continuum.apps.audit import queries
from continuum.apps.audit.verify import verify
from continuum.apps.checks import services
from tests.apps.checks.factories import CheckFactory, made_in

pytestmark = pytest.mark.django_db


def _access(check) -> list[tuple[str, str]]:
    return [(e.verb, e.payload["purpose"]) for e in queries.access_log(check)]


def test_each_showing_of_a_check_is_logged_once(client):
    check = made_in(client, CheckFactory())
    detail = reverse("checks:detail", kwargs={"public_id": check.public_id})
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"level": "1", "reason": ""}).status_code == 400  # shown again, with errors
    assert client.get(reverse("checks:report", kwargs={"public_id": check.public_id})).status_code == 200
    assert client.get(reverse("checks:report_pdf", kwargs={"public_id": check.public_id})).status_code == 200
    assert _access(check) == [
        ("checks.viewed", "page"),
        ("checks.viewed", "page"),
        ("checks.exported", "print"),
        ("checks.exported", "pdf"),
    ]
    event = queries.access_log(check).first()
    assert (event.actor, event.actor_user, event.target_type) == ("anonymous", None, "checks.check")
    assert len(event.request_id) == 32, "each request's actor carries its request id"
    ids = {e.request_id for e in queries.access_log(check)}
    assert len(ids) == 4, "one request id per request"
    assert verify().ok


def test_a_judgement_that_is_recorded_is_not_an_access_but_the_page_after_it_is(client):
    check = made_in(client, CheckFactory())
    detail = reverse("checks:detail", kwargs={"public_id": check.public_id})
    response = client.post(detail, {"level": str(check.recommended_level)}, follow=True)
    assert response.status_code == 200
    assert [e.verb for e in queries.for_target(check)] == ["checks.recorded", "checks.judged", "checks.viewed"]


@pytest.mark.parametrize("page", ["checks:detail", "checks:report", "checks:report_pdf"])
def test_when_the_access_cannot_be_logged_the_check_is_not_shown(monkeypatch, page):
    check = CheckFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "record_access", broken)
    client = Client(raise_request_exception=False)
    response = client.get(reverse(page, kwargs={"public_id": check.public_id}))
    assert response.status_code == 500
    body = response.content
    assert check.public_id.encode() not in body and b"Traceback" not in body
    assert not queries.access_log(check).exists()
