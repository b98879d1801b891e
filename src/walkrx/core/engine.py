"""The weekly progression engine: one decision per week, with reasons and explanations.

Rules (issue 3 §4; clinical-reference.md §9): progress on good adherence with an
acceptable pain response; hold on partial adherence or a borderline response; step back
after a flare or repeatedly unsettled mornings; reduce to what was walked when adherence
is low; pause on an EMERGENCY or URGENT red flag. The next dose is never below the floor,
never past the target and never more than 30 % above the weekly minutes of two weeks before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from walkrx.core.errors import InvalidInput
from walkrx.core.instruments import PAIN_MAX, PAIN_MIN
from walkrx.core.policy import DEFAULT_POLICY, ProgressionPolicy
from walkrx.core.prescription import (
    DEFAULT_TARGET,
    Dose,
    Target,
    meets_target,
    progress_dose,
)
from walkrx.core.screening import PATIENT_SAFETY_TEXT, Tier, pauses_programme


def _check_pain(name: str, value: int | None) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not PAIN_MIN <= value <= PAIN_MAX
    ):
        raise InvalidInput(
            f"{name} must be a whole number from {PAIN_MIN} to {PAIN_MAX}, got {value!r}"
        )


@dataclass(frozen=True, slots=True)
class WalkRecord:
    """One logged walk: minutes, optional steps, pain before and after (or worst during)."""

    on: date
    minutes: float
    steps: int | None = None
    pain_before: int | None = None
    pain_after: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not self.minutes >= 0:
            raise InvalidInput(f"walk minutes must not be negative, got {self.minutes!r}")
        if self.steps is not None and self.steps < 0:
            raise InvalidInput(f"walk steps must not be negative, got {self.steps}")
        _check_pain("pain before", self.pain_before)
        _check_pain("pain after", self.pain_after)


@dataclass(frozen=True)
class WeekInput:
    """Everything the engine reads about one programme week.

    `morning_pains` are next-morning pain ratings by date, `daily_pains` the daily
    check-in ratings, `flares` the number of flares the patient reported,
    `red_flag_tier` the highest tier raised this week, and `clinician_override` the dose
    a clinician set for this week in place of the engine's proposal.
    """

    prescribed: Dose
    walks: tuple[WalkRecord, ...] = ()
    morning_pains: Mapping[date, int] = field(default_factory=dict)
    daily_pains: Mapping[date, int] = field(default_factory=dict)
    flares: int = 0
    red_flag_tier: Tier | None = None
    lower_limb_pain: bool = False
    baseline_pain: int | None = None
    clinician_override: Dose | None = None

    def __post_init__(self) -> None:
        for day, pain in (*self.morning_pains.items(), *self.daily_pains.items()):
            _check_pain(f"pain on {day}", pain)
        _check_pain("baseline pain", self.baseline_pain)
        if self.flares < 0:
            raise InvalidInput(f"flares must not be negative, got {self.flares}")

    @property
    def dose(self) -> Dose:
        """The dose this week is judged against: the clinician's override if any."""
        return self.clinician_override or self.prescribed


class DecisionKind(StrEnum):
    """The engine's decision for next week, most cautious last."""

    PROGRESS = "PROGRESS"
    HOLD = "HOLD"
    REDUCE_TO_ACHIEVED = "REDUCE_TO_ACHIEVED"
    STEP_BACK = "STEP_BACK"
    PAUSE = "PAUSE"


@dataclass(frozen=True, slots=True)
class PastWeek:
    """An earlier week: its dose, the decision taken and whether it was well tolerated."""

    dose: Dose
    decision: DecisionKind
    well_tolerated: bool


