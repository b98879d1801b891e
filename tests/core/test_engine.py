from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walkrx.core import (
    DEFAULT_POLICY,
    DEFAULT_TARGET,
    PATIENT_SAFETY_TEXT,
    DecisionKind,
    Dose,
    InvalidInput,
    PastWeek,
    Prompt,
    ReasonCode,
    Target,
    Tier,
    WalkRecord,
    WeekInput,
    adherence,
    describe_dose,
    pain_response,
    review_week,
    target_weekly_minutes,
)

MONDAY = date(2026, 3, 2)
K = DecisionKind
R = ReasonCode


def walks(
    count: int, minutes: float, before: int | None = 3, after: int | None = 3
) -> tuple[WalkRecord, ...]:
    return tuple(
        WalkRecord(MONDAY + timedelta(days=i % 7), minutes, None, before, after)
        for i in range(count)
    )


def mornings(*pains: int) -> dict[date, int]:
    return {MONDAY + timedelta(days=i + 1): p for i, p in enumerate(pains)}


START = Dose(10, 1, 5)


def week(dose: Dose = START, **kwargs: Any) -> WeekInput:
    kwargs.setdefault("walks", walks(dose.sessions_per_week, dose.minutes_per_session))
    kwargs.setdefault("baseline_pain", 3)
    return WeekInput(dose, **kwargs)


TOLERATED = [PastWeek(Dose(12, 1, 5), K.PROGRESS, True), PastWeek(Dose(15, 1, 5), K.HOLD, False)]

