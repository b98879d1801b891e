"""The progression policy: every threshold of prescription and weekly review, with sources.

Clinics override values per clinic and per patient through `policy_from_mapping`;
`describe_policy` lists each value with its default, unit and source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from walkrx.core._policy import policy_field, policy_from_data, policy_to_data
from walkrx.core.errors import PolicyError

_WALKBACK = "clinical-reference.md §1, WalkBack (Pocovi 2024): 30 min, 5 x/week"
_EPIPHA = "clinical-reference.md §9, EPIPHA-KNEE baseline-tolerance start"
_SILBERNAGEL = "clinical-reference.md §9, Silbernagel 2007 pain-monitoring model"
_DESIGN = "issue 3 §4 default policy"


@dataclass(frozen=True, slots=True)
class ProgressionPolicy:
    """Thresholds for the start dose, the target and the weekly progression engine."""

    floor_minutes: int = policy_field(
        5,
        doc="No prescribed walk is shorter than this",
        source="issue 3 §3 (floor 5 minutes)",
        unit="min",
    )
    default_start_minutes: int = policy_field(
        10,
        doc="Start dose per day without a tolerance test",
        source="product.md: 'start with about 10 minutes a day'",
        unit="min/day",
    )
    default_start_days_per_week: int = policy_field(
        5,
        doc="Walking days per week at the start (the target frequency, so weeks are "
        "spent lengthening walks, not adding days)",
        source=_WALKBACK,
        unit="days/week",
    )
    tolerance_min_walks: int = policy_field(
        2,
        doc="Fewest baseline tolerance walks for a tolerance-based start",
        source=_EPIPHA,
        unit="walks",
    )
    tolerance_max_walks: int = policy_field(
        4, doc="Most baseline tolerance walks used", source=_EPIPHA, unit="walks"
    )
    tolerance_start_fraction: float = policy_field(
        0.8,
        doc="Start at this fraction of the mean tolerated minutes",
        source=_EPIPHA,
        unit="fraction",
    )
    max_bouts_per_day: int = policy_field(
        2,
        doc="When a tolerated walk is shorter than the default daily start, split the "
        "day into up to this many bouts",
        source="product.md: split walks (2 x 5 min) allowed",
        unit="bouts/day",
    )
    target_session_minutes: int = policy_field(
        30, doc="Default target minutes per session", source=_WALKBACK, unit="min"
    )
    target_days_per_week: int = policy_field(
        5, doc="Default target walking days per week", source=_WALKBACK, unit="days/week"
    )
    steps_per_minute: int = policy_field(
        100,
        doc="Cadence used to turn a daily-steps target into walking minutes (moderate)",
        source="clinical-reference.md §8, Tudor-Locke CADENCE-Adults",
        unit="steps/min",
    )
    steps_target_days_per_week: int = policy_field(
        7,
        doc="A steps-per-day target is walked every day",
        source="issue 3 §3 (steps per day)",
        unit="days/week",
    )
    progress_min_adherence: float = policy_field(
        0.8,
        doc="Progress only when at least this share of prescribed minutes was walked",
        source=_DESIGN,
        unit="fraction",
    )
    hold_min_adherence: float = policy_field(
        0.5,
        doc="Below this share of prescribed minutes, reduce to what was walked",
        source=_DESIGN,
        unit="fraction",
    )
    acceptable_pain_max: int = policy_field(
        5, doc="Pain during/after a walk up to this is acceptable", source=_SILBERNAGEL, unit="/10"
    )
    acceptable_pain_rise: int = policy_field(
        2,
        doc="Or a rise of at most this above the walk's starting pain",
        source=_SILBERNAGEL + "; EPIPHA-KNEE stop at a rise of 2",
        unit="points",
    )
    morning_rise_points: int = policy_field(
        2,
        doc="Next-morning pain this far above baseline means pain did not settle",
        source=_SILBERNAGEL + " (settles by next morning); NPRS MDC 2 (Childs 2005)",
        unit="points",
    )
    morning_rise_days_step_back: int = policy_field(
        2, doc="Unsettled mornings in a week that trigger a step back", source=_DESIGN, unit="days"
    )
    daily_pain_rise_points: float = policy_field(
        2.0,
        doc="Mean daily pain this far above baseline is a borderline response (hold)",
        source=_SILBERNAGEL + " (pain should not rise week to week)",
        unit="points",
    )
    session_increase_fraction: float = policy_field(
        0.15,
        doc="Raise session minutes by this fraction (10-20 %) when progressing",
        source=_DESIGN + "; clinical-reference.md §9 (EPIPHA-KNEE about +10 %/week; Buist 2008)",
        unit="fraction",
    )
    min_session_increase_minutes: int = policy_field(
        2, doc="Smallest rise in session minutes when progressing", source=_DESIGN, unit="min"
    )
    day_increase_step: int = policy_field(
        1,
        doc="Days added per progression once session minutes reach the target",
        source=_DESIGN,
        unit="days",
    )
    two_week_cap_fraction: float = policy_field(
        0.30,
        doc="Weekly minutes never exceed those of two weeks before by more than this",
        source="clinical-reference.md §9, Nielsen 2014 (>30 % over 2 weeks raised injury risk)",
        unit="fraction",
    )
    step_back_fraction: float = policy_field(
        0.8,
        doc="Without an earlier well-tolerated dose, step back to this fraction of session minutes",
        source="clinical-reference.md §9 flare design note (50-80 %)",
        unit="fraction",
    )
    max_weeks_to_target: int = policy_field(
        156,
        doc="Give up computing the target week after this many weeks",
        source="walkrx safety bound (3 years)",
        unit="weeks",
    )

    def __post_init__(self) -> None:
        positive = (
            "floor_minutes",
            "default_start_minutes",
            "default_start_days_per_week",
            "tolerance_min_walks",
            "tolerance_max_walks",
            "max_bouts_per_day",
            "target_session_minutes",
            "target_days_per_week",
            "steps_per_minute",
            "steps_target_days_per_week",
            "min_session_increase_minutes",
            "day_increase_step",
            "morning_rise_days_step_back",
            "max_weeks_to_target",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise PolicyError(f"policy {name} must be at least 1, got {getattr(self, name)}")
        for name in (
            "default_start_days_per_week",
            "target_days_per_week",
            "steps_target_days_per_week",
        ):
            if getattr(self, name) > 7:
                raise PolicyError(f"policy {name} must be at most 7, got {getattr(self, name)}")
        for name in (
            "tolerance_start_fraction",
            "progress_min_adherence",
            "hold_min_adherence",
            "step_back_fraction",
        ):
            if not 0 < getattr(self, name) <= 1:
                raise PolicyError(
                    f"policy {name} must be above 0 and at most 1, got {getattr(self, name)}"
                )
        for name in (
            "session_increase_fraction",
            "two_week_cap_fraction",
            "daily_pain_rise_points",
        ):
            if getattr(self, name) < 0:
                raise PolicyError(f"policy {name} must not be negative, got {getattr(self, name)}")
        for name in ("acceptable_pain_max", "acceptable_pain_rise", "morning_rise_points"):
            if not 0 <= getattr(self, name) <= 10:
                raise PolicyError(
                    f"policy {name} must be between 0 and 10, got {getattr(self, name)}"
                )
        if self.tolerance_min_walks > self.tolerance_max_walks:
            raise PolicyError("policy tolerance_min_walks must not exceed tolerance_max_walks")
        if self.hold_min_adherence > self.progress_min_adherence:
            raise PolicyError("policy hold_min_adherence must not exceed progress_min_adherence")
        if self.floor_minutes > self.target_session_minutes:
            raise PolicyError("policy floor_minutes must not exceed target_session_minutes")


DEFAULT_POLICY = ProgressionPolicy()


def policy_from_mapping(data: Mapping[str, Any]) -> ProgressionPolicy:
    """Build a ProgressionPolicy from a partial mapping (e.g. a clinic's JSON file).

    Missing keys keep their defaults; unknown keys, wrong types (a bool where a number
    is expected, a float where a whole number is) and out-of-range values raise
    PolicyError naming the key. Defaults and sources: issue 3 §4, clinical-reference.md
    §1 and §9.
    """
    return policy_from_data(ProgressionPolicy, data)


def policy_to_mapping(policy: ProgressionPolicy) -> dict[str, Any]:
    """Every field of `policy` as a JSON-ready mapping (round-trips through policy_from_mapping)."""
    return policy_to_data(policy)
