"""Indicator counts per level pinned to the source documents.

Each figure is counted from the document itself (the seed-notes give the same counts,
with line references): a change to an encoding that loses or invents an indicator fails here.
"""

from __future__ import annotations

from collections import Counter

import pytest

# framework id -> {(domain, level): concern indicators} from the document's matrix
CONCERNS = {
    # s.8 Threshold Chart, L168-L416: 118 bullet lines, 117 logical indicators
    # ("Overweight/underweight/enuresis/" + "encopresis", L215-L216, is one).
    # Outside the chart (2.0.0): s.10 statutory triggers, L483 (unplanned return home), L493 (FGM appears
    # carried out), L499-L500 (daughters, sisters), L515 (family with known extremists); s.11 allegations against staff, L649-L651.
    "central-bedfordshire": {
        ("dev", 2): 23, ("dev", 3): 16, ("dev", 4): 15,
        ("pc", 2): 10, ("pc", 3): 12, ("pc", 4): 13,
        ("fe", 2): 9, ("fe", 3): 9, ("fe", 4): 10,
        ("specific-needs", 3): 1, ("specific-needs", 4): 4,
        ("allegations", 4): 3,
    },
    # "What would we see?" column, L271 / L275 / L280: 8 + 4 + 7 printed paragraphs; the
    # first five Emerging Needs paragraphs describe a child with no additional need (protective).
    "cambridgeshire-peterborough": {("see", 1): 3, ("see", 2): 4, ("see", 3): 7},
    # Five "Examples of Vulnerability or Need" tables (L96-L169): 9 / 12 / 21 / 24 / 23 indicators,
    # of which the 9 at Level 1 and "Parents are supportive of the intervention" (Level 2) are
    # strengths; the referral list (L248-L260, 11) and signs of exploitation (L292-L301, 8).
    # 6 of the Level 5 table's 23 (L151, L152, L168 x3, L169) count at Level 4 unless their row's
    # situation is recorded (each has a `context`); they keep the document's Level 5.
    "bury": {
        ("examples", 2): 11, ("examples", 3): 21, ("examples", 4): 24, ("examples", 5): 23,
        ("referral-concerns", 5): 11, ("exploitation-signs", 4): 8,
    },
}  # fmt: skip


def _ladder(domain: str, *per_level: int) -> dict[tuple[str, int], int]:
    return {(domain, level): n for level, n in enumerate(per_level, start=1) if n}


# Bedford Borough's ladder matrix (L149-L291): 78 rows, 308 non-empty cells (L1 75, L2 78, L3 78,
# L4 77); plus the statutory criteria at Level 4: s47 (L297-L317) 19, s20 (L319-L337) 5, s31 (L339-L355) 2.
CONCERNS["bedford-borough"] = {
    **_ladder("dev-education", 3, 3, 3, 2),
    **_ladder("dev-health", 4, 4, 4, 4),
    **_ladder("dev-emotional", 5, 5, 5, 5),
    **_ladder("dev-social", 4, 4, 4, 4),
    **_ladder("dev-behaviour", 13, 13, 13, 13),
    **_ladder("dev-abuse-neglect", 4, 4, 4, 4),
    **_ladder("environment", 10, 10, 10, 10),
    **_ladder("par-pregnancy", 3, 3, 3, 3),
    **_ladder("par-health", 2, 2, 2, 2),
    **_ladder("par-education", 3, 3, 3, 3),
    **_ladder("par-emotional", 5, 8, 8, 8),
    **_ladder("par-practical", 3, 3, 3, 3),
    **_ladder("par-domestic-abuse", 3, 3, 3, 3),
    **_ladder("par-health-disability", 6, 6, 6, 6),
    **_ladder("par-protection", 5, 5, 5, 5),
    **_ladder("par-criminal", 2, 2, 2, 2),
    ("s47-criteria", 4): 19,
    ("s20-criteria", 4): 5,
    ("s31-criteria", 4): 2,
}


