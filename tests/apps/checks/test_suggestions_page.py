"""The suggestions page: at most ten in view, the rest behind "Show more" (no JavaScript), the denial
label only on what the matcher flags denied, and word matching said so while matching is prepared."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from continuum.apps.partnerships.catalogue import catalogue, forget
from continuum.matching import PREPARING_NOTE
from tests.conftest import FRAMEWORKS_DIR

pytestmark = pytest.mark.django_db

DENIED = "You wrote that this is not happening"


@pytest.fixture
def luton(settings):
    settings.CONTINUUM_FRAMEWORKS_DIR = str(FRAMEWORKS_DIR)
    forget()
    return catalogue().get("luton")


def _matched(monkeypatch, loaded, concerns: int, denied: int, note: str | None = None) -> list[str]:
    """Make matching return ``concerns`` affirmed then ``denied`` negated indicators of ``loaded``."""
    ids = [i.id for i in loaded.framework.indicators if not i.protective][: concerns + denied]
    results = [{"indicator": i, "score": 0.9 - n / 100, "negated": n >= concerns} for n, i in enumerate(ids)]

    def fake(framework, text, top=10, **kwargs):
        assert kwargs.get("wait") is False  # the web never waits for the model
        return {"framework": framework.id, "mode": "lexical" if note else "hybrid", "results": results} | (
            {"note": note} if note else {}
        )

    monkeypatch.setattr("continuum.matching.match", fake)
    return ids


def _suggestions(client, text="words") -> str:
    client.post(reverse("checks:partnership"), {"partnership": "luton"})
    assert client.post(reverse("checks:concern"), {"text": text})["Location"] == reverse("checks:suggestions")
    return client.get(reverse("checks:suggestions")).content.decode()


def test_ten_in_view_and_the_rest_behind_show_more(client, monkeypatch, luton):
    ids = _matched(monkeypatch, luton, concerns=10, denied=3)
    page = _suggestions(client)
    shown, _, more = page.partition('<details class="govuk-details" id="more-suggestions">')
    assert re.findall(r'name="selected" type="checkbox" value="([^"]+)"', shown) == ids[:10]  # best first
    assert re.findall(r'name="selected" type="checkbox" value="([^"]+)"', more) == ids[10:]
    assert "Show 3 more" in more and DENIED not in shown
    assert more.count(DENIED) == 3
    # a box ticked behind "Show more" is a selection like any other
    response = client.post(reverse("checks:suggestions"), {"selected": [ids[0], ids[11]]})
    assert response.status_code == 302
    answers = client.get(reverse("checks:answers")).content.decode()
    by_id = {i.id: i.text for i in luton.framework.indicators}
    assert by_id[ids[11]][:30] in answers


def test_few_suggestions_have_no_show_more(client, monkeypatch, luton):
    _matched(monkeypatch, luton, concerns=4, denied=1)
    page = _suggestions(client)
    assert "more-suggestions" not in page and page.count(DENIED) == 1


def test_word_matching_while_matching_is_prepared_says_so(client, monkeypatch, luton):
    _matched(monkeypatch, luton, concerns=3, denied=0, note=PREPARING_NOTE)
    page = _suggestions(client)
    assert "matching words only" in page and 'class="govuk-inset-text"' in page


# Words that state no concern: the real matcher selects nothing in them, and says so. Found with
# `continuum match --framework bury --json "..."` (hybrid: "not_enough" is set) and by words only, as here.
VAGUE = "I just have a bad feeling about this one."
CLEAR = "The baby has bruises and is often late for school"


@pytest.fixture
def bury(settings, monkeypatch):
    """Bury's framework on offer, matched by words only: the real matcher, with no model to load on a request."""
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")
    settings.CONTINUUM_FRAMEWORKS_DIR = str(FRAMEWORKS_DIR)
    forget()
    return catalogue().get("bury")


def _bury_suggestions(client, text: str) -> str:
    client.post(reverse("checks:partnership"), {"partnership": "bury"})
    assert client.post(reverse("checks:concern"), {"text": text})["Location"] == reverse("checks:suggestions")
    return client.get(reverse("checks:suggestions")).content.decode()


def test_words_that_select_nothing_say_not_enough_and_what_to_tell_us_more_about(client, bury):
    from continuum.matching import NOT_ENOUGH, match

    short = match(bury, VAGUE, mode="lexical")["not_enough"]
    assert short is not None, "the vague words must select nothing for this test to mean anything"
    asked = [a["name"] for a in short["ask_about"]]
    assert asked and set(asked) <= {d.name for d in bury.framework.domains}

    page = _bury_suggestions(client, VAGUE)
    notes = [n for n in re.findall(r'<div class="govuk-inset-text">([^<]*)</div>', page) if NOT_ENOUGH in n]
    assert len(notes) == 1, "the suggestions page shows the note once, on its own"
    assert notes[0].startswith(f"{NOT_ENOUGH} — tell us more about: ")
    for name in asked:
        assert name in notes[0]


def test_a_clear_concern_shows_no_not_enough_note(client, bury):
    from continuum.matching import NOT_ENOUGH

    page = _bury_suggestions(client, CLEAR)
    assert NOT_ENOUGH not in page and "tell us more about" not in page
    assert "Child has bruises or other unexplained injuries" in page  # what the words did select
