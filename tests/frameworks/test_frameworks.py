"""Every framework in the repository: valid, faithful to its source, and its vignettes pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.engine import assess
from continuum.frameworks import load_framework
from tests.conftest import FIXTURES_DIR, FRAMEWORK_IDS, FRAMEWORKS_DIR, ROOT, missing_part

SEEDS = ROOT.parent / "shared" / "seeds"

# As the documents count them (shared/README.md and DESIGN.md).
LEVELS = {
    "central-bedfordshire": 4,
    "luton": 4,
    "bedford-borough": 4,
    "bury": 5,
    "cambridgeshire-peterborough": 3,
}


def _vignette_cases() -> list:
    cases = []
    for directory in [FIXTURES_DIR / "tiny"] + [FRAMEWORKS_DIR / i for i in FRAMEWORK_IDS]:
        loaded = load_framework(directory)
        cases += [pytest.param(loaded, v, id=f"{loaded.id}:{v.id}") for v in loaded.framework.vignettes]
    return cases


def test_all_five_frameworks_are_present():
    assert sorted(LEVELS) == FRAMEWORK_IDS


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_level_count_is_the_documents(registry, framework_id):
    assert len(registry.get(framework_id).framework.levels) == LEVELS[framework_id]


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_source_is_the_seed_byte_for_byte(registry, framework_id):
    fw = registry.get(framework_id).framework
    seed = SEEDS / fw.source.document
    if not seed.is_file():
        missing_part(f"shared/seeds is not beside this checkout ({seed})")
    assert (FRAMEWORKS_DIR / framework_id / fw.source.file).read_bytes() == seed.read_bytes()


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_what_to_do_is_there_for_people_who_need_it(registry, framework_id):
    fw = registry.get(framework_id).framework
    assert any("999" in a for a in fw.immediate_danger.actions) or "999" in fw.immediate_danger.text
    omissions = " ".join(n.text.lower() for n in fw.notes if n.kind == "omission")
    # A document that prints no number must say so in a note: numbers are never invented.
    assert any(c.phone for c in fw.contacts) or "telephone" in omissions, "a contact phone number, or a note"
    assert any(c.out_of_hours for c in fw.contacts) or "out-of-hours" in omissions, "an out-of-hours route, or a note"
    assert any(level.consent for level in fw.levels), "a consent rule"
    assert any(level.timescales for level in fw.levels) or fw.timescales, "timescales"
    top = max(fw.levels, key=lambda level: level.number)
    assert {t.value for t in top.tiers} & {"child-protection"}, "the top level includes child protection"


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_enough_vignettes_to_test_the_framework(registry, framework_id):
    fw = registry.get(framework_id).framework
    assert len(fw.vignettes) >= 15
    assert {v.expect_level for v in fw.vignettes} >= {
        level.number for level in fw.levels if level.number > min(x.number for x in fw.levels)
    }


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_each_tier_of_a_spanning_level_is_reached_by_a_vignette(registry, framework_id):
    fw = registry.get(framework_id).framework
    reached = {(v.expect_level, v.expect_tier.value) for v in fw.vignettes if v.expect_tier}
    for level in fw.levels:
        if len(level.tiers) > 1:
            for tier in level.tiers:
                assert (level.number, tier.value) in reached, (
                    f"no vignette expects level {level.number} as {tier.value}"
                )


@pytest.mark.parametrize(("loaded", "vignette"), _vignette_cases())
def test_vignette(loaded, vignette):
    result = assess(
        loaded,
        {
            "indicators": vignette.indicators,
            "protective": vignette.protective,
            "facts": {k.value: v for k, v in vignette.facts.items()},
            "age_years": vignette.age_years,
        },
    )
    level = result["recommended_level"]
    why = f"{vignette.description} (source lines {vignette.source.lines}); trace: {result['trace']}"
    assert level["number"] == vignette.expect_level, why
    if vignette.expect_tier is not None:
        assert level["tiers"] == [vignette.expect_tier.value], why
    if vignette.expect_immediate_danger is not None:
        assert result["immediate_danger"]["applies"] is vignette.expect_immediate_danger, why
    fired = {r["rule"] for r in result["rules_fired"]}
    assert set(vignette.expect_rules) <= fired, why
    assert not set(vignette.expect_not_rules) & fired, why
    if vignette.expect_parents_told_first is not None:
        assert result["consent"] is not None, why
        assert result["consent"].get("parents_told_first") is vignette.expect_parents_told_first, why


def test_framework_dirs_hold_only_known_files():
    for directory in Path(FRAMEWORKS_DIR).iterdir():
        if directory.is_dir():
            assert {p.name for p in directory.iterdir()} <= {
                "framework.yaml",
                "source.txt",
                "NOTES.md",
                "EDITING.md",
                "phrasings.yaml",
            }


def _fired_in_some_vignette(loaded) -> set[str]:
    fired: set[str] = set()
    for vignette in loaded.framework.vignettes:
        result = assess(
            loaded,
            {
                "indicators": vignette.indicators,
                "protective": vignette.protective,
                "facts": {k.value: v for k, v in vignette.facts.items()},
                "age_years": vignette.age_years,
            },
        )
        fired |= {rule["rule"] for rule in result["rules_fired"]}
        # a tier-split rule is not listed among the rules fired; the trace names it when it held
        fired |= {step["rule"] for step in result["trace"] if step["step"] == "tier-rule"}
    return fired


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_every_rule_holds_in_at_least_one_vignette(registry, framework_id):
    """A rule no example exercises is a rule nobody has checked (csc-validator keeps each rule with its tests)."""
    loaded = registry.get(framework_id)
    unexercised = sorted({rule.id for rule in loaded.framework.rules} - _fired_in_some_vignette(loaded))
    assert not unexercised, f"{framework_id}: no vignette makes these rules hold: {', '.join(unexercised)}"


@pytest.mark.parametrize("framework_id", FRAMEWORK_IDS)
def test_every_framework_can_record_immediate_danger(registry, framework_id):
    """Whatever the concerns, a practitioner can say the child is in danger now, and 999 comes first."""
    loaded = registry.get(framework_id)
    result = assess(loaded, {"facts": {"in_immediate_danger": True}})
    assert result["immediate_danger"]["applies"] is True
    assert result["immediate_danger"]["actions"], "the banner must say what to do"
