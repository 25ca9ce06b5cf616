"""The reports' pages: the dashboard, the calibration report, and the exports.

Dashboards and calibration show aggregates only (no child's identity), so they write no access log;
the exports carry identities and each is an audit event, recorded before the first row is sent.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.permissions import action_required, can
from continuum.apps.reports import charts, queries, services
from continuum.apps.reports import exports as lists
from continuum.apps.reports.queries import Figure, Filters, Scope


def _filters(request: HttpRequest) -> Filters:
    return Filters.from_query(request.GET, timezone.localdate())


def _chart(figure: Figure) -> Any:
    """The figure's SVG chart, drawn from its own table (so the two always agree), or None."""
    if not figure.recorded or not figure.rows or not figure.chart:
        return None
    labels = [str(row[0]) for row in figure.rows]
    chart_id = f"chart-{figure.key}"
    if figure.chart == "lines":
        series = [(figure.columns[i], [row[i] for row in figure.rows]) for i in range(1, len(figure.columns))]
        return charts.lines(chart_id, figure.title, labels, series)
    return charts.bars(chart_id, figure.title, labels, [row[figure.value_column] for row in figure.rows])


def _page(request: HttpRequest, template: str, figures: list[Figure], filters: Filters, **extra: Any) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    scope = Scope.for_actor(actor, filters)
    context = {
        "figures": [{"figure": f, "chart": _chart(f)} for f in figures],
        "filters": filters,
        "levels": scope.levels,
        "tiers": sorted({t.value for level in scope.levels for t in level.tiers}),
        "framework": scope.framework,
        "not_recorded": [f.title for f in figures if not f.recorded],
        "can_export": can(actor, "reports.export"),
        **extra,
    }
    return render(request, template, context)


@action_required("reports.view")
@require_http_methods(["GET"])
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    figures = queries.dashboard(request.actor, filters)  # type: ignore[attr-defined]
    return _page(request, "reports/dashboard.html", figures, filters)


@action_required("reports.view")
@require_http_methods(["GET"])
def calibration(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    figures = queries.calibration(request.actor, filters)  # type: ignore[attr-defined]
    return _page(request, "reports/calibration.html", figures, filters)


@action_required("reports.export")
@require_http_methods(["GET"])
def exports(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    filters = _filters(request)
    scope = Scope.for_actor(actor, filters)
    available = [{"export": e, "available": lists.rows(e, scope) is not None} for e in lists.EXPORTS.values()]
    return render(
        request,
        "reports/exports.html",
        {"lists": available, "filters": filters, "query": "&".join(f"{k}={v}" for k, v in filters.as_dict().items())},
    )


@action_required("reports.export")
@require_http_methods(["GET"])
def export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """One list as CSV, streamed from a database cursor; the export is recorded before the first row."""
    actor = request.actor  # type: ignore[attr-defined]
    chosen = lists.EXPORTS.get(kind)
    if chosen is None:
        raise Http404("No such export")
    filters = _filters(request)
    scope = Scope.for_actor(actor, filters)
    queryset = lists.rows(chosen, scope)
    if queryset is None:
        raise Http404("Not yet recorded")
    services.record_export(actor, kind, filters.as_dict(), queryset.count())
    response = StreamingHttpResponse(
        lists.stream(chosen, lists.iterate(queryset), scope), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-{actor.partnership}-{filters.end}.csv"'
    return response
