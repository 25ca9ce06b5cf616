"""``continuum calendar due``: when something is due in a partnership's working time."""

from __future__ import annotations

from datetime import datetime

import click

from continuum.cli import echo_json, fail, get_framework, json_option


@click.group()
def calendar() -> None:
    """Working time: deadlines in office hours, skipping England and Wales bank holidays."""


@calendar.command("due")
@click.option("--framework", "framework_id", required=True, help="Framework id: its office hours are used.")
@click.option(
    "--start", required=True, help="When the clock starts, ISO 8601 (UK time if no offset), e.g. 2026-12-24T16:00."
)
@click.option("--within", required=True, help="e.g. '1 working day', '4 working hours', '24 hours', '45 working days'.")
@click.option(
    "--working-day",
    "working_day_rule",
    type=click.Choice(["same-time", "close-of-day"]),
    default="same-time",
    show_default=True,
    help="What 'N working days' means: the same time on the Nth working day, or its close of business.",
)
@json_option
@click.pass_context
def calendar_due(
    ctx: click.Context, framework_id: str, start: str, within: str, working_day_rule: str, as_json: bool
) -> None:
    """When something started at --start is due, --within later, in the framework's working time."""
    from continuum.calendar import Calendar, CalendarError, Within, WorkingDayRule, as_uk, holidays_between

    loaded = get_framework(ctx, framework_id)
    try:
        started = as_uk(datetime.fromisoformat(start))
    except ValueError:
        fail(f"cannot read --start {start!r}: use ISO 8601, e.g. 2026-12-24T16:00 or 2026-12-24T16:00+00:00")
    try:
        amount = Within.parse(within)
        working = Calendar.for_framework(loaded.framework, WorkingDayRule(working_day_rule))
        due = working.due(started, amount)
        minutes = working.working_minutes(started, due)
    except CalendarError as exc:
        fail(str(exc))
    skipped = [
        {"date": day.isoformat(), "name": name}
        for day, name in holidays_between(started.date(), due.date(), working.holidays)
    ]
    office = "the document's" if working.hours.from_document else "Continuum's default (the document gives none)"
    if as_json:
        echo_json(
            {
                "framework": loaded.id,
                "start": started.isoformat(),
                "within": str(amount),
                "due": due.isoformat(),
                "working_minutes": minutes,
                "working_day_rule": working_day_rule,
                "office_hours": "document" if working.hours.from_document else "default",
                "bank_holidays_skipped": skipped,
            }
        )
        return
    click.echo(f"due {due:%A %d %B %Y, %H:%M} (UK time; {due.isoformat()})")
    click.echo(f"{amount} from {started:%A %d %B %Y, %H:%M}: {minutes} working minutes; office hours: {office}")
    for holiday in skipped:
        click.echo(f"skips {holiday['name']}, {holiday['date']}")
