"""The auditor's pages: the partnership's audit, one event, and the state of the hash chain."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.partnerships import partnership_name
from continuum.apps.accounts.permissions import action_required
from continuum.apps.audit import browse, events, reading, registry
from continuum.apps.audit.services import record


def _log_search(request: HttpRequest, filters: browse.Filters, shown: int) -> None:
    """Reading the audit is itself a read of what it holds: logged, with what was asked for."""
    actor = request.actor  # type: ignore[attr-defined]
    newest = browse.latest_verification()
    with transaction.atomic():
        head = newest or browse.AuditEvent.objects.order_by("-sequence").first()
        if head is not None:
            record(events.SEARCHED, target=head, actor=actor, payload={"filters": filters.as_dict(), "shown": shown})


@action_required("audit.view")
@require_http_methods(["GET"])
def events_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    filters = browse.Filters.from_query(request.GET)
    errors = filters.errors()
    page = browse.Page([], None) if errors else browse.page(actor, filters, request.GET.get("before", ""))
    if not errors:
        _log_search(request, filters, len(page.events))
    query = "&".join(f"{k}={v}" for k, v in filters.as_dict().items())
    context = {
        "partnership_name": partnership_name(actor.partnership),
        "filters": filters,
        "errors": errors,
        "error_list": [{"href": f"#{name}", "text": text} for name, text in errors.items()],
        "rows": [browse.describe(e) for e in page.events],
        "older": page.older,
        "query": query,
        "verbs": registry.all_verbs(),
        "record_types": browse.record_types(actor),
        "verification": browse.latest_verification(),
        "page_size": browse.PAGE_SIZE,
    }
    return render(request, "audit/events.html", context, status=400 if errors else 200)


@action_required("audit.view")
@require_http_methods(["GET"])
def event_page(request: HttpRequest, sequence: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    event = browse.event_for(actor, sequence)
    if event is None:
        raise Http404("No such event in your partnership's audit")
    _log_search(request, browse.Filters(record_type=event.target_type, record_id=event.target_id), 1)
    context = {
        "partnership_name": partnership_name(actor.partnership),
        **browse.describe(event),
        "payload": sorted(event.payload.items()) if isinstance(event.payload, dict) else [],
    }
    return render(request, "audit/event.html", context)


@action_required("audit.view")
@require_http_methods(["POST"])
def verify_now(request: HttpRequest) -> HttpResponse:
    if reading.request_verification(request.actor):  # type: ignore[attr-defined]
        messages.success(request, "The chain is being checked. Reload this page in a minute to see the result.")
    else:
        messages.info(request, "There are no events to check yet.")
    return redirect("audit:events")
