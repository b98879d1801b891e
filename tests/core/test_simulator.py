from __future__ import annotations

import json

import pytest

from walkrx.core import (
    RED_FLAG_WEEK,
    Archetype,
    DecisionKind,
    Dose,
    InvalidInput,
    ProgressionPolicy,
    ReasonCode,
    render_json,
    render_table,
    simulate,
)


def first_week_at(weeks: list[object], dose: Dose) -> int | None:
    for w in weeks:
        if w.dose.minutes_per_session >= dose.minutes_per_session and (  # type: ignore[attr-defined]
            w.dose.days_per_week >= dose.days_per_week  # type: ignore[attr-defined]
        ):
            return w.week  # type: ignore[attr-defined, no-any-return]
    return None


class TestSimulate:
    def test_adherent_starts_at_10_minutes_and_reaches_30_x_5_in_weeks_8_to_14(self) -> None:
        weeks = simulate("adherent", 20)
        assert weeks[0].dose == Dose(10, 1, 5)
        reached = first_week_at(list(weeks), Dose(30, 1, 5))
        assert reached is not None
        assert 8 <= reached <= 14
        assert all(w.dose.weekly_minutes <= 150 for w in weeks)

    def test_flare_prone_steps_back_in_flare_weeks_and_recovers(self) -> None:
        weeks = simulate(Archetype.FLARE_PRONE, 12)
        for w in weeks:
            if w.week % 4 == 3:
                assert w.decision is DecisionKind.STEP_BACK
                assert ReasonCode.FLARE in w.reasons
        assert weeks[3].dose.weekly_minutes < weeks[2].dose.weekly_minutes
        assert weeks[-1].dose.weekly_minutes > weeks[0].dose.weekly_minutes

    def test_low_adherence_reduces_and_never_progresses(self) -> None:
        weeks = simulate(Archetype.LOW_ADHERENCE, 16)
        kinds = {w.decision for w in weeks}
        assert DecisionKind.REDUCE_TO_ACHIEVED in kinds
        assert DecisionKind.PROGRESS not in kinds
        assert all(w.dose.minutes_per_session >= 5 for w in weeks)

    def test_red_flag_pauses_in_week_5_and_stays_paused(self) -> None:
        weeks = simulate(Archetype.RED_FLAG, 10)
        assert [w.decision for w in weeks[: RED_FLAG_WEEK - 1]] == [DecisionKind.PROGRESS] * 4
        assert weeks[RED_FLAG_WEEK - 1].decision is DecisionKind.PAUSE
        assert ReasonCode.RED_FLAG_PAUSE in weeks[RED_FLAG_WEEK - 1].reasons
        for w in weeks[RED_FLAG_WEEK:]:
            assert w.decision is DecisionKind.PAUSE
            assert w.reasons == (ReasonCode.PAUSED_AWAITING_CLINICIAN,)
            assert w.dose == weeks[RED_FLAG_WEEK - 1].dose
            assert w.adherence is None

    def test_fast_responder_starts_from_a_tolerance_test_and_reaches_target_sooner(self) -> None:
        fast = simulate(Archetype.FAST_RESPONDER, 16)
        assert fast[0].dose == Dose(17, 1, 5)
        reached = first_week_at(list(fast), Dose(30, 1, 5))
        adherent = first_week_at(list(simulate(Archetype.ADHERENT, 16)), Dose(30, 1, 5))
        assert reached is not None
        assert adherent is not None
        assert reached < adherent

    @pytest.mark.parametrize("archetype", list(Archetype))
    def test_every_archetype_is_deterministic_and_described(self, archetype: Archetype) -> None:
        assert simulate(archetype, 12) == simulate(archetype, 12)
        assert archetype.description

    def test_the_policy_changes_the_outcome(self) -> None:
        slow = simulate("adherent", 14, ProgressionPolicy(two_week_cap_fraction=0.1))
        assert slow[-1].dose.weekly_minutes < 150

    @pytest.mark.parametrize(
        ("archetype", "weeks"), [("lazy", 4), ("adherent", 0), ("adherent", True)]
    )
    def test_it_rejects_bad_arguments(self, archetype: str, weeks: int) -> None:
        with pytest.raises(InvalidInput):
            simulate(archetype, weeks)


class TestRenderers:
    def test_json_follows_the_contract(self) -> None:
        data = json.loads(render_json(simulate("red-flag", 6)))
        assert [d["week"] for d in data] == [1, 2, 3, 4, 5, 6]
        for entry in data:
            assert set(entry) == {
                "week",
                "minutes_per_session",
                "days_per_week",
                "decision",
                "reasons",
            }
            assert entry["reasons"]
            assert entry["decision"] in {k.value for k in DecisionKind}
        assert data[0] == {
            "week": 1,
            "minutes_per_session": 10,
            "days_per_week": 5,
            "decision": "PROGRESS",
            "reasons": ["ADHERENCE_MET", "PAIN_ACCEPTABLE"],
        }

    def test_table_has_one_row_per_week(self) -> None:
        table = render_table(simulate("red-flag", 6))
        lines = table.splitlines()
        assert lines[0].split() == ["week", "dose", "min/wk", "adherence", "decision", "reasons"]
        assert len(lines) == 7
        assert lines[1].split()[:5] == ["1", "10x1x5d", "50", "100", "%"]
        assert " - " in lines[6]
