"""Change in outcome measures against the minimal important change (Ostelo 2008)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from walkrx.core._policy import policy_field, policy_from_data
from walkrx.core.errors import InvalidInput, PolicyError


class Measure(StrEnum):
    """Outcome measures walkrx tracks; on all of them a lower score is better."""

    PAIN = "PAIN"
    OSWESTRY = "OSWESTRY"
    ROLAND_MORRIS = "ROLAND_MORRIS"
    PEG = "PEG"


_RANGES: dict[Measure, tuple[float, float]] = {
    Measure.PAIN: (0, 10),
    Measure.OSWESTRY: (0, 100),
    Measure.ROLAND_MORRIS: (0, 24),
    Measure.PEG: (0, 10),
}


class ChangeCategory(StrEnum):
    """Whether a change reached the minimal important change."""

    IMPROVED = "IMPROVED"
    NO_IMPORTANT_CHANGE = "NO_IMPORTANT_CHANGE"
    WORSE = "WORSE"


_OSTELO = "clinical-reference.md §7, Ostelo 2008 consensus (Spine 33:90-94)"


@dataclass(frozen=True, slots=True)
class OutcomePolicy:
    """Minimal important change per measure: points, and percent of baseline (0 = none)."""

    pain_points: float = policy_field(
        2.0, doc="MIC of the 0-10 pain rating", source=_OSTELO, unit="points"
    )
    pain_percent: float = policy_field(
        30.0, doc="MIC of pain as % of baseline", source=_OSTELO, unit="%"
    )
    oswestry_points: float = policy_field(
        10.0, doc="MIC of the Oswestry index", source=_OSTELO, unit="points"
    )
    oswestry_percent: float = policy_field(
        30.0, doc="MIC of Oswestry as % of baseline", source=_OSTELO, unit="%"
    )
    roland_morris_points: float = policy_field(
        5.0, doc="MIC of Roland-Morris", source=_OSTELO, unit="points"
    )
    roland_morris_percent: float = policy_field(
        30.0, doc="MIC of Roland-Morris as % of baseline", source=_OSTELO, unit="%"
    )
    peg_points: float = policy_field(
        1.0,
        doc="MID of PEG",
        source="clinical-reference.md §7 (PEG MID about 1 point)",
        unit="points",
    )
    peg_percent: float = policy_field(
        0.0,
        doc="No percent threshold is published for PEG (0 = not used)",
        source="clinical-reference.md §7",
        unit="%",
    )

    def __post_init__(self) -> None:
        for measure in Measure:
            points, percent = self.thresholds(measure)
            if points <= 0 or percent < 0:
                raise PolicyError(f"outcome policy thresholds for {measure} must be positive")

    def thresholds(self, measure: Measure) -> tuple[float, float]:
        """(points, percent of baseline) for `measure`; percent 0 means not used."""
        name = measure.lower()
        return getattr(self, f"{name}_points"), getattr(self, f"{name}_percent")


def outcome_policy_from_mapping(data: Mapping[str, Any]) -> OutcomePolicy:
    """Build an OutcomePolicy from a partial mapping; unknown keys are an error."""
    return policy_from_data(OutcomePolicy, data)


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """Category, the threshold that decided it, and the change itself.

    `absolute_change` is current - baseline (negative is better); `percent_change` is
    relative to baseline, None when baseline is 0.
    """

    category: ChangeCategory
    threshold_applied: str
    absolute_change: float
    percent_change: float | None


def classify_change(
    measure: Measure, baseline: float, current: float, policy: OutcomePolicy | None = None
) -> ChangeResult:
    """Classify a change as improved, no important change or worse.

    Improved when the score fell by at least the points threshold or by at least the
    percent of baseline (Ostelo 2008: pain 2 points or 30 %, Oswestry 10 or 30 %,
    Roland-Morris 5 or 30 %; PEG 1 point). Worse only on a rise of at least the points
    threshold: a percent rise from a low baseline (1 to 2 is +100 %) is within
    measurement error (MDC 2 points for NPRS, Childs 2005), so percent is not used for
    worsening. Source: clinical-reference.md §7.
    """
    policy = policy or OutcomePolicy()
    low, high = _RANGES[measure]
    for name, value in (("baseline", baseline), ("current", current)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise InvalidInput(
                f"{measure} {name} must be between {low:g} and {high:g}, got {value!r}"
            )
    points, percent = policy.thresholds(measure)
    change = current - baseline
    pct = change / baseline * 100 if baseline else None
    unit = "point" if points == 1 else "points"
    points_text = f"{points:g} {unit} ({_OSTELO_SHORT[measure]})"
    percent_text = f"{percent:g} % of baseline ({_OSTELO_SHORT[measure]})"
    if -change >= points:
        return ChangeResult(ChangeCategory.IMPROVED, points_text, change, pct)
    if percent and pct is not None and -pct >= percent:
        return ChangeResult(ChangeCategory.IMPROVED, percent_text, change, pct)
    if change >= points:
        return ChangeResult(ChangeCategory.WORSE, points_text, change, pct)
    needed = f"{points_text} or {percent_text}" if percent else points_text
    return ChangeResult(ChangeCategory.NO_IMPORTANT_CHANGE, f"below {needed}", change, pct)


_OSTELO_SHORT = {
    Measure.PAIN: "Ostelo 2008",
    Measure.OSWESTRY: "Ostelo 2008",
    Measure.ROLAND_MORRIS: "Ostelo 2008",
    Measure.PEG: "PEG MID",
}
