"""Factories for early help, made through the services (so each has its audit events and clocks)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.earlyhelp import services
from continuum.apps.earlyhelp.models import Episode
from tests.apps.checks.factories import CheckFactory


def level_two_check(actor: Actor) -> Any:
    """A check by ``actor`` against their partnership's document: one Level 2 need and a protective factor."""
    inputs = {"text": "Often late", "indicators": ["edu-l2-1"], "protective": ["family-p-1"], "facts": {}}
    return CheckFactory(actor=actor, framework_id=actor.partnership, inputs=inputs)


class EpisodeFactory(factory.django.DjangoModelFactory):
    """An episode started from a Level 2 check by ``actor``; ``submitted=True`` fills every section and submits."""

    class Meta:
        model = Episode

    child_first_name = factory.Sequence(lambda n: f"Child{n}")

    @classmethod
    def _create(cls, model_class: type[Episode], *args: Any, **kwargs: Any) -> Episode:
        actor: Actor = kwargs.pop("actor")
        submitted = kwargs.pop("submitted", True)
        episode = services.start_from_check(actor, level_two_check(actor))
        child = services.add_family_member(
            actor,
            episode,
            kind="child",
            first_name=kwargs.pop("child_first_name"),
            last_name="Smith",
            date_of_birth=date(2018, 5, 1),
        )
        parent = services.add_family_member(
            actor, episode, kind="adult", first_name="Pat", last_name="Smith", relationship="mother"
        )
        if not submitted:
            return episode
        services.save_section(actor, episode, "family", {})
        services.save_section(actor, episode, "voice", {"family_voice": "We want help with mornings."})
        services.record_consent(
            actor,
            episode,
            given_by=parent,
            to_what="An early help assessment and plan",
            share_with=["School", "Health visiting"],
            shares_with_team=True,
            given_at=timezone.now() - timedelta(minutes=1),
        )
        assert child.pk
        return services.submit(actor, episode)
