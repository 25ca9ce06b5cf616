"""Every figure of the partnership's reports, one query each, aggregates only (no child's identity).

A figure is a :class:`Figure`: a title, a one-sentence summary, a table (the chart's data) and the
kind of chart to draw. Where the records a figure needs do not exist yet (an app not installed),
the figure says "not yet recorded" — never a zero that was not counted.

Scope: the actor's partnership (``reports.view``). Contacts are the front door's referrals
(``referrals.Referral``, one per child); "referrals to social care" are the contacts whose
front-door outcome is a statutory one (:data:`STATUTORY_OUTCOMES`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Count, F, Q

from continuum.apps.accounts.actor import Actor
from continuum.apps.accounts.permissions import require
from continuum.apps.checks.models import Check, Judgement
from continuum.apps.govuk.text import whole_number
from continuum.apps.partnerships.catalogue import catalogue
from continuum.apps.reports.models import CHECK_MEASURES
from continuum.calendar import UK, Calendar, CalendarError, as_uk

NOT_YET_RECORDED = "Not yet recorded"
# Front-door outcomes that make a contact a referral to children's social care.
STATUTORY_OUTCOMES = ("assessment-s17", "strategy-s47", "immediate-protection")
RE_REFERRAL_WINDOW = timedelta(days=365)
MIN_DECIDED_FOR_RANKING = 5  # an indicator needs this many front-door decisions to be ranked
# How long a decision took, as a share of the working time allowed (buckets of the distribution).
TIME_BUCKETS: tuple[tuple[str, float], ...] = (
    ("Within half the time allowed", 0.5),
    ("Within the time allowed", 1.0),
    ("Up to half as long again", 1.5),
    ("Later than that", float("inf")),
)


def model(label: str) -> type[models.Model] | None:
    """The model ``app_label.Model``, or ``None`` while that app is not installed (its figures: not yet recorded)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: an inclusive date range, and optionally a level, a common tier, an agency."""

    start: date
    end: date
    level: int | None = None
    tier: str = ""
    agency: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str], today: date) -> Filters:
        """From the page's query string; a missing or unreadable date means the last twelve months to today."""

        def day(name: str, default: date) -> date:
            try:
                return date.fromisoformat(query.get(name, "") or "")
            except ValueError:
                return default

        end = day("end", today)
        start = day("start", end - timedelta(days=364))
        if start > end:
            start, end = end, start
        level_text = (query.get("level") or "").strip()
        return cls(
            start=start,
            end=end,
            level=whole_number(level_text),
            tier=(query.get("tier") or "").strip(),
            agency=(query.get("agency") or "").strip(),
        )

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=UK)

    @property
    def until(self) -> datetime:
        """The first moment after the range (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UK)

    def as_dict(self) -> dict[str, str]:
        values = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.level is not None:
            values["level"] = str(self.level)
        if self.tier:
            values["tier"] = self.tier
        if self.agency:
            values["agency"] = self.agency
        return values


@dataclass
class Figure:
    """One figure: its table is the chart's data; ``recorded`` is False while its records do not exist."""

    key: str
    title: str
    summary: str
    columns: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    chart: str = ""  # "bars" (first column labels, ``value_column`` values), "lines", or "" (table only)
    value_column: int = 1
    recorded: bool = True
    note: str = ""

    @classmethod
    def not_recorded(cls, key: str, title: str, what: str) -> Figure:
        return cls(key=key, title=title, summary=f"{NOT_YET_RECORDED}: {what}.", recorded=False)


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole-number percentage, or an em dash when there is nothing to divide."""
    return f"{round(100 * part / whole)}%" if whole else "—"


@dataclass(frozen=True)
class Scope:
    """The partnership reported on, its framework and calendar, and the filters."""

    partnership: str
    filters: Filters
    framework: Any = None  # the LoadedFramework, when the partnership's framework is on offer
    counted: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # the figures' counts, once

    def contacts_counted(self) -> Any:
        """The contact figures' counts (:func:`tallies.contact_figures`), counted once for all the figures."""
        from continuum.apps.reports import tallies

        if "contacts" not in self.counted:
            self.counted["contacts"] = tallies.contact_figures(self)
        return self.counted["contacts"]

    def checks_counted(self) -> Any:
        """The calibration's counts (:func:`tallies.check_figures`), counted once for all its figures."""
        from continuum.apps.reports import tallies

        if "checks" not in self.counted:
            self.counted["checks"] = tallies.check_figures(self, checks_where(self))
        return self.counted["checks"]

    @classmethod
    def for_actor(cls, actor: Actor, filters: Filters) -> Scope:
        require(actor, "reports.view")
        loaded = catalogue().get(actor.partnership or "")
        return cls(partnership=actor.partnership or "", filters=filters, framework=loaded)

    @property
    def levels(self) -> list[Any]:
        return list(self.framework.framework.levels) if self.framework is not None else []

    def level_name(self, number: int | None) -> str:
        for level in self.levels:
            if level.number == number:
                return f"Level {number}: {level.name}"
        return "No level" if number is None else f"Level {number}"

    def tier_of(self, number: int | None) -> str:
        """The common tier(s) of a level of this framework (a level may span two)."""
        for level in self.levels:
            if level.number == number:
                return " / ".join(t.value for t in level.tiers)
        return ""

    def levels_on_tier(self, tier: str) -> list[int]:
        return [level.number for level in self.levels if tier in {t.value for t in level.tiers}]

    def calendar(self) -> Calendar:
        """The partnership's working-time calendar (built once per framework version: loading it is slow)."""
        key = (self.partnership, getattr(self.framework, "content_hash", ""))
        if key not in _CALENDARS:
            _CALENDARS[key] = Calendar.for_framework(self.framework.framework if self.framework is not None else None)
        return _CALENDARS[key]


