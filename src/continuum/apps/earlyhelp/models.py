"""Early help records: an episode (the assessment and what follows it), the family, consent, the team, the plan,
reviews, step-up and step-down, and the partnership's own settings where the document is silent.

Every record holding a family's information is scoped by :meth:`EpisodeQuerySet.visible_to`: the lead
professional, and the team's members while their membership holds *and* a current consent covers sharing
with the team. Withdrawing consent cuts members off from that moment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from continuum.apps.accounts.actor import Role
from continuum.apps.govuk.records import Revision, new_reference
from continuum.frameworks.casework import CLOSURE_CODES

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor

# The roles that work in early help: they start assessments, lead, and sit on teams around families.
EARLY_HELP_ROLES: frozenset[Role] = frozenset({Role.PRACTITIONER, Role.EARLY_HELP})
# The roles that hand children to early help (step-down) from the front door or a social care case.
STEP_DOWN_ROLES: frozenset[Role] = frozenset({Role.FRONT_DOOR_WORKER, Role.FRONT_DOOR_MANAGER, Role.EARLY_HELP})

CLOSURE_LABELS: dict[str, str] = {
    "needs-met": "Needs met",
    "step-up": "Stepped up to social care",
    "moved-away": "Moved away",
    "consent-withdrawn": "Consent withdrawn",
    "no-engagement": "No engagement",
    "other": "Other",
}
assert set(CLOSURE_LABELS) == set(CLOSURE_CODES)


def new_public_id() -> str:
    return new_reference(9)


class Status(models.TextChoices):
    DRAFT = "draft", "Draft assessment"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Source(models.TextChoices):
    CHECK = "check", "A practitioner's check"
    FRONT_DOOR = "front-door", "A front-door decision of early help"
    STEP_DOWN = "step-down", "A step-down from social care"


# The assessment's sections, in the task list's order: (id, title).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("family", "The family"),
    ("needs", "Strengths and needs"),
    ("voice", "The family's voice"),
    ("consent", "Consent"),
)


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def with_closure_in_force(self) -> EpisodeQuerySet:
        """Each episode annotated with ``annotated_closure_code_in_force``: the latest change's code, else the
        closure as first recorded (ADR 0018). The SQL twin of :attr:`Episode.closure_code_in_force`, for reports."""
        latest = ClosureRevision.objects.filter(episode=models.OuterRef("pk")).order_by("-recorded_at", "-pk")
        return self.annotate(
            annotated_closure_code_in_force=Coalesce(
                models.Subquery(latest.values("closure_code")[:1]), models.F("closure_code")
            )
        )

    def visible_to(self, actor: Actor) -> EpisodeQuerySet:
        """The lead professional's episodes, and those where the actor is a current team member under current consent."""
        if actor.user is None or actor.role not in EARLY_HELP_ROLES or not actor.partnership:
            return self.none()
        member = TeamMember.objects.filter(episode=OuterRef("pk"), user=actor.user, left_at__isnull=True)
        consent = Consent.objects.filter(episode=OuterRef("pk"), shares_with_team=True, withdrawn_at__isnull=True)
        return self.filter(partnership=actor.partnership).filter(
            Q(lead_professional=actor.user) | (Exists(member) & Exists(consent))
        )


