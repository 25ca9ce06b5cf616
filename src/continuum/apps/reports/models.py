"""The one record the reports app keeps: that an export happened (the target of its audit event)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Export(models.Model):
    """One CSV export: which list, for which partnership, with which filters, by whom, how many rows."""

    partnership = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(max_length=50)  # exports.EXPORTS key
    filters = models.JSONField(default=dict)
    rows = models.PositiveIntegerField()
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("-exported_at", "-pk")

    def __str__(self) -> str:
        return f"{self.kind} export for {self.partnership} at {self.exported_at:%Y-%m-%d %H:%M}"


# --- Tallies: the figures' counts kept per partnership, day and level (ADR 0017) -------------------
#
# On PostgreSQL, database triggers mark a (partnership, day) stale in the transaction that changes a
# contact, its triage or agency checks, or a check, its indicator rows or lower views (migration 0002);
# the refresh job recomputes stale days' tallies. A page sums the tallies of the days that are not
# stale and counts the stale days (and, without tallies, every day) from the records themselves, so
# its figures are always exactly the records' — the tallies only make them fast.


class StaleDay(models.Model):
    """A day whose tallies no longer match the records (``mark`` changes with every change to it)."""

    partnership = models.CharField(max_length=100)
    day = models.DateField()  # the UK date a contact was received, or a check made
    mark = models.BigIntegerField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("partnership", "day"), name="reports_staleday_once"),)

    def __str__(self) -> str:
        return f"{self.partnership} {self.day} (stale)"


class Tally(models.Model):
    """How many of one kind of thing a day held, at one level (contacts: the referrer's; checks: the
    recommended level). ``key`` is a JSON list naming the thing (an outcome, an agency and a measure …)."""

    partnership = models.CharField(max_length=100)
    day = models.DateField()
    level = models.PositiveSmallIntegerField(null=True)
    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=400)
    n = models.BigIntegerField()
    whole_month = models.BooleanField(default=False)  # True: the sum of the month's days (``day`` its first)

    class Meta:
        indexes = (models.Index(fields=("partnership", "whole_month", "day"), name="reports_tally_span"),)

    def __str__(self) -> str:
        return f"{self.partnership} {self.day} {self.kind} {self.key}: {self.n}"


class DecisionMinutes(models.Model):
    """How many decisions of a day took exactly ``minutes`` working minutes (for the exact median)."""

    partnership = models.CharField(max_length=100)
    day = models.DateField()
    level = models.PositiveSmallIntegerField(null=True)
    minutes = models.IntegerField()
    n = models.IntegerField()
    whole_month = models.BooleanField(default=False)

    class Meta:
        indexes = (
            # the day's minutes from the index alone (the median's second step reads one hour of them)
            models.Index(
                fields=("partnership", "whole_month", "day", "minutes"), include=("n",), name="reports_minutes_days"
            ),
        )

    def __str__(self) -> str:
        return f"{self.partnership} {self.day}: {self.n} took {self.minutes} min"


INDICATOR_MEASURES = ("offered", "selected", "accepted", "rejected", "found")
CHECK_MEASURES = ("judged", "agreed", "judged_higher", "judged_lower", "lower_view", "fd_decided", "fd_higher",
                  "fd_lower")  # fmt: skip


class IndicatorTally(models.Model):
    """One indicator's calibration counts among a day's checks at one recommended level."""

    partnership = models.CharField(max_length=100)
    day = models.DateField()
    level = models.PositiveSmallIntegerField(null=True)  # the checks' recommended level
    indicator_id = models.CharField(max_length=100)
    indicator_level = models.PositiveSmallIntegerField(null=True)
    offered = models.IntegerField(default=0)
    selected = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    found = models.IntegerField(default=0)
    judged = models.IntegerField(default=0)
    agreed = models.IntegerField(default=0)
    judged_higher = models.IntegerField(default=0)
    judged_lower = models.IntegerField(default=0)
    lower_view = models.IntegerField(default=0)
    fd_decided = models.IntegerField(default=0)
    fd_higher = models.IntegerField(default=0)
    fd_lower = models.IntegerField(default=0)
    whole_month = models.BooleanField(default=False)

    class Meta:
        indexes = (models.Index(fields=("partnership", "whole_month", "day"), name="reports_indicatortally_span"),)

    def __str__(self) -> str:
        return f"{self.partnership} {self.day} {self.indicator_id}"
