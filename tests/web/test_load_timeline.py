"""bench/load.py's timeline: each window's requests, percentiles and cores come from the window they began in."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_path = Path(__file__).resolve().parents[2] / "bench" / "load.py"
_spec = importlib.util.spec_from_file_location("bench_load", _path)
assert _spec is not None and _spec.loader is not None
bench_load = importlib.util.module_from_spec(_spec)
sys.modules["bench_load"] = bench_load  # dataclasses look their module up by name
_spec.loader.exec_module(bench_load)


def reading(wall: float, server: float, machine: float) -> dict[str, float]:
    return {"wall": wall, "server": server, "machine": machine}


def test_each_window_counts_the_requests_begun_in_it_and_the_cores_used_over_it():
    phase = bench_load.Phase()
    phase.readings = [
        (0.0, reading(100.0, 5.0, 8.0)),
        (10.0, reading(110.0, 15.0, 20.0)),
        (20.0, reading(120.0, 20.0, 26.0)),
    ]
    first = [0.010 * n for n in range(1, 21)]  # 10 .. 200 ms
    phase.arrivals = [(0.5 * n, latency) for n, latency in enumerate(first)]  # begun at 0 .. 9.5 s
    phase.arrivals += [(10.0, 2.0), (19.9, 4.0), (bench_load.math.inf, 9.0)]  # the last begun after the end
    phase.yardstick = [(1.0, 2.0), (2.0, 2.2), (3.0, 9.0), (12.0, 3.1)]  # CPU ms of each unit, when done
    first_window, second_window = bench_load.timeline(phase)
    assert first_window["yardstick_ms"] == 2.2 and second_window["yardstick_ms"] == 3.1
    assert (first_window["from_s"], first_window["to_s"], first_window["requests"]) == (0.0, 10.0, 20)
    assert first_window["p50_ms"] in (100.0, 110.0) and first_window["p95_ms"] == 190.0
    assert first_window["max_ms"] == 200.0
    assert first_window["server_cores"] == 1.0 and first_window["machine_cores"] == 1.2
    assert (second_window["requests"], second_window["max_ms"]) == (2, 4000.0)
    assert second_window["server_cores"] == 0.5 and second_window["machine_cores"] == 0.6


def test_a_window_without_yardstick_units_says_so():
    phase = bench_load.Phase()
    phase.readings = [(0.0, reading(0.0, 0.0, 0.0)), (10.0, reading(10.0, 1.0, 1.0))]
    (window,) = bench_load.timeline(phase)
    assert bench_load.math.isnan(window["yardstick_ms"])


def test_the_yardstick_reports_the_cpu_time_of_each_unit_from_a_process_of_its_own():
    yardstick = bench_load.Yardstick()
    try:
        started = bench_load.time.perf_counter()
        samples: list[tuple[float, float]] = []
        while len(samples) < 2 and bench_load.time.perf_counter() - started < 30:
            bench_load.time.sleep(0.2)
            samples += yardstick.drain()
    finally:
        yardstick.close()
    assert len(samples) >= 2
    assert all(done > started and 0.0 < cpu_ms < 1000.0 for done, cpu_ms in samples)
    assert samples[0][0] < samples[1][0]


def test_no_readings_no_timeline():
    phase = bench_load.Phase()
    phase.arrivals = [(1.0, 0.1)]
    assert bench_load.timeline(phase) == []
