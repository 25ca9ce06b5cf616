"""Matching is prepared before it is needed; a request never waits for the model (issue 18, item 1)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from click.testing import CliRunner

from continuum.cli import main
from continuum.frameworks import load_framework
from continuum.matching import DEFAULT_TUNING, PREPARING_NOTE, is_ready, match, matcher, prepare

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "frameworks"


def _fresh(tmp_path, monkeypatch):
    """The sample framework with an empty cache and no index in memory (as on a new machine)."""
    monkeypatch.setenv("CONTINUUM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(matcher, "_indexes", {})
    monkeypatch.setattr(matcher, "_background", {})
    return load_framework(SAMPLE / "sample")


def test_prepare_builds_then_reads_the_verified_cache(tmp_path, monkeypatch, encoder):
    loaded = _fresh(tmp_path, monkeypatch)
    assert not is_ready(loaded)
    built = prepare(loaded)
    assert (built.source, built.mode) == ("built", "hybrid") and built.texts > len(loaded.framework.indicators)
    assert is_ready(loaded)
    monkeypatch.setattr(matcher, "_indexes", {})  # a new process: the cache on disk, nothing in memory
    assert is_ready(loaded)  # read and verified, nothing embedded
    assert prepare(loaded).source in {"cache", "memory"}


def test_a_request_that_does_not_wait_gets_word_matching_and_is_told(tmp_path, monkeypatch, encoder):
    loaded = _fresh(tmp_path, monkeypatch)
    release = threading.Event()
    started = []

    def slow_prepare(loaded, tuning=DEFAULT_TUNING, mode=None):  # the model at work, held until released
        started.append(loaded.id)
        release.wait(30)

    monkeypatch.setattr(matcher, "prepare", slow_prepare)
    found = match(loaded, "mum's boyfriend hits her", wait=False)
    assert found["mode"] == "lexical" and found["note"] == PREPARING_NOTE
    assert found["results"][0]["indicator"] == "home-l3-2"
    release.set()
    matcher._background[next(iter(matcher._background))].join(30)
    assert started == ["sample"]  # prepared in the background, once


def test_a_waiting_call_gets_the_full_mode(tmp_path, monkeypatch, encoder):
    loaded = _fresh(tmp_path, monkeypatch)
    found = match(loaded, "mum's boyfriend hits her")
    assert found["mode"] == "hybrid" and "note" not in found


def test_frameworks_prepare_command(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTINUUM_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("CONTINUUM_MATCH_MODE", "lexical")
    out = CliRunner().invoke(main, ["--frameworks-dir", str(SAMPLE), "frameworks", "prepare", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert {r["id"] for r in rows} >= {"sample"}
    assert all(r["mode"] == "lexical" and r["source"] == "lexical" for r in rows)
    out = CliRunner().invoke(main, ["--frameworks-dir", str(SAMPLE), "frameworks", "prepare", "sample"])
    assert out.exit_code == 0 and "ready sample" in out.output and "word matching only" in out.output
