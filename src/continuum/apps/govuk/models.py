"""The one table the GOV.UK pieces keep: each form submission that created or changed a record (ADR 0018)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models


class Submission(models.Model):
    """A form's token (one per form shown) and the record its first submission made or changed.

    Written in the same transaction as that record (:func:`continuum.apps.govuk.submissions.once`), so a
    second submission of the same form (a double click, a resent POST) finds the record instead of
    making another. The token is unique: of two submissions racing, one is stored and the other rolls back.
    """

    token = models.UUIDField(unique=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"submission {self.token}"