_CALENDARS: dict[tuple[str, str], Calendar] = {}


def framework_calendar(partnership: str) -> Calendar:
    """The working-time calendar of ``partnership``'s framework as on offer now."""
    return Scope(
        partnership=partnership, filters=Filters(date.min, date.min), framework=catalogue().get(partnership)
    ).calendar()


# --- Contacts (referrals app) and their front-door triage (frontdoor app) ------------------------


def contacts(scope: Scope) -> models.QuerySet[Any] | None:
    """The partnership's contacts received in the range, filtered by level, tier and agency."""
    referral = model("referrals.Referral")
    if referral is None:
        return None
    return referral._default_manager.filter(in_scope(scope))


def in_scope(scope: Scope) -> Q:
    """The condition on a contact (``referrals.Referral``) of being in scope: partnership, range and filters."""
    f = scope.filters
    condition = Q(partnership=scope.partnership, received_at__gte=f.since, received_at__lt=f.until)
    if f.level is not None:
        condition &= Q(referrer_level=f.level)
    if f.tier:
        condition &= Q(referrer_level__in=scope.levels_on_tier(f.tier))
    if f.agency:
        condition &= Q(referrer_agency__iexact=f.agency)
    return condition


def triages(scope: Scope) -> models.QuerySet[Any] | None:
    """The front door's triage of the contacts in scope (None while the front door records none)."""
    triage = model("frontdoor.Triage")
    scoped = contacts(scope)
    if triage is None or scoped is None:
        return None
    return triage._default_manager.filter(partnership=scope.partnership, referral__in=scoped.values("pk"))


def volumes_over_time(scope: Scope) -> Figure:
    title = "Contacts and referrals by month"
    if contacts(scope) is None:
        return Figure.not_recorded("volumes", title, "contacts are not recorded by this service yet")
    counted = scope.contacts_counted()
    recorded = triages(scope) is not None
    per_month: Counter[date] = Counter()
    referred: Counter[date] = Counter()
    for (day, kind), n in counted.by_day.items():
        (per_month if kind == "contacts" else referred)[_month(day)] += n
    months = sorted(m for m in set(per_month) | set(referred) if per_month[m] or referred[m])
    rows = [(m.strftime("%b %Y"), per_month[m], referred[m] if recorded else NOT_YET_RECORDED) for m in months]
    total = sum(per_month.values())
    summary = f"{total} contact{'s' if total != 1 else ''} in the period"
    if recorded:
        summary += f", of which {sum(referred.values())} became referrals to children's social care."
    else:
        summary += "; referrals to social care are not yet recorded (the front door's decisions)."
    return Figure("volumes", title, summary, ("Month", "Contacts", "Referrals to social care"), rows, chart="lines")


def _month(value: Any) -> date:
    """A month bucket as the first day of the month (TruncMonth gives a datetime on PostgreSQL, a date or str on SQLite)."""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date() if value.tzinfo else value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return value.replace(day=1)


