"""A stored check: what the practitioner said, what the framework recommended, what they decided."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from continuum.apps.accounts.permissions import FRONT_DOOR_ROLES
from continuum.apps.govuk.records import Revision, new_reference

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor


def new_public_id() -> str:
    """A random, unguessable identifier for URLs (128 bits); database ids are never shown."""
    return new_reference(16)


class Judgement(models.TextChoices):
    PENDING = "", "Not yet recorded"
    AGREE = "agree", "Agrees with the recommended level"
    OWN = "own", "Records their own level"


class CheckQuerySet(models.QuerySet["Check"]):
    def visible_to(self, actor: Actor) -> CheckQuerySet:
        """The checks ``actor`` may see: their own, and (front door roles) those sent to their partnership.

        A check made without signing in has no owner and is in nobody's list; its page is
        reached only through its unguessable link (:meth:`reachable_by_link`).
        """
        if actor.user is None:
            return self.none()
        scope = Q(owner=actor.user)
        if actor.role in FRONT_DOOR_ROLES and actor.partnership:
            scope |= Q(sent_to_partnership=actor.partnership, sent_at__isnull=False)
        return self.filter(scope)

    def reachable_by_link(self, actor: Actor) -> CheckQuerySet:
        """What a stored check's link opens: the checks ``actor`` may see, and the anonymous ones."""
        return self.filter(Q(owner__isnull=True) | Q(pk__in=self.visible_to(actor).values("pk")))

    def with_level_in_force(self) -> CheckQuerySet:
        """Each check annotated with ``annotated_level_in_force``: the latest revision's level, else the first
        judgement's (``None`` while not judged). The SQL twin of :attr:`Check.level_in_force`, for reports."""
        latest = JudgementRevision.objects.filter(stored_check=models.OuterRef("pk")).order_by("-recorded_at", "-pk")
        revised = models.Subquery(
            latest.annotate(
                level=models.Case(
                    models.When(judgement=Judgement.AGREE, then=models.OuterRef("recommended_level")),
                    default=models.F("own_level"),
                )
            ).values("level")[:1]
        )
        first = models.Case(
            models.When(judgement=Judgement.AGREE, then=models.F("recommended_level")),
            models.When(judgement=Judgement.OWN, then=models.F("own_level")),
            default=None,
        )
        return self.annotate(annotated_level_in_force=Coalesce(revised, first))


class Check(models.Model):
    """One practitioner's check against one version of one framework.

    ``inputs`` is everything the practitioner told us (their words, the indicators they
    confirmed and rejected, protective factors, key facts, age); ``result`` is the engine's
    output including its trace; ``citations`` keeps the source document's text at every
    line the result cites, so the check stands on its own when the framework changes.
    ``owner`` is the signed-in person who made it (empty for the open, anonymous check).
    ``sent_to_partnership`` and ``sent_at`` are set when it is sent to a partnership's front
    door (sending comes with referrals); from then on that front door sees it too.
    """

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # The answers page's token (one per set of answers): a second submission of the same answers
    # (a double click, a resent form) finds this check instead of storing another.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="checks"
    )

    framework_id = models.CharField(max_length=100, db_index=True)
    framework_name = models.CharField(max_length=300)
    framework_version = models.CharField(max_length=20)
    framework_hash = models.CharField(max_length=80)
    engine_version = models.CharField(max_length=20)

    inputs = models.JSONField()
    result = models.JSONField()
    citations = models.JSONField(default=dict, blank=True)

    recommended_level = models.PositiveSmallIntegerField()
    recommended_level_name = models.CharField(max_length=200)
    immediate_danger = models.BooleanField(default=False)

    judgement = models.CharField(max_length=10, choices=Judgement.choices, blank=True, default=Judgement.PENDING)
    own_level = models.PositiveSmallIntegerField(null=True, blank=True)
    judgement_reason = models.TextField(blank=True, default="")
    judged_at = models.DateTimeField(null=True, blank=True)

    sent_to_partnership = models.CharField(max_length=100, blank=True, default="", db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)
        constraints = (
            models.CheckConstraint(
                condition=(
                    Q(judgement="", own_level__isnull=True, judged_at__isnull=True)
                    | Q(judgement="agree", own_level__isnull=True, judged_at__isnull=False)
                    | (Q(judgement="own", own_level__isnull=False, judged_at__isnull=False) & ~Q(judgement_reason=""))
                ),
                name="checks_check_judgement_complete",
            ),
        )

    def __str__(self) -> str:
        return f"check {self.public_id} ({self.framework_id} {self.framework_version})"

    @property
    def decided_level(self) -> int | None:
        """The level the practitioner first settled on, once they have judged (the record as first made)."""
        if self.judgement == Judgement.AGREE:
            return self.recommended_level
        if self.judgement == Judgement.OWN:
            return self.own_level
        return None

    @property
    def latest_revision(self) -> JudgementRevision | None:
        """The latest change of mind recorded beside the first judgement, if any (none for an unsaved check)."""
        if self.pk is None:
            return None
        return self.judgement_revisions.order_by("-recorded_at", "-pk").first()

    @property
    def level_in_force(self) -> int | None:
        """The level decided now: the latest change of mind's, else the first judgement's (ADR 0018)."""
        if not self.judgement:
            return None  # a change of mind is recorded beside a first judgement: none to look for before it
        latest = self.latest_revision
        return latest.level if latest is not None else self.decided_level


