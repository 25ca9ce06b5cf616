"""``match`` and ``selection_from_text``: the shape, negation, several concerns, protective factors.

Each behaviour is checked in lexical mode (no model) and, where it matters, with the
model too (loaded once per session by the ``encoder`` fixture).
"""

from __future__ import annotations

import pytest

from continuum.frameworks import load_framework
from continuum.matching import MODE_ENV, Mode, match, resolve_mode, selection_from_text

MODES = ["lexical", "hybrid"]


@pytest.fixture(params=MODES)
def mode(request, encoder_if_needed):
    return request.param


@pytest.fixture
def encoder_if_needed(request):
    """Load the model only for the modes that use it."""
    if request.node.callspec.params.get("mode") != "lexical":
        request.getfixturevalue("encoder")


def selected(loaded, text, mode):
    return {m["indicator"] for m in selection_from_text(loaded, text, mode=mode)}


def test_result_shape(sample, mode):
    result = match(sample, "he's been sofa surfing since Christmas", top=3, mode=mode)
    assert set(result) == {"framework", "query", "mode", "results", "not_enough"}
    assert result["not_enough"] is None  # the words state a concern
    assert result["framework"] == "sample"
    assert result["mode"] == mode
    assert len(result["results"]) == 3
    first = result["results"][0]
    assert {"indicator", "text", "level", "domain", "score", "protective", "negated"} <= set(first)
    assert first["indicator"] == "home-l3-1"
    scores = [r["score"] for r in result["results"]]
    assert scores == sorted(scores, reverse=True)


def test_negated_concerns_are_never_selected(sample, mode):
    assert "edu-l2-1" not in selected(sample, "No concerns about attendance or punctuality", mode)
    assert "home-l3-2" not in selected(sample, "Mum denies any domestic violence at home", mode)
    assert "home-l3-3" not in selected(sample, "Dad doesn't drink or use drugs", mode)


def test_a_weak_denial_reads_the_word_it_negates(sample, mode):
    """ "isn't missing school" is a good report, not a lack; "isn't fed" is the lack."""
    chosen = selected(sample, "She isn't missing school but she is self-harming", mode)
    assert "edu-l2-1" not in chosen
    assert "harm-l2-1" in chosen
    assert "home-l3-3" not in selected(sample, "Mum isn't drinking at the moment", mode)
    assert "home-l2-1" in selected(sample, "He doesn't get fed and is always hungry", mode)


def test_negated_matches_are_flagged_and_ranked_after_concerns(sample, mode):
    result = match(sample, "No concerns about school attendance, but she has been self-harming", mode=mode)
    flags = [(r["indicator"], r["negated"]) for r in result["results"]]
    assert flags[0] == ("harm-l2-1", False)
    assert ("edu-l2-1", True) in flags
    negated_at = [n for n, (_i, neg) in enumerate(flags) if neg]
    assert negated_at == list(range(len(flags) - len(negated_at), len(flags)))


def test_a_denial_does_not_hide_the_concern_after_it(sample, mode):
    chosen = selected(sample, "Not known to police. He has been sofa surfing since Christmas", mode)
    assert "home-l3-1" in chosen


def test_several_concerns_in_one_text_are_all_found(sample, mode):
    text = (
        "He's been sofa surfing since Christmas. Mum's boyfriend hits her, "
        "and his little sister is always hungry and poorly clothed"
    )
    assert {"home-l3-1", "home-l3-2", "home-l2-1"} <= selected(sample, text, mode)


def test_protective_statements_are_protective(sample, mode):
    picks = selection_from_text(
        sample, "Really supportive extended family, nan helps with childcare every day", mode=mode
    )
    assert [(m["indicator"], m["protective"]) for m in picks] == [("home-p-1", True)]


def test_a_worry_worded_as_a_lack_is_not_a_strength(sample, mode):
    chosen = selected(sample, "No family support at all and nobody to help with childcare", mode)
    assert "home-p-1" not in chosen


def test_selection_shape(sample, mode):
    picks = selection_from_text(sample, "baby is 8 weeks old with a bruise on his cheek", mode=mode)
    assert picks and picks[0]["indicator"] == "harm-l4-1"
    assert set(picks[0]) == {"indicator", "score", "protective", "mode"}
    assert picks[0]["mode"] == mode


