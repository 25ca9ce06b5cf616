"""The assessment engine: pure Python, no Django."""

from continuum.engine.assess import ENGINE_VERSION, AssessmentInputError, Selection, assess, holds
from continuum.engine.result import Assessment

__all__ = ["ENGINE_VERSION", "Assessment", "AssessmentInputError", "Selection", "assess", "holds"]