CASES: list[tuple[str, WeekInput, list[PastWeek], K, Dose, set[ReasonCode]]] = [
    ("good week", week(), [], K.PROGRESS, Dose(12, 1, 5), {R.ADHERENCE_MET, R.PAIN_ACCEPTABLE}),
    (
        "80 % is enough",
        week(walks=walks(4, 10)),
        [],
        K.PROGRESS,
        Dose(12, 1, 5),
        {R.ADHERENCE_MET},
    ),
    ("partial", week(walks=walks(3, 10)), [], K.HOLD, Dose(10, 1, 5), {R.ADHERENCE_PARTIAL}),
    (
        "low, at floor",
        week(walks=walks(1, 10)),
        [],
        K.REDUCE_TO_ACHIEVED,
        Dose(5, 1, 5),
        {R.ADHERENCE_LOW, R.AT_FLOOR},
    ),
    (
        "low, to achieved",
        week(Dose(20, 1, 5), walks=walks(2, 20)),
        [],
        K.REDUCE_TO_ACHIEVED,
        Dose(8, 1, 5),
        {R.ADHERENCE_LOW},
    ),
    (
        "nothing walked",
        week(walks=()),
        [],
        K.REDUCE_TO_ACHIEVED,
        Dose(5, 1, 5),
        {R.ADHERENCE_LOW, R.PAIN_NOT_RECORDED},
    ),
    (
        "flare, back to tolerated",
        week(Dose(20, 1, 5), flares=1),
        TOLERATED,
        K.STEP_BACK,
        Dose(12, 1, 5),
        {R.FLARE, R.STEPPED_BACK_TO_TOLERATED},
    ),
    (
        "flare, 80 %",
        week(Dose(20, 1, 5), flares=1),
        [],
        K.STEP_BACK,
        Dose(16, 1, 5),
        {R.FLARE},
    ),
    (
        "flare at floor",
        week(Dose(5, 1, 5), flares=2),
        [],
        K.STEP_BACK,
        Dose(5, 1, 5),
        {R.FLARE, R.AT_FLOOR},
    ),
    (
        "two unsettled mornings",
        week(Dose(20, 1, 5), morning_pains=mornings(5, 6, 3)),
        [],
        K.STEP_BACK,
        Dose(16, 1, 5),
        {R.MORNING_PAIN_RAISED},
    ),
    (
        "flare and low adherence: smaller dose wins",
        week(Dose(20, 1, 5), walks=walks(1, 20), flares=1),
        [],
        K.STEP_BACK,
        Dose(5, 1, 5),
        {R.FLARE, R.ADHERENCE_LOW, R.AT_FLOOR},
    ),
    (
        "one unsettled morning",
        week(morning_pains=mornings(5, 3)),
        [],
        K.HOLD,
        Dose(10, 1, 5),
        {R.MORNING_PAIN_RAISED},
    ),
    (
        "walk too painful",
        week(walks=walks(5, 10, 3, 6)),
        [],
        K.HOLD,
        Dose(10, 1, 5),
        {R.PAIN_ABOVE_LIMIT},
    ),
    (
        "high but within 2 of start",
        week(walks=walks(5, 10, 5, 7)),
        [],
        K.PROGRESS,
        Dose(12, 1, 5),
        {R.PAIN_ACCEPTABLE},
    ),
    (
        "too painful, no starting pain",
        week(walks=walks(5, 10, None, 6)),
        [],
        K.HOLD,
        Dose(10, 1, 5),
        {R.PAIN_ABOVE_LIMIT},
    ),
    (
        "daily pain up",
        week(daily_pains=mornings(5, 5, 6)),
        [],
        K.HOLD,
        Dose(10, 1, 5),
        {R.DAILY_PAIN_RAISED},
    ),
    (
        "no pain logged",
        week(walks=walks(5, 10, None, None), baseline_pain=None),
        [],
        K.PROGRESS,
        Dose(12, 1, 5),
        {R.PAIN_NOT_RECORDED},
    ),
    (
        "no baseline: mornings not judged",
        week(walks=walks(5, 10, None, None), baseline_pain=None, morning_pains=mornings(9, 9)),
        [],
        K.PROGRESS,
        Dose(12, 1, 5),
        {R.PAIN_ACCEPTABLE},
    ),
    (
        "urgent flag",
        week(red_flag_tier=Tier.URGENT),
        [],
        K.PAUSE,
        Dose(10, 1, 5),
        {R.RED_FLAG_PAUSE, R.ADHERENCE_MET},
    ),
    (
        "emergency with low adherence",
        week(Dose(20, 1, 5), walks=walks(1, 20), red_flag_tier=Tier.EMERGENCY),
        [],
        K.PAUSE,
        Dose(5, 1, 5),
        {R.RED_FLAG_PAUSE, R.ADHERENCE_LOW},
    ),
    (
        "review flag",
        week(red_flag_tier=Tier.REVIEW),
        [],
        K.HOLD,
        Dose(10, 1, 5),
        {R.RED_FLAG_REVIEW},
    ),
    ("lower limb", week(lower_limb_pain=True), [], K.HOLD, Dose(10, 1, 5), {R.LOWER_LIMB_PAIN}),
    (
        "override",
        WeekInput(Dose(10, 1, 5), walks(5, 20), clinician_override=Dose(20, 1, 5)),
        [],
        K.PROGRESS,
        Dose(23, 1, 5),
        {R.CLINICIAN_OVERRIDE, R.ADHERENCE_MET},
    ),
    (
        "at target",
        week(Dose(30, 1, 5)),
        [PastWeek(Dose(30, 1, 5), K.PROGRESS, True)],
        K.HOLD,
        Dose(30, 1, 5),
        {R.TARGET_REACHED},
    ),
    (
        "reaching target",
        week(Dose(29, 1, 5)),
        [PastWeek(Dose(26, 1, 5), K.PROGRESS, True)],
        K.PROGRESS,
        Dose(30, 1, 5),
        {R.TARGET_REACHED},
    ),
    (
        "capped at 7 days by the target",
        week(Dose(21, 1, 7)),
        [PastWeek(Dose(21, 1, 7), K.HOLD, True)],
        K.HOLD,
        Dose(21, 1, 7),
        {R.TARGET_REACHED},
    ),
    (
        "two-week cap holds",
        week(Dose(13, 1, 5)),
        [PastWeek(Dose(10, 1, 5), K.PROGRESS, True)],
        K.HOLD,
        Dose(13, 1, 5),
        {R.TWO_WEEK_CAP},
    ),
    (
        "two-week cap trims",
        week(Dose(12, 1, 5)),
        [PastWeek(Dose(10, 1, 5), K.PROGRESS, True)],
        K.PROGRESS,
        Dose(13, 1, 5),
        {R.TWO_WEEK_CAP},
    ),
    (
        "below floor is lifted",
        WeekInput(Dose(10, 1, 5), walks(3, 3), clinician_override=Dose(3, 1, 5)),
        [],
        K.HOLD,
        Dose(5, 1, 5),
        {R.CLINICIAN_OVERRIDE, R.ADHERENCE_PARTIAL},
    ),
    (
        "split bouts progress per bout",
        week(Dose(6, 2, 5)),
        [],
        K.PROGRESS,
        Dose(7, 2, 5),
        {R.TWO_WEEK_CAP},
    ),
]


