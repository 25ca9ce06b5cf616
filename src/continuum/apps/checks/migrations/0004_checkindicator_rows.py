"""Rows of offered and selected indicators for the checks stored before ``CheckIndicator`` existed.

A frozen copy of ``services.indicator_rows`` without a framework: selected indicators take
their level and domain from the stored result (every one is among its drivers or protective
factors); a suggestion that was not selected has none (the check kept only its words).
Reversing deletes the rows.
"""

from typing import Any

from django.db import migrations


def _ids(value: Any) -> list[str]:
    return [i for i in value or [] if isinstance(i, str)]


def fill(apps: Any, schema_editor: Any) -> None:
    Check = apps.get_model("checks", "Check")
    CheckIndicator = apps.get_model("checks", "CheckIndicator")
    for check in Check.objects.filter(indicators__isnull=True).iterator():
        inputs, result = check.inputs or {}, check.result or {}
        concerns, strengths = _ids(inputs.get("indicators")), _ids(inputs.get("protective"))
        suggested = _ids(inputs.get("suggested"))
        known = {
            item["indicator"]: item
            for item in [*result.get("drivers", []), *result.get("protective_factors", [])]
            if isinstance(item, dict) and isinstance(item.get("indicator"), str)
        }
        CheckIndicator.objects.bulk_create(
            CheckIndicator(
                stored_check=check,
                indicator_id=indicator_id,
                level=known.get(indicator_id, {}).get("level"),
                domain=str(known.get(indicator_id, {}).get("domain") or ""),
                protective=indicator_id in strengths,
                offered=indicator_id in suggested,
                selected=indicator_id in concerns or indicator_id in strengths,
            )
            for indicator_id in dict.fromkeys([*concerns, *strengths, *suggested])
        )


def empty(apps: Any, schema_editor: Any) -> None:
    apps.get_model("checks", "CheckIndicator").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("checks", "0003_checkindicator")]

    operations = [migrations.RunPython(fill, empty)]