def by_level(scope: Scope) -> Figure:
    title = "Contacts by level and common tier"
    if contacts(scope) is None:
        return Figure.not_recorded("levels", title, "contacts are not recorded by this service yet")
    counted = scope.contacts_counted()
    referred_at = counted.by_level("contacts")
    decided = triages(scope)
    decided_at: Counter[int | None] = Counter()
    if decided is not None:
        decided_at = Counter({parts[0]: n for parts, n in counted.by("fd_level").items()})
    numbers = sorted({n for n in referred_at} | {n for n in decided_at}, key=lambda n: (n is None, n or 0))
    rows = [
        (
            scope.level_name(n),
            scope.tier_of(n) or "—",
            referred_at[n],
            decided_at[n] if decided is not None else NOT_YET_RECORDED,
        )
        for n in numbers
    ]
    top = max(numbers, key=lambda n: referred_at[n], default=None)
    summary = (
        f"Most contacts came in at {scope.level_name(top)} ({referred_at[top]})."
        if numbers and referred_at[top]
        else "No contacts in the period."
    )
    return Figure(
        "levels",
        title,
        summary,
        ("Level", "Common tier", "Contacts at the referrer's level", "Decided at the front door's level"),
        rows,
        chart="bars",
        value_column=2,
        note="The common tiers are the same across partnerships, so a level here can be compared with another "
        "partnership's level on the same tier.",
    )


def outcomes(scope: Scope) -> Figure:
    title = "Front-door outcomes"
    if triages(scope) is None:
        return Figure.not_recorded("outcomes", title, "the front door's decisions are not recorded by this service yet")
    counts = sorted(
        ((code, name, n) for (code, name), n in scope.contacts_counted().by("outcome").items() if n),
        key=lambda r: (-r[2], r[0]),
    )
    rows = [(name or code, code, n) for code, name, n in counts]
    total = sum(r[2] for r in rows)
    summary = f"{total} decision{'s' if total != 1 else ''}" + (
        f"; the most common outcome was {rows[0][0]} ({share(rows[0][2], total)})." if rows else "."
    )
    return Figure("outcomes", title, summary, ("Outcome", "Code", "Decisions"), rows, chart="bars", value_column=2)


class WorkingClock:
    """Working minutes as a running total from a day before the range: ``at(t)``, so the working time
    between two moments is one subtraction (what :meth:`Calendar.working_minutes` gives, to the minute).

    Built once per figure from the partnership's calendar for the days of the range (and a margin);
    the same table is handed to PostgreSQL so the database counts working time row by row.
    """

    MARGIN = timedelta(days=60)

    def __init__(self, calendar: Calendar, first: date, last: date):
        self.calendar = calendar
        self.days: list[date] = []
        self.opens: list[datetime | None] = []
        self.totals: list[int] = []
        self.running: list[int] = []
        self.index: dict[date, int] = {}
        total = 0
        day = first - timedelta(days=7)
        while day <= last + self.MARGIN.days * timedelta(days=1):
            try:
                working = calendar.is_working_day(day)
            except CalendarError:  # beyond the bank-holiday data: the table stops there
                break
            midnight = datetime.combine(day, time.min, tzinfo=UK)
            opens = calendar.next_opening(midnight) if working else None
            minutes = calendar.working_minutes(midnight, midnight + timedelta(days=1)) if working else 0
            self.index[day] = len(self.days)
            self.days.append(day)
            self.opens.append(opens)
            self.totals.append(minutes)
            self.running.append(total)
            total += minutes
            day += timedelta(days=1)

    def at(self, moment: datetime) -> int | None:
        """Working minutes from the table's first day to ``moment`` (None outside the table)."""
        local = as_uk(moment)
        i = self.index.get(local.date())
        if i is None:
            return None
        opens = self.opens[i]
        within = 0 if opens is None else int((local - opens).total_seconds() // 60)
        return self.running[i] + min(max(within, 0), self.totals[i])

    def between(self, start: datetime, end: datetime) -> int:
        a, b = self.at(start), self.at(end)
        if a is None or b is None:
            return self.calendar.working_minutes(start, end)
        return max(b - a, 0)

    def as_sql_arrays(self) -> list[Any]:
        return [self.days, self.opens, self.totals, self.running]


# PostgreSQL counts each decision's working time against the table above (three joins on the UK date),
# grouped by day, level, bucket and the working minutes taken (for the exact median).
_TIMELINESS_SQL = """
WITH cal AS (SELECT * FROM unnest(%s::date[], %s::timestamptz[], %s::int[], %s::int[]) AS c(day, opens, total, run)),
d AS ({decisions}),
w AS (
  SELECT d.d AS day, d.referral__referrer_level AS level, d.due_at IS NULL AS no_clock, d.decided_at <= d.due_at AS on_time,
         {at_decided} - {at_started} AS taken, {at_due} - {at_started} AS allowed
  FROM d
  LEFT JOIN cal s ON s.day = (d.clock_started_at AT TIME ZONE 'Europe/London')::date
  LEFT JOIN cal e ON e.day = (d.due_at AT TIME ZONE 'Europe/London')::date
  LEFT JOIN cal x ON x.day = (d.decided_at AT TIME ZONE 'Europe/London')::date
),
b AS (
  SELECT day, level, no_clock, on_time, greatest(taken, 0) AS taken,
         CASE WHEN no_clock THEN NULL
              WHEN allowed > 0 THEN greatest(taken, 0)::float / allowed
              WHEN on_time THEN 0.0 ELSE 'Infinity'::float END AS ratio
  FROM w
)
SELECT day, level, no_clock, on_time,
       CASE WHEN ratio <= 0.5 THEN 0 WHEN ratio <= 1.0 THEN 1 WHEN ratio <= 1.5 THEN 2 ELSE 3 END AS bucket,
       taken, count(*)
FROM b GROUP BY 1, 2, 3, 4, 5, 6
"""


def _sql_at(alias: str, column: str) -> str:
    within = f"floor(extract(epoch FROM (d.{column} - {alias}.opens)) / 60)::int"
    return f"({alias}.run + coalesce(least(greatest({within}, 0), {alias}.total), 0))"


def _bucket(taken: int, allowed: int, on_time: bool) -> int:
    """Which of :data:`TIME_BUCKETS` a decision falls in (by working time taken over working time allowed)."""
    ratio = taken / allowed if allowed > 0 else (0.0 if on_time else float("inf"))
    return next(i for i, (_, top) in enumerate(TIME_BUCKETS) if ratio <= top)


def decision_times(
    decided: models.QuerySet[Any], clock: WorkingClock
) -> Counter[tuple[date, int | None, bool, bool, int, int | None]]:
    """Decisions of ``decided`` (triages annotated with their UK day ``d``) counted by (day, the referrer's
    level, no clock, on time, bucket, working minutes taken — None without a clock). One query on
    PostgreSQL; row by row elsewhere."""
    from continuum.apps.reports.tallies import _date

    rows = (
        decided.filter(decided_at__isnull=False)
        .values_list("clock_started_at", "due_at", "decided_at", "d", "referral__referrer_level")
        .order_by()
    )
    counted: Counter[tuple[date, int | None, bool, bool, int, int | None]] = Counter()
    if connection.vendor == "postgresql":
        inner, params = rows.query.sql_with_params()
        sql = _TIMELINESS_SQL.format(
            decisions=inner,
            at_started=_sql_at("s", "clock_started_at"),
            at_due=_sql_at("e", "due_at"),
            at_decided=_sql_at("x", "decided_at"),
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*clock.as_sql_arrays(), *params])
            for day, level, no_clock, on_time, bucket, taken, n in cursor.fetchall():
                no_clock = bool(no_clock)
                key = (
                    _date(day),
                    level,
                    no_clock,
                    bool(on_time),
                    0 if no_clock else bucket,
                    None if no_clock else taken,
                )
                counted[key] += n
        return counted
    for started, due, done, day, level in rows.iterator(chunk_size=5000):
        if due is None:
            counted[(_date(day), level, True, False, 0, None)] += 1
            continue
        taken, allowed = clock.between(started, done), clock.between(started, due)
        counted[(_date(day), level, False, done <= due, _bucket(taken, allowed, done <= due), taken)] += 1
    return counted


