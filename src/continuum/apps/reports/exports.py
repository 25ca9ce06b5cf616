"""The national returns' lists as CSV, streamed row by row (the whole set is never in memory).

Field names and code lists are the published ones:

- Children in Need census, the ``CINreferral`` items (``LAchildID`` … ``ReferralNFA``); dates
  ``YYYY-MM-DD``; ``ReferralSource`` and ``GenderCurrent`` from :mod:`continuum.apps.referrals.codes`.
- Standard Safeguarding Dataset (data-to-insight's SSD), the ``ssd_contacts`` table
  (``cont_contact_id`` … ``cont_contact_outcome_json``).
- Ofsted Annex A, lists 1 (contacts), 2 (early help assessments) and 3 (referrals, with the number of
  referrals about the child in the 12 months before): the template's headings and its lettered codes
  (``a) Male``, ``e) 2A: Schools``); dates ``dd/mm/yyyy``.

These lists carry children's identities: only ``reports.export`` may take them, and every export is
an audit event (:func:`continuum.apps.reports.services.record_export`) written before the first row.
Continuum holds no case-system person id: the child's identifier is the referral's reference (Annex
A list 3 counts earlier referrals by NHS number, or by name and date of birth).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, models

from continuum.apps.referrals import handoff
from continuum.apps.referrals.codes import REFERRAL_SOURCE_LABELS
from continuum.apps.reports.queries import RE_REFERRAL_WINDOW, STATUTORY_OUTCOMES, Scope, model
from continuum.calendar import as_uk

CHUNK = 2000

# CIN census ethnicity codes (the DfE's 21 main categories), in Annex A's lettered order.
ETHNICITIES: tuple[str, ...] = (
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN",
    "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
)  # fmt: skip
ANNEX_A_ETHNICITY = {code: f"{chr(ord('a') + i)}) {code}" for i, code in enumerate(ETHNICITIES)}
ANNEX_A_UNKNOWN_ETHNICITY = "u) UNKNOWN"
# Annex A's gender codes from the CIN census GenderCurrent codes (1 male, 2 female, 9 not specified, 0 not known).
ANNEX_A_GENDER = {
    "1": "a) Male",
    "2": "b) Female",
    "9": "c) Not stated/recorded",
    "0": "c) Not stated/recorded",
    "": "c) Not stated/recorded",
}
# Annex A's contact and referral source codes: the CIN census codes, lettered in the template's order.
_SOURCE_LETTERS = (*"abcdefghijklmnop", "p1", *"qrstu")
_SOURCE_GROUPS = {"1": "Individual", "2A": "Schools", "2B": "Education services", "3": "Health services",
                  "4": "Housing", "5": "LA services", "6": "Police", "7": "Other legal agency", "8": "Other",
                  "9": "Anonymous", "10": "Unknown"}  # fmt: skip


def _source_group(code: str) -> str:
    return _SOURCE_GROUPS.get(code) or _SOURCE_GROUPS.get(code[:1], "Unknown")


ANNEX_A_SOURCE = {
    code: f"{letter}) {code}: {_source_group(code)}"
    for letter, code in zip(_SOURCE_LETTERS, REFERRAL_SOURCE_LABELS, strict=True)
}


def ethnicity_code(value: str) -> str:
    code = value.strip().upper()
    return code if code in ANNEX_A_ETHNICITY else ""


def _uk_date(moment: datetime | date | None, pattern: str) -> str:
    if moment is None:
        return ""
    day = as_uk(moment).date() if isinstance(moment, datetime) else moment
    return day.strftime(pattern)


def iso(moment: datetime | date | None) -> str:
    return _uk_date(moment, "%Y-%m-%d")


def dmy(moment: datetime | date | None) -> str:
    return _uk_date(moment, "%d/%m/%Y")


def age_years(born: date | None, on: datetime | date) -> str:
    if born is None:
        return ""
    day = as_uk(on).date() if isinstance(on, datetime) else on
    return str(day.year - born.year - ((day.month, day.day) < (born.month, born.day)))


@dataclass(frozen=True)
class Export:
    """One downloadable list: its name, its header row, the rows in scope, and how to write one row."""

    key: str
    title: str
    standard: str
    header: tuple[str, ...]
    queryset: Callable[[Scope], models.QuerySet[Any] | None]
    row: Callable[[Any, Scope], list[str]]


def _contacts(scope: Scope) -> models.QuerySet[Any] | None:
    from continuum.apps.reports.queries import contacts

    scoped = contacts(scope)
    return None if scoped is None else scoped.order_by("received_at", "pk")


def _referrals(scope: Scope) -> models.QuerySet[Any] | None:
    """Contacts the front door decided to be referrals to social care (the count of earlier referrals is
    joined in as they stream: :func:`with_earlier_referrals`)."""
    scoped = _contacts(scope)
    if scoped is None or model("frontdoor.Triage") is None:
        return None
    return scoped.filter(triage__outcome_code__in=STATUTORY_OUTCOMES).select_related("triage")


def _moment(column: str, vendor: str) -> str:
    """SQL for a moment as whole microseconds since 1970 (exact on both databases)."""
    if vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    return (  # SQLite stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC)
        f"(unixepoch({column}) * 1000000 + CASE WHEN length({column}) > 19 "
        f"THEN CAST(substr({column} || '000000', 21, 6) AS INTEGER) ELSE 0 END)"
    )


# Per referral listed, the statutory referrals of the same partnership in the 365 days before it (not at
# the same moment): one join per way of being the same child — the same NHS number; the same name and
# date of birth — less those that are both, so each earlier referral counts once. Joins on equal keys
# (hash joins), not a lookup per row; whether a match was a referral to social care is asked of the
# matches only.
_EARLIER_SQL = """
WITH cand AS (
  SELECT r.id, r.nhs_number AS nhs, upper(r.child_first_name) AS f, upper(r.child_last_name) AS l,
         r.date_of_birth AS born, {us} AS us
  FROM referrals_referral r WHERE r.partnership = %s AND r.received_at >= %s AND r.received_at < %s
),
listed AS (SELECT * FROM cand x WHERE x.us >= %s AND {statutory_x}),
a AS (SELECT x.id, count(*) AS n FROM listed x JOIN cand e ON e.nhs = x.nhs
      WHERE x.nhs <> '' AND e.us < x.us AND e.us >= x.us - %s AND {statutory_e} GROUP BY x.id),
