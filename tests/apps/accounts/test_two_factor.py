"""Two-factor sign-in: required for every role but practitioner, with real TOTP codes."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.apps.accounts.actor import Role
from continuum.apps.audit.queries import events
from tests.people import device_for

from .conftest import OTHER, OWN, PASSWORD

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice, offset: int = 0) -> str:
    """The device's code now (or ``offset`` steps away), computed from its key as an app would."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


def password_step(client, username: str):
    return client.post("/accounts/sign-in", {"username": username, "password": PASSWORD})


def test_a_practitioner_is_not_asked_for_a_code(client, person):
    user = person("ann", (OWN, Role.PRACTITIONER), (OTHER, Role.PRACTITIONER))
    assert not user.needs_two_factor()
    response = password_step(client, "ann")
    assert "two-factor" not in response["Location"]


@pytest.fixture
def no_throttle(settings):
    """No growing wait after a wrong code, so that a test can send a wrong code and then the right one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PRACTITIONER])
def test_every_other_role_must_set_up_an_authenticator_first(client, person, role, no_throttle):
    user = person("bob", (OWN, role))
    response = password_step(client, "bob")
    assert response["Location"].startswith("/accounts/two-factor/set-up")
    # Nothing else opens before the code: not the home page, not the check.
    for path in ("/", "/checks/new/partnership"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"].startswith("/accounts/two-factor/set-up")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "<svg" in body and "secret-key" in body
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    wrong = client.post("/accounts/two-factor/set-up", {"token": f"{(int(code(device)) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 400 and "The code is not right" in wrong.content.decode()
    done = client.post("/accounts/two-factor/set-up", {"token": code(device)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert events().filter(verb="accounts.two_factor_confirmed", target_id=str(user.pk)).count() == 1
    home = client.get("/")
    assert home.status_code == 200
    assert home.wsgi_request.actor.role == role


def test_a_person_with_an_authenticator_enters_the_current_code(client, person, no_throttle):
    user = person("cat", (OWN, Role.FRONT_DOOR_WORKER))
    device = device_for(user)
    response = password_step(client, "cat")
    assert response["Location"].startswith("/accounts/two-factor?")
    assert client.get("/").status_code == 302
    refused = client.post("/accounts/two-factor", {"token": "12345"})
    assert "Enter the 6-digit code" in refused.content.decode()
    assert client.post("/accounts/two-factor", {"token": code(device, offset=-10)}).status_code == 400
    ok = client.post("/accounts/two-factor", {"token": code(device)})
    assert ok.status_code == 302
    assert "Front door queue" in client.get("/").content.decode()


def test_a_code_cannot_be_used_twice(client, person):
    user = person("cat", (OWN, Role.AUDITOR))
    device = device_for(user)
    password_step(client, "cat")
    now = code(device)
    assert client.post("/accounts/two-factor", {"token": now}).status_code == 302
    client.post("/accounts/sign-out")
    password_step(client, "cat")
    # The same code again (in the same 30 seconds or later) is refused: the device remembers it.
    assert client.post("/accounts/two-factor", {"token": now}).status_code == 400


def test_someone_with_a_practitioner_and_another_role_needs_the_code(person):
    user = person("dan", (OWN, Role.PRACTITIONER), (OTHER, Role.PARTNERSHIP_ADMIN))
    assert user.needs_two_factor()


def test_after_a_wrong_code_even_the_right_one_must_wait(client, person):
    user = person("cat", (OWN, Role.FRONT_DOOR_MANAGER))
    device = device_for(user)
    password_step(client, "cat")
    client.post("/accounts/two-factor", {"token": code(device, offset=-10)})
    waited = client.post("/accounts/two-factor", {"token": code(device)})
    assert waited.status_code == 400 and "Wait a few seconds" in waited.content.decode()