class Episode(models.Model):
    """One family's early help, from the assessment's first draft to closure (or step-up).

    ``version`` is the plan's version: every change to the plan or the team names the version it was made
    against, and a change against an older one is refused (nobody's edit is overwritten silently).
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    partnership = models.CharField(max_length=100, db_index=True)
    framework_version = models.CharField(max_length=20)
    framework_hash = models.CharField(max_length=80)
    assessment_name = models.CharField(max_length=300)  # the framework's name for the assessment
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=12, choices=Source.choices)
    source_reference = models.CharField(max_length=100, blank=True, default="")  # check/referral/step-down id
    check_ref = models.ForeignKey(
        "checks.Check", null=True, blank=True, on_delete=models.PROTECT, related_name="early_help", db_column="check_id"
    )
    level_at_start = models.PositiveSmallIntegerField(null=True, blank=True)
    needs = models.JSONField(default=list, blank=True)  # indicator ids (concerns)
    strengths = models.JSONField(default=list, blank=True)  # protective-factor indicator ids
    strengths_text = models.TextField(blank=True, default="")
    family_voice = models.TextField(blank=True, default="")
    sections_done = models.JSONField(default=list, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    lead_professional = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="early_help_leads"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_code = models.CharField(max_length=20, blank=True, default="")
    closure_text = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=1)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        indexes = (models.Index(fields=("lead_professional", "status"), name="earlyhelp_episode_caseload"),)
        constraints = (
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="open", submitted_at__isnull=False, closed_at__isnull=True)
                | Q(status="closed", submitted_at__isnull=False, closed_at__isnull=False) & ~Q(closure_code=""),
                name="earlyhelp_episode_state_complete",
            ),
        )

    def __str__(self) -> str:
        return f"{self.assessment_name} {self.public_id}"

    @property
    def closure_label(self) -> str:
        return CLOSURE_LABELS.get(self.closure_code, "")

    @property
    def closure_export(self) -> str:
        """The closure reason as text for exports: no national code list exists for early help closure."""
        label = self.closure_label
        return f"{label}: {self.closure_text}" if self.closure_text else label

    @property
    def latest_closure_revision(self) -> ClosureRevision | None:
        """The latest change to the closure, recorded beside it, if any."""
        return self.closure_revisions.order_by("-recorded_at", "-pk").first()

    @property
    def closure_code_in_force(self) -> str:
        """Why the episode closed, now: the latest change's reason code, else the closure as recorded (ADR 0018)."""
        latest = self.latest_closure_revision
        return latest.closure_code if latest is not None else self.closure_code


class ClosureRevision(Revision):
    """A change to a recorded closure: why the episode closed, now, by whom, when and why it changed.

    The episode's ``closure_code`` and ``closure_text`` stay as first recorded (the database refuses to
    change them once it is closed); each later change is one of these rows, never edited. Written by
    :func:`continuum.apps.earlyhelp.services.revise_closure`.
    """

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="closure_revisions")
    closure_code = models.CharField(max_length=20)
    closure_text = models.TextField(blank=True, default="")

    class Meta(Revision.Meta):
        pass

    def __str__(self) -> str:
        return f"revised closure of {self.episode_id}"

    @property
    def decision(self) -> str:
        label = CLOSURE_LABELS.get(self.closure_code, self.closure_code)
        return f"{label}: {self.closure_text}" if self.closure_text else label


class FamilyMember(models.Model):
    """One child or adult of the family: one record each."""

    class Kind(models.TextChoices):
        CHILD = "child", "Child"
        ADULT = "adult", "Adult"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="family")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    relationship = models.CharField(max_length=100, blank=True, default="")  # e.g. mother, stepfather

    class Meta:
        ordering = ("kind", "id")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Consent(models.Model):
    """Consent as data: who consented, to what, to sharing with whom, when; and its withdrawal."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="consents")
    given_by = models.ForeignKey(FamilyMember, on_delete=models.PROTECT, related_name="consents")
    to_what = models.TextField()
    share_with = models.JSONField(default=list)  # the agencies or people named, as recorded
    shares_with_team = models.BooleanField(default=True)  # covers sharing with the team around the family
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ("given_at", "id")

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


class TeamMember(models.Model):
    """A member of the team around the family: a user of the partnership, or a named external member."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    agency = models.CharField(max_length=200)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("joined_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("episode", "user"),
                condition=Q(left_at__isnull=True, user__isnull=False),
                name="earlyhelp_team_member_once",
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class PlanAction(models.Model):
    """One action of the family's plan: who owns it, when it is due, how it is going."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(TeamMember, on_delete=models.PROTECT, related_name="actions")
    due_date = models.DateField()
    progress = models.TextField(blank=True, default="")
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ("due_date", "id")


class ReviewQuerySet(models.QuerySet["Review"]):
    def visible_to(self, actor: Actor) -> ReviewQuerySet:
        return self.filter(episode__in=Episode.objects.visible_to(actor))


class Review(models.Model):
    """A review: scheduled with its due date when the clock starts; held with progress and the level now."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="reviews")
    number = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField(db_index=True)
    clock_basis = models.CharField(max_length=12)  # "document", "national" or "partnership"
    clock_text = models.TextField()  # the words behind the interval, shown with it
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    progress = models.JSONField(default=dict, blank=True)  # plan action id → progress at this review
    summary = models.TextField(blank=True, default="")
    selection = models.JSONField(default=dict, blank=True)  # the new check's input
    result = models.JSONField(default=dict, blank=True)  # the engine's result
    level_now = models.PositiveSmallIntegerField(null=True, blank=True)
    level_now_name = models.CharField(max_length=200, blank=True, default="")
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ("number",)
        constraints = (
            models.UniqueConstraint(fields=("episode", "number"), name="earlyhelp_review_number"),
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | Q(held_by__isnull=False, level_now__isnull=False),
                name="earlyhelp_review_held_complete",
            ),
        )


