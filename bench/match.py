"""Free-text matching benchmark: lexical-only, semantic-only and hybrid side by side.

    .venv/bin/python bench/match.py                 # the test half (report these numbers)
    .venv/bin/python bench/match.py --split dev     # the dev half (tune on this only)
    .venv/bin/python bench/match.py --split dev --ablation   # what each part earns, on dev
    .venv/bin/python bench/match.py --json          # machine-readable
    .venv/bin/python bench/match.py --split stories-dev  # stories written by others: tune on these
    .venv/bin/python bench/match.py --split stories # the stories half: tier and level only (never tune)
    .venv/bin/python bench/match.py --split dev --modes hybrid --runtimes onnx,torch  # ONNX Runtime vs PyTorch

Each mode runs in a fresh process, so cold start (imports, framework load, cached
indicator embeddings, first answer) and peak memory are that mode's own. Then every
statement of the split is matched once to warm up and once more timed.

Metrics, over the statements of the split (``bench/data/match_eval.jsonl``):

* recall@k: the share of a statement's labelled concerns found among the first k
  non-negated results, out of min(k, number labelled), so recall@1 asks whether the first
  result is right. A labelled concern may list alternatives; an indicator whose text is
  the same as a labelled one (a document that repeats itself) also counts;
* MRR: 1 / rank of the first labelled indicator found (0 if none in the top 10);
* level: the share whose recommended level, from ``continuum.assess_text`` (the code
  behind ``assess --text``: the selection and the facts the words state, through the
  engine), equals the labelled level; under: the share given a level *below* the labelled
  one (the costlier way to be wrong);
* selected recall / precision: of the labelled concerns, the share the selection holds; of
  the selected indicators, the share that are labelled;
* denied selected: of statements that deny something, the share where a denied indicator
  was selected anyway (lower is better);
* check higher: the share where ``assess --text`` shows a higher-level near miss to check
  (``higher_near_misses``); under checked: of the statements given too low a level, the
  share where it does (the safety net for the costlier error);
* tier: the share whose common tier (universal, early help, child in need, child
  protection, looked after; ADR 0004) equals the labelled one; tier under: the share given
  a tier *below* it (child protection and looked after rank alike). A statement's labelled
  tier is what the engine gives for its labelled indicators; a story's is the readers';
* not enough: the share where ``assess --text`` says the words are not enough to set a
  level and asks for more (``text.not_enough``). Such an answer sets no level: it counts as
  neither agreeing nor under; "under or not enough" adds them up;
* latency p50/p95 per query, warm; cold start; peak RSS.

The stories half (``bench/data/match_eval_stories.jsonl``, ``--split stories``): short
stories of a family in plain words, one row per story and framework, labelled with the tier
and level the document supports by two readers independently (``reader_1``, ``reader_2``).
The label used is ``agreed`` where the readers were reconciled, else the readers' label
where they agree or where only one has read it yet; a pair the readers disagree on without
a reconciled label is left out and counted. Stories have no indicator labels, so only tier
and level are scored. Never tune on it.

Level agreement is printed with its 95% Wilson interval. Where statements were labelled a
second time, independently (``bench/data/match_eval_second.jsonl``), the benchmark also
prints how often the two labellers give the same level, and each mode's agreement with
each labeller: a matcher cannot be judged closer to "the" level than its labellers agree.

Targets (from the issue): recall@5 >= 0.9, level agreement >= 0.85, p95 <= 50 ms on two
CPU cores, cold start <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "match_eval.jsonl"
# A second, independent labelling of some statements: how far two careful readers of the same
# document agree on the level, the ceiling any matcher is measured against.
SECOND = HERE / "data" / "match_eval_second.jsonl"
STORIES = HERE / "data" / "match_eval_stories.jsonl"
# Stories written by others for tuning (``--split stories-dev``): the same kinds, the same labelling.
STORIES_DEV = HERE / "data" / "match_eval_stories_dev.jsonl"
STORY_FILES = {"stories": STORIES, "stories-dev": STORIES_DEV}
# The common tiers from lowest to highest (looked after ranks with child protection).
TIER_RANK = {"universal": 0, "early-help": 1, "child-in-need": 2, "child-protection": 3, "looked-after": 3}
MODES = ("lexical", "semantic", "hybrid")
TOP = 10

# Variants for --ablation: each switches one part off (or swaps it) from the default.
ABLATIONS: dict[str, dict[str, Any]] = {
    "default (hybrid)": {},
    "equal-weight RRF": {"fusion": "rrf", "rrf_semantic_weight": 1.0},
    "semantic only, plain": {
        "mode": "semantic",
        "clauses": False,
        "expand_semantic": False,
        "exemplars": False,
        "phrasing_weight": 0.0,
        "phrasing_lexical": False,
    },
    "lexical only, plain BM25": {
        "mode": "lexical",
        "expand_phrases": False,
        "phrasing_lexical": False,
        "lexical_norm": "max",
        "clauses": False,
    },
    "no phrase vocabulary": {"expand_phrases": False},
    "no vignette examples": {"exemplars": False},
    "no everyday phrasings": {"phrasing_weight": 0.0, "phrasing_lexical": False},
    "phrasings semantic only": {"phrasing_lexical": False},
    "phrasings lexical only": {"phrasing_weight": 0.0},
    "phrasings at 1.0": {"phrasing_weight": 1.0},
    "no higher bar for further picks": {"further_raise": 0.0, "further_step": 0.0},
    "no rising bar after the second pick": {"further_step": 0.0},
    "no writer's conclusion": {"reassured_raise": 0.0},
    "no clause splitting": {"clauses": False},
    "no negation": {"negation": False},
    "no selection fallback": {"select_fallback": 0.0},
    "convex w=0.5": {"semantic_weight": 0.5},
    "convex w=0.75": {"semantic_weight": 0.75},
    "no 'not enough' (guess the lowest level)": {"say_not_enough": False},
    "level_raise 0.05 (not kept)": {"level_raise": 0.05},
}


def load_statements(split: str) -> list[dict[str, Any]]:
    if split in STORY_FILES:
        return load_stories(split)[0]
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def story_label(row: dict[str, Any]) -> dict[str, Any] | None:
    """The label a story pair is scored against, or None while its readers disagree."""
    if row.get("agreed"):
        return dict(row["agreed"])
    first, second = row.get("reader_1"), row.get("reader_2")
    if first and second:
        same = (first["level"], first["tier"]) == (second["level"], second["tier"])
        return dict(first) if same else None
    return dict(first or second) if (first or second) else None


def load_stories(split: str = "stories") -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The story pairs with a label (``level``, ``tier``, no indicators), and how they were labelled."""
    path = STORY_FILES[split]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: list[dict[str, Any]] = []
    counts = {"pairs": len(rows), "both_readers": 0, "readers_disagree": 0, "agreed_after_reconciling": 0}
    for row in rows:
        both = bool(row.get("reader_1") and row.get("reader_2"))
        counts["both_readers"] += both
        if both and (row["reader_1"]["level"], row["reader_1"]["tier"]) != (
            row["reader_2"]["level"],
            row["reader_2"]["tier"],
        ):
            counts["readers_disagree"] += 1
            counts["agreed_after_reconciling"] += bool(row.get("agreed"))
        label = story_label(row)
        if label is None:
            continue
        out.append({**row, "level": label["level"], "tier": label["tier"], "indicators": []})
    return out, counts