class ReasonCode(StrEnum):
    """Machine-readable reasons attached to a decision."""

    ADHERENCE_MET = "ADHERENCE_MET"
    ADHERENCE_PARTIAL = "ADHERENCE_PARTIAL"
    ADHERENCE_LOW = "ADHERENCE_LOW"
    PAIN_ACCEPTABLE = "PAIN_ACCEPTABLE"
    PAIN_NOT_RECORDED = "PAIN_NOT_RECORDED"
    PAIN_ABOVE_LIMIT = "PAIN_ABOVE_LIMIT"
    MORNING_PAIN_RAISED = "MORNING_PAIN_RAISED"
    DAILY_PAIN_RAISED = "DAILY_PAIN_RAISED"
    FLARE = "FLARE"
    RED_FLAG_PAUSE = "RED_FLAG_PAUSE"
    RED_FLAG_REVIEW = "RED_FLAG_REVIEW"
    LOWER_LIMB_PAIN = "LOWER_LIMB_PAIN"
    CLINICIAN_OVERRIDE = "CLINICIAN_OVERRIDE"
    TWO_WEEK_CAP = "TWO_WEEK_CAP"
    TARGET_REACHED = "TARGET_REACHED"
    STEPPED_BACK_TO_TOLERATED = "STEPPED_BACK_TO_TOLERATED"
    AT_FLOOR = "AT_FLOOR"
    PAUSED_AWAITING_CLINICIAN = "PAUSED_AWAITING_CLINICIAN"


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason code with the numbers behind it (read-only mapping)."""

    code: ReasonCode
    detail: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))


class Prompt(StrEnum):
    """Follow-ups the app should offer alongside the decision."""

    ASK_ABOUT_BARRIERS = "ASK_ABOUT_BARRIERS"
    WARNING_SIGN_CHECK = "WARNING_SIGN_CHECK"
    CLINICIAN_REVIEW = "CLINICIAN_REVIEW"


@dataclass(frozen=True, slots=True)
class Decision:
    """The engine's output for one week.

    `well_tolerated` is what to store in this week's PastWeek.
    """

    kind: DecisionKind
    next_dose: Dose
    reasons: tuple[Reason, ...]
    patient_explanation: str
    clinician_explanation: str
    well_tolerated: bool
    adherence: float
    prompts: tuple[Prompt, ...] = ()

    @property
    def reason_codes(self) -> tuple[ReasonCode, ...]:
        """The codes of `reasons`, in order."""
        return tuple(r.code for r in self.reasons)


def adherence(week: WeekInput) -> float:
    """Share of the week's prescribed minutes actually walked (may exceed 1).

    The dose is the clinician's override when there is one. Source: issue 3 §4.
    """
    return sum(w.minutes for w in week.walks) / week.dose.weekly_minutes


@dataclass(frozen=True, slots=True)
class PainResponse:
    """How the back responded to the week's walking (Silbernagel pain-monitoring model)."""

    walks_judged: int
    walks_above_limit: int
    max_pain_after: int | None
    max_rise: int | None
    mornings_recorded: int
    mornings_raised: int
    mean_daily_pain: float | None
    daily_raised: bool

    @property
    def borderline(self) -> bool:
        """Any walk above the limit, an unsettled morning, or raised daily pain."""
        return bool(self.walks_above_limit or self.mornings_raised or self.daily_raised)

    @property
    def recorded(self) -> bool:
        """Whether any pain information was logged this week."""
        return bool(self.walks_judged or self.mornings_recorded or self.mean_daily_pain is not None)


def pain_response(week: WeekInput, policy: ProgressionPolicy = DEFAULT_POLICY) -> PainResponse:
    """Judge the week's pain response.

    A walk is acceptable when pain after (or worst during) is at most 5/10, or at most
    2 above that walk's starting pain; pain has settled when next-morning pain is less
    than 2 above baseline; mean daily pain 2 or more above baseline is a rise.
    Source: clinical-reference.md §9 (Silbernagel 2007; EPIPHA-KNEE rise of 2).
    """
    judged = [w for w in week.walks if w.pain_after is not None]
    above = 0
    rises: list[int] = []
    for walk in judged:
        assert walk.pain_after is not None
        rise = None if walk.pain_before is None else walk.pain_after - walk.pain_before
        if rise is not None:
            rises.append(rise)
        if walk.pain_after > policy.acceptable_pain_max and (
            rise is None or rise > policy.acceptable_pain_rise
        ):
            above += 1
    baseline = week.baseline_pain
    mornings = 0
    daily_mean = None
    daily_raised = False
    if week.daily_pains:
        daily_mean = sum(week.daily_pains.values()) / len(week.daily_pains)
    if baseline is not None:
        mornings = sum(
            1 for p in week.morning_pains.values() if p >= baseline + policy.morning_rise_points
        )
        daily_raised = (
            daily_mean is not None and daily_mean >= baseline + policy.daily_pain_rise_points
        )
    return PainResponse(
        walks_judged=len(judged),
        walks_above_limit=above,
        max_pain_after=max(
            (w.pain_after for w in judged if w.pain_after is not None), default=None
        ),
        max_rise=max(rises, default=None),
        mornings_recorded=len(week.morning_pains),
        mornings_raised=mornings,
        mean_daily_pain=daily_mean,
        daily_raised=daily_raised,
    )


