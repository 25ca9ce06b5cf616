"""The engine's invariants, checked by property on every framework (and the test framework)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from continuum.engine import Selection, assess
from continuum.frameworks import LoadedFramework, load_framework
from continuum.frameworks.schema import Fact
from tests.conftest import FIXTURES_DIR, FRAMEWORK_IDS, FRAMEWORKS_DIR

LOADED = {"tiny": load_framework(FIXTURES_DIR / "tiny")} | {
    i: load_framework(FRAMEWORKS_DIR / i) for i in FRAMEWORK_IDS
}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ids(loaded: LoadedFramework, protective: bool) -> list[str]:
    return [i.id for i in loaded.framework.indicators if i.protective == protective]


@st.composite
def selections(draw, loaded: LoadedFramework) -> Selection:
    concerns = _ids(loaded, False)
    protective = _ids(loaded, True)
    return Selection(
        indicators=tuple(draw(st.lists(st.sampled_from(concerns), max_size=8, unique=True))),
        protective=tuple(draw(st.lists(st.sampled_from(protective), max_size=3, unique=True))) if protective else (),
        facts=draw(st.dictionaries(st.sampled_from([f.value for f in Fact]), st.booleans(), max_size=3)),
        age_years=draw(st.none() | st.floats(min_value=0, max_value=18, allow_nan=False)),
    )


def _level(loaded: LoadedFramework, selection: Selection) -> int:
    return assess(loaded, selection)["recommended_level"]["number"]


@pytest.mark.parametrize("framework_id", sorted(LOADED))
def test_adding_a_concern_never_lowers_the_level(framework_id):
    loaded = LOADED[framework_id]

    @SETTINGS
    @given(selection=selections(loaded), extra=st.sampled_from(_ids(loaded, False)))
    def check(selection: Selection, extra: str) -> None:
        more = Selection((*selection.indicators, extra), selection.protective, selection.facts, selection.age_years)
        assert _level(loaded, more) >= _level(loaded, selection)

    check()


@pytest.mark.parametrize("framework_id", sorted(LOADED))
def test_the_highest_concern_sets_the_floor(framework_id):
    loaded = LOADED[framework_id]
    # a sign printed in a row about a specific situation counts lower (context.otherwise) when the
    # situation is not recorded: never lower than that
    levels = {i.id: i.context.otherwise if i.context else i.level for i in loaded.framework.indicators}

    @SETTINGS
    @given(selection=selections(loaded))
    def check(selection: Selection) -> None:
        floor = max((levels[i] for i in selection.indicators), default=min(levels.values()))
        assert _level(loaded, selection) >= floor

    check()


@pytest.mark.parametrize("framework_id", sorted(i for i in LOADED if _ids(LOADED[i], True)))
def test_protective_factors_never_lower_a_level_or_argue_down_a_trigger(framework_id):
    loaded = LOADED[framework_id]
    protective = _ids(loaded, True)

    @SETTINGS
    @given(selection=selections(loaded), strengths=st.lists(st.sampled_from(protective), min_size=1, unique=True))
    def check(selection: Selection, strengths: list[str]) -> None:
        bare = Selection(selection.indicators, (), selection.facts, selection.age_years)
        strong = Selection(selection.indicators, tuple(strengths), selection.facts, selection.age_years)
        result = assess(loaded, strong)
        assert result["recommended_level"]["number"] == _level(loaded, bare)
        for rule in result["rules_fired"]:
            if rule["kind"] == "statutory-trigger" and "raise_to" in rule["effect"]:
                assert result["recommended_level"]["number"] >= rule["effect"]["raise_to"]

    check()


@pytest.mark.parametrize("framework_id", sorted(LOADED))
def test_immediate_danger_is_always_first(framework_id):
    loaded = LOADED[framework_id]
    danger_actions = list(loaded.framework.immediate_danger.actions)

    @SETTINGS
    @given(selection=selections(loaded))
    def check(selection: Selection) -> None:
        result = assess(loaded, selection)
        assert list(result)[:2] == ["framework", "immediate_danger"]
        fired = [r for r in result["rules_fired"] if r["kind"] == "immediate-danger"]
        assert result["immediate_danger"]["applies"] == bool(fired)
        if fired:
            assert result["actions"][: len(danger_actions)] == danger_actions

    check()


@pytest.mark.parametrize("framework_id", sorted(LOADED))
def test_same_input_same_output_whatever_the_order(framework_id):
    loaded = LOADED[framework_id]

    @SETTINGS
    @given(selection=selections(loaded))
    def check(selection: Selection) -> None:
        first = json.dumps(assess(loaded, selection), sort_keys=True)
        shuffled = Selection(
            tuple(reversed(selection.indicators)),
            tuple(reversed(selection.protective)),
            dict(reversed(list(selection.facts.items()))),
            selection.age_years,
        )
        assert json.dumps(assess(loaded, shuffled), sort_keys=True) == first
        assert json.dumps(assess(loaded, selection), sort_keys=True) == first

    check()


@pytest.mark.parametrize("framework_id", sorted(LOADED))
def test_the_level_is_one_the_framework_has_with_a_tier_it_maps_to(framework_id):
    loaded = LOADED[framework_id]
    tiers = {level.number: {t.value for t in level.tiers} for level in loaded.framework.levels}

    @SETTINGS
    @given(selection=selections(loaded))
    def check(selection: Selection) -> None:
        level = assess(loaded, selection)["recommended_level"]
        assert level["number"] in tiers
        assert len(level["tiers"]) == 1 and set(level["tiers"]) <= tiers[level["number"]]

    check()