def labelled_tier(loaded: Any, statement: dict[str, Any]) -> str:
    """A statement's labelled tier: a story's own, else the engine's for its labelled indicators."""
    if "tier" in statement:
        return str(statement["tier"])
    from continuum.engine import assess

    by_id = {i.id: i for i in loaded.framework.indicators}
    firsts = [g[0] if isinstance(g, list) else g for g in statement["indicators"]]
    result = assess(
        loaded,
        {
            "indicators": [i for i in firsts if not by_id[i].protective],
            "protective": [i for i in firsts if by_id[i].protective],
        },
    )
    return str(result["recommended_level"]["tiers"][0])


def _mean(values: list[Any]) -> float | None:
    return statistics.fmean(values) if values else None


def _groups(statement: dict[str, Any]) -> list[set[str]]:
    return [set(g) if isinstance(g, list) else {g} for g in statement["indicators"]]


def _same_text(loaded: Any) -> dict[str, set[str]]:
    """Indicator id → ids with the same words (the document repeating itself)."""
    from continuum.matching.text import words

    by_text: dict[tuple[str, ...], set[str]] = {}
    for ind in loaded.framework.indicators:
        by_text.setdefault(tuple(words(ind.text)), set()).add(ind.id)
    return {i: ids for ids in by_text.values() for i in ids}


