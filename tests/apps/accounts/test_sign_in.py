"""Signing in and out, lockout after repeated failures, password reset and change."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from continuum.apps.accounts.actor import Role
from continuum.web.settings import base
from tests.people import signed_in

from .conftest import OWN, PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, **extra: str) -> object:
    return client.post("/accounts/sign-in", {"username": username, "password": password, **extra})


def test_passwords_are_hashed_with_argon2_first():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_practitioner_signs_in_and_lands_on_the_check(client, person):
    person("ann", (OWN, Role.PRACTITIONER))
    response = sign_in(client, "ann", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.wsgi_request.actor.role == Role.PRACTITIONER
    assert page.wsgi_request.actor.partnership == OWN
    assert "Signed in as ann: Practitioner, North Partnership" in page.content.decode()


def test_a_wrong_password_shows_the_error_summary(client, person):
    person("ann", (OWN, Role.PRACTITIONER))
    response = sign_in(client, "ann", "wrong")
    body = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in body and "Enter a correct username and password" in body
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_named(client):
    body = sign_in(client, "", "").content.decode()
    assert "Enter your username" in body and "Enter your password" in body


def test_sign_out_is_a_post_and_ends_the_session(client, person):
    user = person("ann", (OWN, Role.PRACTITIONER))
    signed_in(client, user)
    assert client.get("/accounts/sign-out").status_code == 405
    response = client.post("/accounts/sign-out")
    assert "You have signed out" in response.content.decode()
    assert client.get("/").wsgi_request.actor.is_anonymous


def test_lockout_after_repeated_failures_then_the_right_password_is_refused_too(client, person, settings):
    person("ann", (OWN, Role.PRACTITIONER))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "ann", "wrong").status_code == 400
    locked = sign_in(client, "ann", "wrong")
    assert locked.status_code == 429
    assert "Your account is locked" in locked.content.decode()
    refused = sign_in(client, "ann", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_failures(client, person, settings):
    person("ann", (OWN, Role.PRACTITIONER))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "ann", "wrong")
    assert AccessAttempt.objects.filter(username="ann").exists()
    assert sign_in(client, "ann", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="ann").exists()


def test_password_reset_through_the_email(client, person):
    person("ann", (OWN, Role.PRACTITIONER), email="ann@example.org")
    response = client.post("/accounts/password-reset", {"email": "ann@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent"
    assert "Check your email" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert "Set a new password" in form.content.decode()
    too_short = client.post(form.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert "govuk-error-summary" in too_short.content.decode()
    new = "a much longer new password"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/accounts/reset/done"
    assert sign_in(client, "ann", new).status_code == 302


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password-reset", {"email": "nobody@example.org"})
    assert response["Location"] == "/accounts/password-reset/sent"
    assert mail.outbox == []


def test_password_change_needs_the_current_password(client, person):
    user = person("ann", (OWN, Role.PRACTITIONER))
    signed_in(client, user)
    new = "a much longer new password"
    wrong = client.post("/accounts/password", {"old_password": "nope", "new_password1": new, "new_password2": new})
    assert "govuk-error-summary" in wrong.content.decode()
    right = client.post("/accounts/password", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert right["Location"] == "/accounts/password/changed"
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_change_asks_to_sign_in_first(client):
    response = client.get("/accounts/password")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in")


def test_a_deactivated_person_cannot_sign_in(client, person):
    person("ann", (OWN, Role.PRACTITIONER), is_active=False)
    assert sign_in(client, "ann", PASSWORD).status_code == 400


def test_after_sign_in_the_next_page_is_followed_only_on_this_site(client, person):
    person("ann", (OWN, Role.PRACTITIONER))
    assert sign_in(client, "ann", PASSWORD, next="/checks/new/partnership")["Location"] == "/checks/new/partnership"
    client.post("/accounts/sign-out")
    assert sign_in(client, "ann", PASSWORD, next="https://evil.example/")["Location"] == "/"