def decision_timeliness(scope: Scope) -> Figure:
    """Decisions against their deadline, in working time (the partnership's office hours and bank holidays)."""
    title = "Time to decision against the deadline (working time)"
    decided = triages(scope)
    if decided is None:
        return Figure.not_recorded(
            "timeliness", title, "the front door's decisions and their deadlines are not recorded by this service yet"
        )
    counted = scope.contacts_counted()
    median = counted.median_minutes()
    buckets: Counter[str] = Counter()
    on_time = with_clock = no_clock = 0
    for (is_no_clock, is_on_time, bucket), n in counted.by("time").items():
        if is_no_clock:
            no_clock += n
            continue
        with_clock += n
        on_time += n if is_on_time else 0
        buckets[TIME_BUCKETS[bucket][0]] += n
    rows: list[tuple[Any, ...]] = [
        (label, buckets[label], share(buckets[label], with_clock)) for label, _ in TIME_BUCKETS
    ]
    if no_clock:
        rows.append(("No deadline (the document gives none)", no_clock, "—"))
    summary = (
        f"{share(on_time, with_clock)} of {with_clock} decisions with a deadline were made on time; "
        f"the median took {median / 60:.1f} working hours."
        if with_clock and median is not None
        else "No decisions with a deadline in the period."
    )
    return Figure(
        "timeliness",
        title,
        summary,
        ("Time taken, against the time allowed", "Decisions", "Share"),
        rows,
        chart="bars",
        note="Working time counts only the partnership's office hours on working days (weekends and bank holidays "
        "excluded).",
    )


