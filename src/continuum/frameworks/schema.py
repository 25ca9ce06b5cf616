"""The typed schema of a partnership's framework file (``frameworks/<id>/framework.yaml``).

The schema is designed against the shapes of all five seed documents:

* per-level bullet lists grouped in domains (seeds 000, 001);
* a ladder matrix whose rows are graded across every level (seed 002);
* example rows, each with indicators and a response at one level (seed 003);
* paragraph descriptors per level (seed 004).

Every shape reduces to *indicators* (one verbatim statement, at one level, in one
domain) optionally grouped into *rows* (a table row of the document: a ladder row, an
example row, a paragraph block) so that the document's own structure is kept.

Only structure is checked here; references between parts (a rule naming an indicator,
an indicator naming a domain, source lines inside the document) are checked by
:mod:`continuum.frameworks.validation`, which knows where each value sits in the file.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from continuum.frameworks.base import Identifier, NonEmptyStr, SourceRef, Strict
from continuum.frameworks.casework import (
    Attributed,
    EarlyHelp,
    Escalation,
    FrontDoor,
    InformationSharing,
    SpecificRisk,
    TimescaleKind,
)


class Tier(StrEnum):
    """The common vocabulary every level maps onto, whatever the document calls it."""

    UNIVERSAL = "universal"
    EARLY_HELP = "early-help"
    CHILD_IN_NEED = "child-in-need"  # Children Act 1989 s17
    CHILD_PROTECTION = "child-protection"  # Children Act 1989 s47
    LOOKED_AFTER = "looked-after"  # Children Act 1989 s20 / s31


TIER_ORDER: tuple[Tier, ...] = tuple(Tier)


class Fact(StrEnum):
    """Key facts about the child that rules may test; generic across partnerships."""

    UNBORN = "unborn"
    NON_MOBILE = "non_mobile"  # a baby who is not yet independently mobile
    DISABLED = "disabled"
    LOOKED_AFTER = "looked_after"
    CHILD_PROTECTION_PLAN = "child_protection_plan"
    CHILD_IN_NEED_PLAN = "child_in_need_plan"
    EARLY_HELP_PLAN = "early_help_plan"
    CARE_LEAVER = "care_leaver"
    YOUNG_CARER = "young_carer"
    IN_IMMEDIATE_DANGER = "in_immediate_danger"  # the practitioner records that the child is in danger now


# How the generic key facts read to a person: (label, hint). The vocabulary is the engine's.
FACT_LABELS: dict[str, tuple[str, str]] = {
    Fact.UNBORN.value: ("Unborn", "The mother is pregnant and the concern is for the unborn baby."),
    Fact.NON_MOBILE.value: ("A baby who is not yet mobile", "Cannot yet crawl, bottom-shuffle, pull to stand or walk."),
    Fact.DISABLED.value: ("Disabled", "The child has a disability."),
    Fact.LOOKED_AFTER.value: ("Looked after", "The child is in the care of the local authority."),
    Fact.CHILD_PROTECTION_PLAN.value: ("On a child protection plan", ""),
    Fact.CHILD_IN_NEED_PLAN.value: ("On a child in need plan", ""),
    Fact.EARLY_HELP_PLAN.value: ("Already has an early help plan", ""),
    Fact.CARE_LEAVER.value: ("A care leaver", "A young person who used to be looked after."),
    Fact.YOUNG_CARER.value: ("A young carer", "The child looks after a family member."),
    Fact.IN_IMMEDIATE_DANGER.value: (
        "In immediate danger now",
        "The child is at immediate risk of harm at this moment: call 999 first.",
    ),
}


def fact_label(name: str) -> tuple[str, str]:
    """A key fact's (label, hint) for people; an unknown name is spelled out."""
    return FACT_LABELS.get(name, (name.replace("_", " ").capitalize(), ""))


class SourceDocument(Strict):
    document: NonEmptyStr  # the seed's file name, e.g. 000_1d624d2a2d71a0c8.txt
    file: str = "source.txt"  # its copy beside framework.yaml, used to check line numbers
    title: NonEmptyStr
    publisher: str | None = None
    date: str | None = None  # as the document states it; null when it states none
    url: str | None = None


