"""A referral to the partnership's front door: one ``Referral`` per child, siblings linked by ``Family``.

A referral carries the referrer's check (indicators, level, framework version and hash),
the child, the family, the referrer and their agency (CIN census referral-source code),
what has been done so far, and the consent basis — checked in
:func:`continuum.apps.referrals.services.send_referral` against the framework's consent
rule. Deadlines (acknowledgement, decision, a phoned referral's written follow-up) are
computed once, when the referral is received, and stored. The front door's own work on a
referral (claim, grade, checks, decision) lives in ``frontdoor``; the outcome the referrer
may see is written back here by :func:`~continuum.apps.referrals.services.record_outcome_for_referrer`.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from continuum.apps.accounts.permissions import FRONT_DOOR_ROLES
from continuum.apps.referrals.codes import GENDERS, POSTCODE_MAX, REFERRAL_SOURCES, nhs_number_valid

if TYPE_CHECKING:
    from continuum.apps.accounts.actor import Actor

# Unambiguous upper-case letters and digits (no 0/O, 1/I/L): a reference read over the phone.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A short unguessable reference shown to people, e.g. ``R-7KQ4-M2XD-9HTP`` (about 60 bits)."""
    chars = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(12))
    return f"R-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def validate_nhs_number(value: str) -> None:
    if value and not nhs_number_valid(value):
        raise ValidationError("Enter a 10-digit NHS number, like 943 476 5919")


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    PHONE = "phone", "By phone"
    STEP_UP = "step-up", "Step-up from early help"


class ConsentBasis(models.TextChoices):
    OBTAINED = "obtained", "Consent obtained"
    NOT_SOUGHT = "not-sought", "Consent not sought, with the lawful reason"
    REFUSED_OVERRIDDEN = "refused-overridden", "Consent refused and overridden, with the reason"


class Family(models.Model):
    """The household a referral is about; siblings are the other referrals of the same family."""

    partnership = models.CharField(max_length=100)
    address = models.TextField(blank=True, default="")
    postcode = models.CharField(max_length=POSTCODE_MAX, blank=True, default="")
    # [{"name", "relationship", "date_of_birth"?}] — parents, carers and others in the household.
    household = models.JSONField(default=list, blank=True)
    languages = models.CharField(max_length=200, blank=True, default="")
    interpreter_needed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return f"family {self.pk} ({self.partnership})"


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, actor: Actor) -> ReferralQuerySet:
        """The referrer sees their own; front-door roles see all of their partnership's; nobody else any."""
        if actor.user is None:
            return self.none()
        scope = Q(referrer=actor.user)
        if actor.role in FRONT_DOOR_ROLES and actor.partnership:
            scope |= Q(partnership=actor.partnership)
        return self.filter(scope)

    def decided(self) -> ReferralQuerySet:
        """Referrals whose outcome the front door has decided (the outcome is written back here)."""
        return self.exclude(outcome_code="")


