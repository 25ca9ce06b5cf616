"""How often is "You wrote that this is not happening" right? The denial label's precision, dev half only.

    .venv/bin/python bench/denials.py [--mode hybrid] [--show] [--json]

The web labels a suggestion with it when :func:`continuum.matching.match` flags the result
``negated``. Over the dev statements (``bench/data/match_eval.jsonl``), for the results of
``match(top=10)`` as the suggestions page asks for them:

* labels: how many results are flagged negated, on statements that deny something (a
  ``denied`` label) and on those that deny nothing (every label there is wrong);
* precision (strict): of the labels on statements that deny something, the share on an
  indicator the statement is labelled as denying, or on one with the same words or in the
  same row of the document (the same concern at another level of a ladder). A lower bound:
  "No DV" labels one domestic abuse indicator, and every other one is as rightly denied;
* precision (same concern): as strict, also counting an indicator whose text shares a
  distinctive word (one in at most 5% of the framework's indicators) with a labelled denied
  indicator's text: the same concern worded at another level ("domestic abuse");
* denied found: of the labelled denied indicators, the share flagged (the label's recall);
* wrongly denied concerns: labels on an indicator the statement is labelled as *stating*.

The test half is not read: the label is tuned here, and the test half stays blind.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from match import load_statements  # noqa: E402  (bench/match.py: the same statements, the same split rule)


def _related(loaded: Any) -> dict[str, set[str]]:
    """Indicator id → ids with the same words or in the same row (the same concern)."""
    from continuum.matching.text import words

    groups: dict[Any, set[str]] = {}
    for ind in loaded.framework.indicators:
        groups.setdefault(("text", tuple(words(ind.text))), set()).add(ind.id)
        if ind.row:
            groups.setdefault(("row", ind.row), set()).add(ind.id)
    out: dict[str, set[str]] = {}
    for ids in groups.values():
        for i in ids:
            out.setdefault(i, {i}).update(ids)
    return out


def _distinctive(loaded: Any, share: float = 0.05) -> dict[str, set[str]]:
    """Indicator id → the stems of its text found in at most ``share`` of the indicators."""
    from continuum.matching.text import lexical_tokens

    own = {i.id: set(lexical_tokens(i.text, expand_phrases=False)) for i in loaded.framework.indicators}
    counts: dict[str, int] = {}
    for tokens in own.values():
        for t in tokens:
            counts[t] = counts.get(t, 0) + 1
    most = max(1, int(share * len(own)))
    return {i: {t for t in tokens if counts[t] <= most} for i, tokens in own.items()}


def evaluate(mode: str | None, tuning: dict[str, Any]) -> dict[str, Any]:
    from continuum.frameworks import default_registry
    from continuum.matching import DEFAULT_TUNING, match

    tune = DEFAULT_TUNING.with_(**tuning)
    registry = default_registry()
    related = {f: _related(registry.get(f)) for f in registry.ids()}
    stems = {f: _distinctive(registry.get(f)) for f in registry.ids()}
    right = wrong = near = on_plain = found = wanted = stated_denied = 0
    shown: list[dict[str, Any]] = []
    for s in load_statements("dev"):
        loaded = registry.get(s["framework"])
        result = match(loaded, s["text"], top=10, mode=mode, tuning=tune)
        labelled = [r for r in result["results"] if r["negated"]]
        denied = set(s.get("denied") or [])
        ok_ids = set().union(*(related[s["framework"]].get(i, {i}) for i in denied)) if denied else set()
        stated = {i for g in s["indicators"] for i in (g if isinstance(g, list) else [g])}
        stated = set().union(*(related[s["framework"]].get(i, {i}) for i in stated)) - ok_ids
        flagged = {r["indicator"] for r in labelled}
        stated_denied += len(flagged & stated)
        if denied:
            wanted += len(denied)
            found += len(denied & flagged)
            good = [r for r in labelled if r["indicator"] in ok_ids]
            right += len(good)
            wrong += len(labelled) - len(good)
            denied_stems = set().union(*(stems[s["framework"]][i] for i in denied))
            near += sum(
                1 for r in labelled if r["indicator"] in ok_ids or stems[s["framework"]][r["indicator"]] & denied_stems
            )
        else:
            on_plain += len(labelled)
        if labelled:
            shown.append(
                {
                    "id": s["id"],
                    "text": s["text"],
                    "denied": sorted(denied),
                    "labels": [
                        f"{'ok ' if r['indicator'] in ok_ids else 'BAD'} {r['indicator']} {r['score']:.2f}"
                        f" {r['text'][:60]!r} <- {r['evidence']!r}"
                        for r in labelled
                    ],
                }
            )
    labels = right + wrong
    return {
        "mode": mode or "default",
        "labels_on_denials": labels,
        "precision": right / labels if labels else None,
        "precision_same_concern": near / labels if labels else None,
        "labels_on_statements_without_denial": on_plain,
        "denied_found": found / wanted if wanted else None,
        "stated_concerns_labelled_denied": stated_denied,
        "shown": shown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", default=None, help="hybrid, lexical or semantic (default: as served)")
    parser.add_argument("--tuning", default="{}", help="JSON overrides of continuum.matching.Tuning")
    parser.add_argument("--show", action="store_true", help="list every label with its evidence")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = evaluate(args.mode, json.loads(args.tuning))
    if args.json:
        print(json.dumps(r, indent=1))
        return
    precision = "-" if r["precision"] is None else f"{r['precision']:.3f}"
    same = "-" if r["precision_same_concern"] is None else f"{r['precision_same_concern']:.3f}"
    recall = "-" if r["denied_found"] is None else f"{r['denied_found']:.3f}"
    print(
        f"dev, mode {r['mode']}: {r['labels_on_denials']} 'not happening' labels on statements that deny,"
        f" precision {precision} (same concern {same}); denied indicators labelled {recall};"
        f" {r['labels_on_statements_without_denial']} labels on statements that deny nothing;"
        f" {r['stated_concerns_labelled_denied']} stated concerns labelled denied"
    )
    if args.show:
        for s in r["shown"]:
            print(f"\n{s['id']}: {s['text']}\n  denied {s['denied']}")
            for line in s["labels"]:
                print(f"  {line}")


if __name__ == "__main__":
    main()