def feedback_timeliness(scope: Scope) -> Figure:
    title = "Feedback to the referrer on time"
    decided = triages(scope)
    if decided is None:
        return Figure.not_recorded("feedback", title, "feedback to referrers is not recorded by this service yet")
    sent = scope.contacts_counted().by("feedback")
    counts = {measure: sent[(measure,)] for measure in ("on_time", "late", "waiting")}
    total = counts["on_time"] + counts["late"] + counts["waiting"]
    rows = [("On time", counts["on_time"]), ("Late", counts["late"]), ("Not yet sent", counts["waiting"])]
    summary = (
        f"{share(counts['on_time'], total)} of {total} referrers were given feedback on time."
        if total
        else "No feedback to referrers was due in the period."
    )
    return Figure("feedback", title, summary, ("Feedback", "Decisions"), rows, chart="bars")


def agency_checks(scope: Scope) -> Figure:
    title = "Agency checks answered on time, by agency"
    check = model("frontdoor.AgencyCheck")
    decided = triages(scope)
    if check is None or decided is None:
        return Figure.not_recorded("agency-checks", title, "agency checks are not recorded by this service yet")
    asked = scope.contacts_counted().by("agency")
    rows = [
        (agency, n, asked[(agency, "on_time")], asked[(agency, "late")], asked[(agency, "waiting")],
         share(asked[(agency, "on_time")], n))
        for (agency, measure), n in sorted(asked.items())
        if measure == "asked"
    ]  # fmt: skip
    worst = min(rows, key=lambda r: (r[2] / r[1]) if r[1] else 1.0, default=None)
    summary = (
        f"{len(rows)} agenc{'ies were' if len(rows) != 1 else 'y was'} asked; the lowest share on time was "
        f"{worst[0]} ({worst[5]})."
        if worst
        else "No agency checks in the period."
    )
    return Figure(
        "agency-checks",
        title,
        summary,
        ("Agency", "Asked", "On time", "Late", "Not yet answered", "Share on time"),
        rows,
        chart="bars",
        value_column=2,
    )


def re_referrals(scope: Scope) -> Figure:
    title = "Re-referrals within 12 months"
    decided = triages(scope)
    if decided is None:
        return Figure.not_recorded(
            "re-referrals", title, "the front door's matching of earlier contacts is not recorded yet"
        )
    counted = scope.contacts_counted()
    total, again = counted.total("triaged"), counted.total("again")
    rows = [("About a child with a contact in the 12 months before", again), ("First in 12 months", total - again)]
    summary = f"{share(again, total)} of {total} contacts were about a child with a contact in the 12 months before."
    return Figure("re-referrals", title, summary, ("Contacts", "Number"), rows, chart="bars")


# --- Early help and escalations -------------------------------------------------------------------


def early_help(scope: Scope) -> Figure:
    title = "Early help: opened, reviewed on time, closed, stepped up and down"
    episode, review = model("earlyhelp.Episode"), model("earlyhelp.Review")
    step_up, step_down = model("earlyhelp.StepUp"), model("earlyhelp.StepDown")
    if episode is None or review is None or step_up is None or step_down is None:
        return Figure.not_recorded("early-help", title, "early help is not recorded by this service yet")
    f = scope.filters
    episodes = episode._default_manager.filter(partnership=scope.partnership)
    if f.level is not None:
        episodes = episodes.filter(level_at_start=f.level)
    if f.tier:
        episodes = episodes.filter(level_at_start__in=scope.levels_on_tier(f.tier))
    in_range = {"gte": f.since, "lt": f.until}
    opened = episodes.filter(submitted_at__gte=in_range["gte"], submitted_at__lt=in_range["lt"]).count()
    reviews = review._default_manager.filter(
        episode__in=episodes.values("pk"), due_at__gte=in_range["gte"], due_at__lt=in_range["lt"]
    ).aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(held_at__lte=F("due_at"))),
    )
    closed = list(
        episodes.filter(closed_at__gte=in_range["gte"], closed_at__lt=in_range["lt"])
        .values_list("closure_code")
        .annotate(n=Count("pk"))
        .order_by("closure_code")
    )
    ups = step_up._default_manager.filter(
        episode__in=episodes.values("pk"), requested_at__gte=in_range["gte"], requested_at__lt=in_range["lt"]
    ).count()
    downs = step_down._default_manager.filter(
        partnership=scope.partnership, requested_at__gte=in_range["gte"], requested_at__lt=in_range["lt"]
    )
    down_counts = dict(downs.values_list("state").annotate(n=Count("pk")).order_by())
    rows: list[tuple[Any, ...]] = [
        ("Assessments opened", opened),
        ("Reviews due", reviews["due"]),
        ("Reviews held on time", reviews["on_time"]),
        *((f"Closed: {code or 'no reason given'}", n) for code, n in closed),
        ("Stepped up to the front door", ups),
        *((f"Step-downs from social care: {state}", n) for state, n in sorted(down_counts.items())),
    ]
    summary = (
        f"{opened} early help assessment{'s' if opened != 1 else ''} opened; "
        + (
            f"{share(reviews['on_time'], reviews['due'])} of {reviews['due']} reviews due were held on time; "
            if reviews["due"]
            else "no reviews were due; "
        )
        + f"{ups} stepped up and {sum(down_counts.values())} stepped down."
    )
    return Figure(
        "early-help",
        title,
        summary,
        ("Measure", "Number"),
        rows,
        chart="bars",
        note="The agency filter does not apply to early help (an episode has no referring agency).",
    )


