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
    "central-bedfordshire": {
        ("dev", 2): 23, ("dev", 3): 16, ("dev", 4): 15,
        ("pc", 2): 10, ("pc", 3): 12, ("pc", 4): 13,
        ("fe", 2): 9, ("fe", 3): 9, ("fe", 4): 10,
    },
    # "What would we see?" column, L271 / L275 / L280: 8 + 4 + 7 printed paragraphs; the
    # first five Emerging Needs paragraphs describe a child with no additional need (protective).
    "cambridgeshire-peterborough": {("see", 1): 3, ("see", 2): 4, ("see", 3): 7},
    # Five "Examples of Vulnerability or Need" tables (L96-L169): 9 / 12 / 21 / 24 / 23 indicators,
    # of which the 9 at Level 1 and "Parents are supportive of the intervention" (Level 2) are
    # strengths; the referral list (L248-L260, 11) and signs of exploitation (L292-L301, 8).
    "bury": {
        ("examples", 2): 11, ("examples", 3): 21, ("examples", 4): 24, ("examples", 5): 23,
        ("referral-concerns", 5): 11, ("exploitation-signs", 4): 8,
    },
}  # fmt: skip

# framework id -> protective indicators (resilience / strengths) the document lists
PROTECTIVE = {
    "central-bedfordshire": 19,  # s.9 Resilience Factors, L420-L440: 6 individual, 6 family, 7 community
    "cambridgeshire-peterborough": 5,  # Emerging Needs paragraphs 1-5, L271
    "bury": 10,  # the Level 1 table (9) and one Level 2 strength
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
