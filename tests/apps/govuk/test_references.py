"""Random references start with a letter or digit, so exports need not defuse them."""

from __future__ import annotations

import pytest

from continuum.apps.checks.models import new_public_id as check_id
from continuum.apps.earlyhelp.models import new_public_id as early_help_id
from continuum.apps.escalations.models import new_public_id as escalation_id
from continuum.apps.govuk import records
from continuum.apps.govuk.records import new_reference


def test_a_reference_drawn_with_a_leading_dash_or_underscore_is_drawn_again(monkeypatch: pytest.MonkeyPatch):
    draws = iter(["-9TZKMby5Yvd", "_abcdefghijk", "Q9TZKMby5Yvd"])
    asked: list[int] = []

    def token_urlsafe(nbytes: int) -> str:
        asked.append(nbytes)
        return next(draws)

    monkeypatch.setattr(records.secrets, "token_urlsafe", token_urlsafe)
    assert new_reference(9) == "Q9TZKMby5Yvd"
    assert asked == [9, 9, 9]


@pytest.mark.parametrize("draw", [check_id, early_help_id, escalation_id])
def test_every_kind_of_public_reference_starts_with_a_letter_or_digit(draw):
    # One in 32 raw draws starts with "-" or "_": among 3,000, about 94 would.
    references = [draw() for _ in range(3000)]
    assert all(reference[0].isalnum() for reference in references)
    assert len(set(references)) == len(references)
    assert any("-" in reference or "_" in reference for reference in references)  # still the URL-safe alphabet
