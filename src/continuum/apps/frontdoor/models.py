"""The front door's records: a ``Triage`` per referral, its agency checks, and each partnership's settings.

A referral (``referrals.Referral``, one per child) reaches the front door as a ``Triage``:
its decision deadline (copied from the referral, re-set when the contact is graded), who
claimed it, the grade, the re-referral match, the decision with its structured rationale,
and the feedback to the referrer. Deadlines are computed once, when their clock starts,
by ``continuum.calendar``, and stored (indexed); RAG is read from them when the queue is
read (:mod:`continuum.apps.frontdoor.rag`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from continuum.apps.accounts.permissions import FRONT_DOOR_ROLES
from continuum.apps.frontdoor.clocks import DEFAULT_AMBER_SHARE
from continuum.apps.govuk.records import Revision

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor

# The agencies asked for information at every front door (Continuum's list, in every
# partnership); a partnership adds its own with ``AgencyKind`` rows.
DEFAULT_AGENCIES: tuple[tuple[str, str], ...] = (
    ("police", "Police"),
    ("health", "Health"),
    ("education", "Education"),
    ("csc-history", "Children's social care history"),
)


class FrontDoorSettings(models.Model):
    """What a partnership sets for its front door (the document being silent on it)."""

    partnership = models.CharField(max_length=100, unique=True)
    amber_share = models.FloatField(
        default=DEFAULT_AMBER_SHARE,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="A contact shows amber when less than this share of its clock (in working time) is left.",
    )
    opened_through = models.DateTimeField(null=True, blank=True, help_text="Referrals received to here are open.")

    class Meta:
        verbose_name = "front door settings"
        verbose_name_plural = "front door settings"

    def __str__(self) -> str:
        return f"Front door settings of {self.partnership}"


class AgencyKind(models.Model):
    """An agency a partnership asks for information, beyond Continuum's defaults."""

    partnership = models.CharField(max_length=100)
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("partnership", "name")
        constraints = (models.UniqueConstraint(fields=("partnership", "code"), name="frontdoor_agencykind_unique"),)

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    NEW = "new", "Not claimed"
    CLAIMED = "claimed", "Claimed"
    DECIDED = "decided", "Decided"


class Match(models.TextChoices):
    NONE = "", "No earlier contact"
    NHS = "nhs", "Same NHS number"
    NAME_DOB = "name-dob", "Same name and date of birth"


class TriageQuerySet(models.QuerySet["Triage"]):
    def visible_to(self, actor: Actor) -> TriageQuerySet:
        """Front-door workers and managers see their own partnership's contacts; nobody else sees any."""
        if actor.user is None or actor.role not in FRONT_DOOR_ROLES or not actor.partnership:
            return self.none()
        return self.filter(partnership=actor.partnership)

    def open(self) -> TriageQuerySet:
        return self.exclude(state=State.DECIDED)

    def with_decision_in_force(self) -> TriageQuerySet:
        """Each contact annotated with ``annotated_outcome_code_in_force``, ``annotated_police_in_force`` and
        ``annotated_frontdoor_level_in_force``: the latest revision's, else the decision as first recorded
        (ADR 0018). The SQL twin of :attr:`Triage.outcome_code_in_force`, for reports."""
        latest = DecisionRevision.objects.filter(triage=models.OuterRef("pk")).order_by("-recorded_at", "-pk")

        def in_force(field: str) -> Any:
            return Coalesce(models.Subquery(latest.values(field)[:1]), models.F(field))

        return self.annotate(
            annotated_outcome_code_in_force=in_force("outcome_code"),
            annotated_police_in_force=in_force("police"),
            annotated_frontdoor_level_in_force=in_force("frontdoor_level"),
        )


