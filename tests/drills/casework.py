"""Real casework for the drills and the form fuzzing, made through the service functions.

One partnership (Central Bedfordshire, whose document has a front door, early help and escalation
stages), one person per role, and one of each record: a check, a referral with its front-door
decision, an early help episode (submitted, with a plan action), and an escalation with a response.
Every record comes with its audit events because the services write them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.checks.models import Check
from continuum.apps.earlyhelp import services as earlyhelp
from continuum.apps.earlyhelp.models import Episode
from continuum.apps.escalations import services as escalations
from continuum.apps.escalations.models import Escalation
from continuum.apps.escalations.subjects import kind_of
from continuum.apps.frontdoor import services as frontdoor
from continuum.apps.frontdoor.models import Triage
from continuum.apps.referrals.models import Referral
from tests.apps.escalations.factories import stored_check
from tests.apps.referrals.factories import make_check, sent_referral
from tests.people import member, signed_in

PARTNERSHIP = "central-bedfordshire"


@dataclass
class Casework:
    people: dict[Role, Actor]
    check: Check
    referral: Referral
    triage: Triage
    open_triage: Triage  # a second referral, opened but not claimed
    episode: Episode
    escalation: Escalation


def person(role: Role, partnership: str = PARTNERSHIP) -> Actor:
    return member(role, partnership, first_name=role.value.split("-")[0].title(), last_name="Drill")


def _triage_of(referral: Referral) -> Triage:
    found = Triage.objects.filter(referral=referral).first()
    return found if found is not None else frontdoor.open_triage(referral)


def populate(partnership: str = PARTNERSHIP) -> Casework:
    """One of everything, through the services; returns what it made."""
    people = {role: person(role, partnership) for role in Role}
    practitioner, worker = people[Role.PRACTITIONER], people[Role.FRONT_DOOR_WORKER]

    check = make_check(practitioner, partnership, level=4)

    referral = sent_referral(practitioner, partnership, level=4)
    triage = frontdoor.claim(worker, _triage_of(referral))
    rationale = frontdoor.Rationale(
        indicators={i: "confirmed" for i in referral.indicator_ids},
        added=[],
        information="School and health visitor spoken to.",
        consent_basis="obtained",
        consent_detail="Mother, by phone",
        level=referral.referrer_level,
        level_reason="",
    )
    outcomes = frontdoor.outcome_choices(frontdoor.framework_of(partnership))
    triage = frontdoor.decide(worker, triage, outcome=outcomes[0].key, police=False, rationale=rationale)
    open_triage = _triage_of(sent_referral(practitioner, partnership, level=4))

    helper = people[Role.EARLY_HELP]
    episode = earlyhelp.start_from_check(helper, make_check(helper, partnership, level=2))
    child = earlyhelp.add_family_member(
        helper, episode, kind="child", first_name="Robin", last_name="Drill", date_of_birth=date(2018, 5, 1)
    )
    parent = earlyhelp.add_family_member(
        helper, episode, kind="adult", first_name="Pat", last_name="Drill", relationship="mother"
    )
    earlyhelp.save_section(helper, episode, "family", {})
    earlyhelp.save_section(helper, episode, "voice", {"family_voice": "We want help with mornings."})
    earlyhelp.record_consent(
        helper,
        episode,
        given_by=parent,
        to_what="An early help assessment and plan",
        share_with=["School"],
        shares_with_team=True,
        given_at=timezone.now() - timedelta(minutes=1),
    )
    assert child.pk
    episode = earlyhelp.submit(helper, episode)

    kind = kind_of("check")
    assert kind is not None
    subject = stored_check(practitioner, partnership)  # a check sent to the front door
    escalation = escalations.raise_escalation(
        worker,
        kind,
        subject,
        concern="The recorded level understates the neglect described",
        other_party="The school's designated safeguarding lead",
        desired_outcome="",
    )
    return Casework(people, check, referral, triage, open_triage, episode, escalation)


def acting_client(client: Any, actor: Actor) -> Any:
    """``client`` signed in as ``actor``, acting in its partnership and role."""
    return signed_in(client, actor.user, acting=(str(actor.partnership), actor.role))
