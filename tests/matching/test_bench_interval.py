"""The benchmark's interval for level agreement (bench/match.py) gives the published values."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "bench_match", Path(__file__).resolve().parents[2] / "bench" / "match.py"
)
bench_match = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_match)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), Statistics in Medicine 17:857, table I
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    lo, hi = bench_match.wilson_interval(successes, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_interval_is_symmetric_and_bounded():
    lo, hi = bench_match.wilson_interval(135, 161)
    rev_lo, rev_hi = bench_match.wilson_interval(26, 161)
    assert lo == pytest.approx(1 - rev_hi)
    assert hi == pytest.approx(1 - rev_lo)
    assert 0.0 <= lo < 135 / 161 < hi <= 1.0
    assert bench_match.wilson_interval(10, 10)[1] == 1.0


def test_labeller_agreement_counts_each_labeller(monkeypatch):
    statements = [{"id": f"s{n}", "level": level} for n, level in enumerate([2, 3, 4, 2])]
    second = {"s0": 2, "s1": 4, "s2": 4, "s3": 3}  # the labellers agree on s0 and s2
    monkeypatch.setattr(bench_match, "second_reading", lambda _statements: second)
    results = [{"mode": "hybrid", "recommended": {"s0": 2, "s1": 4, "s2": 3, "s3": 2}}]
    head, line = bench_match.labeller_agreement(statements, results)
    assert "same level for 2 = 0.500" in head
    assert "first labeller 2/4 = 0.500" in line  # s0, s3
    assert "second 2/4 = 0.500" in line  # s0, s1
    assert "either 0.750" in line  # s0, s1, s3
    assert "where the labellers agree 1/2 = 0.500" in line  # s0 of s0, s2