def test_unrelated_text_selects_nothing(sample, mode):
    assert selection_from_text(sample, "The weather was lovely at the seaside", mode=mode) == []


def test_the_semantic_model_finds_what_shares_no_word(sample, encoder):
    result = match(sample, "Her fella knocks her about", mode="semantic")
    assert result["results"][0]["indicator"] == "home-l3-2"


def test_works_with_the_tiny_framework(tiny):
    result = match(tiny, "Baby isn't crawling yet and has a bruise on her face", mode="lexical")
    assert result["results"][0]["indicator"] == "harm-l3-1"


def test_mode_comes_from_the_environment(sample, monkeypatch):
    monkeypatch.setenv(MODE_ENV, "lexical")
    assert resolve_mode() == (Mode.LEXICAL, None)
    assert match(sample, "sofa surfing")["mode"] == "lexical"


def test_unknown_mode_is_an_error(sample):
    with pytest.raises(ValueError, match="unknown matching mode"):
        match(sample, "sofa surfing", mode="fuzzy")


def test_default_mode_is_hybrid_when_the_model_is_installed(sample, encoder):
    assert match(sample, "sofa surfing")["mode"] == "hybrid"


def test_an_indicator_is_embedded_as_itself_and_as_its_vignette_examples(sample):
    from continuum.matching import DEFAULT_TUNING
    from continuum.matching.matcher import FrameworkIndex

    index = FrameworkIndex(sample)
    position = [i.id for i in index.indicators].index("home-l3-2")
    assert index.views == [(position, "Her fella knocks her about when he's had a few", DEFAULT_TUNING.exemplar_weight)]
    assert FrameworkIndex(sample, DEFAULT_TUNING.with_(exemplars=False)).views == []


def test_a_near_miss_is_still_selected_when_nothing_else_is(sample):
    from continuum.matching import DEFAULT_TUNING

    text = "sofa surfing"
    strict = DEFAULT_TUNING.with_(threshold_lexical=1.0, select_fallback=0.0)
    assert selection_from_text(sample, text, mode="lexical", tuning=strict) == []
    top = match(sample, text, top=1, mode="lexical")["results"][0]
    lenient = strict.with_(threshold_lexical=top["score"] + 0.05, select_fallback=0.1)
    assert [m["indicator"] for m in selection_from_text(sample, text, mode="lexical", tuning=lenient)] == [
        top["indicator"]
    ]


def _with_phrasings(tmp_path, sample, phrasings: str):
    import shutil

    copy = tmp_path / "sample"
    shutil.copytree(sample.path.parent, copy)
    (copy / "phrasings.yaml").write_text(f"framework: sample\nphrasings:\n{phrasings}", encoding="utf-8")
    return load_framework(copy)


def test_everyday_phrasings_are_views_of_their_indicator(tmp_path, sample):
    from continuum.matching import DEFAULT_TUNING
    from continuum.matching.matcher import FrameworkIndex

    phrased = _with_phrasings(tmp_path, sample, '  edu-l2-1:\n  - "rolls in after registration most days"\n')
    index = FrameworkIndex(phrased)
    position = [i.id for i in index.indicators].index("edu-l2-1")
    assert (position, "rolls in after registration most days", DEFAULT_TUNING.phrasing_weight) in index.views
    without = FrameworkIndex(phrased, DEFAULT_TUNING.with_(phrasing_weight=0.0))
    assert all(text != "rolls in after registration most days" for _i, text, _w in without.views)


def test_a_phrasing_finds_an_indicator_that_shares_no_word_with_the_text(tmp_path, sample):
    from continuum.matching import DEFAULT_TUNING

    text = "she rolls in after registration most days"
    lexical = DEFAULT_TUNING.with_(phrasing_lexical=True)
    before = {
        r["indicator"]: r["score"] for r in match(sample, text, top=20, mode="lexical", tuning=lexical)["results"]
    }
    assert before["edu-l2-1"] == 0.0  # no word in common with the indicator
    phrased = _with_phrasings(tmp_path, sample, '  edu-l2-1:\n  - "rolls in after registration most days"\n')
    after = match(phrased, text, mode="lexical", tuning=lexical)["results"]
    assert after[0]["indicator"] == "edu-l2-1" and after[0]["score"] > 0