def escalations(scope: Scope) -> Figure:
    title = "Escalations by stage reached and outcome"
    escalation = model("escalations.Escalation")
    if escalation is None:
        return Figure.not_recorded("escalations", title, "escalations are not recorded by this service yet")
    f = scope.filters
    counts = (
        escalation._default_manager.filter(partnership=scope.partnership, raised_at__gte=f.since, raised_at__lt=f.until)
        .values_list("current_stage")
        .annotate(
            raised=Count("pk"),
            open=Count("pk", filter=Q(status="open")),
            resolved=Count("pk", filter=Q(status="resolved")),
            withdrawn=Count("pk", filter=Q(status="withdrawn")),
        )
        .order_by("current_stage")
    )
    rows = [(f"Stage {stage}", raised, o, r, w) for stage, raised, o, r, w in counts]
    total = sum(r[1] for r in rows)
    resolved = sum(r[3] for r in rows)
    summary = f"{total} escalation{'s' if total != 1 else ''} raised; {resolved} resolved."
    return Figure(
        "escalations",
        title,
        summary,
        ("Stage reached", "Raised", "Open", "Resolved", "Withdrawn"),
        rows,
        chart="bars",
        note="The level, tier and agency filters do not apply to escalations.",
    )


DASHBOARD: tuple[Callable[[Scope], Figure], ...] = (
    volumes_over_time,
    by_level,
    outcomes,
    decision_timeliness,
    feedback_timeliness,
    agency_checks,
    re_referrals,
    early_help,
    escalations,
)


@contextmanager
def analytic() -> Iterator[None]:
    """Run report queries without PostgreSQL's JIT compiler: on these large one-off aggregates it spends
    seconds compiling what runs in a fraction of that (measured by bench/reports.py). Elsewhere: nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def dashboard(actor: Actor, filters: Filters) -> list[Figure]:
    """Every dashboard figure for ``actor``'s partnership."""
    scope = Scope.for_actor(actor, filters)
    with analytic():
        return [figure(scope) for figure in DASHBOARD]


# --- Calibration: how the document performs ---------------------------------------------------------


def checks(scope: Scope) -> models.QuerySet[Check]:
    """The checks made against the partnership's framework in the range (any version), by recommended level/tier."""
    return Check.objects.filter(checks_where(scope))


def checks_where(scope: Scope) -> Q:
    """The condition on a check of being in scope: the partnership's framework, the range, level or tier."""
    f = scope.filters
    condition = Q(framework_id=scope.partnership, created_at__gte=f.since, created_at__lt=f.until)
    if f.level is not None:
        condition &= Q(recommended_level=f.level)
    if f.tier:
        condition &= Q(recommended_level__in=scope.levels_on_tier(f.tier))
    return condition


CHECK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("judged", "Judged"),
    ("agreed", "Agreed"),
    ("judged_higher", "Practitioner judged higher"),
    ("judged_lower", "Practitioner judged lower"),
    ("lower_view", "Practitioner thought it might be lower"),
    ("fd_decided", "Decided at the front door"),
    ("fd_higher", "Front door decided higher"),
    ("fd_lower", "Front door decided lower"),
)


