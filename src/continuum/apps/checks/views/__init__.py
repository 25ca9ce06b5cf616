"""The checks app's pages: the practitioner's question pages (:mod:`.journey`) and a stored check's (:mod:`.check`)."""

from continuum.apps.checks.views.check import detail, lower_view, report_page, report_pdf
from continuum.apps.checks.views.journey import (
    AnswersPage,
    ChildPage,
    ConcernPage,
    IndicatorsPage,
    PartnershipPage,
    StrengthsPage,
    SuggestionsPage,
    start,
)

__all__ = [
    "AnswersPage",
    "ChildPage",
    "ConcernPage",
    "IndicatorsPage",
    "PartnershipPage",
    "StrengthsPage",
    "SuggestionsPage",
    "detail",
    "lower_view",
    "report_page",
    "report_pdf",
    "start",
]
