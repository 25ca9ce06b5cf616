"""Secure headers, CSRF protection, and no server error from anything a user types."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.apps.checks.factories import CheckFactory

pytestmark = pytest.mark.django_db


def test_pages_carry_secure_headers(client):
    response = client.get("/")
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]


def test_session_and_csrf_cookies_are_http_only(client):
    client.post("/checks/new/partnership", {"partnership": "tiny"})
    session = client.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


def test_forms_without_a_csrf_token_are_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/checks/new/partnership", {"partnership": "tiny"})
    assert response.status_code == 403
    assert "Your answers could not be saved" in response.content.decode()


def test_judgements_without_a_csrf_token_are_refused():
    check = CheckFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/checks/{check.public_id}/", {"level": "2"})
    assert response.status_code == 403
    check.refresh_from_db()
    assert check.judgement == ""


def test_forms_carry_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    html = client.get("/checks/new/partnership").content.decode()
    assert 'name="csrfmiddlewaretoken"' in html


def test_unknown_hosts_are_refused(client):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_only_get_and_post(client):
    assert client.put("/checks/new/partnership").status_code == 405
    assert client.delete("/").status_code == 405


def test_health_check(client):
    assert client.get("/healthz/live").json() == {"status": "ok"}  # readiness: tests/web/test_health.py


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
PAGES = [
    "/checks/new/partnership",
    "/checks/new/concern",
    "/checks/new/suggestions",
    "/checks/new/indicators",
    "/checks/new/strengths",
    "/checks/new/child",
    "/checks/new/answers",
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    page=st.sampled_from(PAGES),
    data=st.dictionaries(
        st.sampled_from(
            [
                "partnership",
                "text",
                "selected",
                "shown",
                "action",
                "remove",
                "age_years",
                "age_months",
                "facts",
                "q",
                "domain",
                "level",
            ]
        ),
        st.one_of(text, st.lists(text, max_size=3)),
        max_size=6,
    ),
    query=st.dictionaries(st.sampled_from(["q", "domain", "level", "change"]), text, max_size=3),
)
def test_nothing_a_user_types_causes_a_server_error(client, page, data, query):
    client.post("/checks/new/partnership", {"partnership": "tiny"})
    response = client.post(f"{page}?{urlencode(query)}", data)
    assert response.status_code < 500
    response = client.get(page, query)
    assert response.status_code < 500


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=text, reason=text)
def test_nothing_typed_as_a_judgement_causes_a_server_error(client, level, reason):
    check = CheckFactory()
    response = client.post(f"/checks/{check.public_id}/", {"level": level, "reason": reason})
    assert response.status_code < 500
