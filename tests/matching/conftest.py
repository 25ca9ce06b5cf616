"""Fixtures for free-text matching: a small framework written for it, and the model once."""

from __future__ import annotations

from pathlib import Path

import pytest

from continuum.frameworks import LoadedFramework, load_framework
from tests.conftest import missing_part

SAMPLE_DIR = Path(__file__).resolve().parent / "fixtures" / "frameworks"


@pytest.fixture(scope="session", autouse=True)
def _cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep embedding caches written by tests out of the repository's var/cache (global state)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CONTINUUM_CACHE_DIR", str(tmp_path_factory.mktemp("continuum-cache")))
    # the ONNX model, built once per session and shared by tests that start from an empty cache
    mp.setenv("CONTINUUM_MODEL_DIR", str(tmp_path_factory.mktemp("continuum-models")))
    mp.delenv("CONTINUUM_MATCH_MODE", raising=False)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def sample() -> LoadedFramework:
    """Nine everyday indicators (attendance, homelessness, domestic abuse, ...) and one vignette."""
    return load_framework(SAMPLE_DIR / "sample")


@pytest.fixture(scope="session")
def encoder():
    """The packaged all-MiniLM-L6-v2, loaded once per session; skips if the extra is missing."""
    from continuum.matching.semantic import SemanticUnavailable, load_encoder

    try:
        return load_encoder()
    except SemanticUnavailable as exc:
        missing_part(f"semantic extra not installed: {exc}")
