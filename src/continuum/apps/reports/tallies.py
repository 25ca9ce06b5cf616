"""The figures' counts, per partnership, day and level: counted from the records, kept as tallies.

Every figure is a sum of counts that belong to one day (the UK date a contact was received, or a check
made) and one level (the referrer's level of a contact; the recommended level of a check). So a page is
the sum, over the days of its range, of each day's counts. On PostgreSQL those counts are kept
(:class:`~continuum.apps.reports.models.Tally`, ``DecisionMinutes``, ``IndicatorTally``); database
triggers mark a day stale in the very transaction that changes what it counts (migration 0002), and
:func:`refresh` (a periodic job) recounts the stale days. A page reads the tallies of the days that are
not stale and counts the stale ones from the records, so what it shows is exactly what the records say
at that moment. Without tallies (SQLite, the embedded default; or a filter the tallies do not keep:
the referrer's agency) every day is counted from the records, as before.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from continuum.apps.checks.models import Check, CheckIndicator
from continuum.apps.reports.models import (
    CHECK_MEASURES,
    INDICATOR_MEASURES,
    DecisionMinutes,
    IndicatorTally,
    StaleDay,
    Tally,
)
from continuum.calendar import UK, Calendar

# (day, level, kind, key as JSON) -> count; (day, level, minutes) -> decisions
Counts = Counter[tuple[date, int | None, str, str]]
Minutes = Counter[tuple[date, int | None, int]]
# (day, recommended level, indicator id, indicator level) -> measure -> count
IndicatorCounts = dict[tuple[date, int | None, str, int | None], Counter[str]]

DAILY = ("contacts", "statutory")  # the kinds read per day (the volumes by month)
CHECK_KINDS = ("checks", "check")


def key(*parts: Any) -> str:
    return json.dumps(list(parts), separators=(",", ":"))


def uses_tallies() -> bool:
    """Whether this database keeps tallies (the triggers that mark stale days are PostgreSQL's)."""
    return connection.vendor == "postgresql"


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UK).date() if value.tzinfo else value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _uk_day(path: str) -> TruncDate:
    return TruncDate(path, tzinfo=UK)


def on_days(column: str, days: Iterable[date]) -> Q:
    """``column`` (a moment) falls on one of ``days`` (UK dates): one range per run of consecutive days."""
    condition = Q(pk__in=[])
    for first, last in _runs(sorted(set(days))):
        since = datetime.combine(first, time.min, tzinfo=UK)
        until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UK)
        condition |= Q(**{f"{column}__gte": since, f"{column}__lt": until})
    return condition


def _add(counts: Counter[Any], k: Any, n: int) -> None:
    if n:
        counts[k] += n


# --- Counting from the records --------------------------------------------------------------------


