"""Simulated patients run through the weekly engine, and table/JSON renderers.

Used by `walkrx simulate` to show how a policy behaves before a clinic adopts it. The
archetypes are deterministic: any variation comes from `random.Random` seeded with the
archetype name and week number.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from walkrx.core.engine import (
    DecisionKind,
    PastWeek,
    ReasonCode,
    WalkRecord,
    WeekInput,
    review_week,
)
from walkrx.core.errors import InvalidInput
from walkrx.core.policy import DEFAULT_POLICY, ProgressionPolicy
from walkrx.core.prescription import DEFAULT_TARGET, Dose, Target, ToleranceWalk, start_dose
from walkrx.core.screening import Tier


class Archetype(StrEnum):
    """Simulated patients."""

    ADHERENT = "adherent"
    FLARE_PRONE = "flare-prone"
    LOW_ADHERENCE = "low-adherence"
    RED_FLAG = "red-flag"
    FAST_RESPONDER = "fast-responder"

    @property
    def description(self) -> str:
        """One line on how this simulated patient behaves."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Archetype.ADHERENT: "walks every prescribed minute; pain 3/10 before, 3-4 after",
    Archetype.FLARE_PRONE: "walks as prescribed but flares every fourth week (weeks 3, 7, 11, ...)",
    Archetype.LOW_ADHERENCE: "walks on 1 to 3 days whatever the plan",
    Archetype.RED_FLAG: "adherent until a new one-sided leg weakness (URGENT) in week 5",
    Archetype.FAST_RESPONDER: "tolerance test 20-24 min, walks 10 % over plan, little pain",
}

RED_FLAG_WEEK = 5
"""Week in which the red-flag archetype reports an URGENT flag (issue 3 §4)."""

_EPOCH = date(2026, 1, 5)  # a Monday; dates only order the simulated records


@dataclass(frozen=True, slots=True)
class SimulatedWeek:
    """One simulated week: the dose prescribed for it and the decision at its end."""

    week: int
    dose: Dose
    decision: DecisionKind
    reasons: tuple[ReasonCode, ...]
    adherence: float | None
    patient_explanation: str

    def to_data(self) -> dict[str, Any]:
        """The JSON contract: week, minutes_per_session, days_per_week, decision, reasons."""
        return {
            "week": self.week,
            "minutes_per_session": self.dose.minutes_per_session,
            "days_per_week": self.dose.days_per_week,
            "decision": str(self.decision),
            "reasons": [str(r) for r in self.reasons],
        }


def _walks(
    dose: Dose, monday: date, days: int, minutes: int, before: int, after: list[int]
) -> tuple[WalkRecord, ...]:
    return tuple(
        WalkRecord(monday + timedelta(days=d), minutes, None, before, after[(d + s) % len(after)])
        for d in range(days)
        for s in range(dose.sessions_per_day)
    )


def _week_input(archetype: Archetype, week: int, dose: Dose) -> WeekInput:
    rng = random.Random(f"{archetype}-{week}")  # noqa: S311 - simulation, not security
    monday = _EPOCH + timedelta(weeks=week - 1)
    mornings = {monday + timedelta(days=d + 1): 3 for d in range(dose.days_per_week)}
    if archetype is Archetype.FLARE_PRONE and week % 4 == 3:
        days = max(1, dose.days_per_week - 1)
        flare_mornings = {monday + timedelta(days=d + 1): 6 for d in range(2)}
        return WeekInput(
            dose,
            _walks(dose, monday, days, dose.minutes_per_session, 4, [6, 7]),
            {**mornings, **flare_mornings},
            flares=1,
            baseline_pain=3,
        )
    if archetype is Archetype.LOW_ADHERENCE:
        days = min(dose.days_per_week, rng.choice((1, 2, 2, 3)))
        return WeekInput(
            dose,
            _walks(dose, monday, days, dose.minutes_per_session, 3, [3, 4]),
            mornings,
            baseline_pain=3,
        )
    if archetype is Archetype.FAST_RESPONDER:
        minutes = round(dose.minutes_per_session * 1.1)
        return WeekInput(
            dose,
            _walks(dose, monday, dose.days_per_week, minutes, 2, [2, 3]),
            mornings,
            baseline_pain=3,
        )
    tier = Tier.URGENT if archetype is Archetype.RED_FLAG and week == RED_FLAG_WEEK else None
    after = [rng.choice((3, 4)) for _ in range(3)]
    return WeekInput(
        dose,
        _walks(dose, monday, dose.days_per_week, dose.minutes_per_session, 3, after),
        mornings,
        red_flag_tier=tier,
        baseline_pain=3,
    )


def _first_dose(archetype: Archetype, policy: ProgressionPolicy) -> Dose:
    if archetype is Archetype.FAST_RESPONDER:
        return start_dose([ToleranceWalk(20), ToleranceWalk(22), ToleranceWalk(24)], policy)
    return start_dose(None, policy)


def simulate(
    archetype: Archetype | str,
    weeks: int,
    policy: ProgressionPolicy = DEFAULT_POLICY,
    target: Target = DEFAULT_TARGET,
) -> list[SimulatedWeek]:
    """Run a simulated patient through `weeks` weekly reviews.

    Each entry holds the dose prescribed for that week and the decision taken at its
    end. After a PAUSE the programme stays paused (only a clinician resumes it), so the
    later weeks repeat the held dose with PAUSED_AWAITING_CLINICIAN. Source: issue 3 §4.
    """
    try:
        kind = Archetype(archetype)
    except ValueError:
        names = ", ".join(a.value for a in Archetype)
        raise InvalidInput(f"unknown archetype {archetype!r}; choose one of {names}") from None
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise InvalidInput(f"weeks must be a positive whole number, got {weeks!r}")
    dose = _first_dose(kind, policy)
    history: list[PastWeek] = []
    out: list[SimulatedWeek] = []
    paused = False
    for number in range(1, weeks + 1):
        if paused:
            out.append(
                SimulatedWeek(
                    number,
                    dose,
                    DecisionKind.PAUSE,
                    (ReasonCode.PAUSED_AWAITING_CLINICIAN,),
                    None,
                    "Your programme is paused until your clinician has reviewed you.",
                )
            )
            continue
        week = _week_input(kind, number, dose)
        decision = review_week(week, history, target, policy)
        out.append(
            SimulatedWeek(
                number,
                dose,
                decision.kind,
                decision.reason_codes,
                decision.adherence,
                decision.patient_explanation,
            )
        )
        history.append(PastWeek(dose, decision.kind, decision.well_tolerated))
        dose = decision.next_dose
        paused = decision.kind is DecisionKind.PAUSE
    return out


def render_json(weeks: Sequence[SimulatedWeek]) -> str:
    """The simulation as a JSON list, one object per week (issue 3 §4 contract)."""
    return json.dumps([w.to_data() for w in weeks], indent=2)


def render_table(weeks: Sequence[SimulatedWeek]) -> str:
    """The simulation as a fixed-width text table for the terminal."""
    header = ("week", "dose", "min/wk", "adherence", "decision", "reasons")
    rows = [
        (
            str(w.week),
            f"{w.dose.minutes_per_session}x{w.dose.sessions_per_day}x{w.dose.days_per_week}d",
            str(w.dose.weekly_minutes),
            "-" if w.adherence is None else f"{w.adherence * 100:.0f} %",
            str(w.decision),
            ", ".join(w.reasons),
        )
        for w in weeks
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]
    lines = []
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join((*cells, row[-1])).rstrip())
    return "\n".join(lines)