b AS (SELECT x.id, count(*) AS n FROM listed x JOIN cand e ON e.f = x.f AND e.l = x.l AND e.born = x.born
      WHERE e.us < x.us AND e.us >= x.us - %s AND {statutory_e} GROUP BY x.id),
c AS (SELECT x.id, count(*) AS n FROM listed x JOIN cand e ON e.nhs = x.nhs AND e.f = x.f AND e.l = x.l
      AND e.born = x.born WHERE x.nhs <> '' AND e.us < x.us AND e.us >= x.us - %s AND {statutory_e} GROUP BY x.id)
SELECT a.id, a.n FROM a UNION ALL SELECT b.id, b.n FROM b UNION ALL SELECT c.id, -c.n FROM c
"""
_STATUTORY = "EXISTS (SELECT 1 FROM frontdoor_triage t WHERE t.referral_id = {row}.id AND t.outcome_code IN ({codes}))"


def earlier_referrals(scope: Scope) -> dict[int, int]:
    """Earlier referrals (within 365 days, same child, statutory, same partnership) per referral in range
    that has any: a mapping of the referrals with a count (the others have none), one query."""
    f = scope.filters
    window = int(RE_REFERRAL_WINDOW.total_seconds() * 1_000_000)
    since_us = int(f.since.timestamp() * 1_000_000)
    codes = ", ".join(f"'{code}'" for code in STATUTORY_OUTCOMES)  # constants of this module, not input
    sql = _EARLIER_SQL.format(
        us=_moment("r.received_at", connection.vendor),
        statutory_x=_STATUTORY.format(row="x", codes=codes),
        statutory_e=_STATUTORY.format(row="e", codes=codes),
    )
    params: list[Any] = [scope.partnership, f.since - RE_REFERRAL_WINDOW, f.until, since_us]
    counts: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, window, window, window])
        for pk, n in cursor.fetchall():
            counts[pk] = counts.get(pk, 0) + n
    return counts


def with_earlier_referrals(rows: Iterable[Any], scope: Scope) -> Iterator[Any]:
    """The referrals as they stream, each with ``earlier_referrals``; the counts (only the referrals that
    have any, ids and numbers) are read in one query first."""
    counts = earlier_referrals(scope)
    for r in rows:
        r.earlier_referrals = counts.get(r.pk, 0)
        yield r


# The CIN census and SSD fields are the referrals hand-off's, computed the same way (docs/handoff.md).
HANDOFF_VALUES: dict[str, Callable[[Any], Any]] = {name: value for name, _, value in handoff.FIELDS}
CIN_FIELDS = ("LAchildID", "PersonBirthDate", "ExpectedPersonBirthDate", "GenderCurrent", "Ethnicity",
              "CINreferralDate", "ReferralSource", "ReferralNFA")  # fmt: skip
SSD_FIELDS = ("cont_contact_id", "cont_person_id", "cont_contact_date", "cont_contact_source_code",
              "cont_contact_source_desc", "cont_contact_outcome_json")  # fmt: skip


def _handoff_row(fields: tuple[str, ...]) -> Callable[[Any, Scope], list[str]]:
    def row(r: Any, scope: Scope) -> list[str]:
        return [str(HANDOFF_VALUES[name](r)) for name in fields]

    return row


def _annex_common(r: Any, on: datetime) -> list[str]:
    return [
        r.public_id,
        ANNEX_A_GENDER.get(r.gender, ANNEX_A_GENDER[""]),
        ANNEX_A_ETHNICITY.get(ethnicity_code(r.ethnicity), ANNEX_A_UNKNOWN_ETHNICITY),
        dmy(r.date_of_birth),
        age_years(r.date_of_birth, on),
    ]


def _annex_1_row(r: Any, scope: Scope) -> list[str]:
    return [
        *_annex_common(r, r.received_at),
        dmy(r.received_at),
        ANNEX_A_SOURCE.get(r.referral_source, "u) 10: Unknown"),
    ]


def _annex_3_row(r: Any, scope: Scope) -> list[str]:
    return [
        *_annex_common(r, r.received_at),
        dmy(r.received_at),
        ANNEX_A_SOURCE.get(r.referral_source, "u) 10: Unknown"),
        "b) No",
        str(r.earlier_referrals),
        "",  # allocated team and worker are the case system's, after the hand-off
        "",
    ]


def _early_help_children(scope: Scope) -> models.QuerySet[Any] | None:
    member = model("earlyhelp.FamilyMember")
    if member is None:
        return None
    f = scope.filters
    return (
        member._default_manager.filter(
            kind="child",
            episode__partnership=scope.partnership,
            episode__started_at__gte=f.since,
            episode__started_at__lt=f.until,
        )
        .select_related("episode")
        .order_by("episode__started_at", "pk")
    )


def _annex_2_row(m: Any, scope: Scope) -> list[str]:
    return [
        f"{m.episode.public_id}-{m.pk}",
        ANNEX_A_GENDER[""],  # early help records no gender
        ANNEX_A_UNKNOWN_ETHNICITY,  # nor ethnicity
        dmy(m.date_of_birth),
        age_years(m.date_of_birth, m.episode.started_at),
        dmy(m.episode.started_at),
        dmy(m.episode.submitted_at),
        "",  # the organisation completing it: not recorded by the episode
    ]


ANNEX_A_COMMON = ("Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)")

EXPORTS: dict[str, Export] = {
    e.key: e
    for e in (
        Export(
            "cin-referrals",
            "Referrals (Children in Need census items)",
            "Children in Need census",
            CIN_FIELDS,
            _referrals,
            _handoff_row(CIN_FIELDS),
        ),
        Export(
            "ssd-contacts",
            "Contacts (Standard Safeguarding Dataset, ssd_contacts)",
            "Standard Safeguarding Dataset",
            SSD_FIELDS,
            _contacts,
            _handoff_row(SSD_FIELDS),
        ),
        Export(
            "annex-a-1",
            "Annex A list 1: contacts",
            "Ofsted Annex A",
            (*ANNEX_A_COMMON, "Date of Contact", "Contact Source"),
            _contacts,
            _annex_1_row,
        ),
        Export(
            "annex-a-2",
            "Annex A list 2: early help assessments",
            "Ofsted Annex A",
            (*ANNEX_A_COMMON, "Assessment Start Date", "Assessment Completion Date",
             "Organisation Completing Assessment"),
            _early_help_children,
            _annex_2_row,
        ),
        Export(
            "annex-a-3",
            "Annex A list 3: referrals",
            "Ofsted Annex A",
            (*ANNEX_A_COMMON, "Referral Date", "Referral Source", "Referral NFA",
             "Number of Referrals in Last 12 Months", "Allocated Team", "Allocated Worker"),
            _referrals,
            _annex_3_row,
        ),
    )
}  # fmt: skip


class _Echo:
    """A file-like object whose write returns the line (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def stream(export: Export, rows: Iterable[Any], scope: Scope) -> Iterator[str]:
    """The CSV text, one line at a time: the header, then each row as the database cursor yields it."""
    writer = csv.writer(_Echo())
    yield writer.writerow(export.header)
    if export.queryset is _referrals:
        rows = with_earlier_referrals(rows, scope)
    for record in rows:
        yield writer.writerow(export.row(record, scope))


def rows(export: Export, scope: Scope) -> models.QuerySet[Any] | None:
    return export.queryset(scope)


def iterate(queryset: models.QuerySet[Any]) -> Iterator[Any]:
    """The rows from a server-side cursor (PostgreSQL) in chunks: never the whole list in memory."""
    return queryset.iterator(chunk_size=CHUNK)
