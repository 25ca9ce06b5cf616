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

from django.db import models
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    Func,
    Max,
    Q,
    ValueRange,
    When,
    Window,
)
from django.db.models.functions import Upper

from continuum.apps.referrals import handoff
from continuum.apps.referrals.codes import REFERRAL_SOURCE_LABELS
from continuum.apps.reports.queries import RE_REFERRAL_WINDOW, STATUTORY_OUTCOMES, Scope, in_scope, model
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


class _Microseconds(Func):
    """A moment as whole microseconds since 1970 (an integer, so a window's frame can be 365 days wide exactly)."""

    output_field = BigIntegerField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(EXTRACT(EPOCH FROM {sql}) * 1000000)::bigint", params

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])  # stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC
        return (
            f"(unixepoch({sql}) * 1000000 + CASE WHEN length({sql}) > 19 "
            f"THEN CAST(substr({sql} || '000000', 21, 6) AS INTEGER) ELSE 0 END)",
            params * 3,
        )


class _Before(ValueRange):
    """``RANGE BETWEEN n PRECEDING AND CURRENT ROW``: PostgreSQL has taken an offset with RANGE since
    version 11, but Django's PostgreSQL backend still refuses one, so the frame is written here."""

    def window_frame_start_end(self, connection: Any, start: int | None, end: int | None) -> Any:
        return f"{abs(start or 0)} {connection.ops.PRECEDING}", connection.ops.CURRENT_ROW


class _Moment(ValueRange):
    """``RANGE BETWEEN CURRENT ROW AND CURRENT ROW``: the rows at the same moment (peers)."""

    def window_frame_start_end(self, connection: Any, start: int | None, end: int | None) -> Any:
        return connection.ops.CURRENT_ROW, connection.ops.CURRENT_ROW


def _referrals(scope: Scope) -> models.QuerySet[Any] | None:
    """Contacts the front door decided to be referrals to social care, with the count of earlier referrals.

    The count is three window functions over the partnership's referrals from a year before the range to
    its end, one pass in received order (no per-row lookup): earlier referrals with the same NHS number,
    plus those with the same name and date of birth, less those matching both (counted once). The frame
    is the 365 days before the referral, excluding the moment itself. The range and the level, tier and
    agency filters then pick the rows listed (as a window flag, so they apply after the counting)."""
    scoped = _contacts(scope)
    if scoped is None or model("frontdoor.Triage") is None:
        return None
    referral = scoped.model
    f = scope.filters
    population = referral._default_manager.filter(
        partnership=scope.partnership,
        triage__outcome_code__in=STATUTORY_OUTCOMES,
        received_at__gte=f.since - RE_REFERRAL_WINDOW,
        received_at__lt=f.until,
    )
    # Without a frame exclusion (which makes PostgreSQL recount each row's whole frame): the referrals of the
    # 365 days up to and including the moment, less those at the moment itself (the referral among them).
    frame = _Before(start=-int(RE_REFERRAL_WINDOW.total_seconds() * 1_000_000), end=0)
    moment = _Moment(start=0, end=0)
    order = _Microseconds(F("received_at")).asc()
    has_nhs, has_birth = ~Q(nhs_number=""), Q(date_of_birth__isnull=False)
    name_and_birth = [Upper("child_first_name"), Upper("child_last_name"), F("date_of_birth")]

    def earlier(partition: list[Any], counted: Q) -> Any:
        within = Window(Count("pk", filter=counted), partition_by=partition, order_by=order, frame=frame)
        at_once = Window(Count("pk", filter=counted), partition_by=partition, order_by=order, frame=moment)
        return within - at_once

    listed = Window(Max(Case(When(in_scope(scope), then=1), default=0)), partition_by=[F("pk")])
    return (
        population.annotate(
            earlier_referrals=earlier([F("nhs_number")], has_nhs)
            + earlier(name_and_birth, has_birth)
            - earlier([F("nhs_number"), *name_and_birth], has_nhs & has_birth),
            listed=listed,
        )
        .filter(listed=1)
        .select_related("triage")
        .order_by("received_at", "pk")
    )


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
    for record in rows:
        yield writer.writerow(export.row(record, scope))


def rows(export: Export, scope: Scope) -> models.QuerySet[Any] | None:
    return export.queryset(scope)


def iterate(queryset: models.QuerySet[Any]) -> Iterator[Any]:
    """The rows from a server-side cursor (PostgreSQL) in chunks: never the whole list in memory."""
    return queryset.iterator(chunk_size=CHUNK)