class Triage(models.Model):
    """One referral at the front door: the clock, the claim, the checks, the decision, the feedback."""

    referral = models.OneToOneField("referrals.Referral", on_delete=models.PROTECT, related_name="triage")
    partnership = models.CharField(max_length=100)  # the referral's, kept here for the queue's index
    # The referral's level and source, kept here so the queue's filters read one table.
    referrer_level = models.PositiveSmallIntegerField(null=True, blank=True)
    referral_source = models.CharField(max_length=3, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW)
    opened_at = models.DateTimeField()

    # The decision clock: started when the referral was received; re-set by a grade.
    clock_started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    amber_at = models.DateTimeField(null=True, blank=True)  # from here less than the amber share is left
    clock = models.CharField(max_length=100, blank=True)  # timescale id in force ("" = the document has none)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="claimed_triages"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    grade = models.CharField(max_length=50, blank=True)  # a framework grade id
    graded_at = models.DateTimeField(null=True, blank=True)

    # Re-referral: an earlier contact about the same child within the window.
    earlier = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="later_triages"
    )
    match = models.CharField(max_length=20, choices=Match.choices, blank=True, default=Match.NONE)
    match_confirmed = models.BooleanField(null=True, blank=True)  # None: a name-and-birth match awaits a person
    open_case = models.CharField(max_length=200, blank=True)  # the earlier referral still open, named

    # The decision.
    outcome_code = models.CharField(max_length=50, blank=True)  # canonical (frameworks.casework.OUTCOME_CODES)
    outcome_name = models.CharField(max_length=300, blank=True)  # the framework's own words for it
    police = models.BooleanField(default=False)
    frontdoor_level = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="decided_triages"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    # Feedback to the referrer: its own clock, from the decision.
    feedback_due = models.DateTimeField(null=True, blank=True)
    feedback_clock = models.CharField(max_length=100, blank=True)
    feedback_sent_at = models.DateTimeField(null=True, blank=True)
    feedback_shared = models.BooleanField(null=True, blank=True)

    objects = TriageQuerySet.as_manager()

    class Meta:
        ordering = ("due_at", "pk")
        indexes = (
            # The queue: a partnership's open contacts by deadline (PostgreSQL puts no deadline last
            # in an ascending index, as the queue orders them; SQLite allows no NULLS LAST here).
            models.Index(fields=("partnership", "due_at", "id"), name="frontdoor_queue", condition=~Q(state="decided")),
            models.Index(fields=("claimed_by", "due_at"), name="frontdoor_mine", condition=~Q(state="decided")),
            models.Index(fields=("feedback_due",), name="frontdoor_feedback_due"),
        )
        constraints = (
            # Claimed and decided contacts have their claimant; a new one has none (the claim's backstop).
            models.CheckConstraint(
                condition=Q(state="new", claimed_by__isnull=True, claimed_at__isnull=True)
                | Q(state__in=("claimed", "decided"), claimed_by__isnull=False, claimed_at__isnull=False),
                name="frontdoor_triage_claim_complete",
            ),
            models.CheckConstraint(
                condition=~Q(state="decided")
                | (Q(decided_at__isnull=False, decided_by__isnull=False) & ~Q(outcome_code="")),
                name="frontdoor_triage_decision_complete",
            ),
        )

    def __str__(self) -> str:
        return f"Triage of {self.public_id}"

    @property
    def public_id(self) -> str:
        """The referral's reference: how people and the audit name the contact."""
        return str(self.referral.public_id)

    @property
    def latest_revision(self) -> DecisionRevision | None:
        """The latest change to the decision, recorded beside it, if any."""
        return self.decision_revisions.order_by("-recorded_at", "-pk").first()

    @property
    def outcome_code_in_force(self) -> str:
        """The outcome decided now: the latest revision's, else the decision as first recorded (ADR 0018)."""
        latest = self.latest_revision
        return latest.outcome_code if latest is not None else self.outcome_code

    @property
    def frontdoor_level_in_force(self) -> int | None:
        latest = self.latest_revision
        return latest.frontdoor_level if latest is not None else self.frontdoor_level


class DecisionRevision(Revision):
    """A change to a recorded front-door decision: the outcome, police and level now, by whom, when and why.

    The triage's own decision columns stay as first recorded (the database refuses to change them once
    the contact is decided); each later change is one of these rows, never edited. Written by
    :func:`continuum.apps.frontdoor.services.revise_decision`.
    """

    triage = models.ForeignKey(Triage, on_delete=models.PROTECT, related_name="decision_revisions")
    outcome_code = models.CharField(max_length=50)
    outcome_name = models.CharField(max_length=300)
    police = models.BooleanField(default=False)
    frontdoor_level = models.PositiveSmallIntegerField()

    class Meta(Revision.Meta):
        pass

    def __str__(self) -> str:
        return f"revised decision of {self.triage_id}"

    @property
    def decision(self) -> str:
        police = ", with the police" if self.police else ""
        return f"{self.outcome_name}{police}; the front door's level {self.frontdoor_level}"


class AgencyCheck(models.Model):
    """Information requested from one agency about one contact, with its own clock and the answer."""

    triage = models.ForeignKey(Triage, on_delete=models.CASCADE, related_name="agency_checks")
    agency = models.CharField(max_length=50)
    agency_name = models.CharField(max_length=200)
    question = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)  # None: the document gives no clock for it
    clock = models.CharField(max_length=100, blank=True)
    response = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("requested_at", "pk")
        constraints = (
            models.UniqueConstraint(fields=("triage", "agency"), name="frontdoor_agencycheck_one_per_agency"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(response=""), name="frontdoor_agencycheck_answer_complete"
            ),
        )

    def __str__(self) -> str:
        return f"{self.agency_name} check"

    @property
    def public_id(self) -> str:
        return f"{self.triage.public_id}/{self.agency}"

    def as_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "name": self.agency_name, "answered": self.answered_at is not None}
