"""What retention has done: one row per record anonymised (so it is done once), with its date."""

from __future__ import annotations

from django.db import models


class Disposal(models.Model):
    """A record retention anonymised: which kind, which row, when it fell due and when it was done."""

    kind = models.CharField(max_length=30)  # policy.KINDS key
    model = models.CharField(max_length=100)  # app_label.model
    object_id = models.CharField(max_length=64)
    reference = models.CharField(max_length=64, blank=True, default="")  # its public id, if any
    retention_date = models.DateField()
    done_at = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("model", "object_id"), name="retention_disposal_once"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.reference or self.object_id} anonymised {self.done_at:%Y-%m-%d}"
