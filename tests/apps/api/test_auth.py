"""Bearer tokens: none, bad, revoked, a deactivated person, a removed role; the Actor they build."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from continuum.apps.accounts.actor import Role
from continuum.apps.api import services
from continuum.apps.api.models import ApiToken
from continuum.apps.audit.queries import events, recorded

from .conftest import OPERATOR, OWN, error_of

pytestmark = pytest.mark.django_db


def test_no_token_is_401_in_the_error_shape():
    response = Client().get("/api/v1/frameworks")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert error_of(response)["code"] == "unauthorized"


@pytest.mark.parametrize(
    "header",
    ["Bearer ctm_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "ctm_no-scheme", "Bearer " + "x" * 300],
)
def test_a_bad_token_is_401(header: str):
    response = Client().get("/api/v1/frameworks", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_live_token_is_accepted_and_its_use_noted(caller):
    ann = caller(Role.PRACTITIONER)
    assert ApiToken.objects.get(public_id=ann.token_id).last_used_at is None
    assert ann.get("/api/v1/frameworks").status_code == 200
    assert ApiToken.objects.get(public_id=ann.token_id).last_used_at is not None


def test_a_revoked_token_is_refused(caller):
    ann = caller(Role.PRACTITIONER)
    assert ann.get("/api/v1/frameworks").status_code == 200
    services.revoke_token(OPERATOR, ann.token_id)
    response = ann.get("/api/v1/frameworks")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert events().filter(verb="api.token_revoked", target_id=ann.token_id).count() == 1


def test_a_deactivated_person_token_is_refused(caller):
    ann = caller(Role.PRACTITIONER)
    ann.user.is_active = False
    ann.user.save(update_fields=["is_active"])
    assert ann.get("/api/v1/frameworks").status_code == 401


def test_a_removed_role_takes_its_tokens_with_it(caller):
    ann = caller(Role.PRACTITIONER)
    ann.membership.delete()
    assert not ApiToken.objects.filter(public_id=ann.token_id).exists()
    assert ann.get("/api/v1/frameworks").status_code == 401


def test_only_the_hash_is_stored_and_the_token_is_recognisable(caller):
    ann = caller(Role.PRACTITIONER)
    stored = ApiToken.objects.get(public_id=ann.token_id)
    assert ann.token.startswith("ctm_")
    assert ann.token not in stored.token_hash
    assert stored.token_hash == services.hash_token(ann.token)


def test_the_token_acts_as_the_person_in_its_role_and_partnership(caller):
    """The audit event of a check made through the API names the person, role, partnership and request."""
    ann = caller(Role.FRONT_DOOR_WORKER)
    response = ann.post(
        "/api/v1/checks", {"framework": "tiny", "indicators": ["edu-l2-1"]}, HTTP_X_REQUEST_ID="api-test-request-1"
    )
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "api-test-request-1"
    event = events().get(verb="checks.recorded", target_id=response.json()["id"])
    assert (event.actor_user_id, event.partnership, event.role) == (ann.user.pk, OWN, Role.FRONT_DOOR_WORKER.value)
    assert event.request_id == "api-test-request-1"


def test_making_and_revoking_is_audited_and_only_by_the_person_or_an_operator(caller):
    ann, bob = caller(Role.PRACTITIONER), caller(Role.PRACTITIONER)
    made = events().get(verb="api.token_created", target_id=ann.token_id)
    assert recorded(made) == {"user": ann.user.username, "partnership": OWN, "role": "practitioner"}
    assert ann.token not in str(made.payload)
    with pytest.raises(services.Refused):
        services.revoke_token(bob.actor, ann.token_id)
    with pytest.raises(services.Refused):
        services.create_token(bob.actor, ann.membership)
    services.revoke_token(ann.actor, ann.token_id)
    with pytest.raises(services.TokenError, match="already revoked"):
        services.revoke_token(ann.actor, ann.token_id)
    assert ApiToken.objects.get(public_id=ann.token_id).revoked_at <= timezone.now()


def test_no_token_for_a_deactivated_person(caller):
    ann = caller(Role.PRACTITIONER)
    ann.user.is_active = False
    ann.user.save(update_fields=["is_active"])
    with pytest.raises(services.TokenError, match="deactivated"):
        services.create_token(OPERATOR, ann.membership)