def measures_of(rows: models.QuerySet[Any], group: tuple[str, ...], p: str) -> dict[tuple[Any, ...], dict[str, int]]:
    """The calibration measures of ``rows`` grouped by ``group``; ``p`` is the path from a row to its check
    ("" on checks, "stored_check__" on indicator rows). Three grouped queries with plain joins (no
    per-row subqueries): the judgements, the lower views, and the front door's decisions — the last
    counts decisions (a check sent for two siblings has two), and is absent while the front door
    records none (its columns then say "not yet recorded").
    """
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    judged = (
        rows.values(*group)
        .annotate(
            judged=Count("pk", filter=Q(**{f"{p}judged_at__isnull": False})),
            agreed=Count("pk", filter=Q(**{f"{p}judgement": Judgement.AGREE})),
            judged_higher=Count(
                "pk", filter=Q(**{f"{p}judgement": Judgement.OWN, f"{p}own_level__gt": F(f"{p}recommended_level")})
            ),
            judged_lower=Count(
                "pk", filter=Q(**{f"{p}judgement": Judgement.OWN, f"{p}own_level__lt": F(f"{p}recommended_level")})
            ),
        )
        .order_by()
    )
    for r in judged:
        out[tuple(r[g] for g in group)] = {k: v for k, v in r.items() if k not in group} | {"lower_view": 0}
    lower = (
        rows.filter(**{f"{p}lower_views__isnull": False})
        .values(*group)
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    )
    for r in lower:
        out.setdefault(tuple(r[g] for g in group), {})["lower_view"] = r["n"]
    if model("frontdoor.Triage") is None:
        return out
    for measures in out.values():
        measures |= {"fd_decided": 0, "fd_higher": 0, "fd_lower": 0}
    t = f"{p}referrals__triage__"
    decided = (
        rows.filter(**{f"{t}decided_at__isnull": False, f"{t}frontdoor_level__isnull": False})
        .values(*group)
        .annotate(
            fd_decided=Count("pk"),
            fd_higher=Count("pk", filter=Q(**{f"{t}frontdoor_level__gt": F(f"{p}recommended_level")})),
            fd_lower=Count("pk", filter=Q(**{f"{t}frontdoor_level__lt": F(f"{p}recommended_level")})),
        )
        .order_by()
    )
    for r in decided:
        out.setdefault(tuple(r[g] for g in group), {}).update({k: v for k, v in r.items() if k not in group})
    return out


def _none_counted() -> dict[str, int]:
    """The measures of a group with nothing to count (an indicator offered but never selected): zeros, and
    the front door's columns only when it records decisions."""
    keys = [key for key, _ in CHECK_COLUMNS if model("frontdoor.Triage") is not None or not key.startswith("fd_")]
    return dict.fromkeys(keys, 0)


def _measure_cells(row: Mapping[str, Any]) -> list[Any]:
    """The row's check measures in column order; the front door's, while it records none: not yet recorded."""
    return [row.get(key, NOT_YET_RECORDED) for key, _ in CHECK_COLUMNS]


def _summed(pairs: Iterable[tuple[Any, str, int]]) -> dict[Any, dict[str, int]]:
    """Measures summed per group, each group's measures complete (zeros; the front door's while it records)."""
    out: dict[Any, dict[str, int]] = {}
    for group, measure, n in pairs:
        out.setdefault(group, _none_counted())
        out[group][measure] = out[group].get(measure, 0) + n
    return out


def calibration_by_level(scope: Scope) -> Figure:
    counted = scope.checks_counted()
    counts: Counter[Any] = Counter()
    for level, _, _, n in counted.checks():
        counts[level] += n
    measures = _summed((level, measure, n) for level, _, _, measure, n in counted.measures())
    rows = [
        (scope.level_name(level), counts[level], *_measure_cells(measures.get(level, _none_counted())))
        for level in sorted(counts, key=lambda n: (n is None, n or 0))
    ]
    lower = sum(m.get("lower_view", 0) for m in measures.values())
    differ = sum(m.get("judged_higher", 0) + m.get("judged_lower", 0) for m in measures.values())
    summary = (
        f"Of {sum(counts.values())} checks, practitioners recorded a different level in {differ} and thought the "
        f"level might be lower in {lower}."
    )
    return Figure(
        "calibration-levels",
        "By recommended level",
        summary,
        ("Recommended level", "Checks", *(label for _, label in CHECK_COLUMNS)),
        rows,
        chart="bars",
        value_column=1,
        note="The front door's columns count decisions: a check sent for two children has two.",
    )


def selected_measures(scope: Scope) -> dict[tuple[Any, ...], dict[str, int]]:
    """The calibration measures of each indicator over the checks that selected it (shared by two figures)."""
    return {
        k: _none_counted() | {m: c[m] for m in CHECK_MEASURES if m in c}
        for k, c in scope.checks_counted().indicators.items()
        if c["selected"]
    }


