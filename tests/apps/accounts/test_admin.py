"""The back office: partnership admins manage their own partnership's members only, and every change is audited."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.models import Membership
from continuum.apps.audit.queries import events, recorded
from tests.people import signed_in

from .conftest import OTHER, OWN

pytestmark = pytest.mark.django_db

MEMBERSHIPS = "/admin/accounts/membership/"


@pytest.fixture
def admin_client(client, person):
    """A staff partnership admin of ``north``, signed in with a code."""
    admin = person("nora", (OWN, Role.PARTNERSHIP_ADMIN), is_staff=True)
    return signed_in(client, admin)


@pytest.fixture
def members(person):
    """A practitioner in each partnership."""
    return {OWN: person("oli", (OWN, Role.PRACTITIONER)), OTHER: person("sam", (OTHER, Role.PRACTITIONER))}


def test_the_admin_lists_only_the_own_partnerships_members(admin_client, members):
    page = admin_client.get(MEMBERSHIPS).content.decode()
    assert "oli" in page and "sam" not in page
    people = admin_client.get("/admin/accounts/user/").content.decode()
    assert "oli" in people and "sam" not in people


def test_another_partnerships_membership_cannot_be_opened_or_changed(admin_client, members):
    theirs = Membership.objects.get(user=members[OTHER])
    assert admin_client.get(f"{MEMBERSHIPS}{theirs.pk}/change/").status_code in (302, 403, 404)
    response = admin_client.post(
        f"{MEMBERSHIPS}{theirs.pk}/change/", {"user": members[OTHER].pk, "partnership": OWN, "role": "auditor"}
    )
    assert response.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert (theirs.partnership, theirs.role) == (OTHER, "practitioner")
    assert admin_client.post(f"{MEMBERSHIPS}{theirs.pk}/delete/", {"post": "yes"}).status_code in (302, 403, 404)
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_adding_a_role_is_audited_in_the_same_request(admin_client, members):
    response = admin_client.post(
        f"{MEMBERSHIPS}add/", {"user": members[OWN].pk, "partnership": OWN, "role": "front-door-worker"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = Membership.objects.get(user=members[OWN], role="front-door-worker")
    event = events().get(verb="accounts.membership_added", target_id=str(added.pk))
    assert event.actor == "nora" and event.role == "partnership-admin" and event.partnership == OWN
    assert recorded(event) == {"user": "oli", "partnership": OWN, "role": "front-door-worker"}


def test_a_role_in_another_partnership_cannot_be_given(admin_client, members):
    response = admin_client.post(
        f"{MEMBERSHIPS}add/", {"user": members[OWN].pk, "partnership": OTHER, "role": "auditor"}
    )
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not Membership.objects.filter(partnership=OTHER, role="auditor").exists()
    assert not events().filter(verb="accounts.membership_added").exists()


def test_changing_and_removing_a_role_are_audited(admin_client, members):
    ours = Membership.objects.get(user=members[OWN])
    response = admin_client.post(
        f"{MEMBERSHIPS}{ours.pk}/change/", {"user": members[OWN].pk, "partnership": OWN, "role": "early-help"}
    )
    assert response.status_code == 302
    changed = events().get(verb="accounts.membership_changed")
    assert changed.payload["from"]["role"] == "practitioner" and changed.payload["to"]["role"] == "early-help"
    assert admin_client.post(f"{MEMBERSHIPS}{ours.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=ours.pk).exists()
    assert events().get(verb="accounts.membership_removed").payload["role"] == "early-help"


def test_changing_a_members_details_is_audited(admin_client, members):
    oli = members[OWN]
    response = admin_client.post(
        f"/admin/accounts/user/{oli.pk}/change/",
        {
            "first_name": "Oliver",
            "last_name": "",
            "email": "oli@example.org",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": Membership.objects.get(user=oli).pk,
            "memberships-0-user": oli.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    oli.refresh_from_db()
    assert oli.first_name == "Oliver"
    event = events().get(verb="accounts.user_changed")
    assert "first_name" in event.payload["fields"]


def test_a_partnership_admin_cannot_set_someones_password(admin_client, members):
    response = admin_client.get(f"/admin/accounts/user/{members[OWN].pk}/password/")
    assert response.status_code == 403
    assert "You cannot see this page" in response.content.decode()  # the service's page, not a traceback


def test_a_practitioner_with_staff_status_still_cannot_manage_members(client, person, members):
    staff = person("pat", (OWN, Role.PRACTITIONER), is_staff=True)
    signed_in(client, staff)
    response = client.get(MEMBERSHIPS)
    assert response.status_code in (302, 403)


def test_the_admin_sign_in_is_the_services_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in")


def test_a_superuser_sees_every_partnership(client, person, members):
    root = person("root", is_staff=True, is_superuser=True)
    signed_in(client, root)
    page = client.get(MEMBERSHIPS).content.decode()
    assert "oli" in page and "sam" in page
