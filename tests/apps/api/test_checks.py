"""POST /checks and GET /checks/{id}: stored through the checks service, read through visible_to, logged."""

from __future__ import annotations

import pytest
from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.audit.queries import access_log, events
from continuum.apps.checks import services as check_services
from continuum.apps.checks.models import Check
from tests.apps.checks.factories import CheckFactory

from .conftest import OTHER, OWN, error_of

pytestmark = pytest.mark.django_db

CHECKERS = {Role.PRACTITIONER, Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER, Role.EARLY_HELP}


def _sent(partnership: str) -> Check:
    check = CheckFactory(actor=Actor(user=None))
    Check.objects.filter(pk=check.pk).update(sent_to_partnership=partnership, sent_at=timezone.now())
    return Check.objects.get(pk=check.pk)


def test_a_check_is_stored_as_the_tokens_person_with_its_audit_event(caller):
    ann = caller(Role.PRACTITIONER)
    body = {"framework": "tiny", "indicators": ["edu-l2-1"], "age_years": 8, "text": "Often late for school"}
    response = ann.post("/api/v1/checks", body)
    assert response.status_code == 201, response.content
    out = response.json()
    check = Check.objects.get(public_id=out["id"])
    assert check.owner == ann.user
    assert check.inputs["text"] == "Often late for school"
    assert out["recommended_level"] == check.recommended_level == 2
    assert out["result"]["recommended_level"]["number"] == 2
    assert out["judgement"] == "" and out["decided_level"] is None and out["sent_at"] is None
    assert out["level_in_force"] is None
    assert events().filter(verb="checks.recorded", target_id=check.public_id).count() == 1
    assert check.indicators.filter(indicator_id="edu-l2-1", selected=True).exists()


def test_a_bad_selection_stores_nothing(caller):
    response = caller().post("/api/v1/checks", {"framework": "tiny", "indicators": ["nope"]})
    assert response.status_code == 400
    assert "nope" in error_of(response)["message"]
    assert not Check.objects.exists()


def test_the_owner_reads_their_check_and_the_read_is_logged(caller):
    ann = caller(Role.PRACTITIONER)
    made = ann.post("/api/v1/checks", {"framework": "tiny", "indicators": ["edu-l2-1"]}).json()
    response = ann.get(f"/api/v1/checks/{made['id']}")
    assert response.status_code == 200
    assert response.json() == made
    check = Check.objects.get(public_id=made["id"])
    log = list(access_log(check))
    assert [(e.verb, e.actor_user_id, e.payload["purpose"]) for e in log] == [("checks.viewed", ann.user.pk, "api")]


def test_a_change_of_mind_is_the_level_in_force_beside_the_first_judgement(caller):
    ann = caller(Role.PRACTITIONER)
    made = ann.post("/api/v1/checks", {"framework": "tiny", "indicators": ["edu-l2-1"]}).json()
    check = Check.objects.get(public_id=made["id"])
    owner = Actor(user=ann.user, partnership=OWN, role=Role.PRACTITIONER)
    check_services.record_judgement(check, agrees=True, actor=owner)
    check_services.revise_judgement(check, agrees=False, own_level=3, reason="More came out", actor=owner)
    out = ann.get(f"/api/v1/checks/{made['id']}").json()
    assert (out["judgement"], out["decided_level"], out["level_in_force"]) == ("agree", 2, 3)


def test_someone_elses_unsent_check_is_404_and_not_logged(caller):
    ann, bob = caller(Role.PRACTITIONER), caller(Role.PRACTITIONER)
    made = ann.post("/api/v1/checks", {"framework": "tiny", "indicators": ["edu-l2-1"]}).json()
    response = bob.get(f"/api/v1/checks/{made['id']}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert not access_log(Check.objects.get(public_id=made["id"])).exists()


@pytest.mark.parametrize("role", sorted({Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER}), ids=str)
def test_the_front_door_reads_checks_sent_to_its_partnership_only(caller, role: Role):
    worker = caller(role, partnership=OWN)
    ours, theirs = _sent(OWN), _sent(OTHER)
    assert worker.get(f"/api/v1/checks/{ours.public_id}").status_code == 200
    assert worker.get(f"/api/v1/checks/{theirs.public_id}").status_code == 404


def test_the_same_person_in_the_other_partnership_sees_that_partnerships_checks(caller):
    """Wrong partnership: a person with front-door roles in both sees each side only with that side's token."""
    north = caller(Role.FRONT_DOOR_WORKER, partnership=OWN)
    south = caller(Role.FRONT_DOOR_WORKER, partnership=OTHER, user=north.user)
    theirs = _sent(OTHER)
    assert north.get(f"/api/v1/checks/{theirs.public_id}").status_code == 404
    assert south.get(f"/api/v1/checks/{theirs.public_id}").status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_matrix_for_checks(caller, role: Role):
    """Role matrix rows for the API: create as `checks.create`; read as `checks.view` (403 for roles without it)."""
    person = caller(role)
    created = person.post("/api/v1/checks", {"framework": "tiny", "indicators": ["edu-l2-1"]})
    own = CheckFactory(actor=Actor(user=person.user))
    read = person.get(f"/api/v1/checks/{own.public_id}")
    if role in CHECKERS:
        assert (created.status_code, read.status_code) == (201, 200)
    else:
        assert (created.status_code, read.status_code) == (403, 403)
        assert error_of(created)["code"] == error_of(read)["code"] == "forbidden"


def test_an_anonymous_check_is_not_reachable_through_the_api(caller):
    """A check made without signing in opens only by its link on the pages; the API lists nobody's."""
    anonymous = CheckFactory(actor=Actor.anonymous())
    assert caller().get(f"/api/v1/checks/{anonymous.public_id}").status_code == 404
