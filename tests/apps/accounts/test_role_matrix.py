"""The role matrix: every role × every record kind × every action × whose record → allowed or refused.

Each record kind is one row of :data:`KINDS`: how to make a record that is the actor's own
(``mine``), one of the actor's partnership made by someone else (``own``), and one of another
partnership (``other``); and, per action, the roles that may do it to each. The expectations
are written out here, not read from ``permissions``, so a change to the table shows up as a
failing case. Both ``require`` (the decision) and ``visible_to`` (the queries) are checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.accounts.models import Membership
from continuum.apps.accounts.permissions import GENERAL_ACTIONS, RECORD_ACTIONS, Refused, can, require
from continuum.apps.checks.models import Check
from continuum.apps.earlyhelp.models import Episode, StepDown
from continuum.apps.escalations import services as escalation_services
from continuum.apps.escalations.models import Escalation
from continuum.apps.escalations.subjects import kind_of
from continuum.apps.frontdoor import services as frontdoor_services
from continuum.apps.frontdoor.models import Triage
from continuum.apps.referrals.models import Family, Referral
from tests.apps.checks.factories import CheckFactory

from .conftest import OTHER, OWN
from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

WHOSE = ("mine", "own", "other")
ALL = frozenset(Role)
CHECKERS = frozenset({Role.PRACTITIONER, Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER, Role.EARLY_HELP})
FRONT_DOOR = frozenset({Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER})
SENDERS = frozenset({Role.PRACTITIONER, Role.EARLY_HELP})
NONE: frozenset[Role] = frozenset()


def _sent_check(owner: Any, partnership: str) -> Check:
    check = CheckFactory(actor=Actor(user=owner))
    Check.objects.filter(pk=check.pk).update(sent_to_partnership=partnership, sent_at=timezone.now())
    return Check.objects.get(pk=check.pk)


def make_check(actor: Actor, whose: str) -> Check:
    """``mine``: the actor's own check, not sent; ``own``/``other``: someone else's, sent to that partnership."""
    if whose == "mine":
        return CheckFactory(actor=Actor(user=actor.user))
    return _sent_check(UserFactory(), OWN if whose == "own" else OTHER)


def make_membership(actor: Actor, whose: str) -> Membership:
    """``mine``: the actor's own membership; ``own``/``other``: someone else's role in that partnership."""
    if whose == "mine":
        return Membership.objects.get(user=actor.user, partnership=actor.partnership, role=actor.role)
    return MembershipFactory(partnership=OWN if whose == "own" else OTHER, role=Role.PRACTITIONER)


def make_episode(actor: Actor, whose: str) -> Episode:
    """``mine``: an episode the actor leads; ``own``/``other``: one led by someone else in that partnership."""
    lead = actor.user if whose == "mine" else UserFactory()
    return Episode.objects.create(
        partnership=OTHER if whose == "other" else OWN,
        framework_version="1",
        framework_hash="x",
        assessment_name="Early help assessment",
        source="check",
        started_by=lead,
        started_at=timezone.now(),
        lead_professional=lead,
    )


def make_step_down(actor: Actor, whose: str) -> StepDown:
    """``mine``: a step-down the actor asked for; ``own``/``other``: someone else's, to that partnership."""
    requester = actor.user if whose == "mine" else UserFactory()
    return StepDown.objects.create(
        partnership=OTHER if whose == "other" else OWN,
        origin="front-door",
        source_reference="R-1",
        family=[{"kind": "child", "first_name": "A", "last_name": "B"}],
        reason="Needs met at early help",
        requested_by=requester,
        requested_at=timezone.now(),
    )


def make_escalation(actor: Actor, whose: str) -> Escalation:
    """``mine``: an escalation the actor raised; ``own``/``other``: a front-door worker's of that partnership,
    each about a check sent to that partnership (made through the service, then handed to the actor for ``mine``)."""
    partnership = OTHER if whose == "other" else OWN
    raiser = UserFactory()
    MembershipFactory(user=raiser, partnership=partnership, role=Role.FRONT_DOOR_WORKER)
    check = kind_of("check")
    assert check is not None
    escalation = escalation_services.raise_escalation(
        Actor(user=raiser, partnership=partnership, role=Role.FRONT_DOOR_WORKER),
        check,
        _sent_check(UserFactory(), partnership),
        concern="The level is too low",
        other_party="The referrer",
    )
    if whose == "mine":
        Escalation.objects.filter(pk=escalation.pk).update(owner=actor.user)
        escalation.refresh_from_db()
    return escalation


