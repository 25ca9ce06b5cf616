"""The one table the GOV.UK pieces keep: each form submission that created or changed a record (ADR 0018)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models


class Submission(models.Model):
    """A form's token (one per form shown) and the record its first submission made or changed.

    Written in the same transaction as that record (:func:`continuum.apps.govuk.submissions.once`), so a
    second submission of the same form (a double click, a resent POST) finds the record instead of
    making another. A token is unique within its scope: of two submissions racing, one is stored and the
    other rolls back. The pages' tokens have the empty scope; the HTTP API's ``Idempotency-Key`` is scoped
    by the API token that sent it, so one token's key never finds another token's record (ADR 0012).
    ``fingerprint`` says which request the key was first sent with (empty for the pages' forms): the same
    key with a different request is refused rather than answered with the first request's record.
    Rows older than ``CONTINUUM_SUBMISSION_TOKEN_DAYS`` are deleted by a periodic job.
    """

    scope = models.CharField(max_length=64, blank=True, default="", editable=False)
    token = models.UUIDField(editable=False)
    fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["scope", "token"], name="govuk_submission_once_per_scope"),)
        indexes = (models.Index(fields=["submitted_at"], name="govuk_submission_at"),)

    def __str__(self) -> str:
        return f"submission {self.token}"
