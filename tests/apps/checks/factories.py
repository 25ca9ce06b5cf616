"""Factories for checks: made through the service, so each has a real result, trace and audit event."""

from __future__ import annotations

from typing import Any

import factory

from continuum.apps.accounts.actor import Actor
from continuum.apps.checks import services
from continuum.apps.checks.models import Check
from continuum.apps.partnerships.catalogue import catalogue


class CheckFactory(factory.django.DjangoModelFactory):
    """A stored check against the tiny framework: a worried teacher's words and one Level 2 concern."""

    class Meta:
        model = Check

    framework_id = "tiny"
    inputs = factory.Sequence(
        lambda n: {
            "text": f"Child {n} is often late for school",
            "indicators": ["edu-l2-1"],
            "protective": [],
            "facts": {},
            "age_years": 8.0,
            "age": {"years": 8, "months": 0},
            "suggested": ["edu-l2-1"],
            "rejected": [],
            "rejected_text": [],
            "matching_mode": "lexical",
        }
    )

    @classmethod
    def _create(cls, model_class: type[Check], *args: Any, **kwargs: Any) -> Check:
        loaded = catalogue().get(kwargs.pop("framework_id"))
        assert loaded is not None, "the framework must be offered by the catalogue"
        actor = kwargs.pop("actor", None) or Actor.anonymous()
        return services.create_check(loaded, kwargs.pop("inputs"), actor=actor, **kwargs)


def made_in(client: Any, check: Check) -> Check:
    """Let ``client``'s browser session record ``check``'s judgement, as if it had made the check (ADR 0018)."""
    session = client.session
    session["checks.made"] = [*session.get("checks.made", []), check.public_id]
    session.save()
    return check
