"""Escalations of professional disagreement, their stages, the partnership's own procedure, and register exports.

An :class:`Escalation` is about one decision (its *subject*): a content type and an object id, so
every kind of decision in :mod:`continuum.apps.escalations.subjects` fits without a column of its
own (ADR 0012). The stages it follows are stored with it when it is raised (``procedure``), and
each :class:`Stage` it has reached is a row with its clock (``due_at``, stored once when the stage
starts), its response and how it ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from continuum.apps.accounts.actor import Role
from continuum.apps.escalations import events
from continuum.apps.govuk.records import Revision, new_reference

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor

# Who sees a partnership's escalations besides the person who raised one: its register's readers
# (front-door managers and partnership admins) and the front-door workers whose decisions are challenged.
PARTNERSHIP_READERS: frozenset[Role] = frozenset(
    {Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER, Role.PARTNERSHIP_ADMIN}
)


def new_public_id() -> str:
    return new_reference(9)


class Status(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Basis(models.TextChoices):
    DOCUMENT = "document", "The document's stages"
    PARTNERSHIP = "partnership", "The partnership's procedure (set by the partnership)"
    NONE = "none", "The document gives no stages"


class StageEnd(models.TextChoices):
    CURRENT = "", "Current"
    ESCALATED = "escalated", "Moved to the next stage"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The legal moves of an escalation's status, and the audit verb of each. Moving to the next stage
# keeps it open; it is the move (OPEN, OPEN).
TRANSITIONS: dict[tuple[str, str], Any] = {
    (Status.OPEN, Status.OPEN): events.ESCALATED,
    (Status.OPEN, Status.RESOLVED): events.RESOLVED,
    (Status.OPEN, Status.WITHDRAWN): events.WITHDRAWN,
}


class EscalationQuerySet(models.QuerySet["Escalation"]):
    def visible_to(self, actor: Actor) -> EscalationQuerySet:
        """The person who raised it; the front door's roles and partnership admins of its partnership."""
        if actor.user is None:
            return self.none()
        scope = Q(owner=actor.user)
        if actor.role in PARTNERSHIP_READERS and actor.partnership:
            scope |= Q(partnership=actor.partnership)
        return self.filter(scope)


class Escalation(models.Model):
    """One professional's disagreement with one decision, from raising to resolution or withdrawal."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    partnership = models.CharField(max_length=100, db_index=True)
    framework_version = models.CharField(max_length=20)
    framework_hash = models.CharField(max_length=80)

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject_kind = models.CharField(max_length=30)  # subjects.SubjectKind.key
    subject_reference = models.CharField(max_length=64)  # what people call it (its public id)
    subject_decision = models.TextField()  # the decision disagreed with, in words, when raised

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="escalations_raised")
    raised_role = models.CharField(max_length=50)
    raised_at = models.DateTimeField(db_index=True)
    concern = models.TextField()  # what they disagree with and why
    other_party = models.CharField(max_length=300)  # the professional or agency they disagree with
    desired_outcome = models.TextField(blank=True, default="")

    basis = models.CharField(max_length=20, choices=Basis.choices)
    procedure = models.JSONField()  # procedure.Procedure.snapshot(): the stages, stored when raised

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    current_stage = models.PositiveSmallIntegerField(default=1)
    outcome = models.TextField(blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ("-raised_at",)
        indexes = (models.Index(fields=("subject_type", "subject_id"), name="escalations_subject"),)
        constraints = (
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True, outcome="")
                | (Q(status__in=("resolved", "withdrawn"), closed_at__isnull=False) & ~Q(outcome="")),
                name="escalations_escalation_closed_complete",
            ),
        )

    def __str__(self) -> str:
        return f"escalation {self.public_id} ({self.partnership})"

    @property
    def stage_rules(self) -> list[dict[str, Any]]:
        return list(self.procedure.get("stages", []))

    @property
    def stage_count(self) -> int:
        return len(self.stage_rules)

    @property
    def has_next_stage(self) -> bool:
        return self.current_stage < self.stage_count

    @property
    def latest_outcome_revision(self) -> OutcomeRevision | None:
        return self.outcome_revisions.order_by("-recorded_at", "-pk").first()

    @property
    def outcome_in_force(self) -> str:
        """How it was resolved, now: the latest change's words, else the outcome as recorded (ADR 0018)."""
        latest = self.latest_outcome_revision
        return latest.outcome if latest is not None else self.outcome


class Stage(models.Model):
    """A stage the escalation reached: who acts, its deadline (stored once), the response and how it ended."""

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="stages")
    number = models.PositiveSmallIntegerField()
    who = models.CharField(max_length=500, blank=True, default="")  # empty where the procedure gives no stages
    how = models.TextField(blank=True, default="")
    within = models.CharField(max_length=50, blank=True, default="")  # the timescale, empty where none is given
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)

    response = models.TextField(blank=True, default="")
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended = models.CharField(max_length=20, choices=StageEnd.choices, blank=True, default=StageEnd.CURRENT)
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")  # why it moved on or was withdrawn; the resolution

    class Meta:
        ordering = ("escalation", "number")
        constraints = (
            models.UniqueConstraint(fields=("escalation", "number"), name="escalations_stage_unique"),
            models.CheckConstraint(
                condition=Q(response="", responded_at__isnull=True, responded_by__isnull=True)
                | (~Q(response="") & Q(responded_at__isnull=False)),
                name="escalations_stage_response_complete",
            ),
            models.CheckConstraint(
                condition=Q(ended="", ended_at__isnull=True) | (~Q(ended="") & Q(ended_at__isnull=False)),
                name="escalations_stage_end_complete",
            ),
        )

    def __str__(self) -> str:
        return f"stage {self.number} of {self.escalation}"


class OutcomeRevision(Revision):
    """A change to a resolved escalation's recorded outcome: the outcome now, by whom, when and why.

    The escalation's ``outcome`` (and its last stage's ``reason``) stay as first recorded (the database
    refuses to change them once closed); each later change is one of these rows, never edited. Written by
    :func:`continuum.apps.escalations.services.revise_outcome`.
    """

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="outcome_revisions")
    outcome = models.TextField()

    class Meta(Revision.Meta):
        pass

    def __str__(self) -> str:
        return f"revised outcome of {self.escalation_id}"

    @property
    def decision(self) -> str:
        return self.outcome


class PartnershipProcedure(models.Model):
    """The partnership's own escalation procedure, recorded by its admin where the document gives no stages.

    ``stages`` is a list of ``{"who", "how", "within"}`` in order (``within`` e.g. "5 working days",
    or empty). Shown as the partnership's procedure, set by the partnership, never as the document's words.
    """

    partnership = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    url = models.URLField(blank=True, default="")
    stages = models.JSONField(default=list)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        verbose_name = "partnership's escalation procedure"

    def __str__(self) -> str:
        return f"{self.partnership}: {self.name}"


class RegisterExport(models.Model):
    """One export of a partnership's escalation register (the audit event's target): who, when, which rows."""

    partnership = models.CharField(max_length=100, db_index=True)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField()
    filters = models.JSONField(default=dict)
    rows = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"register export of {self.partnership} at {self.exported_at:%Y-%m-%d %H:%M}"