def _reason(code: ReasonCode, **detail: float) -> Reason:
    return Reason(code, MappingProxyType(dict(detail)))


def _with_floor(dose: Dose, policy: ProgressionPolicy) -> Dose:
    if dose.minutes_per_session >= policy.floor_minutes:
        return dose
    return replace(dose, minutes_per_session=policy.floor_minutes)


def _step_back_dose(
    base: Dose, history: Sequence[PastWeek], policy: ProgressionPolicy
) -> tuple[Dose, bool]:
    for past in reversed(history):
        if past.well_tolerated and past.dose.weekly_minutes < base.weekly_minutes:
            return past.dose, True
    minutes = math.floor(base.minutes_per_session * policy.step_back_fraction)
    return replace(base, minutes_per_session=max(policy.floor_minutes, minutes)), False


def _achieved_dose(base: Dose, walked: float, policy: ProgressionPolicy) -> Dose:
    # Spread what was walked over the prescribed days so walks stay regular; more
    # minutes walked never gives a smaller dose.
    per_session = math.floor(walked / (base.sessions_per_day * base.days_per_week))
    minutes = min(base.minutes_per_session, per_session)
    return replace(base, minutes_per_session=max(policy.floor_minutes, minutes))


def review_week(
    week: WeekInput,
    history: Sequence[PastWeek] = (),
    target: Target = DEFAULT_TARGET,
    policy: ProgressionPolicy = DEFAULT_POLICY,
) -> Decision:
    """Decide next week's dose from this week's walking and pain.

    `history` holds the earlier weeks, oldest first. PAUSE on an EMERGENCY or URGENT
    flag (no automatic resume; clinical-reference.md §4); STEP_BACK to the last
    well-tolerated dose, or 80 % of the current one, after a flare or when next-morning
    pain is 2+ above baseline on 2+ days (§9, Silbernagel 2007; flare design note);
    REDUCE_TO_ACHIEVED below 50 % adherence, prompting about barriers; HOLD at 50-80 %
    adherence, a borderline pain response, lower-limb pain or a REVIEW flag; otherwise
    PROGRESS by 15 % (at least 2 min) up to the session target, then days, capped at
    the target and at +30 % on two weeks before (§9, Nielsen 2014). When several apply,
    the smallest dose wins and the most cautious kind is reported. Never below the
    5-minute floor; in a flare session minutes shrink but walking days stay, so short
    regular walks replace rest (§9, NICE NG59 stay active). Source: issue 3 §4.
    """
    base = week.dose
    walked = sum(w.minutes for w in week.walks)
    adh = walked / base.weekly_minutes
    pain = pain_response(week, policy)
    pause = pauses_programme(week.red_flag_tier)
    review_flag = week.red_flag_tier is Tier.REVIEW
    step_back = week.flares > 0 or pain.mornings_raised >= policy.morning_rise_days_step_back
    low = adh < policy.hold_min_adherence
    reasons: list[Reason] = []
    prompts: list[Prompt] = []

    if week.clinician_override is not None:
        reasons.append(
            _reason(
                ReasonCode.CLINICIAN_OVERRIDE,
                weekly_minutes=base.weekly_minutes,
                proposed_weekly_minutes=week.prescribed.weekly_minutes,
            )
        )
    if pause:
        reasons.append(_reason(ReasonCode.RED_FLAG_PAUSE))
        prompts.append(Prompt.CLINICIAN_REVIEW)
    if week.flares:
        reasons.append(_reason(ReasonCode.FLARE, flares=week.flares))
        prompts.append(Prompt.WARNING_SIGN_CHECK)
    if review_flag:
        reasons.append(_reason(ReasonCode.RED_FLAG_REVIEW))
    if week.lower_limb_pain:
        reasons.append(_reason(ReasonCode.LOWER_LIMB_PAIN))
    if review_flag or week.lower_limb_pain:
        prompts.append(Prompt.CLINICIAN_REVIEW)

    adh_detail = {
        "adherence_percent": round(adh * 100, 1),
        "walked_minutes": walked,
        "prescribed_minutes": base.weekly_minutes,
    }
    if adh >= policy.progress_min_adherence:
        reasons.append(_reason(ReasonCode.ADHERENCE_MET, **adh_detail))
    elif low:
        reasons.append(_reason(ReasonCode.ADHERENCE_LOW, **adh_detail))
        prompts.append(Prompt.ASK_ABOUT_BARRIERS)
    else:
        reasons.append(_reason(ReasonCode.ADHERENCE_PARTIAL, **adh_detail))

    if pain.walks_above_limit:
        reasons.append(_reason(ReasonCode.PAIN_ABOVE_LIMIT, walks=pain.walks_above_limit))
    if pain.mornings_raised:
        reasons.append(_reason(ReasonCode.MORNING_PAIN_RAISED, days=pain.mornings_raised))
    if pain.daily_raised:
        assert pain.mean_daily_pain is not None
        reasons.append(_reason(ReasonCode.DAILY_PAIN_RAISED, mean=round(pain.mean_daily_pain, 1)))
    if not pain.borderline:
        code = ReasonCode.PAIN_ACCEPTABLE if pain.recorded else ReasonCode.PAIN_NOT_RECORDED
        reasons.append(_reason(code))

    well_tolerated = (
        adh >= policy.progress_min_adherence and not pain.borderline and not step_back and not pause
    )
    cap_minutes = None
    if well_tolerated and not review_flag and not week.lower_limb_pain:
        two_before = history[-1].dose if history else None
        step = progress_dose(base, two_before, target, policy)
        next_dose = step.dose
        cap_minutes = step.cap_minutes
        kind = (
            DecisionKind.PROGRESS
            if next_dose.weekly_minutes > base.weekly_minutes
            else DecisionKind.HOLD
        )
        if step.capped_by_two_weeks:
            reasons.append(_reason(ReasonCode.TWO_WEEK_CAP, cap_minutes=step.cap_minutes))
        if meets_target(next_dose, target, policy) or (
            kind is DecisionKind.HOLD and step.capped_by_target
        ):
            reasons.append(_reason(ReasonCode.TARGET_REACHED))
    else:
        candidates = [base]
        if step_back:
            back, to_tolerated = _step_back_dose(base, history, policy)
            candidates.append(back)
            if to_tolerated:
                reasons.append(
                    _reason(
                        ReasonCode.STEPPED_BACK_TO_TOLERATED, weekly_minutes=back.weekly_minutes
                    )
                )
        if low:
            candidates.append(_achieved_dose(base, walked, policy))
        next_dose = _with_floor(min(candidates, key=lambda d: (d.weekly_minutes, d)), policy)
        if pause:
            kind = DecisionKind.PAUSE
        elif step_back:
            kind = DecisionKind.STEP_BACK
        elif low:
            kind = DecisionKind.REDUCE_TO_ACHIEVED
        else:
            kind = DecisionKind.HOLD
        if (step_back or low) and next_dose.minutes_per_session == policy.floor_minutes:
            reasons.append(_reason(ReasonCode.AT_FLOOR, floor_minutes=policy.floor_minutes))

    walks_done = sum(1 for w in week.walks if w.minutes > 0)
    return Decision(
        kind=kind,
        next_dose=next_dose,
        reasons=tuple(reasons),
        patient_explanation=_patient_text(kind, week, base, next_dose, walks_done, pain, reasons),
        clinician_explanation=_clinician_text(
            kind, week, base, next_dose, walked, adh, walks_done, pain, cap_minutes, policy
        ),
        well_tolerated=well_tolerated,
        adherence=adh,
        prompts=tuple(dict.fromkeys(prompts)),
    )


