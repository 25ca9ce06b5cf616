"""The casework sections of a framework: what happens after the level is known.

A threshold document says more than levels and indicators. It names the front door and
its outcomes and clocks, how early help is started, reviewed and closed, how a child
steps up to social care or down to early help, how professionals escalate a
disagreement, the pathway for each specific risk, and when information may be shared
without consent. The casework apps run on these sections, so each entry is either

* the document's own words, verbatim at the lines it cites (``text`` + ``source``), or
* a **national default** where the document is silent and national guidance is not
  (``text`` + ``national``): shown to people as national guidance, never as the
  partnership's words.

Where neither speaks, the field stays empty (``null`` or ``[]``) and the product says
"the document does not say". Clocks are never written here twice: they are timescale ids
(``Framework.timescales``), and only a timescale of kind ``deadline`` can start a clock.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from continuum.frameworks.base import Identifier, NonEmptyStr, SourceRef, Strict

# The canonical front-door outcomes each framework maps its own words onto (DESIGN.md).
OutcomeCode = Literal[
    "nfa",
    "advice-signpost",
    "early-help",
    "assessment-s17",
    "strategy-s47",
    "immediate-protection",
    "open-case",
    "lado",
    "specialist-assessment",
]
OUTCOME_CODES: tuple[str, ...] = OutcomeCode.__args__  # type: ignore[attr-defined]

# Continuum's own closure codes for an early-help episode (no national code list exists).
ClosureCode = Literal["needs-met", "step-up", "moved-away", "consent-withdrawn", "no-engagement", "other"]
CLOSURE_CODES: tuple[str, ...] = ClosureCode.__args__  # type: ignore[attr-defined]

# The specific risks a document may give a pathway for.
RiskCode = Literal[
    "fgm",
    "forced-marriage-hba",
    "exploitation",
    "radicalisation",
    "missing",
    "private-fostering",
    "allegations-against-staff",
    "domestic-abuse",
    "young-carers",
    "disabled-children",
    "children-missing-education",
    "return-home-from-care",
    "youth-justice",
    "neglect",
    "pre-birth",
    "homelessness-16-17",
    "online-safety",
]
RISK_CODES: tuple[str, ...] = RiskCode.__args__  # type: ignore[attr-defined]


class NationalSource(Strict):
    """National guidance a default comes from, e.g. Working Together to Safeguard Children 2023."""

    title: NonEmptyStr  # e.g. "Working Together to Safeguard Children 2023"
    reference: NonEmptyStr  # chapter and paragraph, e.g. "chapter 2, paragraph 167"
    url: str | None = None


class Attributed(Strict):
    """Something said by the document (``source``) or, where it is silent, by national guidance (``national``)."""

    source: SourceRef | None = None
    national: NationalSource | None = None

    @model_validator(mode="after")
    def _one_authority(self) -> Attributed:
        if (self.source is None) == (self.national is None):
            raise ValueError(
                "give exactly one of 'source' (the document's lines) or 'national' (the national guidance it comes "
                "from, where the document is silent)"
            )
        return self

    @property
    def is_national(self) -> bool:
        return self.national is not None


class Statement(Attributed):
    """One thing the document says (verbatim at ``source``), or a national default (``national``).

    ``context`` frames a quote that would mislead alone, in the encoders' words.
    """

    text: NonEmptyStr
    context: str | None = None


class FrontDoorOutcome(Strict):
    """One of the document's front-door outcomes, mapped onto the canonical vocabulary."""

    code: OutcomeCode
    name: NonEmptyStr  # the document's own short name for it
    text: NonEmptyStr  # verbatim
    police: bool = False  # the police act alongside this outcome
    source: SourceRef


class Grade(Strict):
    """A RAG grade of the front door and the decision clock it starts."""

    id: Identifier  # e.g. red, amber, green
    name: NonEmptyStr
    text: NonEmptyStr  # verbatim: what the grade means
    decision: Identifier | None = None  # timescale id of the decision deadline at this grade
    outcomes: list[OutcomeCode] = Field(default_factory=list)  # outcomes the document ties to the grade
    levels: list[int] = Field(default_factory=list)  # levels the document ties to the grade
    source: SourceRef


