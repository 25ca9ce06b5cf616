"""The check model's constraints hold in the database itself."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from continuum.apps.checks.models import Check

from .factories import CheckFactory

pytestmark = pytest.mark.django_db


def test_an_own_level_without_a_reason_is_refused_by_the_database():
    check = CheckFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Check.objects.filter(pk=check.pk).update(judgement="own", own_level=3, judgement_reason="")


def test_a_judgement_needs_a_time():
    check = CheckFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Check.objects.filter(pk=check.pk).update(judgement="agree")


def test_public_id_is_unique():
    check = CheckFactory()
    other = CheckFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Check.objects.filter(pk=other.pk).update(public_id=check.public_id)