class StepUp(models.Model):
    """An episode stepped up to the front door, with everything it carries (``package``)."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="step_up")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    reason = models.TextField()
    package = models.JSONField()  # the assessment, the plan and the history, as sent
    referral_ids = models.JSONField(default=list, blank=True)  # the front door's referral references


class StepDownQuerySet(models.QuerySet["StepDown"]):
    def visible_to(self, actor: Actor) -> StepDownQuerySet:
        """The receiving early help team (role early-help) of the partnership, and whoever asked."""
        if actor.user is None or not actor.partnership:
            return self.none()
        mine = self.filter(partnership=actor.partnership)
        if actor.role == Role.EARLY_HELP:
            return mine
        if actor.role in STEP_DOWN_ROLES:
            return mine.filter(requested_by=actor.user)
        return self.none()


class StepDown(models.Model):
    """A child handed to early help, waiting for the receiving team's answer (with its own deadline)."""

    class Origin(models.TextChoices):
        FRONT_DOOR = "front-door", "A front-door decision"
        SOCIAL_CARE = "social-care", "A social care case"

    class State(models.TextChoices):
        REQUESTED = "requested", "Waiting for early help"
        ACCEPTED = "accepted", "Accepted"
        REFUSED = "refused", "Refused"

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    partnership = models.CharField(max_length=100, db_index=True)
    origin = models.CharField(max_length=12, choices=Origin.choices)
    source_reference = models.CharField(max_length=100)  # the referral or case reference
    family = models.JSONField()  # [{kind, first_name, last_name, date_of_birth, relationship}]
    needs = models.JSONField(default=list, blank=True)
    reason = models.TextField()
    history = models.JSONField(default=list, blank=True)  # what social care did, as handed over
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    respond_by = models.DateTimeField(null=True, blank=True, db_index=True)
    clock_basis = models.CharField(max_length=12, blank=True, default="")
    clock_text = models.TextField(blank=True, default="")
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True, default="")
    episode = models.OneToOneField(Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="step_down")
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = StepDownQuerySet.as_manager()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(state="requested", answered_at__isnull=True)
                | Q(state="accepted", answered_at__isnull=False, episode__isnull=False)
                | Q(state="refused", answered_at__isnull=False) & ~Q(refusal_reason=""),
                name="earlyhelp_step_down_state_complete",
            ),
        )


class PartnershipSettingQuerySet(models.QuerySet["PartnershipSetting"]):
    def visible_to(self, actor: Actor) -> PartnershipSettingQuerySet:
        if actor.user is None or actor.role != Role.PARTNERSHIP_ADMIN or not actor.partnership:
            return self.none()
        return self.filter(partnership=actor.partnership)


class PartnershipSetting(models.Model):
    """The partnership's own early help intervals, used only where the document and national guidance are silent.

    Each is an amount of time as people write it ("12 weeks", "10 working days"); blank means not set.
    """

    partnership = models.CharField(max_length=100, unique=True)
    first_review = models.CharField(max_length=40, blank=True, default="")
    review_interval = models.CharField(max_length=40, blank=True, default="")
    step_down_response = models.CharField(max_length=40, blank=True, default="")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    objects = PartnershipSettingQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Early help settings of {self.partnership}"