class TestReviewWeek:
    @pytest.mark.parametrize(
        ("name", "inp", "history", "kind", "dose", "reasons"), CASES, ids=[c[0] for c in CASES]
    )
    def test_it_decides(
        self,
        name: str,
        inp: WeekInput,
        history: list[PastWeek],
        kind: DecisionKind,
        dose: Dose,
        reasons: set[ReasonCode],
    ) -> None:
        decision = review_week(inp, history)
        assert decision.kind is kind
        assert decision.next_dose == dose
        assert reasons <= set(decision.reason_codes)
        assert decision.reasons
        assert decision.patient_explanation
        assert f"= {dose.weekly_minutes} min/week" in decision.clinician_explanation

    def test_it_explains_a_good_week_in_plain_words(self) -> None:
        decision = review_week(week(Dose(12, 1, 5)), [PastWeek(Dose(12, 1, 5), K.PROGRESS, True)])
        assert (
            decision.patient_explanation
            == "Good week: 5 of 5 walks. Next week: 14 minutes on 5 days."
        )
        assert decision.well_tolerated
        assert decision.adherence == 1.0

    @pytest.mark.parametrize(
        ("inp", "history", "text"),
        [
            (week(walks=walks(3, 10)), [], "You did 3 of 5 walks. Next week: stay at 10 minutes"),
            (week(walks=walks(1, 10)), [], "What got in the way?"),
            (week(flares=1), [], "flare this week"),
            (week(flares=1), [], "warning-sign check"),
            (week(morning_pains=mornings(6, 6)), [], "sorer the next morning on 2 days"),
            (week(morning_pains=mornings(6)), [], "a bit sorer than we aim for"),
            (week(lower_limb_pain=True), [], "next review"),
            (week(red_flag_tier=Tier.REVIEW), [], "next review"),
            (week(Dose(30, 1, 5)), [], "You have reached your target"),
            (
                week(Dose(13, 1, 5)),
                [PastWeek(Dose(10, 1, 5), K.PROGRESS, True)],
                "building up gradually",
            ),
        ],
    )
    def test_patient_explanations(self, inp: WeekInput, history: list[PastWeek], text: str) -> None:
        assert text in review_week(inp, history).patient_explanation

    def test_a_pause_shows_the_fixed_safety_text(self) -> None:
        decision = review_week(week(red_flag_tier=Tier.EMERGENCY))
        assert decision.patient_explanation == PATIENT_SAFETY_TEXT[Tier.EMERGENCY]
        assert decision.prompts == (Prompt.CLINICIAN_REVIEW,)
        assert not decision.well_tolerated

    def test_prompts(self) -> None:
        assert review_week(week(walks=walks(1, 10))).prompts == (Prompt.ASK_ABOUT_BARRIERS,)
        assert review_week(week(flares=1)).prompts == (Prompt.WARNING_SIGN_CHECK,)
        both = review_week(week(lower_limb_pain=True, red_flag_tier=Tier.REVIEW))
        assert both.prompts == (Prompt.CLINICIAN_REVIEW,)

    def test_the_clinician_sees_the_numbers(self) -> None:
        inp = week(
            Dose(20, 1, 5),
            walks=walks(4, 20, 2, 4),
            morning_pains=mornings(3, 5),
            daily_pains=mornings(3, 4),
            lower_limb_pain=True,
        )
        text = review_week(inp).clinician_explanation
        for part in (
            "adherence 80 % (80 of 100 min; 4/5 walks",
            "max 4/10, largest rise +2; 0 of 4 above limit",
            "Baseline pain 3/10",
            "mornings >= +2: 1",
            "mean daily pain 3.5",
            "Lower-limb pain reported.",
            "Red flag: none",
        ):
            assert part in text

    def test_clinician_text_handles_missing_data(self) -> None:
        text = review_week(week(walks=walks(5, 10, None, 2))).clinician_explanation
        assert "largest rise n/a" in text
        assert "mean daily pain n/a" in text
        no_pain = review_week(week(walks=walks(5, 10, None, None), baseline_pain=None))
        assert "Pain after walks: not recorded." in no_pain.clinician_explanation
        assert "Baseline" not in no_pain.clinician_explanation
        override = WeekInput(Dose(10, 1, 5), walks(5, 20), clinician_override=Dose(20, 1, 5))
        assert "engine proposed 50 min/week" in review_week(override).clinician_explanation

    def test_reasons_carry_numbers(self) -> None:
        decision = review_week(week(walks=walks(3, 10)))
        detail = decision.reasons[0].detail
        assert decision.reasons[0].code is R.ADHERENCE_PARTIAL
        assert detail["adherence_percent"] == 60.0
        assert (detail["walked_minutes"], detail["prescribed_minutes"]) == (30, 50)


