"""Factories for escalations, made through the services (deterministic: sequences, known dates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import factory
from django.utils import timezone

from continuum.apps.accounts.actor import Actor, Role
from continuum.apps.checks import services as check_services
from continuum.apps.checks.models import Check
from continuum.apps.escalations import services
from continuum.apps.escalations.models import Escalation
from continuum.apps.escalations.subjects import kind_of
from continuum.apps.partnerships.catalogue import catalogue
from continuum.calendar import UK
from tests.people import member

from .conftest import STAGED

# Thursday before Easter 2026, 10:00 in England: the next two days off are bank holidays.
BEFORE_EASTER = datetime(2026, 4, 2, 10, 0, tzinfo=UK)


def acting(role: Role, partnership: str = STAGED, user: Any = None) -> Actor:
    """A person holding ``role`` in ``partnership``, acting in it."""
    return member(role, partnership, user)


def stored_check(owner: Actor, partnership: str = STAGED, *, sent: bool = True) -> Check:
    """A stored check by ``owner`` against ``partnership``'s framework (sent to its front door unless told not)."""
    loaded = catalogue().get(partnership)
    assert loaded is not None
    inputs = {"text": "", "indicators": [], "protective": [], "facts": {}, "age_years": 8.0}
    check = check_services.create_check(loaded, inputs, actor=owner)
    if sent:
        Check.objects.filter(pk=check.pk).update(sent_to_partnership=partnership, sent_at=timezone.now())
        check.refresh_from_db()
    return check


class EscalationFactory(factory.django.DjangoModelFactory):
    """A disagreement raised by a front-door worker about a practitioner's sent check, at a known date."""

    class Meta:
        model = Escalation

    concern = factory.Sequence(lambda n: f"The recorded level {n} understates the neglect described")
    other_party = "The referring school's designated safeguarding lead"
    desired_outcome = ""

    @classmethod
    def _create(cls, model_class: type[Escalation], *args: Any, **kwargs: Any) -> Escalation:
        partnership = kwargs.pop("partnership", STAGED)
        actor = kwargs.pop("actor", None) or acting(Role.FRONT_DOOR_WORKER, partnership)
        subject = kwargs.pop("subject", None) or stored_check(acting(Role.PRACTITIONER, partnership), partnership)
        kind = kind_of("check")
        assert kind is not None
        return services.raise_escalation(actor, kind, subject, now=kwargs.pop("now", BEFORE_EASTER), **kwargs)
