"""The auditor's reading of the audit: one partnership's events, filtered, newest first, a page at a time.

Scoping: an auditor sees the events written by people and jobs acting in their own partnership
(``AuditEvent.partnership``), never another's. Paging is by sequence (keyset), so a page costs the
same at the millionth event as at the first.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.http import QueryDict

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import require
from continuum.apps.audit import registry
from continuum.apps.audit.models import AuditEvent, AuditEventQuerySet
from continuum.apps.govuk.text import whole_number

PAGE_SIZE = 50
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Filters:
    """What the auditor asked for; each field is the text of a query-string parameter ("" = any)."""

    verb: str = ""
    who: str = ""
    record_type: str = ""
    record_id: str = ""
    start: str = ""
    end: str = ""
    reads: str = ""  # "yes": the access log only

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        return cls(**{f.name: query.get(f.name, "").strip()[:150] for f in fields(cls)})

    def as_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def errors(self) -> dict[str, str]:
        """What to fix, by field: a verb nobody declared, or a date that is not a date."""
        problems = {}
        if self.verb and self.verb not in {v.name for v in registry.all_verbs()}:
            problems["verb"] = "Choose an action from the list"
        for name, label in (("start", "From"), ("end", "To")):
            value = getattr(self, name)
            if value and _date(value) is None:
                problems[name] = f"{label} must be a date, like 2026-11-30"
        if not problems and self.start and self.end and _date(self.start) > _date(self.end):  # type: ignore[operator]
            problems["end"] = "To must be the same as or after From"
        return problems


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def events_for(actor: Actor, filters: Filters) -> AuditEventQuerySet:
    """The actor's partnership's events matching ``filters`` (which must have no errors), newest first."""
    require(actor, "audit.view")
    chosen = AuditEvent.objects.filter(partnership=actor.partnership or "-").order_by("-sequence")
    if filters.verb:
        chosen = chosen.filter(verb=filters.verb)
    if filters.reads == "yes":
        chosen = chosen.filter(verb__in=[v.name for v in registry.access_verbs()])
    if filters.who:
        chosen = chosen.filter(actor__icontains=filters.who)
    if filters.record_type:
        chosen = chosen.filter(target_type=filters.record_type)
    if filters.record_id:
        chosen = chosen.filter(target_id=filters.record_id)
    if (start := _date(filters.start)) is not None:
        chosen = chosen.filter(created_at__gte=datetime.combine(start, time.min, LONDON))
    if (end := _date(filters.end)) is not None:
        chosen = chosen.filter(created_at__lt=datetime.combine(end, time.max, LONDON))
    return chosen


@dataclass(frozen=True)
class Page:
    events: list[AuditEvent]
    older: int | None  # the ``before`` of the next (older) page, if there is one


def page(actor: Actor, filters: Filters, before: str = "") -> Page:
    """One page of events older than sequence ``before`` (the newest page when it is empty or not a number)."""
    chosen = events_for(actor, filters).select_related("actor_user")
    older_than = whole_number(before, 18)  # a sequence fits a 64-bit integer
    if older_than is not None:
        chosen = chosen.filter(sequence__lt=older_than)
    rows = list(chosen[: PAGE_SIZE + 1])
    older = rows[PAGE_SIZE - 1].sequence if len(rows) > PAGE_SIZE else None
    return Page(rows[:PAGE_SIZE], older)


def event_for(actor: Actor, sequence: int) -> AuditEvent | None:
    """One event of the actor's partnership, or ``None``."""
    require(actor, "audit.view")
    return AuditEvent.objects.filter(partnership=actor.partnership or "-", sequence=sequence).first()


def record_types(actor: Actor) -> list[str]:
    """The kinds of record the partnership's events are about, for the filter's list."""
    return list(
        AuditEvent.objects.filter(partnership=actor.partnership or "-")
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )


def latest_verification() -> AuditEvent | None:
    """The newest record of a walk of the whole chain (the chain is one for the whole installation)."""
    return AuditEvent.objects.filter(verb="audit.verified").order_by("-sequence").first()


def describe(event: AuditEvent) -> dict[str, Any]:
    """An event as the pages show it: the verb's description beside its name."""
    try:
        description = registry.get(event.verb).description
    except registry.UnknownVerbError:
        description = "An action no longer declared by any app."
    return {"event": event, "description": description}
