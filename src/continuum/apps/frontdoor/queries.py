"""Reads at the front door, scoped by ``visible_to(actor)``: the queue and one contact's triage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from continuum.apps.accounts.actor import Actor
from continuum.apps.frontdoor import clocks
from continuum.apps.frontdoor.models import State, Triage
from continuum.apps.govuk.text import whole_number

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, from the query string (a form with GET: no JavaScript needed)."""

    rag: str = ""  # red | amber | green | none
    level: int | None = None  # the referrer's level
    agency: str = ""  # the referrer's agency, as its national referral-source code
    unclaimed: bool = False
    mine: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        rag = query.get("rag", "")
        level = query.get("level", "")
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            rag=rag if rag in {r.value for r in clocks.Rag} else "",
            level=whole_number(level),
            agency=query.get("agency", "").strip()[:200],
            unclaimed=query.get("unclaimed") == "1",
            mine=query.get("mine") == "1",
            page=page,
        )


def queue(actor: Actor, filters: QueueFilters, now: datetime) -> QuerySet[Triage]:
    """The actor's partnership's open contacts, by deadline (none last), filtered."""
    rows = Triage.objects.visible_to(actor).filter(~Q(state=State.DECIDED))
    if filters.rag == clocks.Rag.RED:
        rows = rows.filter(due_at__lte=now)
    elif filters.rag == clocks.Rag.AMBER:
        rows = rows.filter(due_at__gt=now, amber_at__lte=now)
    elif filters.rag == clocks.Rag.GREEN:
        rows = rows.filter(due_at__gt=now).filter(Q(amber_at__gt=now) | Q(amber_at__isnull=True))
    elif filters.rag == clocks.Rag.NONE:
        rows = rows.filter(due_at__isnull=True)
    if filters.level is not None:
        rows = rows.filter(referrer_level=filters.level)
    if filters.agency:
        rows = rows.filter(referral_source=filters.agency)
    if filters.unclaimed:
        # Not claimed ⇔ state "new" (the check constraint frontdoor_triage_claim_complete). On the state the
        # planner walks the queue's index in deadline order; on claimed_by IS NULL it misjudged how many rows
        # match and sorted every open contact (100 ms at a million contacts).
        rows = rows.filter(state=State.NEW)
    if filters.mine:
        rows = rows.filter(claimed_by=actor.user)
    return rows.select_related("referral", "claimed_by").order_by(F("due_at").asc(nulls_last=True), "id")


# What a queue row shows: the rest of the referral is not read for the list.
QUEUE_COLUMNS = (
    "id", "partnership", "state", "due_at", "amber_at", "frontdoor_level", "claimed_by",
    "referral__public_id", "referral__child_first_name", "referral__child_last_name",
    "referral__referrer_agency", "referral__referrer_level", "referral__referrer_level_name",
    "claimed_by__username", "claimed_by__first_name", "claimed_by__last_name",
)  # fmt: skip

RAG_TAGS = {
    clocks.Rag.RED: "govuk-tag--red",
    clocks.Rag.AMBER: "govuk-tag--orange",
    clocks.Rag.GREEN: "govuk-tag--green",
    clocks.Rag.NONE: "govuk-tag--grey",
}


@dataclass
class Row:
    triage: Triage
    rag: clocks.Rag
    rag_label: str
    time_left: str
    claimed_by: str
    url: str = ""

    @property
    def tag_class(self) -> str:
        return RAG_TAGS[self.rag]


def page_of(actor: Actor, filters: QueueFilters, now: datetime, framework: Any) -> tuple[list[Row], bool]:
    """One page of the queue with RAG and working time left per row; and whether there is a next page."""
    from continuum.apps.frontdoor.services import person_name

    start = (filters.page - 1) * PAGE_SIZE
    # Two steps: the page's ids from the triage table alone (its index, in deadline order), then those rows
    # with their referral and claimant. Joining first made a filter the planner misjudged (amber, a late
    # page) join every matching contact before the sort and the limit.
    ordered = queue(actor, filters, now)
    ids = list(ordered.values_list("id", flat=True)[start : start + PAGE_SIZE + 1])
    by_id = {t.pk: t for t in ordered.filter(pk__in=ids).only(*QUEUE_COLUMNS).order_by()}
    found = [by_id[pk] for pk in ids if pk in by_id]
    from django.urls import reverse

    calendar = clocks.calendar_for(actor.partnership or "", framework)
    contact = reverse("frontdoor:contact", kwargs={"public_id": "REFERENCE"})
    rows = []
    for triage in found[:PAGE_SIZE]:
        rag = clocks.rag(triage.due_at, triage.amber_at, now)
        rows.append(
            Row(
                triage=triage,
                rag=rag,
                rag_label=clocks.RAG_LABELS[rag],
                time_left=clocks.time_left(calendar, triage.due_at, now),
                claimed_by=person_name(triage.claimed_by) if triage.claimed_by_id else "",
                url=contact.replace("REFERENCE", triage.referral.public_id),
            )
        )
    return rows, len(found) > PAGE_SIZE


def triage_for(actor: Actor, public_id: str) -> Triage | None:
    """The contact ``public_id`` if the actor may see it."""
    return (
        Triage.objects.visible_to(actor)
        .select_related("referral", "claimed_by", "decided_by", "earlier")
        .filter(referral__public_id=public_id)
        .first()
    )


def referral_sources() -> list[tuple[str, str]]:
    """The national referral-source codes (the agency filter's choices), as the referrals app lists them."""
    from continuum.apps.referrals import codes

    return [(code, f"{code}: {label}") for code, label in codes.REFERRAL_SOURCES]
