"""The partnership's escalation procedure: what the document gives, and (where it gives no stages) the
stages the partnership admin records, shown as the partnership's procedure, set by the partnership."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from continuum.apps.accounts.permissions import action_required
from continuum.apps.escalations import procedure, services
from continuum.apps.escalations.forms import ProcedureForm, add_service_error
from continuum.apps.escalations.models import PartnershipProcedure
from continuum.apps.govuk.errors import error_summary, field_errors

FLASH_KEY = "escalations.flash"
SHOWN = 3  # stage rows shown at least; two empty rows follow the last one filled in
STAGE_FIELDS = (
    ("who", "Who acts", "A role, for example: the first line managers of each agency", ""),
    ("how", "How", "", ""),
    (
        "within",
        "Within",
        "For example: 5 working days. Leave empty if the procedure gives no timescale",
        "govuk-input--width-10",
    ),
)


@action_required("escalations.set_procedure")
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    current = services.current_procedure(actor.partnership)
    setting = PartnershipProcedure.objects.filter(partnership=actor.partnership).first()
    initial: dict[str, str] = {}
    if setting is not None:
        initial = {"name": setting.name, "url": setting.url}
        for n, stage in enumerate(setting.stages, start=1):
            initial.update({f"stage-{n}-{k}": stage.get(k, "") for k in ("who", "how", "within")})
    form = ProcedureForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_procedure(
                actor, name=form.cleaned_data["name"], url=form.cleaned_data["url"], stages=form.stages()
            )
        except services.EscalationError as exc:
            add_service_error(form, exc)
        else:
            request.session[FLASH_KEY] = "The partnership’s procedure has been saved"
            return redirect("escalations:procedure")
    errors = field_errors(form)

    def filled(number: int) -> bool:
        return any(
            form[f"stage-{number}-{key}"].value() or f"stage-{number}-{key}" in errors for key, *_ in STAGE_FIELDS
        )

    last = max((n for n in range(1, services.MAX_STAGES + 1) if filled(n)), default=0)
    rows = [
        {
            "number": number,
            "fields": [
                {
                    "name": f"stage-{number}-{key}",
                    "label": label,
                    "hint": hint,
                    "classes": classes,
                    "value": form[f"stage-{number}-{key}"].value() or "",
                    "error": errors.get(f"stage-{number}-{key}", ""),
                }
                for key, label, hint, classes in STAGE_FIELDS
            ],
        }
        for number in range(1, min(services.MAX_STAGES, max(SHOWN, last + 2)) + 1)
    ]
    context = {
        "procedure": current,
        "document_has_stages": current.basis == procedure.DOCUMENT,
        "setting": setting,
        "form": form,
        "rows": rows,
        "errors": error_summary(form),
        "field_errors": errors,
        "flash": request.session.pop(FLASH_KEY, None),
    }
    return render(request, "escalations/procedure.html", context, status=400 if form.errors else 200)
