from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from walkrx.core import (
    COMPENDIUM_WALKING,
    ActivityPolicy,
    Intensity,
    InvalidInput,
    SourceKind,
    StepSample,
    acsm_walking_met,
    cadence,
    compendium_walking_entry,
    energy,
    intensity_from_cadence,
    merge_step_samples,
    walking_met,
)
from walkrx.core.activity import DEFAULT_SOURCE_PRIORITY, StepRow, merge_step_rows

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def sample(
    start_min: float,
    end_min: float,
    steps: int,
    source: str = "watch",
    kind: SourceKind = SourceKind.WATCH,
    tz: timezone | ZoneInfo = UTC,
) -> StepSample:
    return StepSample(
        (T0 + timedelta(minutes=start_min)).astimezone(tz),
        (T0 + timedelta(minutes=end_min)).astimezone(tz),
        steps,
        source,
        kind,
    )


DAY = date(2026, 3, 2)


class TestMergeStepSamples:
    def test_a_single_source_is_counted_once(self) -> None:
        merged = merge_step_samples([sample(0, 10, 1000), sample(20, 30, 500)])
        assert merged.daily == {DAY: 1500}
        assert merged.per_source == {DAY: {"watch": 1500}}

    def test_overlapping_sources_are_never_summed(self) -> None:
        merged = merge_step_samples(
            [
                sample(0, 10, 1000),
                sample(0, 10, 1200, "phone", SourceKind.PHONE),
            ]
        )
        assert merged.daily == {DAY: 1000}
        assert merged.per_source[DAY] == {"phone": 1200, "watch": 1000}
        assert merged.contributed[DAY] == {"watch": 1000}

    def test_lower_priority_sources_fill_the_gaps(self) -> None:
        merged = merge_step_samples(
            [
                sample(0, 10, 1000),
                sample(0, 20, 2000, "phone", SourceKind.PHONE),
            ]
        )
        assert merged.daily == {DAY: 2000}
        assert merged.contributed[DAY] == {"phone": 1000, "watch": 1000}

    def test_samples_are_apportioned_by_overlap(self) -> None:
        merged = merge_step_samples(
            [
                sample(0.5, 2.5, 120),
                sample(0, 3, 300, "phone", SourceKind.PHONE),
            ]
        )
        # 0:30-2:30 belongs to the watch (120); the phone fills 0:00-0:30 and 2:30-3:00
        # with its own rate of 100 steps a minute (50 + 50).
        assert merged.daily == {DAY: 220}
        assert merged.contributed[DAY] == {"phone": 100, "watch": 120}

    def test_manual_entry_wins_by_default_and_order_is_configurable(self) -> None:
        samples = [
            sample(0, 10, 800, "diary", SourceKind.MANUAL),
            sample(0, 10, 1000),
        ]
        assert merge_step_samples(samples).daily == {DAY: 800}
        priority = [SourceKind.WATCH, SourceKind.MANUAL]
        assert merge_step_samples(samples, priority).daily == {DAY: 1000}

    def test_a_named_source_outranks_its_kind(self) -> None:
        samples = [
            sample(0, 10, 1000, "old watch"),
            sample(0, 10, 900, "new watch"),
            sample(0, 10, 700, "pedometer app", SourceKind.OTHER_APP),
        ]
        assert merge_step_samples(samples).daily == {DAY: 900}  # tie: alphabetical
        assert merge_step_samples(samples, ["old watch", SourceKind.WATCH]).daily == {DAY: 1000}
        assert merge_step_samples(samples, ["pedometer app"]).daily == {DAY: 700}

    def test_unlisted_sources_come_last(self) -> None:
        samples = [sample(0, 10, 1000), sample(0, 10, 700, "app", SourceKind.OTHER_APP)]
        assert merge_step_samples(samples, [SourceKind.OTHER_APP]).daily == {DAY: 700}

    def test_an_instant_sample_counts_in_its_minute(self) -> None:
        assert merge_step_samples([sample(5, 5, 40)]).daily == {DAY: 40}

    def test_a_sample_across_midnight_is_shared_between_the_days(self) -> None:
        before_midnight = datetime(2026, 3, 2, 23, 50, tzinfo=UTC)
        merged = merge_step_samples(
            [
                StepSample(
                    before_midnight,
                    before_midnight + timedelta(minutes=20),
                    200,
                    "w",
                    SourceKind.WATCH,
                )
            ]
        )
        assert merged.daily == {date(2026, 3, 2): 100, date(2026, 3, 3): 100}
        assert merged.per_source[date(2026, 3, 3)] == {"w": 100}

    def test_an_instant_sample_loses_to_a_higher_source_covering_it(self) -> None:
        samples = [sample(0, 10, 1000), sample(5, 5, 40, "phone", SourceKind.PHONE)]
        assert merge_step_samples(samples).daily == {DAY: 1000}
        samples = [sample(0, 10, 1000, "phone", SourceKind.PHONE), sample(5, 5, 40)]
        assert merge_step_samples(samples).daily == {DAY: 1040}

    def test_daily_totals_use_each_samples_own_offset(self) -> None:
        tokyo = timezone(timedelta(hours=9))
        new_york = ZoneInfo("America/New_York")
        late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
        merged = merge_step_samples(
            [
                StepSample(
                    late.astimezone(tokyo),
                    (late + timedelta(minutes=10)).astimezone(tokyo),
                    100,
                    "w",
                    SourceKind.WATCH,
                ),
                StepSample(
                    (late + timedelta(hours=2)).astimezone(new_york),
                    (late + timedelta(hours=2, minutes=10)).astimezone(new_york),
                    50,
                    "w",
                    SourceKind.WATCH,
                ),
            ]
        )
        assert merged.daily == {date(2026, 3, 2): 50, date(2026, 3, 3): 100}

    def test_no_samples_no_steps(self) -> None:
        merged = merge_step_samples([])
        assert (merged.daily, merged.per_source, merged.contributed) == ({}, {}, {})

    @pytest.mark.parametrize(
        ("start", "end", "steps"),
        [
            (datetime(2026, 3, 2, 10), T0, 10),
            (T0, T0 - timedelta(minutes=1), 10),
            (T0, T0, -1),
            (T0, T0, True),
        ],
    )
    def test_samples_are_validated(self, start: datetime, end: datetime, steps: int) -> None:
        with pytest.raises(InvalidInput):
            StepSample(start, end, steps, "w", SourceKind.WATCH)