def calibration_by_indicator(scope: Scope, measures: dict[tuple[Any, ...], dict[str, int]] | None = None) -> Figure:
    counts = [
        {
            "indicator_id": indicator,
            "level": level,
            "times_offered": c["offered"],
            "times_selected": c["selected"],
            **{m: c[m] for m in ("accepted", "rejected", "found")},
        }
        for (indicator, level), c in sorted(
            scope.checks_counted().indicators.items(), key=lambda kc: (kc[0][1] is None, kc[0][1] or 0, kc[0][0])
        )
        if c["offered"] or c["selected"]
    ]
    measures = selected_measures(scope) if measures is None else measures
    rows = [
        (
            r["indicator_id"],
            "—" if r["level"] is None else r["level"],
            r["times_offered"],
            r["times_selected"],
            r["accepted"],
            r["rejected"],
            r["found"],
            *_measure_cells(measures.get((r["indicator_id"], r["level"]), _none_counted())),
        )
        for r in counts
    ]
    rejected_most = max(counts, key=lambda r: (r["rejected"], r["indicator_id"]), default=None)
    summary = (
        f"{len(rows)} indicators were offered or selected; the suggestion most often turned down was "
        f"{rejected_most['indicator_id']} ({rejected_most['rejected']} of {rejected_most['times_offered']} "
        "times offered)."
        if rejected_most and rejected_most["rejected"]
        else f"{len(rows)} indicators were offered or selected; no suggestion was turned down."
    )
    return Figure(
        "calibration-indicators",
        "By indicator (counts among the checks that selected it)",
        summary,
        (
            "Indicator",
            "Level",
            "Offered",
            "Selected",
            "Offered and selected",
            "Offered, not selected",
            "Selected, not offered",
            *(label for _, label in CHECK_COLUMNS),
        ),
        rows,
    )


def calibration_most_different(
    scope: Scope,
    minimum: int = MIN_DECIDED_FOR_RANKING,
    limit: int = 10,
    measures: dict[tuple[Any, ...], dict[str, int]] | None = None,
) -> Figure:
    """The indicators whose selections most often end in a different front-door level."""
    title = "Indicators whose selections most often end in a different front-door level"
    if model("frontdoor.Triage") is None:
        return Figure.not_recorded("calibration-ranked", title, "the front door's decided levels are not recorded yet")
    measures = selected_measures(scope) if measures is None else measures
    ranked = sorted(
        (
            (key, m)
            for key, m in measures.items()
            if m.get("fd_decided", 0) >= minimum and m.get("fd_higher", 0) + m.get("fd_lower", 0)
        ),
        key=lambda km: (
            -(km[1]["fd_higher"] + km[1]["fd_lower"]) / km[1]["fd_decided"],
            -km[1]["fd_decided"],
            km[0][0],
        ),
    )
    rows = [
        (
            indicator,
            level,
            m["fd_decided"],
            m["fd_higher"],
            m["fd_lower"],
            share(m["fd_higher"] + m["fd_lower"], m["fd_decided"]),
        )
        for (indicator, level), m in ranked[:limit]
    ]
    summary = (
        f"{rows[0][0]} most often ended in a different level at the front door ({rows[0][5]} of {rows[0][2]})."
        if rows
        else f"No indicator with at least {minimum} front-door decisions ended in a different level."
    )
    return Figure(
        "calibration-ranked",
        title,
        summary,
        ("Indicator", "Level", "Decided at the front door", "Decided higher", "Decided lower", "Share different"),
        rows,
        chart="bars",
        value_column=3,
        note=f"Only indicators selected in at least {minimum} checks that the front door decided are ranked.",
    )


def calibration_by_version(scope: Scope) -> Figure:
    counted = scope.checks_counted()
    counts: Counter[tuple[str, str]] = Counter()
    for _, version, digest, n in counted.checks():
        counts[(version, digest)] += n
    counts = Counter(dict(sorted(counts.items())))
    measures = _summed(((version, digest), measure, n) for _, version, digest, measure, n in counted.measures())
    rows = [
        (f"{version} ({digest[:12]})", n, *_measure_cells(measures.get((version, digest), _none_counted())))
        for (version, digest), n in counts.items()
    ]
    agreed = [
        f"{label}: {share(measures.get(key, {}).get('agreed', 0), measures.get(key, {}).get('judged', 0))} of judged "
        "checks agreed"
        for (label, *_), key in zip(rows, counts, strict=True)
    ]
    summary = (
        f"{len(rows)} version{'s' if len(rows) != 1 else ''} of the document were in use; " + "; ".join(agreed) + "."
    )
    return Figure(
        "calibration-versions",
        "By version of the document",
        summary,
        ("Version (content hash)", "Checks", *(label for _, label in CHECK_COLUMNS)),
        rows,
    )


def calibration(actor: Actor, filters: Filters) -> list[Figure]:
    """The calibration report: where practitioners and the front door differ from the document's recommendation."""
    scope = Scope.for_actor(actor, filters)
    with analytic():
        by_indicator = selected_measures(scope)  # the checks' counts, read once for every figure
        return [
            calibration_by_level(scope),
            calibration_most_different(scope, measures=by_indicator),
            calibration_by_indicator(scope, measures=by_indicator),
            calibration_by_version(scope),
        ]