EARLY_HELP_WORKERS = frozenset({Role.PRACTITIONER, Role.EARLY_HELP})
EPISODE_ACTIONS = ("earlyhelp.view", "earlyhelp.edit", "earlyhelp.close", "earlyhelp.step_up")
# Escalations: every party to a disagreement may raise one; the register is the managers' and admins'.
PARTIES = CHECKERS
REGISTER = frozenset({Role.FRONT_DOOR_MANAGER, Role.PARTNERSHIP_ADMIN})
ESCALATION_ACTIONS = (
    "escalations.view",
    "escalations.respond",
    "escalations.escalate",
    "escalations.resolve",
    "escalations.withdraw",
)


FRONT_DOOR_ACTIONS = ("frontdoor.view", "frontdoor.claim", "frontdoor.triage", "frontdoor.decide")


def make_triage(actor: Actor, whose: str) -> Triage:
    """A contact at a front door: ``mine`` claimed by the actor, ``own`` unclaimed, ``other`` in the other partnership."""
    from tests.apps.frontdoor.factories import ReferralFactory

    t = frontdoor_services.open_triage(ReferralFactory(partnership=OTHER if whose == "other" else OWN))
    if whose == "mine":
        Triage.objects.filter(pk=t.pk).update(state="claimed", claimed_by=actor.user, claimed_at=timezone.now())
        t.refresh_from_db()
    return t


REFERRAL_ACTIONS = ("referrals.acknowledge", "referrals.record_follow_up", "referrals.record_outcome")


def make_referral(actor: Actor, whose: str) -> Referral:
    """``mine``: a referral the actor sent; ``own``/``other``: someone else's, to that partnership."""
    referrer = actor.user if whose == "mine" else UserFactory()
    partnership = OTHER if whose == "other" else OWN
    return Referral.objects.create(
        partnership=partnership,
        framework_version="1",
        framework_hash="x",
        family=Family.objects.create(partnership=partnership),
        child_first_name="A",
        child_last_name="B",
        date_of_birth=timezone.localdate(),
        referrer=referrer,
        referrer_name="R",
        referrer_agency="School",
        referral_source="2A",
        what_done_so_far="Talked",
        consent_basis="obtained",
        received_at=timezone.now(),
    )


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    make: Callable[[Actor, str], models.Model]
    allowed: dict[str, dict[str, frozenset[Role]]]  # action → whose → roles allowed


