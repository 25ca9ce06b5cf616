"""What the API takes and gives. Responses keep the shapes of the command line's ``--json`` (DESIGN.md):
the keys named there are typed; the rest of each object passes through (``extra="allow"``), so
adding a key to the engine's result never breaks a client, and the OpenAPI document says which
keys are always there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from continuum.frameworks.schema import Fact

TEXT_MAX = 10_000  # characters of free text
IDS_MAX = 500  # indicators in one selection


def _no_nul(value: str) -> str:
    """Text is stored (PostgreSQL refuses NUL in text and JSON), so it is refused at the door."""
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class Open(BaseModel):
    """An object that may carry more keys than those listed (a plain pydantic model: ninja's
    ``Schema`` reads attributes, which drops the extra keys)."""

    model_config = ConfigDict(extra="allow")


# --- frameworks ----------------------------------------------------------------------------


class FrameworkSummary(Schema):
    """One row of ``continuum frameworks list --json``."""

    id: str
    name: str
    version: str
    hash: str
    levels: int
    indicators: int


class LevelOut(Open):
    number: int
    name: str
    tiers: list[str]


class IndicatorOut(Open):
    id: str
    level: int
    domain: str
    text: str
    source: dict[str, Any] | None = None


class FrameworkOut(Open):
    """``continuum frameworks show ID --json``: the whole framework, with its content hash."""

    id: str
    name: str
    version: str
    hash: str
    levels: list[LevelOut]
    indicators: list[IndicatorOut]


# --- assess and match ------------------------------------------------------------------------


class Selection(Schema):
    """What a practitioner says about the child: indicators, strengths, key facts, age and/or words."""

    framework: str = Field(min_length=1, max_length=100, description="A framework id (GET /frameworks).")
    indicators: list[str] = Field(default_factory=list, max_length=IDS_MAX, description="Indicator ids of concerns.")
    protective: list[str] = Field(default_factory=list, max_length=IDS_MAX, description="Protective factors' ids.")
    facts: dict[Fact, bool] = Field(default_factory=dict, description='Key facts, e.g. {"non_mobile": true}.')
    age_years: float | None = Field(default=None, ge=0, le=25)
    text: Text | None = Field(
        default=None,
        max_length=TEXT_MAX,
        description="The worry in the practitioner's own words; the indicators it describes join the selection.",
    )


class FrameworkHeader(Open):
    id: str
    name: str
    version: str
    hash: str


class RecommendedLevel(Open):
    number: int
    name: str
    tiers: list[str]


class AskAbout(Open):
    domain: str
    name: str


class NotEnough(Open):
    """The words select nothing to set a level by: what to tell us more about (the framework's domains)."""

    message: str = Field(description='"Not enough in these words to set a level — tell us more about: …"')
    ask_about: list[AskAbout]


class TextReading(Open):
    """With ``text``: how the words were read (mode, matches, near misses, facts, conclusion)."""

    not_enough: NotEnough | None = Field(
        default=None,
        description="Set when the words select nothing and conclude nothing: no level is set from them; "
        "`recommended_level` is then only the engine's answer for what was given explicitly.",
    )


class AssessmentOut(Open):
    """The engine's result, as ``continuum assess --json`` prints it."""

    framework: FrameworkHeader
    recommended_level: RecommendedLevel
    immediate_danger: dict[str, Any]
    drivers: list[dict[str, Any]]
    rules_fired: list[dict[str, Any]]
    protective_factors: list[dict[str, Any]]
    unanswered: list[dict[str, Any]]
    actions: list[str]
    contacts: list[dict[str, Any]]
    consent: dict[str, Any] | None
    timescales: list[dict[str, Any]]
    trace: list[dict[str, Any]]
    engine_version: str
    text: TextReading | None = Field(default=None, description="Only with `text` in the request.")

    @model_serializer(mode="wrap")
    def _text_only_when_read(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        """``text`` is there only when the request had words (the engine's shape without them).

        No return annotation on purpose: with one, the OpenAPI document would show this object
        as whatever the annotation says instead of its fields."""
        data: dict[str, Any] = handler(self)
        if data.get("text") is None:
            data.pop("text", None)
        return data


class MatchIn(Schema):
    framework: str = Field(min_length=1, max_length=100)
    text: Text = Field(min_length=1, max_length=TEXT_MAX, description="The worry in the practitioner's own words.")
    top: int = Field(default=5, ge=1, le=100, description="How many indicators, best first.")


class MatchResult(Open):
    indicator: str
    text: str
    level: int | None
    domain: str
    score: float


class MatchOut(Open):
    """``continuum match --json``: the indicators the words describe, best first."""

    framework: str
    query: str
    results: list[MatchResult]
    not_enough: NotEnough | None = Field(
        default=None, description="Set when these words would select nothing to set a level by."
    )


# --- checks ------------------------------------------------------------------------------------


class CheckIn(Schema):
    """A check to store: the selection (as for assess) and the practitioner's words, kept with it."""

    framework: str = Field(min_length=1, max_length=100)
    indicators: list[str] = Field(default_factory=list, max_length=IDS_MAX)
    protective: list[str] = Field(default_factory=list, max_length=IDS_MAX)
    facts: dict[Fact, bool] = Field(default_factory=dict, description='Key facts, e.g. {"non_mobile": true}.')
    age_years: float | None = Field(default=None, ge=0, le=25)
    text: Text = Field(default="", max_length=TEXT_MAX, description="The practitioner's words, stored as they are.")


class CheckOut(Schema):
    """A stored check: its recommendation, the practitioner's judgement, whether it was sent."""

    id: str = Field(description="The check's public reference.")
    created_at: datetime
    framework: FrameworkHeader
    recommended_level: int
    recommended_level_name: str
    immediate_danger: bool
    judgement: str = Field(description="'' (not yet), 'agree' or 'own'.")
    decided_level: int | None = Field(description="The level of the first judgement, as first recorded.")
    level_in_force: int | None = Field(
        description="The level decided now: the latest change of mind's, else the first judgement's (null: not judged)."
    )
    sent_to_partnership: str
    sent_at: datetime | None
    result: AssessmentOut