class TestMergeStepRows:
    """The plain-tuple merge used for bulk imports gives what the sample merge gives."""

    @staticmethod
    def rows(samples: list[StepSample]) -> list[StepRow]:
        return [
            (
                s.start.timestamp(),
                s.end.timestamp(),
                int(s.start.utcoffset().total_seconds()),  # type: ignore[union-attr]
                s.steps,
                s.source,
                s.source_kind,
            )
            for s in samples
        ]

    def test_it_matches_the_sample_merge(self) -> None:
        tokyo, lima = timezone(timedelta(hours=9)), timezone(timedelta(hours=-5))
        samples = [
            sample(0, 30, 3000, "w", SourceKind.WATCH, tokyo),
            sample(10, 20, 900, "p", SourceKind.PHONE, lima),
            sample(25, 25, 40, "m", SourceKind.MANUAL),
            sample(15, 15, 7, "p", SourceKind.PHONE),
            sample(-600, 900, 15000, "o", SourceKind.OTHER_APP, lima),
            sample(40, 50, 100, "w", SourceKind.WATCH, tokyo),
            sample(45, 60, 100, "w", SourceKind.WATCH, tokyo),
        ]
        for priority in (DEFAULT_SOURCE_PRIORITY, ("p", SourceKind.MANUAL), ()):
            expected = merge_step_samples(samples, priority)
            merged = merge_step_rows(self.rows(samples), priority)
            assert merged == expected
            assert merged.per_source == expected.per_source
            assert merged.contributed == expected.contributed

    @pytest.mark.parametrize(("start", "end", "steps"), [(10.0, 5.0, 1), (0.0, 60.0, -1)])
    def test_rows_are_validated(self, start: float, end: float, steps: int) -> None:
        with pytest.raises(InvalidInput):
            merge_step_rows([(start, end, 0, steps, "w", SourceKind.WATCH)])


