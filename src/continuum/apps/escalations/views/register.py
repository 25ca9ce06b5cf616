"""The partnership's escalation register, for its safeguarding partners: filterable, printable, exportable.

Readers: front-door managers and partnership admins (``escalations.view_register``). Each row shown
or exported is written to the access log; an export is also a change of its own
(``escalations.register_exported``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.permissions import action_required
from continuum.apps.escalations import queries, services
from continuum.apps.escalations.models import Status


@action_required("escalations.view_register")
@require_http_methods(["GET"])
def register(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    filters = queries.Filters.from_query(request.GET)
    rows = list(queries.register(actor, filters)[: queries.PAGE_SIZE])
    now = timezone.now()
    if request.GET.get("format") == "csv":
        services.export_register(actor, filters.as_dict(), len(rows))
        queries.log_register_rows(actor, rows, "register export")
        response = HttpResponse(queries.csv_text(rows, now), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="escalations-{actor.partnership}.csv"'
        return response
    queries.log_register_rows(actor, rows, "register")
    context = {
        "rows": [{"escalation": row, "age": queries.age_in_days(row, now)} for row in rows],
        "filters": filters,
        "query": "&".join(f"{k}={v}" for k, v in filters.as_dict().items()),
        "statuses": queries.STATUS_CHOICES,
        "open": Status.OPEN,
        "page_size": queries.PAGE_SIZE,
    }
    return render(request, "escalations/register.html", context)
