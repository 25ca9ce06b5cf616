"""Choosing the role to act in, ``request.actor``, and ``/`` by role."""

from __future__ import annotations

import pytest

from continuum.apps.accounts.actor import Actor, Role
from continuum.web.home import CHECK, home_for
from tests.people import signed_in

from .conftest import OTHER, OWN, PASSWORD

pytestmark = pytest.mark.django_db


def test_an_anonymous_request_has_an_anonymous_actor_with_a_request_id(client):
    response = client.get("/")
    actor = response.wsgi_request.actor
    assert actor.is_anonymous and actor.role is None
    assert response["X-Request-ID"] == actor.request_id and len(actor.request_id) == 32


def test_a_well_formed_request_id_from_the_proxy_is_kept(client):
    response = client.get("/", HTTP_X_REQUEST_ID="abc123-from-proxy")
    assert response.wsgi_request.actor.request_id == "abc123-from-proxy"
    assert client.get("/", HTTP_X_REQUEST_ID="<bad id>").wsgi_request.actor.request_id != "<bad id>"


def test_someone_with_several_roles_chooses_which_to_act_in(client, person):
    person("eve", (OWN, Role.PRACTITIONER), (OTHER, Role.PRACTITIONER))
    response = client.post("/accounts/sign-in", {"username": "eve", "password": PASSWORD})
    assert response["Location"].startswith("/accounts/role")
    assert client.get("/").status_code == 302  # nothing else before the choice
    page = client.get("/accounts/role").content.decode()
    assert "North Partnership" in page and "South Partnership" in page
    refused = client.post("/accounts/role", {"membership": "nowhere:auditor"})
    assert refused.status_code == 400 and "Select the role you are acting in" in refused.content.decode()
    client.post("/accounts/role", {"membership": f"{OTHER}:practitioner"})
    actor = client.get("/").wsgi_request.actor
    assert (actor.partnership, actor.role) == (OTHER, Role.PRACTITIONER)
    assert "Change role" in client.get("/").content.decode()


def test_a_role_one_does_not_hold_cannot_be_put_in_the_session(client, person):
    user = person("eve", (OWN, Role.PRACTITIONER), (OTHER, Role.PRACTITIONER))
    signed_in(client, user, acting=(OWN, Role.PARTNERSHIP_ADMIN))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/role")


def test_someone_with_no_role_is_signed_in_without_one(client, person):
    user = person("fay")
    signed_in(client, user)
    actor = client.get("/").wsgi_request.actor
    assert actor.user == user and actor.role is None and actor.partnership is None


@pytest.mark.parametrize(
    ("role", "home"),
    [
        (None, CHECK),
        (Role.PRACTITIONER, CHECK),
        (Role.FRONT_DOOR_WORKER, "home/front_door.html"),
        (Role.FRONT_DOOR_MANAGER, "home/front_door.html"),
        (Role.EARLY_HELP, "home/early_help.html"),
        (Role.PARTNERSHIP_ADMIN, "home/partnership_admin.html"),
        (Role.AUDITOR, "audit/events.html"),
    ],
)
def test_home_for_each_role(role, home):
    assert home_for(Actor(partnership=OWN if role else None, role=role)) == home


@pytest.mark.parametrize(
    ("role", "heading"),
    [
        (Role.PRACTITIONER, "Check the level of need"),
        (Role.FRONT_DOOR_WORKER, "Front door queue"),
        (Role.FRONT_DOOR_MANAGER, "Front door queue"),
        (Role.EARLY_HELP, "Early help"),
        (Role.PARTNERSHIP_ADMIN, "Partnership administration"),
        (Role.AUDITOR, "Audit"),
    ],
)
def test_slash_lands_each_role_on_its_page(client, person, role, heading):
    user = person("gus", (OWN, role))
    signed_in(client, user)
    body = client.get("/").content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}' in body or f'<h1 class="govuk-heading-xl">{heading}' in body
    assert "North Partnership" in body


def test_the_anonymous_check_stays_open(client):
    assert client.get("/").status_code == 200
    assert client.get("/checks/new/partnership").status_code == 200


def _page(request):
    from django.http import HttpResponse

    return HttpResponse("sent")


def test_login_required_sends_nobody_signed_in_to_sign_in(rf, person):
    from continuum.apps.accounts.permissions import login_required

    view = login_required(_page)
    request = rf.get("/checks/abc/send")
    request.actor = Actor.anonymous()
    response = view(request)
    assert response.status_code == 302 and response["Location"] == "/accounts/sign-in?next=/checks/abc/send"
    request.actor = Actor(user=person("hal", (OWN, Role.PRACTITIONER)), partnership=OWN, role=Role.PRACTITIONER)
    assert view(request).content == b"sent"


def test_action_required_refuses_a_role_without_the_action(client, person):
    from django.core.exceptions import PermissionDenied

    from continuum.apps.accounts.permissions import action_required

    view = action_required("frontdoor.view_queue")(_page)
    worker = person("ida", (OWN, Role.FRONT_DOOR_WORKER))
    practitioner = person("jon", (OWN, Role.PRACTITIONER))
    from django.test import RequestFactory

    request = RequestFactory().get("/queue")
    request.actor = Actor(user=worker, partnership=OWN, role=Role.FRONT_DOOR_WORKER)
    assert view(request).content == b"sent"
    request.actor = Actor(user=practitioner, partnership=OWN, role=Role.PRACTITIONER)
    with pytest.raises(PermissionDenied):
        view(request)


def test_a_refusal_is_a_page_not_a_traceback(client, person):
    user = person("kim", (OWN, Role.PRACTITIONER), is_staff=True)
    signed_in(client, user)
    response = client.get("/admin/accounts/membership/")
    assert response.status_code in (302, 403)
    assert "Traceback" not in response.content.decode()


def test_the_early_help_home_leads_to_the_early_help_work(client, person):
    signed_in(client, person("eha", (OWN, Role.EARLY_HELP)))
    body = client.get("/").content.decode()
    for path in ("/early-help/", "/early-help/reviews-due/", "/early-help/front-door/", "/early-help/step-downs/"):
        assert f'href="{path}"' in body
