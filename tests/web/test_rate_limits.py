"""Rate limits on the web pages (continuum.web.ratelimits, ADR 0021): per address and per account,
on sign-in, the concern step, the check's creation and the referral's sending; the 429 page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

OFFICE, HOME = "10.1.1.1", "10.2.2.2"


@pytest.fixture
def limits(settings: Any) -> Iterator[dict[str, dict[str, str]]]:
    """Rate limits on (the test settings turn them off), generous everywhere; a test tightens one."""
    settings.RATELIMIT_ENABLE = True
    settings.CONTINUUM_RATE_LIMITS = {
        key: {"address": "1000/m", "account": "1000/m"}
        for key in ("sign-in", "concern", "check-create", "referral-send")
    }
    cache.clear()
    yield settings.CONTINUUM_RATE_LIMITS
    cache.clear()


def started(address: str = OFFICE) -> Client:
    """A browser that has chosen the tiny framework (its session holds a check in progress)."""
    client = Client(REMOTE_ADDR=address)
    assert client.post(reverse("checks:partnership"), {"partnership": "tiny"}).status_code == 302
    return client


def concern(client: Client, **extra: str) -> Any:
    return client.post(reverse("checks:concern"), {"text": "The baby has bruises"}, **extra)


def assert_refused(response: Any, says: str) -> int:
    """The 429 page in the GOV.UK pattern, with when to try again; returns Retry-After."""
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60  # the window of a per-minute rate
    html = response.content.decode()
    assert f"Sorry, you have {says}" in html
    assert re.search(r"You can try again in \d+ (seconds|minute)", html)
    assert "call 999" in html
    assert 'class="govuk-heading-l"' in html
    return retry_after


def test_the_concern_step_per_account(limits):
    limits["concern"] = {"address": "1000/m", "account": "2/m"}
    client = started()
    # the same session from changing addresses (a phone moving between networks) is one account
    assert concern(client, REMOTE_ADDR=OFFICE).status_code == 302
    assert concern(client, REMOTE_ADDR=HOME).status_code == 302
    assert_refused(concern(client, REMOTE_ADDR="10.3.3.3"), "described too many concerns")
    assert concern(started()).status_code == 302  # another person, same office: not limited


def test_the_concern_step_per_address(limits):
    limits["concern"] = {"address": "2/m", "account": "1000/m"}
    assert concern(started(OFFICE)).status_code == 302
    assert concern(started(OFFICE)).status_code == 302
    assert_refused(concern(started(OFFICE)), "described too many concerns")
    assert concern(started(HOME)).status_code == 302


def test_pages_are_not_counted_only_posts(limits):
    limits["concern"] = {"address": "1/m", "account": "1/m"}
    client = started()
    for _ in range(5):
        assert client.get(reverse("checks:concern")).status_code == 200
    assert concern(client).status_code == 302
    assert concern(client).status_code == 429


def test_sign_in_per_username_from_any_address(limits, django_user_model):
    limits["sign-in"] = {"address": "1000/m", "account": "2/m"}

    def attempt(username: str, address: str) -> Any:
        data = {"username": username, "password": "wrong"}
        return Client(REMOTE_ADDR=address).post(reverse("accounts:sign_in"), data)

    assert attempt("ann", "10.0.0.1").status_code == 400  # the wrong password, said as usual
    assert attempt("ANN ", "10.0.0.2").status_code == 400  # the same account however typed
    assert_refused(attempt("ann", "10.0.0.3"), "tried to sign in too many times")
    assert attempt("bob", "10.0.0.3").status_code == 400


def test_sign_in_per_address(limits):
    limits["sign-in"] = {"address": "3/m", "account": "1000/m"}
    statuses = [
        Client(REMOTE_ADDR=OFFICE).post(reverse("accounts:sign_in"), {"username": f"u{n}", "password": "x"}).status_code
        for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    other = Client(REMOTE_ADDR=HOME).post(reverse("accounts:sign_in"), {"username": "u9", "password": "x"})
    assert other.status_code == 400


def test_password_reset_counts_as_sign_in(limits):
    limits["sign-in"] = {"address": "1/m", "account": "1000/m"}
    client = Client(REMOTE_ADDR=OFFICE)
    assert client.post(reverse("accounts:password_reset"), {"email": "a@example.org"}).status_code == 302
    assert_refused(
        client.post(reverse("accounts:password_reset"), {"email": "b@example.org"}), "tried to sign in too many times"
    )


def test_asking_for_the_recommendation(limits):
    limits["check-create"] = {"address": "1000/m", "account": "1/m"}
    client = started()
    client.post(reverse("checks:child"), {"facts": ["looked_after"]})
    assert client.post(reverse("checks:answers")).status_code == 302  # the check is stored
    # the session is cleared by then; a refused POST from the same browser (session) again:
    client.post(reverse("checks:partnership"), {"partnership": "tiny"})
    client.post(reverse("checks:child"), {"facts": ["looked_after"]})
    assert_refused(client.post(reverse("checks:answers")), "asked for too many recommendations")


def test_sending_a_referral_is_limited_before_the_view_runs(limits):
    limits["referral-send"] = {"address": "2/m", "account": "1000/m"}
    page = reverse("referrals:check", kwargs={"check_id": uuid.uuid4().hex})
    client = Client(REMOTE_ADDR=OFFICE)
    first = [client.post(page).status_code for _ in range(2)]
    assert 429 not in first  # the view's own answer (sign in first), whatever it is
    assert_refused(client.post(page), "sent too many referrals")


def test_the_limits_can_be_turned_off(limits, settings):
    limits["concern"] = {"address": "1/m", "account": "1/m"}
    settings.RATELIMIT_ENABLE = False
    client = started()
    assert [concern(client).status_code for _ in range(3)] == [302, 302, 302]


def test_retry_after_counts_down_the_window(limits):
    limits["concern"] = {"address": "1/h", "account": "1000/m"}
    concern(started())
    retry_after = assert_refused_hourly(concern(started()))
    assert 1 <= retry_after <= 3600


def assert_refused_hourly(response: Any) -> int:
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    html = response.content.decode()
    expected = "seconds" if retry_after < 60 else "minute"
    assert "You can try again in" in html and expected in html
    return retry_after


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[str]:
    """Django's Redis cache on the machine's Redis (127.0.0.1:6379), under a prefix of this test's own."""
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (start it as docs/deployment.md says)")
    prefix = f"continuum-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379, db=1)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_counts_are_shared_through_redis(limits, redis_cache):
    """With CACHE_URL=redis://... every server process counts in the same place: the counter is
    read here over a connection of its own, as another process would."""
    import redis

    limits["concern"] = {"address": "3/m", "account": "1000/m"}
    for _ in range(3):
        assert concern(started()).status_code == 302
    store = redis.Redis(host="127.0.0.1", port=6379, db=1)
    counters = [int(store.get(key) or 0) for key in store.scan_iter(f"{redis_cache}:*")]
    assert 3 in counters  # the address's count for the concern step
    assert_refused(concern(started()), "described too many concerns")