def contact_counts(partnership: str, where: Q, calendar: Calendar, first: date) -> tuple[Counts, Minutes]:
    """The contact figures' counts of the contacts matching ``where`` (received on or after ``first``)."""
    from continuum.apps.reports import queries

    counts: Counts = Counter()
    minutes: Minutes = Counter()
    referral = queries.model("referrals.Referral")
    if referral is None:
        return counts, minutes
    rows = referral._default_manager.filter(where)
    for r in rows.annotate(d=_uk_day("received_at")).values("d", "referrer_level").annotate(n=Count("pk")).order_by():
        _add(counts, (_date(r["d"]), r["referrer_level"], "contacts", key()), r["n"])
    triage = queries.model("frontdoor.Triage")
    if triage is None:
        return counts, minutes
    # Joined through the referral (its index on partnership and date, then the triage's on its referral),
    # not "referral in (subquery)", which PostgreSQL answers by reading every triage.
    triages = triage._default_manager.filter(_prefixed(where, "referral__"), partnership=partnership)
    dated = triages.annotate(d=_uk_day("referral__received_at"))
    group = ("d", "referral__referrer_level")
    sent = Q(decided_at__isnull=False, feedback_due__isnull=False)
    again = Q(
        earlier__isnull=False, earlier__received_at__gte=F("referral__received_at") - queries.RE_REFERRAL_WINDOW
    ) & ~Q(match_confirmed=False)
    for r in (
        dated.values(*group)
        .annotate(
            triaged=Count("pk"),
            statutory=Count("pk", filter=Q(outcome_code__in=queries.STATUTORY_OUTCOMES)),
            again=Count("pk", filter=again),
            on_time=Count("pk", filter=sent & Q(feedback_sent_at__lte=F("feedback_due"))),
            late=Count("pk", filter=sent & Q(feedback_sent_at__gt=F("feedback_due"))),
            waiting=Count("pk", filter=sent & Q(feedback_sent_at__isnull=True)),
        )
        .order_by()
    ):
        day, level = _date(r["d"]), r["referral__referrer_level"]
        for kind in ("triaged", "statutory", "again"):
            _add(counts, (day, level, kind, key()), r[kind])
        for measure in ("on_time", "late", "waiting"):
            _add(counts, (day, level, "feedback", key(measure)), r[measure])
    for r in (
        dated.filter(decided_at__isnull=False)
        .values(*group, "frontdoor_level", "outcome_code", "outcome_name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        day, level = _date(r["d"]), r["referral__referrer_level"]
        _add(counts, (day, level, "fd_level", key(r["frontdoor_level"])), r["n"])
        _add(counts, (day, level, "outcome", key(r["outcome_code"], r["outcome_name"])), r["n"])
    clock = queries.WorkingClock(calendar, first, max(timezone.localdate(), first))
    for (day, level, no_clock, on_time, bucket, taken), n in queries.decision_times(dated, clock).items():
        _add(counts, (day, level, "time", key(no_clock, on_time, bucket)), n)
        if taken is not None:
            minutes[(day, level, taken)] += n
            _add(counts, (day, level, "hour", key(taken // 60)), n)
    check = queries.model("frontdoor.AgencyCheck")
    if check is not None:
        answered = Q(answered_at__isnull=False)
        for r in (
            check._default_manager.filter(_prefixed(where, "triage__referral__"), triage__partnership=partnership)
            .annotate(d=_uk_day("triage__referral__received_at"))
            .values("d", "triage__referral__referrer_level", "agency_name")
            .annotate(
                asked=Count("pk"),
                on_time=Count("pk", filter=answered & Q(due_at__isnull=False, answered_at__lte=F("due_at"))),
                late=Count("pk", filter=answered & Q(answered_at__gt=F("due_at"))),
                waiting=Count("pk", filter=Q(answered_at__isnull=True)),
            )
            .order_by()
        ):
            day, level = _date(r["d"]), r["triage__referral__referrer_level"]
            for measure in ("asked", "on_time", "late", "waiting"):
                _add(counts, (day, level, "agency", key(r["agency_name"], measure)), r[measure])
    return counts, minutes


def check_counts(where: Q) -> tuple[Counts, IndicatorCounts]:
    """The calibration's counts of the checks matching ``where``: per version, and per indicator."""
    from continuum.apps.reports import queries

    counts: Counts = Counter()
    scoped = Check.objects.filter(where).annotate(d=_uk_day("created_at"))
    group = ("d", "recommended_level", "framework_version", "framework_hash")
    for r in scoped.values(*group).annotate(n=Count("pk")).order_by():
        _add(counts, (_date(r["d"]), r["recommended_level"], "checks", key(r[group[2]], r[group[3]])), r["n"])
    for (d, level, version, digest), measures in queries.measures_of(scoped, group, "").items():
        for measure, n in measures.items():
            _add(counts, (_date(d), level, "check", key(version, digest, measure)), n)
    indicators = CheckIndicator.objects.filter(stored_check__in=scoped.values("pk")).annotate(
        d=_uk_day("stored_check__created_at")
    )
    igroup = ("d", "stored_check__recommended_level", "indicator_id", "level")
    per: IndicatorCounts = {}
    for r in (
        indicators.values(*igroup)
        .annotate(
            n_offered=Count("pk", filter=Q(offered=True)),
            n_selected=Count("pk", filter=Q(selected=True)),
            n_accepted=Count("pk", filter=Q(offered=True, selected=True)),
            n_rejected=Count("pk", filter=Q(offered=True, selected=False)),
            n_found=Count("pk", filter=Q(offered=False, selected=True)),
        )
        .order_by()
    ):
        k = (_date(r["d"]), r[igroup[1]], r["indicator_id"], r["level"])
        per.setdefault(k, Counter()).update({m: r[f"n_{m}"] for m in INDICATOR_MEASURES})
    for (d, level, indicator, indicator_level), measures in queries.measures_of(
        indicators.filter(selected=True), igroup, "stored_check__"
    ).items():
        per.setdefault((_date(d), level, indicator, indicator_level), Counter()).update(measures)
    return counts, per


# --- Keeping the tallies ----------------------------------------------------------------------------


def refresh(partnership: str | None = None, days: int = 400) -> int:
    """Recount up to ``days`` stale days (oldest first) and store their tallies; returns the days recounted.

    The stale marks are read first and removed, after the recount, only if unchanged: a change committed
    meanwhile has moved its day's mark (its trigger wrote a new one), so that day stays stale."""
    if not uses_tallies():
        return 0
    from continuum.apps.reports.queries import framework_calendar

    marks = StaleDay.objects.order_by("partnership", "day")
    if partnership is not None:
        marks = marks.filter(partnership=partnership)
    by_partnership: dict[str, dict[date, int]] = {}
    for p, day, mark in marks.values_list("partnership", "day", "mark")[:days]:
        by_partnership.setdefault(p, {})[day] = mark
    for p, stale in by_partnership.items():
        first = min(stale)
        contacts, minutes = contact_counts(
            p, Q(partnership=p) & on_days("received_at", stale), framework_calendar(p), first
        )
        checks, indicators = check_counts(Q(framework_id=p) & on_days("created_at", stale))
        with transaction.atomic():
            for table in (Tally, DecisionMinutes, IndicatorTally):
                table.objects.filter(partnership=p, whole_month=False, day__in=list(stale)).delete()
            Tally.objects.bulk_create(
                (Tally(partnership=p, day=d, level=level, kind=kind, key=k, n=n) for (d, level, kind, k), n in
                 (contacts + checks).items() if d in stale),
                batch_size=5000,
            )  # fmt: skip
            DecisionMinutes.objects.bulk_create(
                (DecisionMinutes(partnership=p, day=d, level=level, minutes=m, n=n) for (d, level, m), n in
                 minutes.items() if d in stale),
                batch_size=5000,
            )  # fmt: skip
            IndicatorTally.objects.bulk_create(
                (IndicatorTally(partnership=p, day=d, level=level, indicator_id=i, indicator_level=il, **measures)
                 for (d, level, i, il), measures in indicators.items() if d in stale),
                batch_size=5000,
            )  # fmt: skip
            for month in sorted({d.replace(day=1) for d in stale}):
                _sum_month(p, month)
            for day, mark in stale.items():
                StaleDay.objects.filter(partnership=p, day=day, mark=mark).delete()
    return sum(len(stale) for stale in by_partnership.values())


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _sum_month(partnership: str, month: date) -> None:
    """Replace ``month``'s whole-month rows by the sum of its days' rows."""
    days = {"partnership": partnership, "whole_month": False, "day__gte": month, "day__lte": _month_end(month)}
    whole = {"partnership": partnership, "whole_month": True, "day": month}
    for table in (Tally, DecisionMinutes, IndicatorTally):
        table.objects.filter(**whole).delete()
    Tally.objects.bulk_create(
        (Tally(**whole, level=r["level"], kind=r["kind"], key=r["key"], n=r["n"])
         for r in Tally.objects.filter(**days).values("level", "kind", "key").annotate(n=Sum("n")).order_by()),
        batch_size=5000,
    )  # fmt: skip
    DecisionMinutes.objects.bulk_create(
        (DecisionMinutes(**whole, level=r["level"], minutes=r["minutes"], n=r["n"])
         for r in DecisionMinutes.objects.filter(**days).values("level", "minutes").annotate(n=Sum("n")).order_by()),
        batch_size=5000,
    )  # fmt: skip
    IndicatorTally.objects.bulk_create(
        (IndicatorTally(**whole, level=r["level"], indicator_id=r["indicator_id"],
                        indicator_level=r["indicator_level"], **{m: r[m] for m in INDICATOR_COLUMNS})
         for r in IndicatorTally.objects.filter(**days).values("level", "indicator_id", "indicator_level")
         .annotate(**{m: Sum(m) for m in INDICATOR_COLUMNS}).order_by()),
        batch_size=5000,
    )  # fmt: skip


# --- Reading: tallies for the days that are not stale, the records for the rest ---------------------


@dataclass
class ContactFigures:
    """The contact figures' counts over a scope: per day (contacts, referrals), and per (level, kind, key)."""

    by_day: Counter[tuple[date, str]] = field(default_factory=Counter)
    counts: Counter[tuple[int | None, str, tuple[Any, ...]]] = field(default_factory=Counter)
    live_minutes: Counter[int] = field(default_factory=Counter)
    tallied: Any = None  # the tallies' rows of the days not stale (a queryset), or None
    levels: list[int] | None = None

    def total(self, kind: str) -> int:
        return sum(n for (_, k, _), n in self.counts.items() if k == kind)

    def by(self, kind: str) -> Counter[tuple[Any, ...]]:
        out: Counter[tuple[Any, ...]] = Counter()
        for (_, k, parts), n in self.counts.items():
            if k == kind:
                out[parts] += n
        return out

    def by_level(self, kind: str) -> Counter[int | None]:
        out: Counter[int | None] = Counter()
        for (level, k, _), n in self.counts.items():
            if k == kind:
                out[level] += n
        return out

    def median_minutes(self) -> int | None:
        """The middle working minutes taken (the lower one of an even count), found in its hour, then exactly."""
        hours = self.by("hour")
        total = sum(hours.values())
        if not total:
            return None
        wanted, seen, hour = (total + 1) // 2, 0, 0
        for (in_hour,), n in sorted(hours.items()):
            hour = in_hour
            if seen + n >= wanted:
                break
            seen += n
        within: Counter[int] = Counter({m: n for m, n in self.live_minutes.items() if m // 60 == hour})
        if self.tallied is not None:
            rows = DecisionMinutes.objects.filter(self.tallied, minutes__gte=hour * 60, minutes__lt=hour * 60 + 60)
            if self.levels is not None:
                rows = rows.filter(level__in=self.levels)
            for minutes, n in rows.values_list("minutes").annotate(n=Sum("n")).order_by():
                within[minutes] += n
        for minutes in sorted(within):
            seen += within[minutes]
            if seen >= wanted:
                return minutes
        return None  # pragma: no cover (the hour's count and its minutes agree)


def _stale_days(partnership: str, start: date, end: date) -> list[date]:
    return list(
        StaleDay.objects.filter(partnership=partnership, day__gte=start, day__lte=end).values_list("day", flat=True)
    )


def _levels(scope: Any) -> list[int] | None:
    f = scope.filters
    if f.level is not None:
        return [f.level]
    if f.tier:
        return list(scope.levels_on_tier(f.tier))
    return None


def _tallied(scope: Any, stale: list[date]) -> Q:
    """The tally rows to sum: whole months inside the range with no stale day, and the other days' own rows
    (stale days excluded: they are counted from the records) — as ranges of days, so the index finds them."""
    f = scope.filters
    stale_months = {d.replace(day=1) for d in stale}
    months, month = set(), f.start.replace(day=1)
    while month <= f.end:
        if month >= f.start and _month_end(month) <= f.end and month not in stale_months:
            months.add(month)
        month = _month_end(month) + timedelta(days=1)
    days, day, skip = [], f.start, set(stale)
    while day <= f.end:
        if day.replace(day=1) in months:
            day = _month_end(day) + timedelta(days=1)
            continue
        if day not in skip:
            days.append(day)
        day += timedelta(days=1)
    condition = Q(partnership=scope.partnership, whole_month=True, day__in=sorted(months))
    for first, last in _runs(days):
        condition |= Q(partnership=scope.partnership, whole_month=False, day__gte=first, day__lte=last)
    return condition


def _runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Sorted days as (first, last) runs of consecutive days."""
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + timedelta(days=1):
            j += 1
        yield days[i], days[j]
        i = j + 1


def _prefixed(condition: Q, prefix: str) -> Q:
    """``condition`` on a contact, as a condition on a row that reaches the contact through ``prefix``."""
    out = Q()
    out.connector, out.negated = condition.connector, condition.negated
    children: list[Any] = list(condition.children)
    out.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1]) for child in children
    ]
    return out


def contact_figures(scope: Any) -> ContactFigures:
    """The counts of the contacts in ``scope``: tallies for the days not stale, the records for the others."""
    from continuum.apps.reports.queries import in_scope

    f = scope.filters
    out = ContactFigures(levels=_levels(scope))
    live = in_scope(scope)
    if uses_tallies() and not f.agency:
        stale = _stale_days(scope.partnership, f.start, f.end)
        out.tallied = _tallied(scope, stale)
        rows = Tally.objects.filter(out.tallied).exclude(kind__in=CHECK_KINDS)
        if out.levels is not None:
            rows = rows.filter(level__in=out.levels)
        for day, kind, n in rows.filter(kind__in=DAILY).values_list("day", "kind").annotate(n=Sum("n")).order_by():
            out.by_day[(day, kind)] += n
        for level, kind, k, n in (
            rows.exclude(kind="statutory").values_list("level", "kind", "key").annotate(n=Sum("n")).order_by()
        ):
            out.counts[(level, kind, tuple(json.loads(k)))] += n
        if not stale:
            return out
        live &= on_days("received_at", stale)
        first = min(stale)
    else:
        first = f.start
    counts, minutes = contact_counts(scope.partnership, live, scope.calendar(), first)
    for (day, level, kind, k), n in counts.items():
        if kind in DAILY:
            out.by_day[(day, kind)] += n
        if kind != "statutory":
            out.counts[(level, kind, tuple(json.loads(k)))] += n
    for (_, _, m), n in minutes.items():
        out.live_minutes[m] += n
    return out


@dataclass
class CheckFigures:
    """The calibration's counts over a scope: per (recommended level, kind, key), and per indicator."""

    counts: Counter[tuple[int | None, str, tuple[Any, ...]]] = field(default_factory=Counter)
    indicators: dict[tuple[str, int | None], Counter[str]] = field(default_factory=dict)

    def checks(self) -> Iterator[tuple[int | None, str, str, int]]:
        for (level, kind, parts), n in self.counts.items():
            if kind == "checks":
                yield level, parts[0], parts[1], n

    def measures(self) -> Iterator[tuple[int | None, str, str, str, int]]:
        for (level, kind, parts), n in self.counts.items():
            if kind == "check":
                yield level, parts[0], parts[1], parts[2], n


INDICATOR_COLUMNS = (*INDICATOR_MEASURES, *CHECK_MEASURES)


def check_figures(scope: Any, where: Q) -> CheckFigures:
    """The counts of the checks in ``scope`` (``where``): tallies for the days not stale, the records else."""
    f = scope.filters
    out = CheckFigures()
    live = where
    if uses_tallies():
        stale = _stale_days(scope.partnership, f.start, f.end)
        tallied = _tallied(scope, stale)
        levels = _levels(scope)
        rows = Tally.objects.filter(tallied, kind__in=CHECK_KINDS)
        indicator_rows = IndicatorTally.objects.filter(tallied)
        if levels is not None:
            rows, indicator_rows = rows.filter(level__in=levels), indicator_rows.filter(level__in=levels)
        for level, kind, k, n in rows.values_list("level", "kind", "key").annotate(n=Sum("n")).order_by():
            out.counts[(level, kind, tuple(json.loads(k)))] += n
        for r in (
            indicator_rows.values("indicator_id", "indicator_level")
            .annotate(**{m: Sum(m) for m in INDICATOR_COLUMNS})
            .order_by()
        ):
            out.indicators[(r["indicator_id"], r["indicator_level"])] = Counter(
                {m: r[m] for m in INDICATOR_COLUMNS if r[m]}
            )
        if not stale:
            return out
        live &= on_days("created_at", stale)
    counts, indicators = check_counts(live)
    for (_, level, kind, k), n in counts.items():
        out.counts[(level, kind, tuple(json.loads(k)))] += n
    for (_, _, indicator, indicator_level), measures in indicators.items():
        out.indicators.setdefault((indicator, indicator_level), Counter()).update(measures)
    return out