class Referral(models.Model):
    """One child referred to one partnership's front door."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        CLOSED = "closed", "Closed"

    public_id = models.CharField(max_length=20, unique=True, default=new_reference, editable=False)
    partnership = models.CharField(max_length=100)  # framework id
    framework_version = models.CharField(max_length=20)
    framework_hash = models.CharField(max_length=80)
    # Not ``check``: that name is Django's system-check class method on every model.
    stored_check = models.ForeignKey(
        "checks.Check",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        db_column="check_id",
    )
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="referrals")

    # The child.
    child_first_name = models.CharField(max_length=100)
    child_last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)  # empty for an unborn child
    unborn_due_date = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True, default="", validators=[validate_nhs_number])
    gender = models.CharField(max_length=1, choices=GENDERS, blank=True, default="")
    ethnicity = models.CharField(max_length=100, blank=True, default="")
    school_or_setting = models.CharField(max_length=200, blank=True, default="")

    # The referrer.
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    referrer_name = models.CharField(max_length=200)
    referrer_agency = models.CharField(max_length=200)
    referral_source = models.CharField(max_length=3, choices=REFERRAL_SOURCES)
    referrer_phone = models.CharField(max_length=40, blank=True, default="")
    referrer_email = models.EmailField(blank=True, default="")
    recorded_by = models.ForeignKey(  # who entered it (the referrer online; the front-door worker for a phone call)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_recorded"
    )

    # The referrer's check.
    referrer_level = models.PositiveSmallIntegerField(null=True, blank=True)
    referrer_level_name = models.CharField(max_length=200, blank=True, default="")
    indicator_ids = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)  # the result's reasons, as the check gave them

    what_done_so_far = models.TextField()
    concerns = models.TextField(blank=True, default="")  # the referrer's words (a phoned referral has no check)
    # a step-up from early help carries the assessment, the plan, the reviews and the history with it
    carried = models.JSONField(default=dict, blank=True)

    consent_basis = models.CharField(max_length=20, choices=ConsentBasis.choices)
    # obtained: {"who", "when", "shared"}; not-sought: {"reason"}; refused-overridden: {"who", "reason"};
    # plus {"rule", "exception_applies"}: what the framework required and whether an exception applied.
    consent_detail = models.JSONField(default=dict)

    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    received_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    # Deadlines: computed once when the clock starts; empty where the document gives no clock.
    acknowledge_due = models.DateTimeField(null=True, blank=True, db_index=True)
    decision_due = models.DateTimeField(null=True, blank=True, db_index=True)
    written_follow_up_due = models.DateTimeField(null=True, blank=True, db_index=True)
    written_follow_up_received_at = models.DateTimeField(null=True, blank=True)

    # The outcome as the referrer may see it (written by the front door through the referrals service).
    outcome_code = models.CharField(max_length=50, blank=True, default="")
    outcome_text = models.TextField(blank=True, default="")
    outcome_shared_at = models.DateTimeField(null=True, blank=True)
    outcome_not_shared_reason = models.TextField(blank=True, default="")
    outcome_recorded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the front door last changed its decision after the referrer was told it (a revision, ADR 0018):
    # the outcome columns above then hold the outcome in force, as the referrer may see it.
    outcome_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ("-received_at", "pk")
        indexes = (
            models.Index(fields=("partnership", "received_at"), name="referrals_partnership_recv"),
            models.Index(fields=("referrer", "received_at"), name="referrals_referrer_recv"),
            models.Index(fields=("nhs_number",), name="referrals_nhs_number"),
            models.Index(fields=("child_last_name", "date_of_birth"), name="referrals_child_name_dob"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(unborn_due_date__isnull=False),
                name="referrals_referral_born_or_due",
            ),
            models.CheckConstraint(
                condition=Q(consent_basis__in=[c.value for c in ConsentBasis]),
                name="referrals_referral_consent_basis",
            ),
            models.CheckConstraint(
                condition=Q(status="received", acknowledged_at__isnull=True)
                | Q(status__in=["acknowledged", "closed"], acknowledged_at__isnull=False),
                name="referrals_referral_acknowledged_complete",
            ),
            models.CheckConstraint(
                condition=Q(outcome_shared_at__isnull=True) | Q(outcome_not_shared_reason=""),
                name="referrals_referral_outcome_shared_or_reason",
            ),
        )

    def __str__(self) -> str:
        return f"referral {self.public_id}"

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}".strip()

    def siblings(self) -> ReferralQuerySet:
        """The other children referred with this one (the family's other referrals)."""
        return Referral.objects.filter(family_id=self.family_id).exclude(pk=self.pk)


class Export(models.Model):
    """One hand-off export of a partnership's decided referrals (the audit event's target)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    partnership = models.CharField(max_length=100)
    format = models.CharField(max_length=4, choices=Format.choices)
    since = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField()
    references = models.JSONField(default=list)  # the referrals' public ids, in the export's order
    created_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referral_exports"
    )

    def __str__(self) -> str:
        return f"export {self.pk} of {self.partnership} ({self.count} referrals, {self.format})"