class TestIntensity:
    @pytest.mark.parametrize(
        ("spm", "intensity"),
        [
            (99.9, Intensity.LIGHT),
            (100, Intensity.MODERATE),
            (129, Intensity.MODERATE),
            (130, Intensity.VIGOROUS),
        ],
    )
    def test_it_follows_tudor_locke(self, spm: float, intensity: Intensity) -> None:
        assert intensity_from_cadence(spm) is intensity

    def test_cadence(self) -> None:
        assert cadence(3000, 30) == 100
        with pytest.raises(InvalidInput):
            cadence(100, 0)

    def test_thresholds_come_from_the_policy(self) -> None:
        assert intensity_from_cadence(110, ActivityPolicy(moderate_cadence=115)) is Intensity.LIGHT


class TestMets:
    def test_acsm_equation(self) -> None:
        assert acsm_walking_met(80) == pytest.approx((3.5 + 8) / 3.5)
        assert acsm_walking_met(80, 0.05) == pytest.approx((3.5 + 8 + 1.8 * 80 * 0.05) / 3.5)

    @pytest.mark.parametrize(("speed", "grade"), [(49, 0.0), (101, 0.0), (80, -0.02)])
    def test_acsm_outside_its_range_is_refused(self, speed: float, grade: float) -> None:
        with pytest.raises(InvalidInput):
            acsm_walking_met(speed, grade)

    @pytest.mark.parametrize(
        ("mph", "grade", "code", "met"),
        [
            (1.5, 0, "17151", 2.0),
            (2.0, 0, "17152", 2.8),
            (2.5, 0, "17170", 3.0),
            (3.0, 0, "17190", 3.5),
            (3.5, 0, "17200", 4.3),
            (4.0, 0, "17220", 5.0),
            (4.5, 0, "17230", 7.0),
            (5.0, 0, "17231", 8.3),
            (3.0, 3, "17210", 5.3),
            (3.5, 5, "17210", 5.3),
            (3.2, 10, "17211", 8.0),
        ],
    )
    def test_compendium_codes(self, mph: float, grade: float, code: str, met: float) -> None:
        entry = compendium_walking_entry(mph, grade)
        assert (entry.code, entry.met, entry.version) == (code, met, "2011")

    @pytest.mark.parametrize(("mph", "grade"), [(6.0, 0), (2.0, 3), (3.0, 20)])
    def test_compendium_has_no_code_for_everything(self, mph: float, grade: float) -> None:
        with pytest.raises(InvalidInput):
            compendium_walking_entry(mph, grade)

    def test_codes_are_unique(self) -> None:
        assert len({e.code for e in COMPENDIUM_WALKING}) == len(COMPENDIUM_WALKING)

    def test_walking_met_prefers_acsm_in_range_and_compendium_outside(self) -> None:
        inside = walking_met(80)
        assert inside.method == "ACSM walking equation"
        assert inside.compendium is None
        slow = walking_met(40)
        assert slow.method == "Compendium 2011 code 17151"
        assert slow.compendium is not None
        assert slow.met == 2.0
        fast = walking_met(4.0 * 26.8)
        assert fast.met == 5.0


class TestEnergy:
    def test_the_worked_example(self) -> None:
        result = energy(4.3, 80, 0.5)
        assert result.gross_kcal == pytest.approx(172)
        assert result.net_kcal == pytest.approx(132)

    @pytest.mark.parametrize(("met", "kg", "hours"), [(0.9, 80, 1), (3, 0, 1), (3, 80, -1)])
    def test_it_rejects_impossible_values(self, met: float, kg: float, hours: float) -> None:
        with pytest.raises(InvalidInput):
            energy(met, kg, hours)