class JudgementRevision(Revision):
    """A change of mind about a check's recorded judgement: the new judgement, by whom, when and why.

    The check's own ``judgement``, ``own_level``, ``judgement_reason`` and ``judged_at`` stay as first
    recorded (the database refuses to change them); each later view is one of these rows, never edited.
    Written by :func:`continuum.apps.checks.services.revise_judgement`.
    """

    stored_check = models.ForeignKey(
        Check, on_delete=models.PROTECT, related_name="judgement_revisions", db_column="check_id"
    )
    judgement = models.CharField(max_length=10, choices=[c for c in Judgement.choices if c[0]])
    own_level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(Revision.Meta):
        constraints = (
            *Revision.Meta.constraints,
            models.CheckConstraint(
                condition=Q(judgement="agree", own_level__isnull=True) | Q(judgement="own", own_level__isnull=False),
                name="checks_judgementrevision_complete",
            ),
        )

    def __str__(self) -> str:
        return f"revised judgement of check {self.stored_check_id}"

    @property
    def level(self) -> int | None:
        return self.stored_check.recommended_level if self.judgement == Judgement.AGREE else self.own_level

    @property
    def decision(self) -> str:
        """The revised judgement in words."""
        check = self.stored_check
        if self.judgement == Judgement.AGREE:
            return f"{check.recommended_level_name} (agrees with the recommendation)"
        names = {lv["number"]: lv["name"] for lv in check.citations.get("levels", [])}
        name = names.get(self.own_level, f"Level {self.own_level}")
        return f"{name} (the recommendation was {check.recommended_level_name})"


class CheckIndicator(models.Model):
    """One indicator a check offered or selected, as a row (for calibration: how often each
    indicator is suggested, accepted, rejected or found by browsing, across checks and databases).

    A check has a row for every indicator that was **offered** or **selected**:

    - ``offered``: suggested to the practitioner from their own words (the free-text matching's
      suggestions, confirmed or not on the suggestions page). Indicators merely listed while
      browsing are not "offered": every indicator of an area is listed there.
    - ``selected``: in the check's selection, i.e. the engine's input (concerns and strengths).

    So offered and selected is an accepted suggestion; offered and not selected a rejected one;
    selected and not offered one the practitioner found themselves. ``level``, ``domain`` and
    ``protective`` are the indicator's in the framework version the check was made under
    (``level`` is empty, and ``domain`` blank, for a suggestion of a check stored before these
    rows existed: the check kept only the words of its rejected suggestions).
    """

    # Not ``check``: that name is Django's system-check class method on every model.
    stored_check = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="indicators", db_column="check_id")
    indicator_id = models.CharField(max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    domain = models.CharField(max_length=100, blank=True, default="")
    protective = models.BooleanField(default=False)
    offered = models.BooleanField()
    selected = models.BooleanField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("stored_check", "indicator_id"), name="checks_checkindicator_once"),
            models.CheckConstraint(condition=Q(offered=True) | Q(selected=True), name="checks_checkindicator_used"),
        )

    def __str__(self) -> str:
        return f"{self.indicator_id} in check {self.stored_check_id}"


class LowerView(models.Model):
    """A practitioner's view that the level might be lower than recommended, with their reason.

    A calibration signal for the partnership (how often, where and why practitioners think the
    document's level is too high), kept apart from the decision: it never changes the
    recommended or the decided level (overrides only raise a level:
    :func:`continuum.apps.checks.services.allowed_levels`). Each row is written once by
    :func:`continuum.apps.checks.services.record_lower_view` and never edited; a later change of
    mind is a new row, so a check may have several, the latest last.
    """

    stored_check = models.ForeignKey(Check, on_delete=models.PROTECT, related_name="lower_views", db_column="check_id")
    level = models.PositiveSmallIntegerField()  # the lower level the practitioner thinks it might be
    recommended_level = models.PositiveSmallIntegerField()  # the recommendation it was lower than, as stored
    reason = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("recorded_at", "pk")
        constraints = (
            models.CheckConstraint(condition=Q(level__lt=models.F("recommended_level")), name="checks_lowerview_lower"),
            models.CheckConstraint(condition=~Q(reason=""), name="checks_lowerview_reason"),
        )

    def __str__(self) -> str:
        return f"lower view (level {self.level}) of check {self.stored_check_id}"
