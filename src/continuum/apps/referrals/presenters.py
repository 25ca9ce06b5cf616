"""What the pages and emails say about a partnership's front door, from the framework (or that it is silent)."""

from __future__ import annotations

from dataclasses import dataclass

from continuum.apps.partnerships.catalogue import catalogue
from continuum.apps.referrals import clocks


@dataclass(frozen=True)
class Next:
    """What happens after a referral is sent: who decides, and by when, in the document's terms."""

    front_door: str
    decision: str  # e.g. "within 1 working day (national guidance)", or "the document does not say"
    decision_text: str  # the document's words for the clock ("" where it has none)
    acknowledgement: str
    route: list[str]


def what_happens_next(partnership: str) -> Next:
    loaded = catalogue().get(partnership)
    if loaded is None or loaded.framework.front_door is None:
        return Next("the partnership's front door", clocks.NO_CLOCK, "", clocks.NO_CLOCK, [])
    front_door = loaded.framework.front_door
    decision = clocks.clock(loaded.framework, "decision")
    ack = clocks.clock(loaded.framework, "acknowledgement")
    return Next(
        front_door=front_door.name,
        decision=f"within {decision.words}" if decision else clocks.NO_CLOCK,
        decision_text=decision.text if decision else "",
        acknowledgement=f"within {ack.words}" if ack else clocks.NO_CLOCK,
        route=[s.text for s in front_door.referral_route],
    )
