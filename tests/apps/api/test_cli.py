"""``continuum users token create|revoke|list``: the token printed once, only its hash kept, each change audited."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from continuum.apps.accounts.actor import Role
from continuum.apps.api.models import ApiToken
from continuum.apps.api.services import hash_token
from continuum.apps.audit.queries import events
from continuum.cli import main
from tests.apps.accounts.factories import MembershipFactory, UserFactory

from .conftest import OWN

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(main, ["users", "token", *args], catch_exceptions=False)


def test_create_prints_the_token_once_and_keeps_its_hash_then_revoke_refuses_it(client):
    user = UserFactory(username="ann")
    MembershipFactory(user=user, partnership=OWN, role=Role.PRACTITIONER)
    made = run("create", "ann", "--membership", f"{OWN}:practitioner", "--name", "case system", "--json")
    assert made.exit_code == 0, made.output
    out = json.loads(made.output)
    token = ApiToken.objects.get(public_id=out["id"])
    assert token.token_hash == hash_token(out["token"]) and token.name == "case system"
    assert events().get(verb="api.token_created", target_id=out["id"]).actor == "system:cli"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {out['token']}"}
    assert client.get("/api/v1/frameworks", **headers).status_code == 200

    listed = run("list", "--user", "ann")
    assert out["id"] in listed.output and out["token"] not in listed.output and "live" in listed.output

    revoked = run("revoke", out["id"])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/frameworks", **headers).status_code == 401
    assert run("revoke", out["id"]).exit_code == 2  # already revoked: said, not silently done again


@pytest.mark.parametrize(
    ("membership", "message"),
    [("north", "PARTNERSHIP:ROLE"), (f"{OWN}:auditor", "holds no role"), ("south:practitioner", "holds no role")],
)
def test_create_refuses_a_role_the_person_does_not_hold(membership: str, message: str):
    user = UserFactory(username="bob")
    MembershipFactory(user=user, partnership=OWN, role=Role.PRACTITIONER)
    result = CliRunner().invoke(main, ["users", "token", "create", "bob", "--membership", membership])
    assert result.exit_code == 2
    assert message in result.output
    assert not ApiToken.objects.exists()
