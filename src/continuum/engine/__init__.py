"""The assessment engine: pure Python, no Django."""

from continuum.engine.core import ENGINE_VERSION, AssessmentInputError, Selection, assess, holds

__all__ = ["ENGINE_VERSION", "AssessmentInputError", "Selection", "assess", "holds"]
