"""Walking doses: the start dose, the target, and how a dose grows towards the target."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from walkrx.core.errors import InvalidInput, TargetUnreachable
from walkrx.core.instruments import PAIN_MAX, PAIN_MIN
from walkrx.core.policy import DEFAULT_POLICY, ProgressionPolicy

DAYS_IN_WEEK = 7


def round_half_up(value: float) -> int:
    """Round to the nearest whole number, halves up (Python's round() rounds halves to even)."""
    return math.floor(value + 0.5)


@dataclass(frozen=True, slots=True, order=True)
class Dose:
    """A walking prescription: minutes per session x sessions per day x days per week.

    Sessions per day above 1 are split walks (bouts), e.g. 2 x 5 minutes.
    """

    minutes_per_session: int
    sessions_per_day: int = 1
    days_per_week: int = 5

    def __post_init__(self) -> None:
        for name, low, high in (
            ("minutes_per_session", 1, 24 * 60),
            ("sessions_per_day", 1, 24),
            ("days_per_week", 1, DAYS_IN_WEEK),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(
                    f"dose {name} must be a whole number from {low} to {high}, got {value!r}"
                )

    @property
    def daily_minutes(self) -> int:
        """Minutes walked on a walking day."""
        return self.minutes_per_session * self.sessions_per_day

    @property
    def weekly_minutes(self) -> int:
        """Minutes walked in a week."""
        return self.daily_minutes * self.days_per_week

    @property
    def sessions_per_week(self) -> int:
        """Walks (bouts) planned in a week."""
        return self.sessions_per_day * self.days_per_week


@dataclass(frozen=True, slots=True)
class ToleranceWalk:
    """One baseline tolerance walk: walked comfortably until pain rose by 2 or more, or
    the patient had to stop (clinical-reference.md §9, EPIPHA-KNEE)."""

    minutes: float
    pain_before: int | None = None
    pain_after: int | None = None
    stopped_early: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not self.minutes > 0:
            raise InvalidInput(f"tolerance walk minutes must be positive, got {self.minutes!r}")
        for pain in (self.pain_before, self.pain_after):
            if pain is not None and not PAIN_MIN <= pain <= PAIN_MAX:
                raise InvalidInput(f"pain must be between {PAIN_MIN} and {PAIN_MAX}, got {pain}")


def start_dose(
    tolerance_walks: Sequence[ToleranceWalk] | None, policy: ProgressionPolicy = DEFAULT_POLICY
) -> Dose:
    """The first week's dose.

    Without tolerance walks: the default of 10 minutes a day on 5 days (product.md;
    WalkBack frequency). With 2-4 tolerance walks: sessions of 80 % of the mean tolerated
    minutes, never below the 5-minute floor; when that is shorter than the default daily
    10 minutes the day is split into up to 2 bouts (product.md: 2 x 5 min). Source:
    clinical-reference.md §9 (EPIPHA-KNEE: week 2 at 80 % of mean tolerance), issue 3 §3.
    """
    days = policy.default_start_days_per_week
    if not tolerance_walks:
        return Dose(policy.default_start_minutes, 1, days)
    count = len(tolerance_walks)
    if not policy.tolerance_min_walks <= count <= policy.tolerance_max_walks:
        raise InvalidInput(
            f"a tolerance test has {policy.tolerance_min_walks} to "
            f"{policy.tolerance_max_walks} walks, got {count}"
        )
    mean = sum(w.minutes for w in tolerance_walks) / count
    minutes = max(policy.floor_minutes, math.floor(mean * policy.tolerance_start_fraction))
    bouts = min(policy.max_bouts_per_day, math.ceil(policy.default_start_minutes / minutes))
    return Dose(minutes, bouts, days)


class TargetKind(StrEnum):
    """How the clinician states the programme's target."""

    SESSION_DAYS = "SESSION_DAYS"
    WEEKLY_MINUTES = "WEEKLY_MINUTES"
    DAILY_STEPS = "DAILY_STEPS"


@dataclass(frozen=True, slots=True)
class Target:
    """The clinician's target; build it with `session_days`, `weekly` or `steps`."""

    kind: TargetKind
    amount: int
    days_per_week: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 1:
            raise InvalidInput(
                f"target amount must be a positive whole number, got {self.amount!r}"
            )
        needs_days = self.kind is TargetKind.SESSION_DAYS
        if needs_days != (self.days_per_week is not None):
            raise InvalidInput("only a minutes-per-session target has days per week")
        if self.days_per_week is not None and not 1 <= self.days_per_week <= DAYS_IN_WEEK:
            raise InvalidInput(f"target days per week must be 1 to 7, got {self.days_per_week}")

    @classmethod
    def session_days(cls, minutes_per_session: int = 30, days_per_week: int = 5) -> Target:
        """Minutes per session on a number of days a week (default 30 x 5, WalkBack)."""
        return cls(TargetKind.SESSION_DAYS, minutes_per_session, days_per_week)

    @classmethod
    def weekly(cls, minutes: int) -> Target:
        """Minutes per week."""
        return cls(TargetKind.WEEKLY_MINUTES, minutes)

    @classmethod
    def steps(cls, steps_per_day: int) -> Target:
        """Steps per day."""
        return cls(TargetKind.DAILY_STEPS, steps_per_day)


DEFAULT_TARGET = Target.session_days()


def target_dose(target: Target, policy: ProgressionPolicy = DEFAULT_POLICY) -> Dose:
    """The single-session dose the progression aims for.

    Minutes per week: sessions of the policy's target minutes (30, WalkBack) on as many
    days as needed, capped at the weekly minutes. Steps per day: minutes per day at a
    moderate cadence of 100 steps/min (Tudor-Locke), every day. Sources: issue 3 §3,
    clinical-reference.md §1 and §8.
    """
    if target.kind is TargetKind.SESSION_DAYS:
        assert target.days_per_week is not None  # checked when the target was built
        return Dose(target.amount, 1, target.days_per_week)
    if target.kind is TargetKind.WEEKLY_MINUTES:
        days = min(DAYS_IN_WEEK, math.ceil(target.amount / policy.target_session_minutes))
        return Dose(max(1, target.amount // days), 1, days)
    minutes = math.ceil(target.amount / policy.steps_per_minute)
    return Dose(minutes, 1, policy.steps_target_days_per_week)


def target_weekly_minutes(target: Target, policy: ProgressionPolicy = DEFAULT_POLICY) -> int:
    """Weekly minutes the target stands for; the engine never prescribes more."""
    if target.kind is TargetKind.WEEKLY_MINUTES:
        return target.amount
    return target_dose(target, policy).weekly_minutes


def meets_target(dose: Dose, target: Target, policy: ProgressionPolicy = DEFAULT_POLICY) -> bool:
    """True when `dose` reaches the target: its weekly minutes, or its daily minutes on
    its number of days (issue 3 §3)."""
    if dose.weekly_minutes >= target_weekly_minutes(target, policy):
        return True
    goal = target_dose(target, policy)
    return dose.daily_minutes >= goal.daily_minutes and dose.days_per_week >= goal.days_per_week


@dataclass(frozen=True, slots=True)
class Progression:
    """A progressed dose and the limits that shaped it."""

    dose: Dose
    cap_minutes: int
    capped_by_two_weeks: bool
    capped_by_target: bool


def progress_dose(
    current: Dose,
    two_weeks_before: Dose | None,
    target: Target,
    policy: ProgressionPolicy = DEFAULT_POLICY,
) -> Progression:
    """Next week's dose after a week that earned progression.

    Raise session minutes by 15 % (at least 2) up to the session target, then add a day,
    never going past the target's weekly minutes nor more than 30 % above the weekly
    minutes of two weeks before (the current dose when there is no earlier week).
    Split bouts are kept; their target is the session target shared between them.
    Returns the current dose when no increase fits. Sources: issue 3 §4,
    clinical-reference.md §9 (10 % rule and Buist 2008; Nielsen 2014 two-week rule).
    """
    goal = target_dose(target, policy)
    bouts = current.sessions_per_day
    session_goal = math.ceil(goal.daily_minutes / bouts)
    minutes, days = current.minutes_per_session, current.days_per_week
    if minutes < session_goal:
        step = max(
            policy.min_session_increase_minutes,
            round_half_up(minutes * policy.session_increase_fraction),
        )
        minutes = min(session_goal, minutes + step)
    elif days < goal.days_per_week:
        days = min(goal.days_per_week, days + policy.day_increase_step)
    reference = (two_weeks_before or current).weekly_minutes
    two_week_cap = math.floor(reference * (1 + policy.two_week_cap_fraction))
    target_cap = target_weekly_minutes(target, policy)
    cap = min(two_week_cap, target_cap)
    by_two_weeks = by_target = False
    if minutes * bouts * days > cap:
        by_two_weeks = two_week_cap < target_cap
        by_target = not by_two_weeks
        minutes = cap // (bouts * days)
    if minutes * bouts * days <= current.weekly_minutes:
        return Progression(current, cap, by_two_weeks, by_target)
    return Progression(Dose(minutes, bouts, days), cap, by_two_weeks, by_target)


def weeks_to_target(
    start: Dose, target: Target = DEFAULT_TARGET, policy: ProgressionPolicy = DEFAULT_POLICY
) -> int:
    """The programme week (1-based) in which the target dose is first prescribed, under
    full adherence and a well-tolerated response every week.

    Uses `progress_dose`, so it honours the 15 % step, the two-week 30 % cap and the
    target. Raises TargetUnreachable when the policy never lets the dose reach the
    target within `max_weeks_to_target`. Source: issue 3 §3.
    """
    history: list[Dose] = []
    dose = start
    for week in range(1, policy.max_weeks_to_target + 1):
        if meets_target(dose, target, policy):
            return week
        two_before = history[-1] if history else None
        history.append(dose)
        step = progress_dose(dose, two_before, target, policy)
        if step.dose == dose and step.capped_by_target:
            # The dose is as close to the target as whole minutes allow.
            return week
        dose = step.dose
    raise TargetUnreachable(
        f"the dose does not reach the target within {policy.max_weeks_to_target} weeks"
    )