KINDS: dict[str, Kind] = {
    "check": Kind(
        Check,
        make_check,
        {
            "checks.view": {"mine": CHECKERS, "own": FRONT_DOOR, "other": NONE},
            "checks.export": {"mine": CHECKERS, "own": FRONT_DOOR, "other": NONE},
            "checks.judge": {"mine": CHECKERS, "own": NONE, "other": NONE},
            "checks.send": {"mine": SENDERS, "own": NONE, "other": NONE},
            "accounts.manage_members": {"mine": NONE, "own": NONE, "other": NONE},
            **{action: {"mine": NONE, "own": NONE, "other": NONE} for action in EPISODE_ACTIONS},
            "earlyhelp.answer_step_down": {"mine": NONE, "own": NONE, "other": NONE},
            **{action: {"mine": NONE, "own": NONE, "other": NONE} for action in ESCALATION_ACTIONS},
            **{action: {"mine": NONE, "own": NONE, "other": NONE} for action in FRONT_DOOR_ACTIONS},
            "frontdoor.reassign": {"mine": NONE, "own": NONE, "other": NONE},
            "referrals.view": {"mine": NONE, "own": NONE, "other": NONE},
            **{action: {"mine": NONE, "own": NONE, "other": NONE} for action in REFERRAL_ACTIONS},
        },
    ),
    "referral": Kind(
        Referral,
        make_referral,
        {
            # The referrer sees their own; the partnership's front door sees all of it and records its side.
            "referrals.view": {"mine": SENDERS | FRONT_DOOR, "own": FRONT_DOOR, "other": NONE},
            **{action: {"mine": FRONT_DOOR, "own": FRONT_DOOR, "other": NONE} for action in REFERRAL_ACTIONS},
            "checks.view": {"mine": NONE, "own": NONE, "other": NONE},
        },
    ),
    "triage": Kind(
        Triage,
        make_triage,
        {
            **{action: {"mine": FRONT_DOOR, "own": FRONT_DOOR, "other": NONE} for action in FRONT_DOOR_ACTIONS},
            "frontdoor.reassign": {
                "mine": frozenset({Role.FRONT_DOOR_MANAGER}),
                "own": frozenset({Role.FRONT_DOOR_MANAGER}),
                "other": NONE,
            },
            "checks.view": {"mine": NONE, "own": NONE, "other": NONE},
        },
    ),
    "escalation": Kind(
        Escalation,
        make_escalation,
        {
            # The person who raised it, and the partnership's front door; the partnership admin reads it too.
            "escalations.view": {
                "mine": PARTIES | {Role.PARTNERSHIP_ADMIN},
                "own": REGISTER | FRONT_DOOR,
                "other": NONE,
            },
            **{
                action: {"mine": PARTIES, "own": FRONT_DOOR, "other": NONE}
                for action in ("escalations.respond", "escalations.escalate", "escalations.resolve")
            },
            "escalations.withdraw": {"mine": PARTIES, "own": NONE, "other": NONE},
            "checks.view": {"mine": NONE, "own": NONE, "other": NONE},
        },
    ),
    "episode": Kind(
        Episode,
        make_episode,
        {
            **{action: {"mine": EARLY_HELP_WORKERS, "own": NONE, "other": NONE} for action in EPISODE_ACTIONS},
            # An action on a record applies to every record of its app: the services answer step-downs only.
            "earlyhelp.answer_step_down": {"mine": frozenset({Role.EARLY_HELP}), "own": NONE, "other": NONE},
            "checks.view": {"mine": NONE, "own": NONE, "other": NONE},
        },
    ),
    "step-down": Kind(
        StepDown,
        make_step_down,
        {
            "earlyhelp.answer_step_down": {
                "mine": frozenset({Role.EARLY_HELP}),
                "own": frozenset({Role.EARLY_HELP}),
                "other": NONE,
            },
            "earlyhelp.view": {
                "mine": frozenset({Role.EARLY_HELP}),
                "own": frozenset({Role.EARLY_HELP}),
                "other": NONE,
            },
        },
    ),
    "membership": Kind(
        Membership,
        make_membership,
        {
            "checks.view": {"mine": NONE, "own": NONE, "other": NONE},
            "checks.judge": {"mine": NONE, "own": NONE, "other": NONE},
            "accounts.manage_members": {
                "mine": frozenset({Role.PARTNERSHIP_ADMIN}),
                "own": frozenset({Role.PARTNERSHIP_ADMIN}),
                "other": NONE,
            },
        },
    ),
}

CASES = [
    pytest.param(role, kind, action, whose, role in roles[whose], id=f"{role}-{kind}-{action}-{whose}")
    for kind, spec in KINDS.items()
    for action, roles in spec.allowed.items()
    for role in Role
    for whose in WHOSE
]


def acting(role: Role) -> Actor:
    user = UserFactory()
    MembershipFactory(user=user, partnership=OWN, role=role)
    return Actor(user=user, partnership=OWN, role=role)


def test_every_record_action_is_in_the_matrix_for_every_kind_that_holds_a_child():
    assert set(KINDS["check"].allowed) == set(RECORD_ACTIONS)


@pytest.mark.parametrize(("role", "kind", "action", "whose", "allowed"), CASES)
def test_role_matrix(role: Role, kind: str, action: str, whose: str, allowed: bool):
    actor = acting(role)
    record = KINDS[kind].make(actor, whose)
    if action not in RECORD_ACTIONS:
        pytest.fail(f"{action} is not an action on a record")
    assert can(actor, action, record) is allowed
    if allowed:
        require(actor, action, record)
    else:
        with pytest.raises(Refused):
            require(actor, action, record)


