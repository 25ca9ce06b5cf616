"""How fast is an assessment? In-process and through `continuum assess --batch`.

Prints per-framework latency percentiles and throughput with their spread over repeated
runs, against a baseline measured in the same run: the bare floor (the highest selected
level, no rules, no explanation), the least any assessment could cost.

    .venv/bin/python bench/assess.py [--n 2000] [--repeats 5] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from continuum.engine import Selection, assess
from continuum.frameworks import Registry, load_framework
from continuum.frameworks.schema import Fact

ROOT = Path(__file__).resolve().parents[1]


def random_selections(loaded, n: int, rng: random.Random) -> list[Selection]:
    concerns = [i.id for i in loaded.framework.indicators if not i.protective]
    protective = [i.id for i in loaded.framework.indicators if i.protective]
    facts = [f.value for f in Fact]
    out = []
    for _ in range(n):
        out.append(
            Selection(
                indicators=tuple(rng.sample(concerns, rng.randint(0, min(8, len(concerns))))),
                protective=tuple(rng.sample(protective, rng.randint(0, min(2, len(protective))))),
                facts={f: True for f in rng.sample(facts, rng.randint(0, 2))},
                age_years=rng.choice([None, 0.5, 4, 9, 15]),
            )
        )
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def bare_floor(levels: dict[str, int], selection: Selection) -> int:
    return max((levels[i] for i in selection.indicators), default=0)


def time_each(fn, items) -> tuple[list[float], float]:
    latencies = []
    started = time.perf_counter()
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        latencies.append((time.perf_counter() - t0) * 1e6)
    return latencies, time.perf_counter() - started


def in_process(registry: Registry, n: int, repeats: int, seed: int) -> None:
    print(f"In-process: {n} random selections per framework, {repeats} runs (µs per assessment)")
    print(
        f"{'framework':<30}{'p50':>8}{'p95':>8}{'p99':>8}   {'per second (median [min–max])':<32}{'baseline p50':>13}"
    )
    for loaded in registry.all():
        rng = random.Random(seed)
        items = random_selections(loaded, n, rng)
        levels = {i.id: i.level for i in loaded.framework.indicators}
        assess(loaded, items[0])  # compile once, as a running service would have
        runs, latencies, base = [], [], []
        for _ in range(repeats):
            lat, elapsed = time_each(lambda s, loaded=loaded: assess(loaded, s), items)
            latencies += lat
            runs.append(n / elapsed)
            base += time_each(lambda s, levels=levels: bare_floor(levels, s), items)[0]
        spread = f"{statistics.median(runs):,.0f} [{min(runs):,.0f}–{max(runs):,.0f}]"
        print(
            f"{loaded.id:<30}{percentile(latencies, 50):>8.1f}{percentile(latencies, 95):>8.1f}"
            f"{percentile(latencies, 99):>8.1f}   {spread:<32}{percentile(base, 50):>13.2f}"
        )


def through_batch(registry: Registry, n: int, repeats: int, seed: int) -> None:
    print(f"\nThrough `continuum assess --batch`: {n} lines mixing all frameworks, {repeats} runs")
    rng = random.Random(seed)
    frameworks = registry.all()
    lines = []
    for i in range(n):
        loaded = frameworks[i % len(frameworks)]
        (s,) = random_selections(loaded, 1, rng)
        request = {"framework": loaded.id, "indicators": list(s.indicators), "protective": list(s.protective)}
        lines.append(json.dumps(request | {"facts": dict(s.facts), "age_years": s.age_years}))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    command = [
        sys.executable,
        "-m",
        "continuum",
        "--frameworks-dir",
        str(registry.directory),
        "assess",
        "--batch",
        handle.name,
    ]
    walls, per_line = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        walls.append(time.perf_counter() - started)
        per_line += [json.loads(line)["elapsed_ms"] * 1000 for line in out.splitlines()]
    rates = [n / w for w in walls]
    print(
        f"  wall time per run: median {statistics.median(walls):.2f} s [{min(walls):.2f}–{max(walls):.2f}] (start-up and loading included)"
    )
    print(f"  lines per second:  median {statistics.median(rates):,.0f} [{min(rates):,.0f}–{max(rates):,.0f}]")
    print(
        f"  per line (µs, as reported in elapsed_ms): p50 {percentile(per_line, 50):.1f}  "
        f"p95 {percentile(per_line, 95):.1f}  p99 {percentile(per_line, 99):.1f}"
    )
    Path(handle.name).unlink()


def loading(registry: Registry) -> None:
    print("\nLoading and validating each framework file (ms, cold, once):")
    for path in sorted(registry.directory.glob("*/framework.yaml")):
        started = time.perf_counter()
        load_framework(path)
        print(f"  {path.parent.name:<30}{(time.perf_counter() - started) * 1000:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--frameworks-dir", type=Path, default=ROOT / "frameworks")
    args = parser.parse_args()
    registry = Registry(args.frameworks_dir)
    in_process(registry, args.n, args.repeats, args.seed)
    through_batch(registry, args.n, max(1, args.repeats // 2), args.seed)
    loading(registry)


if __name__ == "__main__":
    main()