class TestHelpers:
    def test_adherence_uses_the_override(self) -> None:
        assert adherence(week(walks=walks(5, 5))) == 0.5
        override = WeekInput(Dose(10, 1, 5), walks(5, 10), clinician_override=Dose(20, 1, 5))
        assert adherence(override) == 0.5
        assert override.dose == Dose(20, 1, 5)

    def test_pain_response(self) -> None:
        response = pain_response(week(walks=walks(2, 10, 2, 5), morning_pains=mornings(3)))
        assert response.recorded
        assert not response.borderline
        assert (response.max_pain_after, response.max_rise) == (5, 3)
        only_morning = pain_response(week(walks=(), morning_pains=mornings(3)))
        assert only_morning.recorded

    @pytest.mark.parametrize(
        ("dose", "text"),
        [
            (Dose(14, 1, 5), "14 minutes on 5 days"),
            (Dose(6, 2, 5), "2 walks of 6 minutes a day on 5 days"),
            (Dose(10, 1, 1), "10 minutes on 1 day"),
        ],
    )
    def test_describe_dose(self, dose: Dose, text: str) -> None:
        assert describe_dose(dose) == text

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"minutes": -1},
            {"minutes": True},
            {"minutes": 5, "steps": -1},
            {"minutes": 5, "pain_before": 11},
            {"minutes": 5, "pain_after": 2.5},
        ],
    )
    def test_walk_records_are_validated(self, kwargs: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput):
            WalkRecord(MONDAY, **kwargs)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"morning_pains": mornings(11)},
            {"daily_pains": mornings(-1)},
            {"flares": -1},
            {"baseline_pain": 12},
        ],
    )
    def test_week_inputs_are_validated(self, kwargs: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput):
            WeekInput(Dose(10), **kwargs)


# Properties ------------------------------------------------------------------------

