"""The factories make valid, deterministic checks."""

from __future__ import annotations

import pytest

from .factories import CheckFactory

pytestmark = pytest.mark.django_db


def test_check_factory_makes_a_stored_assessed_check():
    check = CheckFactory()
    assert check.pk is not None
    assert check.recommended_level == 2
    assert check.result["drivers"][0]["indicator"] == "edu-l2-1"


def test_check_factory_is_deterministic_apart_from_its_sequence():
    first, second = CheckFactory(), CheckFactory()
    assert first.inputs["indicators"] == second.inputs["indicators"]
    assert first.inputs["text"] != second.inputs["text"]
