"""Which stages an escalation follows, and whose words they are.

The order of authority: the framework's own stages (``framework.escalation.stages``: the document's
words, or national guidance marked as such); where the document gives none, the stages the
partnership admin recorded (:class:`~continuum.apps.escalations.models.PartnershipProcedure`),
shown as the partnership's procedure and never as the document's words; where there is neither,
no stages, and the product says the document gives none and names where the procedure lives
(the ``escalation.procedure`` statements and contacts).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from continuum.calendar import Calendar, Within
from continuum.frameworks import LoadedFramework

DOCUMENT, PARTNERSHIP, NONE = "document", "partnership", "none"


@dataclass(frozen=True)
class StageRule:
    """One stage as it will be stored with the escalation (a snapshot: a later edit never moves an open case)."""

    number: int
    who: str
    how: str = ""
    within: str = ""  # "5 working days"; empty where no timescale is given
    within_note: str = ""  # why there is no number, e.g. the document's "without delay"
    text: str = ""  # the document's words (DOCUMENT only)
    lines: list[Any] = field(default_factory=list)
    national: str = ""  # the national guidance it comes from, where the document is silent

    def due(self, loaded: LoadedFramework, start: datetime) -> datetime | None:
        if not self.within:
            return None
        return Calendar.for_framework(loaded.framework).due(start, Within.parse(self.within))

    def reminder(self, loaded: LoadedFramework, start: datetime) -> datetime | None:
        """One unit before the deadline (the morning of the last working day), if the stage is longer than one."""
        if not self.within:
            return None
        amount = Within.parse(self.within)
        if amount.value <= 1:
            return None
        return Calendar.for_framework(loaded.framework).due(start, Within(amount.value - 1, amount.unit))


@dataclass(frozen=True)
class Where:
    """Where the procedure lives, from the document: its statements and its contacts."""

    statements: list[dict[str, Any]]
    contacts: list[dict[str, Any]]


@dataclass(frozen=True)
class Procedure:
    basis: str  # DOCUMENT, PARTNERSHIP or NONE
    stages: list[StageRule]
    where: Where
    name: str = ""  # the partnership's name for its procedure (PARTNERSHIP)
    url: str = ""  # where the partnership's procedure is published (PARTNERSHIP)

    def snapshot(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "name": self.name,
            "url": self.url,
            "stages": [asdict(stage) for stage in self.stages],
        }


def _timescales(loaded: LoadedFramework) -> dict[str, Any]:
    fw = loaded.framework
    found = {t.id: t for t in fw.timescales}
    for level in fw.levels:
        found.update({t.id: t for t in level.timescales})
    return found


def where_it_lives(loaded: LoadedFramework) -> Where:
    escalation = loaded.framework.escalation
    if escalation is None:
        return Where([], [])
    contacts = {c.id: c for c in loaded.framework.contacts}
    return Where(
        [
            {"text": s.text, "context": s.context or "", "lines": list(s.source.lines) if s.source else []}
            for s in escalation.procedure
        ],
        [contacts[c].model_dump(exclude_none=True) for c in escalation.contacts if c in contacts],
    )


def document_stages(loaded: LoadedFramework) -> list[StageRule]:
    escalation = loaded.framework.escalation
    if escalation is None:
        return []
    timescales = _timescales(loaded)
    rules = []
    for stage in escalation.stages:
        timescale = timescales.get(stage.within) if stage.within else None
        within = str(Within.of(timescale.within)) if timescale is not None and timescale.within is not None else ""
        note = timescale.text if timescale is not None and timescale.within is None else ""
        rules.append(
            StageRule(
                number=stage.number,
                who=stage.who,
                how=stage.how or "",
                within=within,
                within_note=note,
                text=stage.text,
                lines=list(stage.source.lines) if stage.source else [],
                national=f"{stage.national.title}, {stage.national.reference}" if stage.national else "",
            )
        )
    return rules


def partnership_stages(setting: Any) -> list[StageRule]:
    return [
        StageRule(number=i, who=s["who"], how=s.get("how", ""), within=s.get("within", ""))
        for i, s in enumerate(setting.stages, start=1)
    ]


def procedure_for(loaded: LoadedFramework, setting: Any | None) -> Procedure:
    """The stages an escalation raised now in this partnership follows (``setting``: its PartnershipProcedure)."""
    where = where_it_lives(loaded)
    stages = document_stages(loaded)
    if stages:
        return Procedure(DOCUMENT, stages, where)
    if setting is not None and setting.stages:
        return Procedure(PARTNERSHIP, partnership_stages(setting), where, setting.name, setting.url)
    return Procedure(NONE, [], where)
