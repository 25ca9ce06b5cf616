"""Early help episodes and escalations in the API: read through their apps' queries, scoped, logged."""

from __future__ import annotations

from typing import Any

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import role_allows
from continuum.apps.audit.queries import access_log
from continuum.apps.earlyhelp.models import Episode
from tests.apps.earlyhelp.conftest import OTHER, OWN, early_help_partnerships  # noqa: F401
from tests.apps.earlyhelp.factories import EpisodeFactory

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def two_partnerships(early_help_partnerships: Any) -> Any:  # noqa: F811
    """Here the partnerships are early help's (their documents have an early help section)."""
    return early_help_partnerships


def test_the_lead_professional_lists_and_reads_the_familys_record_and_the_read_is_logged(caller):
    lead = caller(Role.EARLY_HELP, OWN)
    episode = EpisodeFactory(actor=lead.actor, child_first_name="Robin")
    listed = lead.get("/api/v1/early-help/episodes")
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [episode.public_id]
    assert not access_log(episode).exists()  # a list of summaries names nobody
    shown = lead.get(f"/api/v1/early-help/episodes/{episode.public_id}")
    assert shown.status_code == 200, shown.content
    body = shown.json()
    assert body["status"] == Episode.objects.get(pk=episode.pk).status
    assert {m["first_name"] for m in body["family"]} == {"Robin", "Pat"}
    assert [(e.verb, e.payload["purpose"]) for e in access_log(episode)] == [("earlyhelp.viewed", "api")]


def test_another_early_help_practitioner_sees_nothing_of_it(caller):
    lead, other = caller(Role.EARLY_HELP, OWN), caller(Role.EARLY_HELP, OWN)
    across = caller(Role.EARLY_HELP, OTHER)
    episode = EpisodeFactory(actor=lead.actor)
    for person in (other, across):
        assert person.get("/api/v1/early-help/episodes").json() == []
        response = person.get(f"/api/v1/early-help/episodes/{episode.public_id}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert not access_log(episode).exists()


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_api_follows_the_role_table_for_early_help(caller, role: Role):
    """The pages' table decides (tests/apps/accounts/test_role_matrix.py pins it); the API answers 403 where it refuses."""
    response = caller(role, OWN).get("/api/v1/early-help/episodes")
    if role_allows(role, "earlyhelp.view"):
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"


def test_auditors_and_admins_may_not_read_early_help(caller):
    for role in (Role.AUDITOR, Role.PARTNERSHIP_ADMIN):
        assert caller(role, OWN).get("/api/v1/early-help/episodes").status_code == 403