class FrontDoorClocks(Strict):
    """The front door's clocks, as timescale ids; ``None`` where the document (and national guidance) is silent."""

    decision: Identifier | None = None  # deadline: the front door decides
    acknowledgement: Identifier | None = None  # deadline: the referrer is told the referral was received
    feedback: Identifier | None = None  # deadline: the referrer is told the outcome
    written_follow_up: Identifier | None = None  # deadline: a phoned referral is confirmed in writing
    agency_checks: Identifier | None = None  # deadline: partner agencies answer information requests
    re_referral_window: Identifier | None = None  # look-back: a contact within it is a re-referral


class FrontDoor(Strict):
    """The front door (MASH, Access and Referral Hub, Customer Service Centre ...)."""

    name: NonEmptyStr  # as the document calls it
    contact: Identifier | None = None  # contact id
    referral_levels: list[int] = Field(default_factory=list)  # levels at which a practitioner refers to it
    referral_route: list[Statement] = Field(default_factory=list)  # how to refer (phone, form, in writing)
    outcomes: list[FrontDoorOutcome] = Field(default_factory=list)
    grades: list[Grade] = Field(default_factory=list)
    clocks: FrontDoorClocks = Field(default_factory=FrontDoorClocks)
    source: SourceRef | None = None


class NamedStatement(Statement):
    """A statement that also names a thing: an assessment, a meeting, a team."""

    name: NonEmptyStr
    form: str | None = None  # the form or tool, where the document names one


class ClosureReason(Strict):
    code: ClosureCode
    text: NonEmptyStr  # verbatim
    source: SourceRef


class EarlyHelp(Strict):
    """Early help: the assessment, the team around the family, reviews, closure, step-up and step-down."""

    assessment: NamedStatement | None = None
    who_may_start: list[Statement] = Field(default_factory=list)
    consent: list[Statement] = Field(default_factory=list)
    team_around_the_family: NamedStatement | None = None
    lead_professional: list[Statement] = Field(default_factory=list)
    reviews: list[Identifier] = Field(default_factory=list)  # timescale ids (first review, review interval)
    closure: list[ClosureReason] = Field(default_factory=list)
    closure_text: list[Statement] = Field(default_factory=list)  # what the document says about closing
    step_up: list[Statement] = Field(default_factory=list)  # routes and criteria to social care
    step_down: list[Statement] = Field(default_factory=list)  # routes and criteria back to early help


class EscalationStage(Attributed):
    number: int = Field(ge=1)
    who: NonEmptyStr  # the role who acts at this stage
    how: str | None = None
    within: Identifier | None = None  # timescale id
    text: NonEmptyStr  # verbatim (or the national guidance's words)


class Escalation(Strict):
    """Resolving professional disagreement: the procedure, its stages and the partnership's contact."""

    procedure: list[Statement] = Field(default_factory=list)  # what it is and where it lives
    contacts: list[Identifier] = Field(default_factory=list)
    stages: list[EscalationStage] = Field(default_factory=list)

    @model_validator(mode="after")
    def _stages_in_order(self) -> Escalation:
        numbers = [stage.number for stage in self.stages]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"escalation stages must be numbered 1, 2, 3 ... in order; found {numbers}")
        return self


class SpecificRisk(Strict):
    """The pathway the document gives for one specific risk."""

    id: Identifier
    risk: RiskCode
    name: NonEmptyStr  # the document's heading for it
    route: list[Statement] = Field(min_length=1)  # what to do, who to tell
    contacts: list[Identifier] = Field(default_factory=list)
    timescales: list[Identifier] = Field(default_factory=list)
    indicators: list[Identifier] = Field(default_factory=list)
    rules: list[Identifier] = Field(default_factory=list)
    source: SourceRef | None = None


class InformationSharing(Strict):
    """The document's rules for sharing information with and without consent."""

    with_consent: list[Statement] = Field(default_factory=list)
    without_consent: list[Statement] = Field(default_factory=list)
    principles: list[Statement] = Field(default_factory=list)


TimescaleKind = Annotated[
    Literal["deadline", "threshold", "look-back", "frequency"],
    Field(
        description=(
            "deadline: something must be done within it (the only kind that starts a clock); "
            "threshold: a condition ('missing for over 24 hours'); look-back: a window into the past "
            "('removed in the past 12 months'); frequency: how often something recurs ('reviewed every 6 weeks')"
        )
    ),
]