def second_reading(statements: list[dict[str, Any]]) -> dict[str, int]:
    """Statement id → the level the second labeller gave, for the statements in ``statements``."""
    if not SECOND.exists():
        return {}
    wanted = {s["id"] for s in statements}
    rows = (json.loads(line) for line in SECOND.read_text(encoding="utf-8").splitlines() if line.strip())
    return {r["id"]: r["level"] for r in rows if r["id"] in wanted}


def labeller_agreement(statements: list[dict[str, Any]], results: list[dict[str, Any]]) -> list[str]:
    """Lines on how the two labellers agree, and how each mode agrees with each of them."""
    second = second_reading(statements)
    if not second:
        return []
    first = {s["id"]: s["level"] for s in statements if s["id"] in second}
    both = [i for i in second if second[i] == first[i]]
    n = len(second)
    lo, hi = wilson_interval(len(both), n)
    lines = [
        f"two labellers, {n} statements read by both: same level for {len(both)} = {len(both) / n:.3f}"
        f" (95% interval {lo:.3f} to {hi:.3f}); no matcher can be judged closer than its labels agree"
    ]
    for r in results:
        got = r["recommended"]
        with_first = sum(got[i] == first[i] for i in second)
        with_second = sum(got[i] == second[i] for i in second)
        either = sum(got[i] in (first[i], second[i]) for i in second)
        agreed = sum(got[i] == first[i] for i in both)
        lines.append(
            f"  {r['mode']:10} first labeller {with_first}/{n} = {with_first / n:.3f}, second {with_second}/{n}"
            f" = {with_second / n:.3f}, either {either / n:.3f}; where the labellers agree {agreed}/{len(both)}"
            f" = {agreed / max(len(both), 1):.3f}"
        )
    return lines


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% by default).

    Written out rather than taken from statsmodels: one formula, and the benchmark's only
    statistic, not worth a dependency.
    """
    if n == 0:
        return (float("nan"), float("nan"))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def evaluate(statements: list[dict[str, Any]], mode: str, tune: Any, registry: Any) -> dict[str, Any]:
    """Quality and warm latency of one mode and tuning over ``statements``."""
    from continuum.assess_text import read_and_assess
    from continuum.matching import match

    frameworks = {s["framework"] for s in statements}
    same = {f: _same_text(registry.get(f)) for f in frameworks}
    for s in statements:  # warm every framework's index and the model
        match(registry.get(s["framework"]), s["text"], top=TOP, mode=mode, tuning=tune)

    latencies: list[float] = []
    r1: list[float] = []
    r5: list[float] = []
    rr: list[float] = []
    levels: list[bool] = []
    under: list[bool] = []
    selected_found: list[float] = []
    selected_right: list[bool] = []
    denied_selected: list[bool] = []
    flagged: list[bool] = []  # a higher-level near miss is shown to check (as `assess --text` does)
    under_flagged: list[bool] = []
    tiers: list[bool] = []
    tier_under: list[bool] = []
    not_enough: list[bool] = []
    by_kind: dict[str, list[bool]] = {}
    misses: list[dict[str, Any]] = []
    recommended: dict[str, int] = {}
    per_framework: dict[str, dict[str, list[float]]] = {}
    for s in statements:
        loaded = registry.get(s["framework"])
        t0 = time.perf_counter()
        result = match(loaded, s["text"], top=TOP, mode=mode, tuning=tune)
        latencies.append((time.perf_counter() - t0) * 1000)
        ranked = [r["indicator"] for r in result["results"] if not r["negated"]]
        groups = [set().union(*(same[s["framework"]].get(i, {i}) for i in g)) for g in _groups(s)]
        if groups:
            for k, bucket in ((1, r1), (5, r5)):
                found = sum(1 for g in groups if g & set(ranked[:k]))
                bucket.append(found / min(k, len(groups)))
            ranks = [n for n, i in enumerate(ranked, start=1) if any(i in g for g in groups)]
            rr.append(1.0 / ranks[0] if ranks else 0.0)
        assessed = read_and_assess(loaded, s["text"], mode=mode, tuning=tune)  # what `assess --text` gives
        selection = assessed.selected
        level = assessed.result["recommended_level"]["number"]
        picked = {m["indicator"] for m in selection}
        if groups:
            selected_found.append(sum(1 for g in groups if g & picked) / len(groups))
        selected_right += [any(i in g for g in groups) for i in picked]
        recommended[s["id"]] = level
        flagged.append(bool(assessed.result["text"]["check_higher"]))
        abstained = bool(assessed.result["text"].get("not_enough"))
        not_enough.append(abstained)
        want_tier = labelled_tier(loaded, s)
        got_tier = assessed.result["recommended_level"]["tiers"][0]
        tier_ok = not abstained and got_tier == want_tier
        tiers.append(tier_ok)
        tier_under.append(not abstained and TIER_RANK[got_tier] < TIER_RANK[want_tier])
        if "kind" in s:
            by_kind.setdefault(s["kind"], []).append(tier_ok)
        if level < s["level"] and not abstained:
            under_flagged.append(flagged[-1])
        levels.append(level == s["level"] and not abstained)
        under.append(level < s["level"] and not abstained)
        mine = per_framework.setdefault(s["framework"], {"level": [], "recall@5": [], "tier": []})
        mine["level"].append(levels[-1])
        mine["tier"].append(tier_ok)
        if groups:
            mine["recall@5"].append(r5[-1])
        if s.get("denied"):
            denied_selected.append(bool(set(s["denied"]) & {m["indicator"] for m in selection}))
        if not levels[-1] or not tier_ok or (groups and not all(g & set(ranked[:5]) for g in groups)):
            misses.append(
                {
                    "id": s["id"],
                    "text": s["text"],
                    "want": s["indicators"],
                    "got": ranked[:5],
                    "selected": [f"{m['indicator']}:{m['score']:.2f}" for m in selection],
                    "level": [s["level"], "not enough" if abstained else level],
                    "tier": [want_tier, "not enough" if abstained else got_tier],
                }
            )
    return {
        "mode": mode,
        "statements": len(statements),
        "recall@1": _mean(r1),
        "recall@5": _mean(r5),
        "mrr": _mean(rr),
        "level_agreement": statistics.fmean(levels),
        "level_agreed": sum(levels),
        "level_ci95": wilson_interval(sum(levels), len(levels)),
        "level_under": statistics.fmean(under),
        "tier_agreement": statistics.fmean(tiers),
        "tier_agreed": sum(tiers),
        "tier_ci95": wilson_interval(sum(tiers), len(tiers)),
        "tier_under": statistics.fmean(tier_under),
        "not_enough": statistics.fmean(not_enough),
        "tier_under_or_not_enough": statistics.fmean([a or b for a, b in zip(tier_under, not_enough, strict=True)]),
        "tier_by_kind": {k: [sum(v), len(v)] for k, v in sorted(by_kind.items())},
        "selected_recall": _mean(selected_found),
        "selected_precision": statistics.fmean(selected_right) if selected_right else None,
        "denied_selected": statistics.fmean(denied_selected) if denied_selected else None,
        "check_higher": statistics.fmean(flagged),
        "under_checked": statistics.fmean(under_flagged) if under_flagged else None,
        "p50_ms": _percentile(latencies, 0.5),
        "p95_ms": _percentile(latencies, 0.95),
        "misses": misses,
        "recommended": recommended,
        "by_framework": {
            f: {"statements": len(v["level"]), **{k: _mean(x) for k, x in v.items()}}
            for f, v in sorted(per_framework.items())
        },
    }


def run_mode(mode: str, split: str, tuning: dict[str, Any], launched: float, threads: int) -> dict[str, Any]:
    """One mode in this (fresh) process: cold start, then the split, then peak memory."""
    import resource

    from continuum.frameworks import default_registry
    from continuum.matching import DEFAULT_TUNING, match

    tune = DEFAULT_TUNING.with_(**tuning)
    statements = load_statements(split)
    registry = default_registry()
    if mode != "lexical":
        from continuum.matching.semantic import set_threads

        set_threads(threads)  # as a server process does (matching_pool.model_threads)
    first = statements[0]
    match(registry.get(first["framework"]), first["text"], top=TOP, mode=mode, tuning=tune)
    cold = time.time() - launched
    result = evaluate(statements, mode, tune, registry)
    result.update(
        split=split,
        cold_start_s=cold,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
    return result


def run_ablation(split: str, tuning: dict[str, Any]) -> list[dict[str, Any]]:
    """Hybrid variants, in this process (quality only; latency is noisier here)."""
    from continuum.frameworks import default_registry
    from continuum.matching import DEFAULT_TUNING

    registry = default_registry()
    statements = load_statements(split)
    results = []
    for name, change in ABLATIONS.items():
        change = dict(change)
        mode = change.pop("mode", "hybrid")
        r = evaluate(statements, mode, DEFAULT_TUNING.with_(**{**tuning, **change}), registry)
        r.update(variant=name, cold_start_s=None, peak_rss_mb=None)
        results.append(r)
        print(f"  {name}: recall@5 {r['recall@5']:.3f} level {r['level_agreement']:.3f}", file=sys.stderr)
    return results


def _child(mode: str, split: str, tuning: dict[str, Any], threads: int, runtime: str | None = None) -> dict[str, Any]:
    env = dict(os.environ, PYTHONHASHSEED="0")
    if runtime:
        env["CONTINUUM_MODEL_RUNTIME"] = runtime
    launched = repr(time.time())  # cold start counts from here: interpreter, imports, load, first answer
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--split",
        split,
        "--tuning",
        json.dumps(tuning),
        "--launched",
        launched,
        "--threads",
        str(threads),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if runtime:
        result["mode"] = f"{mode}@{runtime}"
    return result


def _table(results: list[dict[str, Any]], label: str = "mode") -> str:
    cols = [
        ("recall@1", "{:.3f}"),
        ("recall@5", "{:.3f}"),
        ("mrr", "{:.3f}"),
        ("level_agreement", "{:.3f}"),
        ("level_under", "{:.3f}"),
        ("tier_agreement", "{:.3f}"),
        ("tier_under", "{:.3f}"),
        ("not_enough", "{:.3f}"),
        ("selected_recall", "{:.3f}"),
        ("selected_precision", "{:.3f}"),
        ("denied_selected", "{:.3f}"),
        ("check_higher", "{:.3f}"),
        ("under_checked", "{:.3f}"),
        ("p50_ms", "{:.1f}"),
        ("p95_ms", "{:.1f}"),
        ("cold_start_s", "{:.2f}"),
        ("peak_rss_mb", "{:.0f}"),
    ]
    width = max(len(label), *(len(r[label]) for r in results)) + 2
    head = label.ljust(width) + "".join(name.rjust(max(len(name), 6) + 2) for name, _ in cols)
    lines = [head, "-" * len(head)]
    for r in results:
        cells = "".join(("-" if r.get(n) is None else f.format(r[n])).rjust(max(len(n), 6) + 2) for n, f in cols)
        lines.append(r[label].ljust(width) + cells)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="test", choices=["dev", "test", "all", "stories-dev", "stories"])
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--ablation", action="store_true", help="hybrid variants (tune on dev only)")
    parser.add_argument("--tuning", default="{}", help="JSON overrides of continuum.matching.Tuning")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the statements each mode gets wrong")
    parser.add_argument("--by-framework", action="store_true", help="recall@5 and level for each framework")
    parser.add_argument(
        "--runtimes", help="the model's runtimes to run each mode on, side by side (e.g. onnx,torch; default: onnx)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=max(1, (os.cpu_count() or 2) // 2),
        help="cores one forward pass of the model may use (default: half the machine's, as the server)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    tuning = json.loads(args.tuning)
    if args.child:
        print(json.dumps(run_mode(args.child, args.split, tuning, args.launched, args.threads)))
        return
    if args.ablation:
        results = run_ablation(args.split, tuning)
        print(json.dumps(results, indent=1) if args.json else _table(results, "variant"))
        return
    runtimes = args.runtimes.split(",") if args.runtimes else [None]
    results = [
        _child(mode, args.split, tuning, args.threads, runtime if mode != "lexical" else None)
        for mode in args.modes.split(",")
        for runtime in (runtimes if mode != "lexical" else [None])
    ]
    if args.json:
        print(json.dumps(results, indent=1))
        return
    n = results[0]["statements"]
    print(f"split: {args.split} ({n} statements); targets: recall@5 >= 0.9, level >= 0.85, p95 <= 50 ms, cold <= 5 s")
    print(_table(results))
    print("\nlevel agreement, with its 95% interval (Wilson) over these statements:")
    for r in results:
        lo, hi = r["level_ci95"]
        print(
            f"  {r['mode']:10} {r['level_agreed']}/{n} = {r['level_agreement']:.3f}  (95% interval {lo:.3f} to {hi:.3f})"
        )
    print("\ncommon tier agreement, with its 95% interval; under: a lower tier; not enough: no level set:")
    for r in results:
        lo, hi = r["tier_ci95"]
        print(
            f"  {r['mode']:10} {r['tier_agreed']}/{n} = {r['tier_agreement']:.3f}  (95% interval {lo:.3f} to {hi:.3f});"
            f" under {r['tier_under']:.3f}, not enough {r['not_enough']:.3f},"
            f" under or not enough {r['tier_under_or_not_enough']:.3f}"
        )
        if r["tier_by_kind"]:
            print("    by kind: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in r["tier_by_kind"].items()))
    if args.split in STORY_FILES:
        counts = load_stories(args.split)[1]
        print(
            f"\nstories: {counts['pairs']} pairs, {counts['both_readers']} read by both readers,"
            f" {counts['readers_disagree']} where they disagree ({counts['agreed_after_reconciling']} reconciled);"
            f" scored: {n}"
        )
    agreement = labeller_agreement(load_statements(args.split), results)
    if agreement:
        print()
        print("\n".join(agreement))
    if args.by_framework:
        for r in results:
            print(f"\n{r['mode']} by framework:")
            for f, v in r["by_framework"].items():
                r5 = "-" if v["recall@5"] is None else f"{v['recall@5']:.3f}"
                print(f"  {f:30} {v['statements']:4d}  recall@5 {r5}  level {v['level']:.3f}  tier {v['tier']:.3f}")
    if args.misses:
        for r in results:
            print(f"\n{r['mode']} misses:")
            for m in r["misses"]:
                print(
                    f"  {m['id']}: want {m['want']} got {m['got']} sel {m['selected']} level {m['level']} tier {m['tier']}"
                )
                print(f"      {m['text']}")


if __name__ == "__main__":
    main()