def describe_dose(dose: Dose) -> str:
    """Plain-words dose, e.g. '14 minutes on 5 days' or '2 walks of 6 minutes a day on 5 days'."""
    days = f"{dose.days_per_week} day{'s' if dose.days_per_week != 1 else ''}"
    if dose.sessions_per_day == 1:
        return f"{dose.minutes_per_session} minutes on {days}"
    return f"{dose.sessions_per_day} walks of {dose.minutes_per_session} minutes a day on {days}"


def _patient_text(
    kind: DecisionKind,
    week: WeekInput,
    base: Dose,
    next_dose: Dose,
    walks_done: int,
    pain: PainResponse,
    reasons: list[Reason],
) -> str:
    codes = {r.code for r in reasons}
    walks = f"{walks_done} of {base.sessions_per_week} walks"
    plan = describe_dose(next_dose)
    if kind is DecisionKind.PAUSE:
        return PATIENT_SAFETY_TEXT[week.red_flag_tier]
    if kind is DecisionKind.STEP_BACK:
        why = (
            "Your back had a flare this week."
            if week.flares
            else f"Your back was sorer the next morning on {pain.mornings_raised} days."
        )
        return (
            f"{why} Next week: a little less, {plan}. Keep walking rather than resting: "
            "short regular walks help a flare settle."
            + (" Please also answer the warning-sign check." if week.flares else "")
        )
    if kind is DecisionKind.REDUCE_TO_ACHIEVED:
        return (
            f"You did {walks} this week. Next week: {plan}, a plan that fits what you "
            "managed. What got in the way? Tell your clinic and they can help."
        )
    if kind is DecisionKind.PROGRESS:
        return f"Good week: {walks}. Next week: {plan}."
    if ReasonCode.TARGET_REACHED in codes:
        return f"Great week: {walks}. You have reached your target: keep walking {plan}."
    if ReasonCode.LOWER_LIMB_PAIN in codes or ReasonCode.RED_FLAG_REVIEW in codes:
        why = (
            "Thank you for telling us about your symptoms; "
            "we will talk about them at your next review."
        )
    elif pain.borderline:
        why = f"You did {walks}, and your back was a bit sorer than we aim for."
    elif ReasonCode.TWO_WEEK_CAP in codes:
        why = f"Good week: {walks}. We are building up gradually to keep you safe."
    else:
        why = f"You did {walks}."
    return f"{why} Next week: stay at {plan}."


