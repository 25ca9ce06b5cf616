"""Clauses and negation: what a text states and what it denies."""

from __future__ import annotations

import pytest

from continuum.matching.clauses import Polarity, analyse, doubted, is_deficit, need_met, reassured


def polarities(text: str) -> list[tuple[str, str]]:
    return [(u.polarity.value, u.text) for u in analyse(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No concerns about attendance", [("denied", "No concerns about attendance")]),
        ("Mum denies any violence", [("denied", "Mum denies any violence")]),
        ("Not known to police", [("denied", "Not known to police")]),
        ("There is no evidence of drug use", [("denied", "There is no evidence of drug use")]),
        ("attendance - no concerns", [("denied", "attendance")]),
        ("DV has been ruled out", [("denied", "DV has been")]),
        ("Dad doesn't drink", [("denied", "Dad doesn't drink")]),
        ("Mum isn't drinking at the moment", [("denied", "Mum isn't drinking at the moment")]),
        ("He hasn't been using since May", [("denied", "He hasn't been using since May")]),
        ("She isn't missing school", [("positive", "She isn't missing school")]),
        ("He is never late", [("positive", "He is never late")]),
        ("He doesn't get fed", [("weak", "He doesn't get fed")]),
        ("Mum doesn't seem to be coping", [("affirmed", "Mum doesn't seem to be coping")]),
        ("Attendance is good", [("positive", "Attendance is good")]),
        ("She is not safe at home", [("affirmed", "She is not safe at home")]),
        ("There is no food in the house", [("affirmed", "There is no food in the house")]),
        ("No DV on our radar", [("denied", "No DV on our radar")]),
        ("No marks or injuries seen on the baby", [("denied", "No marks or injuries seen on the baby")]),
        ("Mum's mental health seems ok", [("positive", "Mum's mental health seems ok")]),
        ("Asked re DV - none disclosed", [("denied", "Asked re DV")]),
        (
            "Baby feeding well and back above birth weight",
            [("positive", "Baby feeding well and back above birth weight")],
        ),
    ],
)
def test_polarity(text, expected):
    assert polarities(text) == expected


def test_a_denial_ends_at_but():
    assert polarities("No concerns about attendance but he has been sofa surfing") == [
        ("denied", "No concerns about attendance"),
        ("affirmed", "he has been sofa surfing"),
    ]


def test_a_denial_ends_at_the_reason_it_gives():
    """A reason after a negation is read on its own: "doesn't like bath time because ..." denies no abuse."""
    assert polarities("She doesn't like bath time because mum's boyfriend does the touching on her private parts") == [
        ("weak", "She doesn't like bath time"),
        ("affirmed", "mum's boyfriend does the touching on her private parts"),
    ]
    assert polarities("They may not be offered a home cos of their rent arrears")[-1] == (
        "affirmed",
        "of their rent arrears",
    )


def test_because_without_a_negation_keeps_the_clause_whole():
    text = "She is doing all the shopping because mums MS has got a lot worse"
    assert polarities(text) == [("affirmed", text)]


def test_a_denial_covers_a_list_and_ends_at_a_new_subject():
    assert polarities("No concerns about attendance, punctuality or behaviour, mum drinks every night") == [
        ("denied", "No concerns about attendance, punctuality or behaviour"),
        ("affirmed", "mum drinks every night"),
    ]


def test_hedged_concerns_stay_concerns():
    units = analyse("I think he might be being groomed by older lads")
    assert [u.polarity for u in units] == [Polarity.AFFIRMED]


def test_sentences_are_read_separately():
    assert [u.polarity for u in analyse("Not known to police. Dad drinks heavily.")] == [
        Polarity.DENIED,
        Polarity.AFFIRMED,
    ]


@pytest.mark.parametrize(
    ("text", "deficit"),
    [
        ("Poor school attendance", True),
        ("Child not brought to appointments", True),
        ("Parents do not take consistent action", True),
        ("Domestic abuse", False),
        ("Parental alcohol misuse", False),
    ],
)
def test_deficit_indicators(text, deficit):
    assert is_deficit(text) is deficit


@pytest.mark.parametrize(
    ("text", "conclusion"),
    [
        ("Bruise on his shin, came off his scooter, explanation fits", "explanation fits"),
        ("Verbal argument, children asleep. Advice given, NFA.", "nfa"),
        ("He told me the same story without prompting", "told me the same"),
        ("Bruise on his shin and he won't say how", None),
        ("Police took no further action last time. Now he is scared to go home", None),
        ("He is scared to go home. The previous referral was NFA. He has a bruise", None),
        # a whole sentence: neither a semicolon nor a bracketed age cuts the window short
        (
            "Leo (2) pulled hot tea onto his arm. Both parents gave the same account, which fits the burn. "
            "I dressed it twice and it's healing well; the family now use travel cups.",
            "fits the burn",
        ),
        ("The bruise fitted what was described. Then he said dad hits him. He is scared to go home. He cried.", None),
        (
            "Mum said he fell. The bruise fitted what was described, and it had faded by Thursday.",
            "fitted what was described",
        ),
        ("The explanation does not fit the burn; she is 2 (two) and was alone all day", None),
    ],
)
def test_the_writers_conclusion(text, conclusion):
    assert reassured(text) == conclusion


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Mum was worried about his sleep. A month on he is back to his usual self.", "usual self"),
        ("She missed her jabs in the spring. She is now fully up to date.", "up to date"),
        ("The headaches started at exam time. By June they had gone away and he is in good spirits.", "had gone away"),
        ("Her attendance was 60% before Easter; we met mum and set a plan. He still comes in late most days.", None),
        ("He was doing well in the past. Now he is scared to go home.", None),
        ("Previously she was back to normal. She has a bruise on her cheek.", None),
    ],
)
def test_the_need_met_now(text, outcome):
    """Where a text ends on the need met now: the words (and its last sentence, for the caller to read)."""
    found = need_met(text)
    assert (found[0] if found else None) == outcome
    if found:
        assert text.rstrip(".").endswith(found[1].strip())


@pytest.mark.parametrize(
    ("text", "doubt"),
    [
        ("Mum says he put his hand in the bath himself, but the explanation doesn't fit the burn.", "doesnt fit"),
        ("The bruises are unexplained. He is back to his usual self.", "unexplained"),
        ("Dad has changed his story twice about how she fell.", "changed his story"),
        ("Both parents gave the same account, which fits the burn.", None),
        ("The explanation is consistent with the injury and it has healed.", None),
    ],
)
def test_doubt_anywhere_in_the_text(text, doubt):
    assert doubted(text) == doubt