class Note(Strict):
    """Something the document gets wrong, contradicts or leaves open. Never silently fixed."""

    id: Identifier
    kind: Literal["defect", "contradiction", "ambiguity", "omission", "encoding"]
    text: NonEmptyStr
    source: SourceRef | None = None


class Amount(Strict):
    value: float = Field(gt=0)
    unit: Literal["minutes", "hours", "working-hours", "days", "working-days", "weeks", "months"]


class Timescale(Attributed):
    """A time the document states, and what kind of time it is.

    Only ``kind: deadline`` may start a clock; thresholds, look-back windows and
    frequencies are times of another kind. ``source`` cites the document; ``national``
    marks a default from national guidance where the document is silent (framework-wide
    timescales only, never a level's).
    """

    id: Identifier
    kind: TimescaleKind | None = None  # None: not classified (a file older than 2.0.0), so never a clock
    what: NonEmptyStr  # e.g. "front door decision"
    within: Amount | None = None  # null when the document gives no number ("without delay")
    text: NonEmptyStr  # verbatim from the document (or the national guidance's words)
    applies_from: str | None = None  # the event the clock starts from, e.g. "referral received"


class ConsentException(Strict):
    """A situation in which the consent rule does not hold, quoted verbatim.

    ``context`` frames a quote that would mislead alone: an item of a "do not" list,
    or the end of a sentence ("you do not need a parent's consent if ...").
    """

    text: NonEmptyStr  # verbatim
    context: str | None = None
    source: SourceRef


class Consent(Strict):
    """The consent rule at a level.

    * ``required`` — consent is needed before a referral / information is shared;
    * ``seek-unless-risk`` — seek consent, except where doing so would increase risk;
    * ``inform`` — no consent needed, but tell the family unless that increases risk;
    * ``not-required`` — share without consent (e.g. child protection) where justified.
    """

    rule: Literal["required", "seek-unless-risk", "inform", "not-required"]
    summary: NonEmptyStr  # verbatim or close paraphrase with source
    parents_told_first: bool | None = None
    exceptions: list[ConsentException] = Field(default_factory=list)
    source: SourceRef


