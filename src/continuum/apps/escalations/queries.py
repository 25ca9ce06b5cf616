"""Reads of escalations, scoped by ``visible_to(actor)``; the register's rows, filters and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import require
from continuum.apps.audit.services import record_access
from continuum.apps.escalations import events
from continuum.apps.escalations.models import Escalation, OutcomeRevision, Stage, Status
from continuum.apps.govuk.text import whole_number

# The register's filters: name → the values people may choose (besides "any").
STATUS_CHOICES = [(s.value, s.label) for s in Status]
OVERDUE = "overdue"
PAGE_SIZE = 100


def escalation_for(
    actor: Actor, public_id: str, *, purpose: str = "page", action: str = "escalations.view"
) -> Escalation:
    """The escalation ``public_id`` if ``actor`` may see it (404 otherwise) and do ``action`` to it (403
    otherwise), its stages loaded; the access logged. A view that changes an escalation names its action here,
    before it reads what was posted: a person who may not act learns nothing of the form (the services ask
    again), and is refused before anything is written, the access log too."""
    found = (
        Escalation.objects.visible_to(actor)
        .filter(public_id=public_id)
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("number")))
        .first()
    )
    if found is None:
        raise Http404("No such escalation")
    for needed in dict.fromkeys(("escalations.view", action)):
        require(actor, needed, found)
    record_access(actor, found, purpose=purpose, verb=events.VIEWED)
    return found


def raised_by(actor: Actor) -> QuerySet[Escalation]:
    """The escalations ``actor`` raised in the partnership they act in."""
    if actor.user is None:
        return Escalation.objects.none()
    return Escalation.objects.filter(owner=actor.user, partnership=actor.partnership or "")


@dataclass(frozen=True)
class Filters:
    status: str = ""
    stage: int | None = None
    overdue: bool = False

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        status = query.get("status", "")
        stage = query.get("stage", "")
        return cls(
            status=status if status in dict(STATUS_CHOICES) else "",
            stage=stage_number if (stage_number := whole_number(stage, 2)) else None,
            overdue=query.get("overdue") == "yes",
        )

    def as_dict(self) -> dict[str, str]:
        found = {"status": self.status, "stage": str(self.stage or ""), "overdue": "yes" if self.overdue else ""}
        return {k: v for k, v in found.items() if v}


def register(actor: Actor, filters: Filters) -> QuerySet[Escalation]:
    """The partnership's escalations for its register, newest first, filtered (role: ``escalations.view_register``)."""
    require(actor, "escalations.view_register")
    rows = Escalation.objects.filter(partnership=actor.partnership or "")
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.stage is not None:
        rows = rows.filter(current_stage=filters.stage)
    overdue = Stage.objects.filter(
        escalation=OuterRef("pk"), number=OuterRef("current_stage"), ended="", overdue_at__isnull=False
    )
    if filters.overdue:
        rows = rows.filter(Exists(overdue))
    rows = rows.annotate(is_overdue=Exists(overdue))
    # The outcome in force: the latest change recorded beside the first (ADR 0018), else the first.
    latest = OutcomeRevision.objects.filter(escalation=OuterRef("pk")).order_by("-recorded_at", "-pk")
    rows = rows.annotate(register_outcome=Coalesce(Subquery(latest.values("outcome")[:1]), F("outcome")))
    current = Stage.objects.filter(ended="")
    return rows.select_related("owner").prefetch_related(Prefetch("stages", queryset=current, to_attr="open_stages"))


def log_register_rows(actor: Actor, rows: list[Escalation], purpose: str) -> None:
    """The access log: one event per escalation the register showed or exported."""
    for row in rows:
        record_access(actor, row, purpose=purpose, verb=events.VIEWED)


def age_in_days(escalation: Escalation, now: datetime | None = None) -> int:
    """Calendar days from raising to closing (or to now, while open)."""
    end = escalation.closed_at or now or timezone.now()
    return (end - escalation.raised_at).days


CSV_HEADER = (
    "reference",
    "raised_at",
    "raised_by_role",
    "subject",
    "subject_reference",
    "decision",
    "other_party",
    "procedure",
    "stage",
    "stages",
    "stage_due",
    "overdue",
    "status",
    "age_days",
    "closed_at",
    "outcome",
)


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(rows: list[Escalation], now: datetime | None = None) -> str:
    """The register as CSV (no concern text: the register is for the safeguarding partners' oversight)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        current = getattr(row, "open_stages", None)
        stage = current[0] if current else None
        writer.writerow(
            _cell(value)
            for value in [
                row.public_id,
                row.raised_at.isoformat(),
                row.raised_role,
                row.subject_kind,
                row.subject_reference,
                row.subject_decision,
                row.other_party,
                row.basis,
                row.current_stage,
                row.stage_count,
                stage.due_at.isoformat() if stage is not None and stage.due_at else "",
                "yes" if getattr(row, "is_overdue", False) else "",
                row.status,
                age_in_days(row, now),
                row.closed_at.isoformat() if row.closed_at else "",
                getattr(row, "register_outcome", row.outcome),
            ]
        )
    return out.getvalue()
