"""Every framework's levels side by side on the common tiers (universal … child protection)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from continuum.frameworks.loader import LoadedFramework
from continuum.frameworks.schema import Tier


def crosswalk(loaded: Sequence[LoadedFramework]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Tier → framework id → the levels of that framework on the tier, each with the tiers it spans."""
    return {
        tier.value: {
            f.id: [
                {"number": level.number, "name": level.name, "spans": [t.value for t in level.tiers]}
                for level in f.framework.levels
                if tier in level.tiers
            ]
            for f in loaded
        }
        for tier in Tier
    }