@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("kind", list(KINDS))
def test_visible_to_agrees_with_view(role: Role, kind: str):
    """The queries show exactly the records the matrix lets the role view (or manage, for memberships)."""
    actor = acting(role)
    records = {whose: KINDS[kind].make(actor, whose) for whose in WHOSE}
    manager: Any = KINDS[kind].model._default_manager
    visible = set(manager.visible_to(actor).values_list("pk", flat=True))
    if kind == "check":
        expected = {w for w in WHOSE if role in KINDS[kind].allowed["checks.view"][w] or w == "mine"}
    elif kind == "escalation":  # the person who raised it whatever their role; the partnership's readers
        expected = {"mine"} | ({"own"} if role in REGISTER | FRONT_DOOR else set())
    elif kind == "referral":  # its referrer whatever their role; the partnership's front door
        expected = {"mine"} | ({"own"} if role in FRONT_DOOR else set())
    elif kind == "triage":  # the partnership's front door, whoever claimed it
        expected = {"mine", "own"} if role in FRONT_DOOR else set()
    elif kind == "episode":
        expected = {w for w in WHOSE if role in KINDS[kind].allowed["earlyhelp.view"][w]}
    elif kind == "step-down":  # the receiving team sees its partnership's; those who hand children down, their own
        handing_down = {Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER}
        expected = {w for w in WHOSE if role in KINDS[kind].allowed["earlyhelp.answer_step_down"][w]}
        expected |= {"mine"} if role in handing_down else set()
    else:
        expected = {"mine"} | ({"own"} if role == Role.PARTNERSHIP_ADMIN else set())
    assert {w for w, r in records.items() if r.pk in visible} == expected


GENERAL: dict[str, frozenset[Role]] = {
    "checks.create": CHECKERS,
    "frontdoor.view_queue": FRONT_DOOR,
    "earlyhelp.view": EARLY_HELP_WORKERS,
    "earlyhelp.start": EARLY_HELP_WORKERS,
    "earlyhelp.request_step_down": FRONT_DOOR | {Role.EARLY_HELP},
    "earlyhelp.configure": frozenset({Role.PARTNERSHIP_ADMIN}),
    "frontdoor.configure": frozenset({Role.PARTNERSHIP_ADMIN}),
    "audit.view": frozenset({Role.AUDITOR}),
    "reports.view": frozenset({Role.PARTNERSHIP_ADMIN, Role.FRONT_DOOR_MANAGER}),  # aggregates, own partnership
    "reports.export": frozenset({Role.PARTNERSHIP_ADMIN}),  # the national returns' lists name children
    "accounts.manage_members": frozenset({Role.PARTNERSHIP_ADMIN}),
    "escalations.raise": PARTIES,
    "escalations.view_register": REGISTER,
    "escalations.set_procedure": frozenset({Role.PARTNERSHIP_ADMIN}),
    "referrals.send": SENDERS,
    "referrals.view_sent": SENDERS,
    "referrals.record_phoned": FRONT_DOOR,
    "referrals.export": frozenset({Role.FRONT_DOOR_MANAGER}),
}


def test_every_general_action_is_in_the_matrix():
    assert set(GENERAL) == set(GENERAL_ACTIONS)


@pytest.mark.parametrize("action", list(GENERAL))
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_general_actions(role: Role, action: str):
    assert can(acting(role), action) is (role in GENERAL[action])


@pytest.mark.parametrize("action", sorted(set(GENERAL) | set(RECORD_ACTIONS)))
def test_nobody_signed_in_may_do_anything_but_the_open_check(action: str):
    assert not can(Actor.anonymous(), action)


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        can(Actor.anonymous(), "checks.destroy")


def test_a_stored_check_opens_by_link_for_its_owner_and_for_nobody_else():
    owner, stranger = acting(Role.PRACTITIONER), acting(Role.PRACTITIONER)
    check = CheckFactory(actor=Actor(user=owner.user))
    anonymous = CheckFactory(actor=Actor.anonymous())
    assert set(Check.objects.reachable_by_link(owner)) == {check, anonymous}
    assert set(Check.objects.reachable_by_link(stranger)) == {anonymous}
    assert set(Check.objects.reachable_by_link(Actor.anonymous())) == {anonymous}
