"""Words: abbreviations, stemming and everyday phrases."""

from __future__ import annotations

import pytest

from continuum.matching.text import lexical_tokens, vocabulary, words


def test_abbreviations_are_spelled_out_in_any_case():
    assert vocabulary().expand_abbreviations("DV and cse concerns") == (
        "domestic violence abuse and child sexual exploitation concerns"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EHCP in place", "education health and care plan"),
        ("known to CAMHS", "child and adolescent mental health services"),
        ("LAC review", "looked after child"),
        ("she is NEET", "not in education employment or training"),
        ("MARAC referral", "multi agency risk assessment conference"),
        ("strategy meeting under s.47", "section 47 child protection enquiry"),
        ("FGM risk", "female genital mutilation"),
    ],
)
def test_practitioner_abbreviations(text, expected):
    assert expected in vocabulary().expand_abbreviations(text)


def test_capital_only_abbreviations_leave_ordinary_words_alone():
    assert "special educational needs" in vocabulary().expand_abbreviations("SEND support")
    assert vocabulary().expand_abbreviations("school will send a letter") == "school will send a letter"


def test_words_fold_typographic_apostrophes():
    assert words("Mum’s boyfriend doesn’t") == ["mums", "boyfriend", "doesnt"]


def test_everyday_phrases_add_the_documents_words():
    tokens = lexical_tokens("he's been sofa surfing since Christmas")
    assert "homeless" in tokens


def test_phrases_match_on_stems_and_stopwords_are_dropped():
    tokens = lexical_tokens("Mum's boyfriend beats her up")
    assert {"domest", "abus"} <= set(tokens)
    assert "her" not in tokens and "up" not in tokens
