"""'You wrote that this is not happening' only where the words deny that indicator (issue 18, item 2).

A result is flagged ``negated`` (the web's label) only when the words a negation applies to are
the indicator's own; colloquial inability ("can't cope", "can't control her") states a concern.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from continuum.matching import DEFAULT_TUNING, match
from continuum.matching.clauses import Polarity, analyse

ISSUE_EXAMPLE = (
    "Year 9 girl, 14, has gone missing from home twice this month overnight. She comes back with a new "
    "phone and clothes and older men pick her up in a car after school. Mum says she can't control her."
)


@pytest.mark.parametrize(
    "text",
    [
        "Mum says she can't control her",
        "Mum can't cope with him any more",
        "Dad says he cannot manage the three of them",
        "Nan can't handle his tantrums",
        "she cant explain where the money comes from",
    ],
)
def test_colloquial_inability_states_a_concern(text):
    assert [u.polarity for u in analyse(text)] == [Polarity.AFFIRMED]


def test_a_negation_knows_the_words_it_applies_to():
    (unit,) = analyse("Dad doesn't drink")
    assert unit.polarity is Polarity.DENIED and unit.text == "Dad doesn't drink" and unit.negated_words == "drink"
    (first, second) = analyse("School are worried about her weight, no concerns about attendance")
    assert first.polarity is Polarity.AFFIRMED and second.negated_words == "about attendance"


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_denial_labels_only_indicators_whose_words_it_negates(sample, mode, encoder):
    text = "Dad doesn't drink and there is no violence. The kids come in hungry most mornings."
    negated = {r["indicator"] for r in match(sample, text, mode=mode)["results"] if r["negated"]}
    assert negated == {"home-l3-3"}  # drink: alcohol misuse; not "Domestic abuse in the home"
    before = match(sample, text, mode=mode, tuning=DEFAULT_TUNING.with_(own_words=False))["results"]
    assert "home-l3-2" in {r["indicator"] for r in before if r["negated"]}  # what the rule removes


def _bench_denials():
    path = Path(__file__).resolve().parents[2] / "bench" / "denials.py"
    spec = importlib.util.spec_from_file_location("bench_denials", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_issue_example_has_no_denial_label(registry, encoder):
    results = match(registry.get("luton"), ISSUE_EXAMPLE, top=10)["results"]
    assert not [r["indicator"] for r in results if r["negated"]]
    assert "gbs-l4-3" in {r["indicator"] for r in results}  # "Child beyond parental control", affirmed


@pytest.mark.slow
def test_the_label_is_precise_on_the_dev_statements(encoder):
    """Over the dev half (bench/denials.py): before this rule 52% of the labels on statements that
    deny something sat on the denied concern and 121 labels sat on statements that deny nothing;
    with it 75% and 23. The bars leave room for noise, not for the old behaviour."""
    r = _bench_denials().evaluate(None, {})
    assert r["precision_same_concern"] >= 0.7
    assert r["labels_on_statements_without_denial"] <= 30
    assert r["stated_concerns_labelled_denied"] <= 3
    assert r["denied_found"] >= 0.3  # still says so where the words do deny