pains = st.integers(0, 10)
doses = st.builds(Dose, st.integers(5, 40), st.integers(1, 2), st.integers(1, 7))
walk_records = st.builds(
    WalkRecord,
    st.integers(0, 6).map(lambda d: MONDAY + timedelta(days=d)),
    st.integers(0, 60),
    st.none(),
    st.none() | pains,
    st.none() | pains,
)
day_pains = st.dictionaries(st.integers(1, 7).map(lambda d: MONDAY + timedelta(days=d)), pains)
week_inputs = st.builds(
    WeekInput,
    doses,
    st.lists(walk_records, max_size=14).map(tuple),
    day_pains,
    day_pains,
    st.integers(0, 2),
    st.sampled_from([None, None, None, Tier.REVIEW, Tier.URGENT, Tier.EMERGENCY]),
    st.booleans(),
    st.none() | pains,
    st.none() | doses,
)
histories = st.lists(
    st.builds(PastWeek, doses, st.sampled_from(DecisionKind), st.booleans()), max_size=3
)
targets = st.sampled_from(
    [DEFAULT_TARGET, Target.weekly(120), Target.weekly(250), Target.steps(4000)]
)

PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)


def more_pain(inp: WeekInput, extra: int) -> WeekInput:
    return replace(
        inp,
        walks=tuple(
            replace(w, pain_after=None if w.pain_after is None else min(10, w.pain_after + extra))
            for w in inp.walks
        ),
        morning_pains={d: min(10, p + extra) for d, p in inp.morning_pains.items()},
        daily_pains={d: min(10, p + extra) for d, p in inp.daily_pains.items()},
    )


class TestEngineProperties:
    @PROPERTY
    @given(week_inputs, histories, targets)
    def test_it_is_deterministic(
        self, inp: WeekInput, history: list[PastWeek], target: Target
    ) -> None:
        assert review_week(inp, history, target) == review_week(inp, history, target)

    @PROPERTY
    @given(week_inputs, histories, targets)
    def test_it_never_passes_the_target_or_the_two_week_cap(
        self, inp: WeekInput, history: list[PastWeek], target: Target
    ) -> None:
        base = inp.dose.weekly_minutes
        nxt = review_week(inp, history, target).next_dose.weekly_minutes
        reference = (history[-1].dose if history else inp.dose).weekly_minutes
        assert nxt <= max(base, target_weekly_minutes(target))
        assert nxt <= max(base, math.floor(reference * (1 + DEFAULT_POLICY.two_week_cap_fraction)))

    @PROPERTY
    @given(week_inputs, histories, targets)
    def test_flares_and_red_flags_never_increase_the_dose(
        self, inp: WeekInput, history: list[PastWeek], target: Target
    ) -> None:
        decision = review_week(inp, history, target)
        if inp.flares or inp.red_flag_tier is not None:
            assert decision.next_dose.weekly_minutes <= inp.dose.weekly_minutes
            assert decision.kind is not DecisionKind.PROGRESS

    @PROPERTY
    @given(week_inputs, histories, targets)
    def test_it_never_goes_below_the_floor(
        self, inp: WeekInput, history: list[PastWeek], target: Target
    ) -> None:
        decision = review_week(inp, history, target)
        assert decision.next_dose.minutes_per_session >= DEFAULT_POLICY.floor_minutes

    @PROPERTY
    @given(week_inputs, histories, targets, st.integers(1, 30))
    def test_more_adherence_never_lowers_the_next_dose(
        self, inp: WeekInput, history: list[PastWeek], target: Target, extra: int
    ) -> None:
        more = replace(inp, walks=tuple(replace(w, minutes=w.minutes + extra) for w in inp.walks))
        extra_walk = replace(inp, walks=(*inp.walks, WalkRecord(MONDAY, extra)))
        before = review_week(inp, history, target).next_dose.weekly_minutes
        assert review_week(more, history, target).next_dose.weekly_minutes >= before
        assert review_week(extra_walk, history, target).next_dose.weekly_minutes >= before

    @PROPERTY
    @given(week_inputs, histories, targets, st.integers(1, 5), st.integers(0, 1))
    def test_more_pain_never_raises_the_next_dose(
        self, inp: WeekInput, history: list[PastWeek], target: Target, extra: int, flares: int
    ) -> None:
        worse = replace(more_pain(inp, extra), flares=inp.flares + flares)
        before = review_week(inp, history, target).next_dose.weekly_minutes
        assert review_week(worse, history, target).next_dose.weekly_minutes <= before
