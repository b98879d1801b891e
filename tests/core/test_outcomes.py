from __future__ import annotations

import pytest

from walkrx.core import (
    ChangeCategory,
    InvalidInput,
    Measure,
    OutcomePolicy,
    PolicyError,
    classify_change,
    outcome_policy_from_mapping,
)

UP, N, W = ChangeCategory.IMPROVED, ChangeCategory.NO_IMPORTANT_CHANGE, ChangeCategory.WORSE


class TestClassifyChange:
    @pytest.mark.parametrize(
        ("measure", "baseline", "current", "category", "threshold"),
        [
            (Measure.PAIN, 6, 4, UP, "2 points"),
            (Measure.PAIN, 3, 2, UP, "30 % of baseline"),
            (Measure.PAIN, 6, 5, N, "below 2 points"),
            (Measure.PAIN, 2, 4, W, "2 points"),
            (Measure.PAIN, 1, 2, N, "below 2 points"),
            (Measure.PAIN, 0, 1, N, "below 2 points"),
            (Measure.OSWESTRY, 40, 30, UP, "10 points"),
            (Measure.OSWESTRY, 20, 14, UP, "30 % of baseline"),
            (Measure.OSWESTRY, 40, 32, N, "below 10 points"),
            (Measure.OSWESTRY, 30, 40, W, "10 points"),
            (Measure.ROLAND_MORRIS, 12, 7, UP, "5 points"),
            (Measure.ROLAND_MORRIS, 10, 7, UP, "30 % of baseline"),
            (Measure.ROLAND_MORRIS, 10, 8, N, "below 5 points"),
            (Measure.PEG, 5, 4, UP, "1 point (PEG MID)"),
            (Measure.PEG, 5, 4.5, N, "below 1 point (PEG MID)"),
            (Measure.PEG, 4, 5, W, "1 point"),
        ],
    )
    def test_it_applies_ostelo_2008(
        self,
        measure: Measure,
        baseline: float,
        current: float,
        category: ChangeCategory,
        threshold: str,
    ) -> None:
        result = classify_change(measure, baseline, current)
        assert result.category is category
        assert result.threshold_applied.startswith(threshold)
        assert result.absolute_change == current - baseline

    def test_it_reports_both_thresholds_when_neither_is_met(self) -> None:
        result = classify_change(Measure.PAIN, 6, 5)
        assert "2 points" in result.threshold_applied
        assert "30 %" in result.threshold_applied
        assert result.percent_change == pytest.approx(-100 / 6)

    def test_percent_change_is_none_from_a_zero_baseline(self) -> None:
        assert classify_change(Measure.PAIN, 0, 0).percent_change is None

    @pytest.mark.parametrize(
        ("measure", "baseline", "current"),
        [(Measure.PAIN, 11, 2), (Measure.ROLAND_MORRIS, 5, 25), (Measure.PEG, True, 2)],
    )
    def test_it_rejects_out_of_range_scores(
        self, measure: Measure, baseline: float, current: float
    ) -> None:
        with pytest.raises(InvalidInput):
            classify_change(measure, baseline, current)

    def test_the_policy_sets_the_thresholds(self) -> None:
        policy = outcome_policy_from_mapping({"pain_points": 3, "pain_percent": 50})
        assert classify_change(Measure.PAIN, 6, 4, policy).category is N

    @pytest.mark.parametrize("data", [{"pain_points": 0}, {"peg_percent": -1}, {"pain": 2}])
    def test_it_rejects_a_bad_policy(self, data: dict[str, float]) -> None:
        with pytest.raises(PolicyError):
            outcome_policy_from_mapping(data)

    def test_default_policy_thresholds(self) -> None:
        assert OutcomePolicy().thresholds(Measure.OSWESTRY) == (10.0, 30.0)