def _clinician_text(
    kind: DecisionKind,
    week: WeekInput,
    base: Dose,
    next_dose: Dose,
    walked: float,
    adh: float,
    walks_done: int,
    pain: PainResponse,
    cap_minutes: int | None,
    policy: ProgressionPolicy,
) -> str:
    parts = [
        f"{kind}: adherence {adh * 100:.0f} % ({walked:g} of {base.weekly_minutes} min; "
        f"{walks_done}/{base.sessions_per_week} walks; progress at >= "
        f"{policy.progress_min_adherence * 100:.0f} %, reduce below "
        f"{policy.hold_min_adherence * 100:.0f} %)."
    ]
    if pain.walks_judged:
        rise = "n/a" if pain.max_rise is None else f"{pain.max_rise:+d}"
        parts.append(
            f"Pain after walks: max {pain.max_pain_after}/10, largest rise {rise}; "
            f"{pain.walks_above_limit} of {pain.walks_judged} above limit (> "
            f"{policy.acceptable_pain_max}/10 and > +{policy.acceptable_pain_rise})."
        )
    else:
        parts.append("Pain after walks: not recorded.")
    if week.baseline_pain is not None:
        mean = "n/a" if pain.mean_daily_pain is None else f"{pain.mean_daily_pain:.1f}"
        parts.append(
            f"Baseline pain {week.baseline_pain}/10; mornings >= +{policy.morning_rise_points}: "
            f"{pain.mornings_raised} (step back at {policy.morning_rise_days_step_back}); "
            f"mean daily pain {mean}."
        )
    parts.append(f"Flares: {week.flares}. Red flag: {week.red_flag_tier or 'none'}.")
    if week.lower_limb_pain:
        parts.append("Lower-limb pain reported.")
    if week.clinician_override is not None:
        parts.append(
            "Clinician override in force (engine proposed "
            f"{week.prescribed.weekly_minutes} min/week)."
        )
    cap = "" if cap_minutes is None else f"; cap {cap_minutes} min/week"
    parts.append(
        f"Next: {next_dose.minutes_per_session} min x {next_dose.sessions_per_day} x "
        f"{next_dose.days_per_week} d = {next_dose.weekly_minutes} min/week "
        f"(was {base.weekly_minutes}{cap})."
    )
    return " ".join(parts)
