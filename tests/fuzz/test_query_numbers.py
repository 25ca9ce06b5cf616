"""Numbers read from query strings and buttons: anything that is not a small 0-9 number is ignored.

``str.isdigit`` accepts superscript digits that ``int`` refuses (a 500), ``int`` refuses more than 4,300
digits (a 500), and a number past a database integer fails the query (a 500). The referral journey's walk
found the first on the children page (tests/fuzz/test_referral_journey.py); the list pages' filters read
their numbers the same way, so each is asked for them here, as the role that may open it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from continuum.apps.accounts.actor import Role
from continuum.apps.accounts.permissions import ROLE_ACTIONS
from continuum.apps.govuk.text import whole_number
from tests.conftest import FRAMEWORKS_DIR
from tests.django_support import frameworks_offered
from tests.people import client_for, member

# Each list page that reads a number from its query string: the action that opens it, its address, the parameter.
PAGES = [
    ("frontdoor.view_queue", "/front-door/", "level"),
    ("escalations.view_register", "/escalations/register/", "stage"),
    ("reports.view", "/reports/", "level"),
    ("audit.view", "/audit/", "before"),
]
NOT_SMALL_NUMBERS = ["²", "²" * 3, "٣", "３", "9" * 5000, "9" * 30, "-1", "1e3", " 7 7 "]


@given(st.text(max_size=40))
def test_a_whole_number_is_a_small_number_written_in_0_to_9_or_none(text: str):
    found = whole_number(text)
    written = text.strip()
    if written and len(written) <= 9 and all(c in "0123456789" for c in written):
        assert found == int(written)
    else:
        assert found is None


def test_a_whole_number_is_read_as_written():
    assert (whole_number(" 42 "), whole_number("0"), whole_number("123456789")) == (42, 0, 123456789)
    assert whole_number("1234567890") is None and whole_number("12", digits=1) is None and whole_number(None) is None


@pytest.fixture
def offered(settings: Any) -> Iterator[None]:
    """The repository's frameworks offered, as a running service offers them."""
    with frameworks_offered(settings, FRAMEWORKS_DIR):
        yield


def _role_for(action: str) -> Role:
    return next(role for role in Role if action in ROLE_ACTIONS[role])


@pytest.mark.django_db
@pytest.mark.web
@pytest.mark.parametrize(("action", "path", "parameter"), PAGES, ids=[p[1] for p in PAGES])
def test_a_list_page_ignores_a_number_it_cannot_read(offered: None, action: str, path: str, parameter: str):
    assert action in set().union(*ROLE_ACTIONS.values()), f"{action} is not an action any more"
    client = client_for(member(_role_for(action), "luton"))
    assert client.get(path).status_code == 200
    for value in NOT_SMALL_NUMBERS:
        response = client.get(path, {parameter: value})
        assert response.status_code == 200, f"{path}?{parameter}={value[:12]!r}: {response.status_code}"
