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
