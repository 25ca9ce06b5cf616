"""The result page's presenters: the sentence that matters in a quote, and the next step per level."""

from __future__ import annotations

from typing import Any

import pytest

from continuum.apps.checks.models import Check, Judgement
from continuum.apps.checks.presenters import add_key_sentences, first_sentence, key_sentences, next_steps

SECTION = [
    (40, "Consent should be sought from parents before a referral is made."),
    (41, "You do not need consent where seeking it would place the child at risk of"),
    (42, "significant harm, or in cases of forced marriage. Record your decision."),
]


def test_the_sentence_with_the_indicators_words_is_picked_not_the_section():
    picked = key_sentences(SECTION, "At risk of forced marriage or honour-based abuse")
    assert picked == [
        (
            [41, 42],
            "You do not need consent where seeking it would place the child at risk of significant harm, "
            "or in cases of forced marriage.",
        )
    ]


def test_a_one_line_indicator_is_quoted_as_its_own_line():
    lines = [
        (1116, "Sexual exploitation"),
        (1117, "Child beyond parental control. Puts self in danger."),
    ]
    assert key_sentences(lines, "Child beyond parental control") == [([1117], "Child beyond parental control.")]


def test_a_sentence_runs_on_over_a_line_ending_in_the_and_bullets_are_dropped():
    lines = [
        (545, "Professionals who believe a child is at risk of forced marriage should complete a referral to the"),
        (546, "Access and Referral Hub. Do not approach the family."),
        (547, "· At risk of forced marriage or honour-based abuse"),
    ]
    assert key_sentences(lines, "forced marriage referral")[0] == (
        [545, 546],
        "Professionals who believe a child is at risk of forced marriage should complete a referral to the "
        "Access and Referral Hub.",
    )
    assert key_sentences(lines[2:], "honour-based abuse") == [
        ([547], "At risk of forced marriage or honour-based abuse")
    ]


def test_words_the_lines_do_not_share_give_the_first_sentence():
    assert key_sentences(SECTION, "zzz qqq") == [([40], SECTION[0][1])]


def test_no_lines_no_sentence():
    assert key_sentences([], "anything") == []
    assert key_sentences([(3, "   ")], "anything") == []


def test_equally_good_sentences_are_kept_in_document_order_at_most_two():
    lines = [(1, "Missing from home. Missing from school. Missing from care. Other.")]
    picked = key_sentences(lines, "missing")
    assert [text for _, text in picked] == ["Missing from home.", "Missing from school."]


def test_the_fuller_text_is_offered_only_when_there_is_more_than_the_sentence():
    items = [
        {"text": "Child beyond parental control", "quote": [(1203, "- Child beyond parental control")]},
        {"text": "forced marriage", "quote": SECTION},
    ]
    add_key_sentences(items, "text")
    assert items[0]["key_quote"] == [{"lines": {"lines": [1203]}, "text": "Child beyond parental control"}]
    assert [i["quote_is_longer"] for i in items] == [False, True]


def test_first_sentence():
    assert first_sentence("Seek consent. Unless it is unsafe.") == "Seek consent."
    assert first_sentence("One sentence only") == "One sentence only"


def a_check(level: int, tiers: list[str], *, own_level: int | None = None, actions: list[str] | None = None) -> Check:
    """An unsaved check at ``level`` whose resolved tier is ``tiers`` (next_steps reads no database)."""
    check = Check(
        public_id="A" * 22,
        recommended_level=level,
        result={"recommended_level": {"number": level, "tiers": tiers}, "actions": actions or []},
        citations={},
    )
    if own_level is not None:
        check.judgement, check.own_level = Judgement.OWN, own_level
    return check


def kinds(steps: list[dict[str, Any]]) -> list[str]:
    return [step["kind"] for step in steps]


@pytest.mark.parametrize(
    ("framework_id", "level", "tiers", "expected"),
    [
        ("luton", 1, ["universal"], ["signpost"]),
        ("luton", 2, ["early-help"], ["early-help", "referral"]),  # Luton refers at 2, 3 and 4
        ("luton", 3, ["early-help"], ["early-help", "referral"]),
        ("luton", 3, ["child-in-need"], ["referral"]),
        ("luton", 4, ["child-protection"], ["referral"]),
        ("bedford-borough", 1, ["universal"], ["signpost"]),
        ("bedford-borough", 2, ["early-help"], ["early-help"]),  # Bedford Borough refers at 4 only
        ("bedford-borough", 3, ["early-help"], ["early-help"]),
        ("bedford-borough", 3, ["child-in-need"], []),
        ("bedford-borough", 4, ["child-protection"], ["referral"]),
    ],
)
def test_the_next_step_per_level_is_the_frameworks(registry, framework_id, level, tiers, expected):
    loaded = registry.get(framework_id)
    steps = next_steps(a_check(level, tiers), loaded)
    assert kinds(steps) == expected
    fw = loaded.framework
    for step in steps:
        if step["kind"] == "referral":
            assert step["label"] == "Send a referral" and step["to"] == fw.front_door.name
            assert [w["text"] for w in step["words"]] == [s.text for s in fw.front_door.referral_route]
            assert step["contact"]["id"] == fw.front_door.contact
        if step["kind"] == "early-help":
            assert step["label"] == "Start an early help assessment"
            assert step["to"] == fw.early_help.assessment.name
            assert [w["text"] for w in step["who"]] == [s.text for s in fw.early_help.who_may_start]


def test_a_higher_level_the_practitioner_decided_sets_the_next_step(registry):
    loaded = registry.get("bedford-borough")
    assert kinds(next_steps(a_check(3, ["early-help"], own_level=4), loaded)) == ["referral"]


def test_signposting_where_the_document_says_nothing_says_so(registry):
    steps = next_steps(a_check(1, ["universal"]), registry.get("bedford-borough"))
    assert steps[0]["missing"] is True and steps[0]["words"] == []
    said = next_steps(a_check(1, ["universal"], actions=["Use universal services"]), registry.get("bedford-borough"))
    assert said[0]["missing"] is False


def test_the_signpost_is_in_the_frameworks_words(registry):
    loaded = registry.get("luton")
    steps = next_steps(a_check(1, ["universal"]), loaded)
    expected = [o.text for o in loaded.framework.front_door.outcomes if o.code == "advice-signpost"]
    assert expected and [w["text"] for w in steps[0]["words"]] == expected


def test_no_framework_no_next_step():
    assert next_steps(a_check(4, ["child-protection"]), None) == []


@pytest.mark.parametrize("kind", ["referral", "early-help"])
def test_the_step_links_to_the_app_once_it_has_a_start_page(registry, settings, kind):
    loaded = registry.get("luton")
    check = a_check(2, ["early-help"])
    settings.ROOT_URLCONF = "tests.apps.checks.next_step_urls"
    url = {s["kind"]: s["url"] for s in next_steps(check, loaded)}[kind]
    assert url == f"/{'refer' if kind == 'referral' else 'help'}/{check.public_id}/"
    settings.ROOT_URLCONF = "tests.apps.checks.no_urls"
    assert {s["kind"]: s["url"] for s in next_steps(check, loaded)}[kind] is None