def test_a_further_pick_needs_the_higher_bar_and_the_best_pick_never_does(sample):
    from continuum.matching import DEFAULT_TUNING

    text = "He is sofa surfing at a mate's house; his attendance is poor"
    both = selection_from_text(sample, text, mode="lexical", tuning=DEFAULT_TUNING.with_(further_raise=0.0))
    assert len(both) == 2
    best, second = both
    raise_past_second = second["score"] - DEFAULT_TUNING.threshold_lexical + 0.01
    strict = DEFAULT_TUNING.with_(further_raise=raise_past_second)
    assert selection_from_text(sample, text, mode="lexical", tuning=strict) == [best]
    past_both = DEFAULT_TUNING.with_(further_raise=best["score"])  # the best still stands alone
    assert selection_from_text(sample, text, mode="lexical", tuning=past_both) == [best]


def test_the_writers_conclusion_asks_for_a_clearer_concern(sample, mode):
    """'explanation fits' / 'NFA' raise the bar for concerns, not for strengths, not for a baby not yet mobile."""
    from continuum.matching import DEFAULT_TUNING

    strict = DEFAULT_TUNING.with_(reassured_raise=1.0)  # no score reaches 1.3: only the mechanism is tested
    plain = "Bruises on her arm again"
    explained = plain + ", she fell off the climbing frame and the explanation fits"
    baby = "Baby is 4 months old with bruises on her arm, explanation fits"
    nan = "Nan is really supportive and helps with childcare. Logged, NFA."

    def chosen(text):
        return {m["indicator"] for m in selection_from_text(sample, text, mode=mode, tuning=strict)}

    assert "harm-l4-1" in chosen(plain)
    assert "harm-l4-1" not in chosen(explained)
    assert "harm-l4-1" in chosen(baby)
    assert chosen(nan) == {"home-p-1"}


def test_a_text_ending_on_the_need_met_reads_as_a_conclusion(sample, mode):
    """ "back to normal" raises the bar as "explanation fits" does, unless its own sentence
    states a concern, or a baby not yet mobile is hurt; off, it reads the concern as before."""
    from continuum.assess_text import read_and_assess
    from continuum.matching import DEFAULT_TUNING

    strict = DEFAULT_TUNING.with_(reassured_raise=1.0)  # no score reaches 1.3: only the mechanism is tested
    worry = "Her attendance was poor and she was late most mornings after her dad left."
    met = worry + " Since half term things are back to normal."
    still = worry + " Things are back to normal but she is still late most mornings, poor attendance."
    baby = "Baby is 4 months old with bruises on her arm. Things are back to normal."

    def chosen(text, tuning=strict):
        return {m["indicator"] for m in selection_from_text(sample, text, mode=mode, tuning=tuning)}

    assert "edu-l2-1" in chosen(worry)
    assert "edu-l2-1" not in chosen(met)
    assert "edu-l2-1" in chosen(still)
    doubt = worry + " Dad's explanation doesn't fit what school saw. Since half term things are back to normal."
    assert "edu-l2-1" in chosen(doubt)  # doubt anywhere: no conclusion, however the text ends
    assert read_and_assess(sample, doubt, mode=mode, tuning=strict).result["text"]["writer_conclusion"] is None
    # the last sentence's own concern blocks the conclusion only above the threshold plus the allowance
    assert "edu-l2-1" not in chosen(still, strict.with_(need_met_allowance=1.0))
    assert "harm-l4-1" in chosen(baby)
    assert "edu-l2-1" in chosen(met, strict.with_(need_met=False))
    assessed = read_and_assess(sample, met, mode=mode, tuning=strict)
    assert assessed.result["text"]["writer_conclusion"] == "back to normal"
    assert read_and_assess(sample, worry, mode=mode, tuning=strict).result["text"]["writer_conclusion"] is None


def test_each_further_concern_must_be_stated_more_clearly(sample, mode):
    """Three clear concerns are all selected by default; a steep step keeps the first two."""
    from continuum.matching import DEFAULT_TUNING

    text = "He has been sofa surfing since Christmas. Mum's boyfriend hits her. He has been self-harming."
    three = {"home-l3-1", "home-l3-2", "harm-l2-1"}
    assert selected(sample, text, mode) == three
    steep = selection_from_text(sample, text, mode=mode, tuning=DEFAULT_TUNING.with_(further_step=1.0))
    assert len(steep) == 2 and {m["indicator"] for m in steep} < three
