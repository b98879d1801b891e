from __future__ import annotations

import json
from typing import Any

import pytest

from walkrx.core import (
    DEFAULT_POLICY,
    ActivityPolicy,
    OutcomePolicy,
    PolicyError,
    ProgressionPolicy,
    ScreeningPolicy,
    describe_policy,
    policy_from_mapping,
    policy_to_mapping,
)


class TestProgressionPolicy:
    def test_defaults_match_issue_3(self) -> None:
        p = DEFAULT_POLICY
        assert (p.floor_minutes, p.default_start_minutes) == (5, 10)
        assert (p.target_session_minutes, p.target_days_per_week) == (30, 5)
        assert (p.progress_min_adherence, p.hold_min_adherence) == (0.8, 0.5)
        assert (p.acceptable_pain_max, p.acceptable_pain_rise) == (5, 2)
        assert p.two_week_cap_fraction == 0.3
        assert p.tolerance_start_fraction == 0.8
        assert 0.1 <= p.session_increase_fraction <= 0.2
        assert p.min_session_increase_minutes == 2

    def test_it_round_trips_through_json(self) -> None:
        data = json.loads(json.dumps(policy_to_mapping(DEFAULT_POLICY)))
        assert policy_from_mapping(data) == DEFAULT_POLICY

    def test_partial_mappings_override_defaults(self) -> None:
        policy = policy_from_mapping({"floor_minutes": 8, "two_week_cap_fraction": 0.2})
        assert policy.floor_minutes == 8
        assert policy.two_week_cap_fraction == 0.2
        assert policy.default_start_minutes == 10

    def test_whole_numbers_are_accepted_for_fractions(self) -> None:
        assert policy_from_mapping({"progress_min_adherence": 1}).progress_min_adherence == 1.0

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"floor": 5}, "unknown policy key"),
            ({"floor_minutes": 5.5}, "must be int"),
            ({"floor_minutes": True}, "must be int"),
            ({"floor_minutes": "5"}, "must be int"),
            ({"two_week_cap_fraction": "0.3"}, "must be float"),
            ({"floor_minutes": 0}, "at least 1"),
            ({"target_days_per_week": 8}, "at most 7"),
            ({"progress_min_adherence": 1.5}, "above 0 and at most 1"),
            ({"two_week_cap_fraction": -0.1}, "not be negative"),
            ({"acceptable_pain_max": 11}, "between 0 and 10"),
            ({"tolerance_min_walks": 5}, "tolerance_min_walks"),
            ({"hold_min_adherence": 0.9}, "hold_min_adherence"),
            ({"floor_minutes": 40}, "floor_minutes"),
        ],
    )
    def test_it_rejects_bad_keys_and_values(self, data: dict[str, Any], message: str) -> None:
        with pytest.raises(PolicyError, match=message):
            policy_from_mapping(data)

    def test_it_rejects_non_mappings(self) -> None:
        with pytest.raises(PolicyError, match="mapping"):
            policy_from_mapping([("floor_minutes", 5)])  # type: ignore[arg-type]


class TestDescribePolicy:
    @pytest.mark.parametrize(
        "policy", [DEFAULT_POLICY, ScreeningPolicy(), OutcomePolicy(), ActivityPolicy()]
    )
    def test_every_value_has_a_doc_and_a_source(self, policy: Any) -> None:
        rows = describe_policy(policy)
        assert rows
        assert all(row.doc and row.source for row in rows)
        assert all(row.value == row.default for row in rows)

    def test_it_shows_overridden_values_next_to_defaults(self) -> None:
        rows = {r.name: r for r in describe_policy(ProgressionPolicy(floor_minutes=7))}
        assert (rows["floor_minutes"].value, rows["floor_minutes"].default) == (7, 5)
        assert rows["floor_minutes"].unit == "min"
