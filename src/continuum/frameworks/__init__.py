"""Framework files: schema, loader, validation. Pure Python, no Django."""

from continuum.frameworks.loader import (
    FrameworkError,
    LoadedFramework,
    Problem,
    Registry,
    default_registry,
    load_framework,
)

__all__ = ["FrameworkError", "LoadedFramework", "Problem", "Registry", "default_registry", "load_framework"]