def test_a_client_refused_once_is_refused_again_before_its_session_is_read(limits, django_assert_num_queries):
    """A flood's posts after its first 429 cost no database query: the session, the person and the
    form are not looked at (ratelimits.refused_before_the_session)."""
    limits["concern"] = {"address": "1000/m", "account": "1/m"}
    client = started()
    assert concern(client).status_code == 302
    with django_assert_num_queries(1):  # the first refusal: its session is read to find the account
        first = concern(client)
    assert_refused(first, "described too many concerns")
    assert "Sign in" in first.content.decode()  # the session read: the header knows nobody is signed in
    with django_assert_num_queries(0):
        early = concern(client)
    assert_refused(early, "described too many concerns")
    # refused before the session is read, the page cannot say who is signed in: no account links at all
    assert "Sign in" not in early.content.decode() and "Signed in as" not in early.content.decode()
    assert concern(started()).status_code == 302  # another browser at the same address is not refused


def test_an_address_refused_once_is_refused_again_for_any_browser(limits, django_assert_num_queries):
    limits["concern"] = {"address": "1/m", "account": "1000/m"}
    assert concern(started(OFFICE)).status_code == 302
    assert_refused(concern(started(OFFICE)), "described too many concerns")
    stranger = Client(REMOTE_ADDR=OFFICE)  # no session at all
    with django_assert_num_queries(0):
        assert_refused(concern(stranger), "described too many concerns")
    assert concern(started(HOME)).status_code == 302


def test_the_early_refusal_needs_a_counter_already_past_its_limit(limits, django_assert_num_queries):
    """Nothing is refused early that the full check has not refused: not a page that is not limited,
    not a GET, not a session cookie nobody has counted (a made-up one), not before the limit."""
    limits["concern"] = {"address": "1000/m", "account": "1/m"}
    client = started()
    assert concern(client).status_code == 302
    assert client.get(reverse("checks:concern")).status_code == 200
    made_up = Client(REMOTE_ADDR=OFFICE)
    made_up.cookies["sessionid"] = "x" * 32
    assert concern(made_up).status_code != 429
    assert client.post(reverse("checks:partnership"), {"partnership": "tiny"}).status_code == 302  # not limited
