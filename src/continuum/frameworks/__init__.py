"""Framework files: schema, loader, validation. Pure Python, no Django."""

from continuum.frameworks.loader import LoadedFramework, load_framework
from continuum.frameworks.registry import Registry, default_registry, framework_paths, frameworks_dir
from continuum.frameworks.yamlfile import FrameworkError, Problem

__all__ = [
    "FrameworkError",
    "LoadedFramework",
    "Problem",
    "Registry",
    "default_registry",
    "framework_paths",
    "frameworks_dir",
    "load_framework",
]
