"""The recorded part of a check's page comes from the cache (checks/recorded.py, issue 19): never another
check's, never an older framework's or level's, never anything of another viewer; and every showing, from
the cache or not, is still in the access log and still only for those who may open the check."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.test import Client
from django.urls import reverse

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit import queries
from continuum.apps.checks import recorded, services
from continuum.apps.checks.models import Check
from tests.django_support import frameworks_offered
from tests.people import client_for, member

from .conftest import NEW_VERSION
from .factories import CheckFactory, made_in

pytestmark = pytest.mark.django_db

ANON = Actor.anonymous()
TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|submission)" value=")[^"]+"')


def page(client: Client, check: Check) -> str:
    response = client.get(reverse("checks:detail", kwargs={"public_id": check.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(html: str) -> str:
    """The page without its per-request tokens (CSRF, the form's submission token)."""
    return TOKENS.sub(r'\1TOKEN"', html)


def shown(check: Check) -> int:
    return queries.access_log(check).count()


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Each test starts with no rendering cached (the cache is the process's memory, kept between tests)."""
    caches[recorded.CACHE].clear()


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The link ids of the checks whose recorded parts were rendered (not taken from the cache), in order."""
    seen: list[str] = []
    real = recorded.render

    def counted(check: Check) -> dict[str, str]:
        seen.append(check.public_id)
        return real(check)

    monkeypatch.setattr(recorded, "render", counted)
    return seen


def test_a_second_showing_is_from_the_cache_and_the_same_page_as_rendering_it(client, settings, renders):
    check = made_in(client, CheckFactory())
    first, second = page(client, check), page(client, check)
    assert renders == [check.public_id], "rendered once, then taken from the cache"
    settings.CHECK_PAGE_CACHE_SECONDS = 0
    uncached = page(client, check)
    assert renders == [check.public_id] * 2, "0 seconds: rendered on every showing"
    assert without_tokens(first) == without_tokens(second) == without_tokens(uncached)
    assert "Recommended level: Early Help" in first and "Child is often late for school" in first


def test_every_showing_is_in_the_access_log_from_the_cache_or_not(client, renders):
    check = made_in(client, CheckFactory())
    for n in range(1, 4):
        page(client, check)
        assert shown(check) == n
    assert len(renders) == 1


def test_another_check_is_never_shown_from_the_cache(client, renders):
    late = CheckFactory()
    same_answers = CheckFactory(inputs=late.inputs)
    bruising = CheckFactory(inputs={"indicators": ["harm-l3-1"], "text": "A bruise on the baby's arm"})
    pages = {c.public_id: page(client, c) for c in (late, same_answers, bruising)}
    assert renders == [late.public_id, same_answers.public_id, bruising.public_id]
    # the same answers, so the same recommendation: still each its own page, with links to itself only
    for one, other in ((late, same_answers), (same_answers, late)):
        html = pages[one.public_id]
        assert f"/{one.public_id}" in html and other.public_id not in html
    html = pages[bruising.public_id]
    assert "Recommended level: Child in Need" in html and "Bruising to a baby who is not mobile" in html
    assert "Child is often late for school" not in html and "Early Help" not in html.split('id="judgement"')[0]
    assert recorded.key(late) != recorded.key(same_answers)


def test_a_new_version_of_the_framework_is_replayed_not_taken_from_the_cache(client, settings, tiny_copy, renders):
    with frameworks_offered(settings, tiny_copy.parent):
        check = CheckFactory()
        before = page(client, check)
        assert "The threshold document has not changed since this check was made" in before
        path = tiny_copy / "framework.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(*NEW_VERSION), encoding="utf-8")
        with frameworks_offered(settings, tiny_copy.parent):
            after = page(client, check)
    assert renders == [check.public_id] * 2
    assert "The service now has version 1.1.0" in after
    assert "has not changed since this check was made" not in after


def test_a_judgement_at_another_level_changes_the_next_step_shown(client, renders):
    check = made_in(client, CheckFactory())
    assert "Start an early help assessment" in page(client, check)
    services.record_judgement(check, agrees=False, own_level=3, reason="Known for a year", actor=ANON, made_here=True)
    check.refresh_from_db()
    html = page(client, check)
    assert len(renders) == 2, "a decided level is part of what the cached part is made from"
    assert "Start an early help assessment" not in html
    assert "The document does not say what the next step is at this level" in html


def test_a_change_of_mind_to_another_level_changes_the_next_step_shown(renders):
    """The next step follows the level in force: a later change of mind's, not the first judgement's (ADR 0018)."""
    owner = member(Role.PRACTITIONER, "tiny")
    check = CheckFactory(actor=owner)
    browser = client_for(owner)
    services.record_judgement(check, agrees=True, actor=owner)
    check.refresh_from_db()
    assert "Start an early help assessment" in page(browser, check)
    services.revise_judgement(check, agrees=False, own_level=3, reason="More came out", actor=owner)
    html = page(browser, check)
    assert renders == [check.public_id] * 2, "the level in force is part of what the cached part is made from"
    assert "Start an early help assessment" not in html
    assert "The document does not say what the next step is at this level" in html


def test_what_retention_removes_is_gone_from_the_page_at_once(client):
    """The practitioner's words are never in the cache: the page shows them from the check, as stored now."""
    check = CheckFactory(inputs={"indicators": ["edu-l2-1"], "text": "Worried about Sam, aged 7"})
    assert "Worried about Sam, aged 7" in page(client, check)
    assert all("Sam" not in part for part in caches[recorded.CACHE].get(recorded.key(check)).values())
    Check.objects.filter(pk=check.pk).update(inputs={**check.inputs, "text": ""})  # as retention blanks it
    html = page(client, check)
    assert "Worried about Sam" not in html and "Not given" in html


def test_nothing_of_the_viewer_is_cached_and_the_cache_opens_no_check(renders):
    """The owner's showing fills the cache; someone who may not open the check still cannot, and is not logged."""
    owner = member(Role.PRACTITIONER, "tiny")
    check = CheckFactory(actor=owner)
    html = page(client_for(owner), check)
    assert owner.user is not None and owner.user.username in html, "the owner's page names who is signed in"
    parts = caches[recorded.CACHE].get(recorded.key(check))
    assert parts is not None and not any(owner.user.username in part for part in parts.values())
    assert not any("csrfmiddlewaretoken" in part or "Sign out" in part for part in parts.values())
    stranger = member(Role.PRACTITIONER, "tiny")
    for other in (Client(), client_for(stranger)):
        response = other.get(reverse("checks:detail", kwargs={"public_id": check.public_id}))
        assert response.status_code == 404
    assert shown(check) == 1 and renders == [check.public_id]


class Unreachable(BaseCache):
    """A cache whose every read and write fails, as a Redis that is down."""

    def __init__(self, location: str, params: dict[str, Any]):
        super().__init__(params)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        raise ConnectionError("the cache is down")

    def set(self, key: str, value: Any, timeout: Any = None, version: int | None = None) -> None:
        raise ConnectionError("the cache is down")


def test_a_cache_that_cannot_be_reached_does_not_stop_the_page(client, settings, renders):
    settings.CACHES = {**settings.CACHES, recorded.CACHE: {"BACKEND": f"{__name__}.Unreachable"}}
    check = made_in(client, CheckFactory())
    assert "Recommended level: Early Help" in page(client, check) and "Recommended level: Early Help" in page(
        client, check
    )
    assert len(renders) == 2 and shown(check) == 2


def test_the_key_changes_with_what_the_parts_are_made_from(settings):
    check = CheckFactory()
    key = recorded.key(check)
    assert key == recorded.key(Check.objects.get(pk=check.pk)), "the same check read again: the same key"
    assert check.public_id not in key, "the key carries no link to the check"
    settings.ROOT_URLCONF = "tests.apps.checks.no_urls"  # the next step's links
    assert recorded.key(check) != key
    settings.ROOT_URLCONF = "continuum.web.urls"
    changed = Check.objects.get(pk=check.pk)
    changed.citations = {**changed.citations, "lines": {}}
    assert recorded.key(changed) != key


def test_the_code_in_the_key_is_read_before_the_server_takes_a_request(monkeypatch):
    """``continuum serve``'s warm-up reads the renderers' code for the key, so no result page waits for it."""
    from continuum.apps.partnerships import catalogue
    from continuum.web import serve

    monkeypatch.setattr(catalogue.Catalogue, "choices", lambda self: [])  # no framework: no model to prepare
    recorded.code_version.cache_clear()
    serve._warm()
    assert recorded.code_version.cache_info().currsize == 1
