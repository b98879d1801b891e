"""Programme states and the legal transitions between them.

INVITED -> SCREENING -> AWAITING_CLEARANCE -> ACTIVE <-> PAUSED -> COMPLETED or
DISCHARGED. No programme becomes ACTIVE without a recorded physician clearance, and only a
clinician resumes a paused programme (product.md "Clearance"; issue 3 §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from walkrx.core.errors import IllegalTransition


class ProgrammeState(StrEnum):
    """Where a patient's walking programme stands."""

    INVITED = "INVITED"
    SCREENING = "SCREENING"
    AWAITING_CLEARANCE = "AWAITING_CLEARANCE"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    COMPLETED = "COMPLETED"
    DISCHARGED = "DISCHARGED"

    @property
    def is_final(self) -> bool:
        """COMPLETED and DISCHARGED accept no further events."""
        return self in (ProgrammeState.COMPLETED, ProgrammeState.DISCHARGED)


class ProgrammeEvent(StrEnum):
    """Something that happened to a programme."""

    START_SCREENING = "START_SCREENING"
    SCREENING_DONE = "SCREENING_DONE"
    ACTIVATE = "ACTIVATE"
    RED_FLAG = "RED_FLAG"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    COMPLETE = "COMPLETE"
    DISCHARGE = "DISCHARGE"


@dataclass(frozen=True, slots=True)
class _Rule:
    target: ProgrammeState
    clinician_only: bool = False
    needs_clearance: bool = False


_S = ProgrammeState
_E = ProgrammeEvent

_RULES: dict[tuple[ProgrammeState, ProgrammeEvent], _Rule] = {
    (_S.INVITED, _E.START_SCREENING): _Rule(_S.SCREENING),
    (_S.SCREENING, _E.SCREENING_DONE): _Rule(_S.AWAITING_CLEARANCE),
    (_S.AWAITING_CLEARANCE, _E.ACTIVATE): _Rule(_S.ACTIVE, True, True),
    (_S.ACTIVE, _E.RED_FLAG): _Rule(_S.PAUSED),
    # A further flag while paused keeps the programme paused rather than failing.
    (_S.PAUSED, _E.RED_FLAG): _Rule(_S.PAUSED),
    (_S.ACTIVE, _E.PAUSE): _Rule(_S.PAUSED),
    (_S.PAUSED, _E.RESUME): _Rule(_S.ACTIVE, True, True),
    (_S.ACTIVE, _E.COMPLETE): _Rule(_S.COMPLETED, True),
    (_S.PAUSED, _E.COMPLETE): _Rule(_S.COMPLETED, True),
    **{
        (state, _E.DISCHARGE): _Rule(_S.DISCHARGED, True)
        for state in ProgrammeState
        if not state.is_final
    },
}


def allowed_events(state: ProgrammeState) -> tuple[ProgrammeEvent, ...]:
    """Events that can apply to `state` for some actor (for building menus)."""
    return tuple(event for (s, event) in _RULES if s is state)


def transition(
    state: ProgrammeState,
    event: ProgrammeEvent,
    *,
    clearance_recorded: bool,
    actor_is_clinician: bool,
) -> ProgrammeState:
    """Return the state after `event`, or raise IllegalTransition.

    Rules: ACTIVE needs a recorded physician clearance ("discuss it with your physician
    first", product.md; ACSM clearance, clinical-reference.md §5); an EMERGENCY or
    URGENT red flag moves ACTIVE to PAUSED (clinical-reference.md §4 A-B, send the
    RED_FLAG event when `pauses_programme(tier)` is true); only a clinician activates,
    resumes, completes or discharges. Source: issue 3 §1.
    """
    rule = _RULES.get((state, event))
    if rule is None:
        raise IllegalTransition(f"{event} is not allowed from {state}")
    if rule.clinician_only and not actor_is_clinician:
        raise IllegalTransition(f"only a clinician can apply {event} from {state}")
    if rule.needs_clearance and not clearance_recorded:
        raise IllegalTransition(f"{event} from {state} needs a recorded physician clearance")
    return rule.target
