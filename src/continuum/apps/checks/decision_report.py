"""The decision report: one template, shown for printing and rendered to PDF (:mod:`continuum.apps.govuk.pdf`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from continuum.apps.checks import presenters, services
from continuum.apps.checks.models import Check
from continuum.apps.govuk.pdf import render_pdf
from continuum.apps.partnerships.catalogue import catalogue

TEMPLATE = "checks/report.html"


def context(check: Check, *, for_pdf: bool = False) -> dict[str, Any]:
    return {
        "check": check,
        "result": presenters.present_result(check.result, check.citations),
        "inputs": presenters.present_inputs(check),
        "levels": dict(presenters.level_choices(check)),
        "replay": services.replay_check(check),
        "next_steps": presenters.next_steps(check, catalogue().get(check.framework_id)),
        "lower_views": list(check.lower_views.all()),
        "revisions": list(check.judgement_revisions.select_related("recorded_by")),
        "for_pdf": for_pdf,
    }


def pdf(check: Check, request: HttpRequest) -> bytes:
    """The decision report as PDF."""
    return render_pdf(TEMPLATE, context(check, for_pdf=True), request)
