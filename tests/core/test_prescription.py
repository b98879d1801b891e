from __future__ import annotations

import pytest

from walkrx.core import (
    DEFAULT_POLICY,
    DEFAULT_TARGET,
    Dose,
    InvalidInput,
    ProgressionPolicy,
    Target,
    TargetKind,
    TargetUnreachable,
    ToleranceWalk,
    meets_target,
    progress_dose,
    start_dose,
    target_dose,
    target_weekly_minutes,
    weeks_to_target,
)


class TestDose:
    def test_it_counts_minutes(self) -> None:
        dose = Dose(6, 2, 5)
        assert (dose.daily_minutes, dose.weekly_minutes, dose.sessions_per_week) == (12, 60, 10)

    @pytest.mark.parametrize(
        "args", [(0, 1, 5), (10, 0, 5), (10, 1, 8), (10, 1, 0), (10.5, 1, 5), (True, 1, 5)]
    )
    def test_it_rejects_impossible_doses(self, args: tuple[int, int, int]) -> None:
        with pytest.raises(InvalidInput):
            Dose(*args)


class TestStartDose:
    def test_without_a_tolerance_test_it_is_10_minutes_a_day(self) -> None:
        assert start_dose(None) == Dose(10, 1, 5)
        assert start_dose([]) == Dose(10, 1, 5)

    @pytest.mark.parametrize(
        ("minutes", "expected"),
        [
            ([20, 22, 24], Dose(17, 1, 5)),
            ([15, 15], Dose(12, 1, 5)),
            ([8, 9, 10, 9], Dose(7, 2, 5)),
            ([4, 5], Dose(5, 2, 5)),
            ([2, 3, 2], Dose(5, 2, 5)),
        ],
    )
    def test_it_starts_at_80_percent_of_mean_tolerance(
        self, minutes: list[float], expected: Dose
    ) -> None:
        walks = [ToleranceWalk(m, 2, 4, stopped_early=True) for m in minutes]
        assert start_dose(walks) == expected

    @pytest.mark.parametrize("count", [1, 5])
    def test_it_needs_2_to_4_walks(self, count: int) -> None:
        with pytest.raises(InvalidInput, match="2 to 4"):
            start_dose([ToleranceWalk(10)] * count)

    @pytest.mark.parametrize(
        "kwargs", [{"minutes": 0}, {"minutes": True}, {"minutes": 5, "pain_after": 11}]
    )
    def test_it_rejects_bad_tolerance_walks(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(InvalidInput):
            ToleranceWalk(**kwargs)  # type: ignore[arg-type]


class TestTarget:
    def test_default_is_30_minutes_on_5_days(self) -> None:
        assert Target(TargetKind.SESSION_DAYS, 30, 5) == DEFAULT_TARGET
        assert target_dose(DEFAULT_TARGET) == Dose(30, 1, 5)
        assert target_weekly_minutes(DEFAULT_TARGET) == 150

    @pytest.mark.parametrize(
        ("target", "dose", "weekly"),
        [
            (Target.weekly(150), Dose(30, 1, 5), 150),
            (Target.weekly(200), Dose(28, 1, 7), 200),
            (Target.weekly(300), Dose(42, 1, 7), 300),
            (Target.weekly(20), Dose(20, 1, 1), 20),
            (Target.steps(3000), Dose(30, 1, 7), 210),
            (Target.session_days(20, 3), Dose(20, 1, 3), 60),
        ],
    )
    def test_it_turns_targets_into_doses(self, target: Target, dose: Dose, weekly: int) -> None:
        assert target_dose(target) == dose
        assert target_weekly_minutes(target) == weekly

    @pytest.mark.parametrize(
        "args",
        [
            (TargetKind.SESSION_DAYS, 30, None),
            (TargetKind.WEEKLY_MINUTES, 150, 5),
            (TargetKind.SESSION_DAYS, 30, 8),
            (TargetKind.DAILY_STEPS, 0, None),
            (TargetKind.DAILY_STEPS, True, None),
        ],
    )
    def test_it_rejects_bad_targets(self, args: tuple[TargetKind, int, int | None]) -> None:
        with pytest.raises(InvalidInput):
            Target(*args)

    @pytest.mark.parametrize(
        ("dose", "target", "met"),
        [
            (Dose(30, 1, 5), DEFAULT_TARGET, True),
            (Dose(29, 1, 5), DEFAULT_TARGET, False),
            (Dose(15, 2, 5), DEFAULT_TARGET, True),
            (Dose(22, 1, 7), DEFAULT_TARGET, True),
            (Dose(28, 1, 7), Target.weekly(200), True),
            (Dose(27, 1, 7), Target.weekly(200), False),
        ],
    )
    def test_it_knows_when_the_target_is_met(self, dose: Dose, target: Target, met: bool) -> None:
        assert meets_target(dose, target) is met


class TestProgressDose:
    @pytest.mark.parametrize(
        ("current", "two_before", "expected", "by_two_weeks", "by_target"),
        [
            (Dose(10, 1, 5), None, Dose(12, 1, 5), False, False),
            (Dose(12, 1, 5), Dose(10, 1, 5), Dose(13, 1, 5), True, False),
            (Dose(20, 1, 5), Dose(20, 1, 5), Dose(23, 1, 5), False, False),
            (Dose(29, 1, 5), Dose(29, 1, 5), Dose(30, 1, 5), False, False),
            (Dose(30, 1, 3), Dose(30, 1, 3), Dose(29, 1, 4), True, False),
            (Dose(30, 1, 3), Dose(40, 1, 3), Dose(30, 1, 4), False, False),
            (Dose(30, 1, 5), Dose(30, 1, 5), Dose(30, 1, 5), False, False),
            (Dose(6, 2, 5), None, Dose(7, 2, 5), True, False),
            (Dose(14, 2, 5), Dose(14, 2, 5), Dose(15, 2, 5), False, False),
            (Dose(40, 1, 5), Dose(10, 1, 5), Dose(40, 1, 5), True, False),
        ],
    )
    def test_it_lengthens_walks_then_adds_days_within_the_caps(
        self,
        current: Dose,
        two_before: Dose | None,
        expected: Dose,
        by_two_weeks: bool,
        by_target: bool,
    ) -> None:
        step = progress_dose(current, two_before, DEFAULT_TARGET)
        assert step.dose == expected
        assert (step.capped_by_two_weeks, step.capped_by_target) == (by_two_weeks, by_target)

    def test_the_target_caps_weekly_minutes(self) -> None:
        step = progress_dose(Dose(21, 1, 7), Dose(21, 1, 7), DEFAULT_TARGET)
        assert step.dose == Dose(21, 1, 7)
        assert step.capped_by_target

    def test_a_weekly_target_spreads_walks_over_more_days(self) -> None:
        step = progress_dose(Dose(28, 1, 6), Dose(28, 1, 6), Target.weekly(200))
        assert step.dose == Dose(28, 1, 7)


class TestWeeksToTarget:
    @pytest.mark.parametrize(
        ("start", "target", "week"),
        [
            (Dose(10, 1, 5), DEFAULT_TARGET, 11),
            (Dose(30, 1, 5), DEFAULT_TARGET, 1),
            (Dose(17, 1, 5), DEFAULT_TARGET, 6),
            (Dose(10, 1, 7), DEFAULT_TARGET, 8),
            (Dose(10, 1, 5), Target.weekly(200), 13),
        ],
    )
    def test_it_counts_weeks_under_full_adherence(
        self, start: Dose, target: Target, week: int
    ) -> None:
        assert weeks_to_target(start, target) == week

    def test_a_policy_with_no_room_to_grow_never_reaches_the_target(self) -> None:
        policy = ProgressionPolicy(two_week_cap_fraction=0.0)
        with pytest.raises(TargetUnreachable):
            weeks_to_target(Dose(10, 1, 5), DEFAULT_TARGET, policy)

    def test_it_is_what_the_default_policy_promises(self) -> None:
        assert 8 <= weeks_to_target(start_dose(None), DEFAULT_TARGET, DEFAULT_POLICY) <= 14
