"""``continuum users`` and ``continuum demo``: one transaction and one audit event per change."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django_otp.plugins.otp_totp.models import TOTPDevice

from continuum.apps.accounts import demo
from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.models import Membership, User
from continuum.apps.audit.queries import events
from continuum.cli import main

from .conftest import OTHER, OWN

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    """Run ``continuum ...`` in-process against the test database."""

    def invoke(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_users_create_with_roles(run):
    result = run(
        "users", "create", "ann", "--email", "ann@example.org",
        "--membership", f"{OWN}:practitioner", "--membership", f"{OTHER}:auditor",
        env={"CONTINUUM_USER_PASSWORD": "a long enough password"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ann = User.objects.get(username="ann")
    assert ann.check_password("a long enough password")
    assert set(Membership.objects.filter(user=ann).values_list("partnership", "role")) == {
        (OWN, "practitioner"),
        (OTHER, "auditor"),
    }
    verbs = list(events().values_list("verb", "actor"))
    assert verbs == [
        ("accounts.user_created", "system:cli"),
        ("accounts.membership_added", "system:cli"),
        ("accounts.membership_added", "system:cli"),
    ]


def test_users_create_refuses_an_unknown_partnership_and_stores_nothing(run):
    result = CliRunner().invoke(
        main,
        ["users", "create", "ann", "--membership", "atlantis:practitioner"],
        env={"CONTINUUM_USER_PASSWORD": "a long enough password"},
    )
    assert result.exit_code == 2 and "not a partnership on offer" in result.output
    assert not User.objects.filter(username="ann").exists()
    assert not events().exists()


def test_users_create_refuses_a_weak_password(run):
    result = CliRunner().invoke(main, ["users", "create", "ann"], env={"CONTINUUM_USER_PASSWORD": "password"})
    assert result.exit_code == 2 and "too common" in result.output


def test_users_invite_prints_a_working_password_link(run, client):
    result = run("users", "invite", "bea", "--email", "bea@example.org", "--membership", f"{OWN}:front-door-worker")
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:8000/accounts/reset/")
    bea = User.objects.get(username="bea")
    assert not bea.has_usable_password()
    page = client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    assert "Set a new password" in page.content.decode()
    assert events().filter(verb="accounts.user_invited").count() == 1


def test_users_deactivate_and_list(run):
    run("users", "invite", "cal", "--email", "cal@example.org", "--membership", f"{OWN}:practitioner")
    assert run("users", "deactivate", "cal").exit_code == 0
    assert not User.objects.get(username="cal").is_active
    assert events().filter(verb="accounts.user_deactivated").count() == 1
    listed = json.loads(run("users", "list", "--json").output)
    assert listed == [
        {
            "username": "cal",
            "email": "cal@example.org",
            "active": False,
            "staff": False,
            "memberships": [{"partnership": OWN, "role": "practitioner"}],
        }
    ]
    assert "cal (deactivated): practitioner in north" in run("users", "list").output
    missing = CliRunner().invoke(main, ["users", "deactivate", "nobody"])
    assert missing.exit_code == 2 and "no account called 'nobody'" in missing.output


def test_demo_makes_one_account_per_role_per_partnership_and_is_idempotent(run):
    first = run("demo")
    assert first.exit_code == 0, first.output
    partnerships = [OWN, OTHER, "tiny"]
    expected = {demo.username(role, p) for p in partnerships for role in Role}
    assert set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True)) == expected
    assert "password of every demo account (shown once): " in first.output
    password = first.output.split("(shown once): ")[1].split()[0]
    assert User.objects.get(username=f"demo-practitioner-{OWN}").check_password(password)
    two_factor = {u for u in expected if not u.startswith("demo-practitioner-")}
    assert set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)) == two_factor
    second = run("demo")
    assert "0 made, 18 kept" in second.output and "shown once" not in second.output
    assert User.objects.get(username=f"demo-auditor-{OTHER}").check_password(password)
    assert TOTPDevice.objects.count() == len(two_factor)


def test_demo_takes_the_password_from_the_environment(run):
    result = run("demo", env={"CONTINUUM_DEMO_PASSWORD": "demo password for tests"})
    assert "shown once" not in result.output
    assert User.objects.get(username=f"demo-early-help-{OWN}").check_password("demo password for tests")


def test_demo_refuses_under_production_settings(run, settings):
    settings.CONTINUUM_PRODUCTION = True
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 2 and "never made under production settings" in result.output
    assert not User.objects.exists()
    with pytest.raises(demo.DemoRefusedError):
        demo.ensure_demo_accounts(password="x")


def test_production_settings_say_they_are_production(monkeypatch):
    import importlib
    import sys

    for name, value in {
        "SECRET_KEY": "abcde" * 10,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "sqlite:///x",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "continuum.web.settings.production", raising=False)
    production = importlib.import_module("continuum.web.settings.production")
    assert production.CONTINUUM_PRODUCTION is True and production.CONTINUUM_LOCAL is False


def test_the_local_sign_in_page_lists_the_demo_accounts_with_a_working_code(run, client, settings):
    run("demo", env={"CONTINUUM_DEMO_PASSWORD": "demo password for tests"})
    settings.CONTINUUM_LOCAL = False
    assert "Demo accounts" not in client.get("/accounts/sign-in").content.decode()
    settings.CONTINUUM_LOCAL = True
    page = client.get("/accounts/sign-in").content.decode()
    assert "Demo accounts on this computer" in page and f"demo-front-door-worker-{OWN}" in page
    listing = {row["username"]: row for row in demo.sign_in_listing()}
    assert listing[f"demo-practitioner-{OWN}"]["code"] == ""
    username = f"demo-front-door-worker-{OWN}"
    client.post("/accounts/sign-in", {"username": username, "password": "demo password for tests"})
    response = client.post("/accounts/two-factor", {"token": demo.sign_in_listing_code(username)})
    assert response.status_code == 302
    assert "Front door queue" in client.get("/").content.decode()