class Condition(Strict):
    """A small declarative condition language over a selection.

    Exactly one key is given:

    * ``any_of`` / ``all_of`` — indicator ids (at least one / every one selected);
    * ``at_least`` — at least ``count`` selected concern indicators matching a filter;
    * ``fact`` — a key fact about the child is true (see :class:`Fact`);
    * ``age_under`` / ``age_at_least`` — the child's age in years;
    * ``any`` / ``all`` / ``not`` — combinators.
    """

    any_of: list[Identifier] | None = None
    all_of: list[Identifier] | None = None
    at_least: CountCondition | None = None
    fact: Fact | None = None
    age_under: float | None = None
    age_at_least: float | None = None
    any: list[Condition] | None = None
    all: list[Condition] | None = None
    not_: Condition | None = Field(default=None, alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if len(given) != 1:
            keys = "any_of, all_of, at_least, fact, age_under, age_at_least, any, all, not"
            found = ", ".join("not" if g == "not_" else g for g in given) or "none"
            raise ValueError(f"a condition takes exactly one of {keys}; found {found}")
        return self


class CountCondition(Strict):
    count: int = Field(ge=1)
    level: int | None = None  # only concerns at this level
    min_level: int | None = None  # only concerns at this level or above
    domains: list[Identifier] | None = None  # only concerns in these domains
    tags: list[Identifier] | None = None  # only concerns carrying one of these tags
    ids: list[Identifier] | None = None  # only these indicators
    distinct_domains: bool = False  # count domains, not indicators


Condition.model_rebuild()


class Effect(Strict):
    """What a rule does when its condition holds."""

    raise_to: int | None = None  # the level becomes at least this
    consider: int | None = None  # prompt the practitioner to consider this level
    immediate_danger: bool = False
    tier: Tier | None = None  # selects a tier when the level spans two
    # the document names this situation as one where consent is not sought and parents are not
    # told first (e.g. suspected forced marriage, FGM, sexual abuse): the result's consent says so
    consent_exception: bool = False
    prompt: str | None = None  # what the practitioner is told

    @model_validator(mode="after")
    def _does_something(self) -> Effect:
        if (
            self.raise_to is None
            and self.consider is None
            and not self.immediate_danger
            and self.tier is None
            and not self.consent_exception
        ):
            raise ValueError("a rule's 'then' needs raise_to, consider, immediate_danger, tier or consent_exception")
        if self.consider is not None and not self.prompt:
            raise ValueError("'consider' needs a 'prompt' telling the practitioner what to weigh")
        return self


class Rule(Strict):
    id: Identifier
    kind: Literal["immediate-danger", "statutory-trigger", "accumulation", "tier-split", "prompt"]
    name: NonEmptyStr
    text: NonEmptyStr  # the document's words
    when: Condition
    then: Effect
    source: SourceRef
    notes: list[str] = Field(default_factory=list)


class TierSplit(Strict):
    """How to tell the tiers apart when one level spans two (e.g. CIN vs CP)."""

    default: Tier
    rules: list[Identifier] = Field(default_factory=list)  # tier-split rules, first match wins
    text: str | None = None
    source: SourceRef | None = None


class Level(Strict):
    number: int = Field(ge=0, le=9)
    name: NonEmptyStr  # exactly as the document names it
    aliases: list[NonEmptyStr] = Field(default_factory=list)
    tiers: list[Tier] = Field(min_length=1)
    tier_split: TierSplit | None = None
    description: NonEmptyStr  # verbatim
    criteria: list[NonEmptyStr] = Field(default_factory=list)  # level criteria bullets, verbatim
    lead: str | None = None  # who leads at this level
    assessment: str | None = None  # which assessment or form
    actions: list[NonEmptyStr] = Field(default_factory=list)  # what the practitioner does now
    response: list[NonEmptyStr] = Field(default_factory=list)  # the partnership's response
    services: list[NonEmptyStr] = Field(default_factory=list)  # example services
    contacts: list[Identifier] = Field(default_factory=list)
    consent: Consent | None = None
    timescales: list[Timescale] = Field(default_factory=list)
    source: SourceRef
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _split_when_spanning(self) -> Level:
        if len(set(self.tiers)) != len(self.tiers):
            raise ValueError("tiers repeat")
        if len(self.tiers) > 1 and self.tier_split is None:
            raise ValueError("a level spanning several tiers needs a tier_split saying how to tell them apart")
        if self.tier_split is not None and self.tier_split.default not in self.tiers:
            raise ValueError("tier_split.default must be one of the level's tiers")
        return self


class Domain(Strict):
    id: Identifier
    name: NonEmptyStr  # as the document heads it
    parent: Identifier | None = None  # for sub-domains
    source: SourceRef | None = None


class Row(Strict):
    """A row of the document's table: a ladder row, an example row, a paragraph block."""

    id: Identifier
    domain: Identifier | None = None
    level: int | None = None  # for rows that sit at one level (example rows)
    label: str | None = None  # the row's heading, if any
    example: str | None = None  # the document's example situation, verbatim
    response: list[NonEmptyStr] = Field(default_factory=list)  # the document's response, verbatim
    source: SourceRef


class IndicatorContext(Strict):
    """The context a row of the document gives an indicator that it does not repeat.

    Some documents print a sign ("Isolated", "Substance misuse") in a row about a specific
    situation (a pregnancy, a risk of FGM). Selected alone, such a sign would read as that
    row's level; it counts at ``level`` only when ``when`` holds, otherwise at ``otherwise``,
    and the practitioner is asked ``prompt``. The indicator keeps the document's level.
    """

    when: Condition
    otherwise: int
    prompt: NonEmptyStr
    source: SourceRef | None = None


class Indicator(Strict):
    id: Identifier  # stable, position-based; never reused
    level: int
    domain: Identifier
    row: Identifier | None = None
    text: NonEmptyStr  # verbatim from the document
    protective: bool = False
    tags: list[Identifier] = Field(default_factory=list)
    context: IndicatorContext | None = None  # see IndicatorContext
    source: SourceRef
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _context_lowers(self) -> Indicator:
        if self.context is not None and self.context.otherwise >= self.level:
            raise ValueError("context.otherwise must be below the indicator's own level")
        return self


class Contact(Strict):
    id: Identifier
    name: NonEmptyStr
    purpose: str | None = None
    phone: str | None = None  # as printed, even if malformed (say so in notes)
    email: str | None = None
    url: str | None = None
    address: str | None = None
    hours: str | None = None
    out_of_hours: OutOfHours | None = None
    levels: list[int] = Field(default_factory=list)
    source: SourceRef
    notes: list[str] = Field(default_factory=list)


class OutOfHours(Strict):
    name: NonEmptyStr
    phone: str | None = None
    email: str | None = None
    hours: str | None = None
    source: SourceRef | None = None


Contact.model_rebuild()


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class DayHours(Strict):
    opens: ClockTime
    closes: ClockTime


class OfficeHours(Strict):
    """The front door's working hours, for deadlines in working time.

    ``opens``/``closes`` apply to every day in ``days`` unless ``by_day`` gives that day
    its own hours (e.g. an earlier close on Fridays).
    """

    days: list[Weekday] = Field(min_length=1)
    opens: ClockTime
    closes: ClockTime
    by_day: dict[Weekday, DayHours] = Field(default_factory=dict)
    text: str | None = None
    source: SourceRef | None = None

    @model_validator(mode="after")
    def _consistent(self) -> OfficeHours:
        if self.opens >= self.closes:
            raise ValueError("'opens' must be before 'closes'")
        for day, hours in self.by_day.items():
            if day not in self.days:
                raise ValueError(f"by_day gives hours for {day}, which is not one of 'days'")
            if hours.opens >= hours.closes:
                raise ValueError(f"by_day.{day}: 'opens' must be before 'closes'")
        return self


class Vignette(Strict):
    """An example with an expected answer: the document's own, or derived from its text.

    ``origin: document`` marks an example the document itself gives a level for;
    ``derived`` marks one built from the document's explicit statements (a single
    indicator at its level, a stated trigger), cited by ``source``.
    """

    id: Identifier
    origin: Literal["document", "derived"]
    description: NonEmptyStr
    text: str | None = None  # the situation in words, for free-text matching
    indicators: list[Identifier] = Field(default_factory=list)
    protective: list[Identifier] = Field(default_factory=list)
    facts: dict[Fact, bool] = Field(default_factory=dict)
    age_years: float | None = None
    expect_level: int
    expect_tier: Tier | None = None
    expect_immediate_danger: bool | None = None
    expect_rules: list[Identifier] = Field(default_factory=list)
    expect_not_rules: list[Identifier] = Field(default_factory=list)  # rules that must not hold
    expect_parents_told_first: bool | None = None  # the consent the result gives
    source: SourceRef


class Framework(Strict):
    id: Identifier
    name: NonEmptyStr
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    source: SourceDocument
    levels: list[Level] = Field(min_length=1)
    domains: list[Domain] = Field(min_length=1)
    rows: list[Row] = Field(default_factory=list)
    indicators: list[Indicator] = Field(min_length=1)
    rules: list[Rule] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    office_hours: OfficeHours | None = None
    timescales: list[Timescale] = Field(default_factory=list)  # not tied to one level
    notes: list[Note] = Field(default_factory=list)
    vignettes: list[Vignette] = Field(default_factory=list)
    immediate_danger: ImmediateDanger
    # The casework sections (continuum.frameworks.casework): empty where the document is silent.
    front_door: FrontDoor | None = None
    early_help: EarlyHelp | None = None
    escalation: Escalation | None = None
    specific_risks: list[SpecificRisk] = Field(default_factory=list)
    information_sharing: InformationSharing | None = None
    # Ids used by an earlier version and withdrawn: never to be used again for anything else.
    retired_ids: list[Identifier] = Field(default_factory=list)


class ImmediateDanger(Strict):
    """What the document says to do when a child is in immediate danger (999 first)."""

    text: NonEmptyStr  # verbatim
    actions: list[NonEmptyStr] = Field(min_length=1)
    source: SourceRef


Framework.model_rebuild()
