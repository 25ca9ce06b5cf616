"""Rate limits on assess, match and creates: per token and per client address, 429 in the error shape."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Role

from .conftest import error_of

pytestmark = pytest.mark.django_db

ASSESS = ("/api/v1/assess", {"framework": "tiny", "indicators": ["edu-l2-1"]})


def test_a_token_over_its_rate_is_429_with_retry_after(caller, settings):
    settings.CONTINUUM_API_RATES = {"token": "2/min", "address": "100/min"}
    ann = caller()
    assert [ann.post(*ASSESS).status_code for _ in range(2)] == [200, 200]
    response = ann.post(*ASSESS)
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 60
    other = caller()  # another token from the same address still gets through
    assert other.post(*ASSESS).status_code == 200


def test_the_limit_counts_assess_match_and_create_together(caller, settings):
    settings.CONTINUUM_API_RATES = {"token": "3/min", "address": "100/min"}
    ann = caller()
    assert ann.post(*ASSESS).status_code == 200
    assert ann.post("/api/v1/match", {"framework": "tiny", "text": "late for school"}).status_code == 200
    assert ann.post("/api/v1/checks", {"framework": "tiny", "indicators": ["edu-l2-1"]}).status_code == 201
    assert ann.post("/api/v1/match", {"framework": "tiny", "text": "late for school"}).status_code == 429


def test_an_address_over_its_rate_is_429_whatever_the_token(caller, settings):
    settings.CONTINUUM_API_RATES = {"token": "100/min", "address": "3/min"}
    people = [caller(Role.PRACTITIONER) for _ in range(4)]
    codes = [p.post(*ASSESS, REMOTE_ADDR="192.0.2.7").status_code for p in people]
    assert codes == [200, 200, 200, 429]
    assert people[0].post(*ASSESS, REMOTE_ADDR="192.0.2.8").status_code == 200


def test_a_forwarded_for_header_does_not_dodge_the_address_limit(caller, settings):
    """Without trusted proxies (NUM_PROXIES=0) the address is REMOTE_ADDR, not what the client claims."""
    settings.CONTINUUM_API_RATES = {"token": "100/min", "address": "1/min"}
    ann = caller()
    assert ann.post(*ASSESS, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert ann.post(*ASSESS, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_reading_is_not_rate_limited(caller, settings):
    settings.CONTINUUM_API_RATES = {"token": "1/min", "address": "1/min"}
    ann = caller()
    assert {ann.get("/api/v1/frameworks").status_code for _ in range(5)} == {200}