# Luton's EXAMPLE INDICATORS matrix (L829-L1203): 219 bullet lines, 220 indicators (L877 holds two);
# Universal 35 (needs met by universal services: strengths), Emerging Needs 76, Family Help 44,
# Statutory Intervention/Family Help 65.
CONCERNS["luton"] = {
    **_ladder("hea", 0, 11, 7, 15),
    **_ladder("emo", 0, 5, 5, 6),
    **_ladder("beh", 0, 7, 7, 0),
    **_ladder("ide", 0, 6, 4, 3),
    **_ladder("fsr", 0, 4, 3, 6),
    **_ladder("sci", 0, 3, 2, 0),
    **_ladder("lea", 0, 8, 4, 2),
    **_ladder("bas", 0, 8, 4, 12),
    **_ladder("ews", 0, 4, 0, 3),
    **_ladder("gbs", 0, 6, 4, 3),
    **_ladder("ffw", 0, 2, 2, 4),
    **_ladder("hwi", 0, 9, 2, 4),
    **_ladder("soc", 0, 3, 0, 0),
    **_ladder("oth", 0, 0, 0, 7),
}


def test_luton_matrix_totals_per_level():
    totals = Counter()
    for (_, level), n in CONCERNS["luton"].items():
        totals[level] += n
    assert dict(totals) == {2: 76, 3: 44, 4: 65}


def test_bedford_borough_matrix_totals_per_level():
    totals = Counter()
    for (domain, level), n in CONCERNS["bedford-borough"].items():
        if not domain.startswith("s"):
            totals[level] += n
    assert dict(totals) == {1: 75, 2: 78, 3: 78, 4: 77}


# framework id -> protective indicators (resilience / strengths) the document lists
PROTECTIVE = {
    "central-bedfordshire": 19,  # s.9 Resilience Factors, L420-L440: 6 individual, 6 family, 7 community
    "cambridgeshire-peterborough": 5,  # Emerging Needs paragraphs 1-5, L271
    "bury": 10,  # the Level 1 table (9) and one Level 2 strength
    "bedford-borough": 0,
    "luton": 35,  # the Universal column of the matrix  # Level 1 cells describe no additional need; they are level 1 concerns, not strengths
}


@pytest.mark.parametrize("framework_id", sorted(CONCERNS))
def test_concern_counts_per_domain_and_level(registry, framework_id):
    fw = registry.get(framework_id).framework
    expected = CONCERNS[framework_id]
    domains = {domain for domain, _ in expected}
    found = Counter((i.domain, i.level) for i in fw.indicators if not i.protective and i.domain in domains)
    assert dict(found) == expected


@pytest.mark.parametrize("framework_id", sorted(PROTECTIVE))
def test_protective_counts(registry, framework_id):
    fw = registry.get(framework_id).framework
    assert sum(1 for i in fw.indicators if i.protective) == PROTECTIVE[framework_id]


def test_luton_totals_pinned(registry):
    """Luton 2.0.0: 220 matrix indicators + 35 from the prose lists (note extra-domains); 36 rules, 11 specific risks."""
    fw = registry.get("luton").framework
    assert len(fw.indicators) == 255
    assert len(fw.rules) == 36
    assert Counter(rule.kind for rule in fw.rules) == {
        "immediate-danger": 2,
        "statutory-trigger": 7,
        "tier-split": 9,
        "prompt": 15,
        "accumulation": 3,
    }
    assert len(fw.specific_risks) == 11


def test_central_bedfordshire_totals_pinned(registry):
    """Central Bedfordshire 2.0.0: 117 chart + 19 resilience + 8 outside the chart (note specific-needs-indicators)."""
    fw = registry.get("central-bedfordshire").framework
    assert len(fw.indicators) == 144
    assert len(fw.rules) == 23
    assert Counter(rule.kind for rule in fw.rules) == {
        "immediate-danger": 1,
        "statutory-trigger": 10,
        "prompt": 9,
        "accumulation": 2,
        "tier-split": 1,
    }
    assert len(fw.specific_risks) == 14


# Rule counts by kind, pinned per framework and version (csc-validator pins its rule sets the
# same way): a rule added or dropped must be a deliberate edit here too.
RULES_BY_KIND = {
    "bedford-borough": {
        "immediate-danger": 1,
        "statutory-trigger": 21,
        "tier-split": 2,
        "accumulation": 1,
        "prompt": 1,
    },
    "bury": {"immediate-danger": 2, "statutory-trigger": 4, "accumulation": 2, "tier-split": 1, "prompt": 2},
    "cambridgeshire-peterborough": {"immediate-danger": 2, "tier-split": 3, "accumulation": 1, "prompt": 2},
}


@pytest.mark.parametrize("framework_id", sorted(RULES_BY_KIND))
def test_rule_counts_by_kind(registry, framework_id):
    fw = registry.get(framework_id).framework
    assert dict(Counter(rule.kind for rule in fw.rules)) == RULES_BY_KIND[framework_id]
