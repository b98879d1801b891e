from __future__ import annotations

import pytest

from walkrx.core import (
    CoreError,
    IllegalTransition,
    ProgrammeEvent,
    ProgrammeState,
    allowed_events,
    transition,
)

S = ProgrammeState
E = ProgrammeEvent

LEGAL = [
    # state, event, clearance, clinician, expected
    (S.INVITED, E.START_SCREENING, False, False, S.SCREENING),
    (S.SCREENING, E.SCREENING_DONE, False, False, S.AWAITING_CLEARANCE),
    (S.AWAITING_CLEARANCE, E.ACTIVATE, True, True, S.ACTIVE),
    (S.ACTIVE, E.RED_FLAG, True, False, S.PAUSED),
    (S.PAUSED, E.RED_FLAG, True, False, S.PAUSED),
    (S.ACTIVE, E.PAUSE, True, False, S.PAUSED),
    (S.PAUSED, E.RESUME, True, True, S.ACTIVE),
    (S.ACTIVE, E.COMPLETE, True, True, S.COMPLETED),
    (S.PAUSED, E.COMPLETE, True, True, S.COMPLETED),
    (S.INVITED, E.DISCHARGE, False, True, S.DISCHARGED),
    (S.ACTIVE, E.DISCHARGE, True, True, S.DISCHARGED),
]

ILLEGAL = [
    (S.AWAITING_CLEARANCE, E.ACTIVATE, False, True, "clearance"),
    (S.AWAITING_CLEARANCE, E.ACTIVATE, True, False, "only a clinician"),
    (S.PAUSED, E.RESUME, True, False, "only a clinician"),
    (S.PAUSED, E.RESUME, False, True, "clearance"),
    (S.INVITED, E.ACTIVATE, True, True, "not allowed"),
    (S.SCREENING, E.RED_FLAG, True, True, "not allowed"),
    (S.COMPLETED, E.DISCHARGE, True, True, "not allowed"),
    (S.DISCHARGED, E.RESUME, True, True, "not allowed"),
    (S.ACTIVE, E.COMPLETE, True, False, "only a clinician"),
]


class TestTransition:
    @pytest.mark.parametrize(("state", "event", "clearance", "clinician", "expected"), LEGAL)
    def test_it_allows_the_programme_path(
        self,
        state: ProgrammeState,
        event: ProgrammeEvent,
        clearance: bool,
        clinician: bool,
        expected: ProgrammeState,
    ) -> None:
        result = transition(
            state, event, clearance_recorded=clearance, actor_is_clinician=clinician
        )
        assert result is expected

    @pytest.mark.parametrize(("state", "event", "clearance", "clinician", "message"), ILLEGAL)
    def test_it_refuses_illegal_transitions(
        self,
        state: ProgrammeState,
        event: ProgrammeEvent,
        clearance: bool,
        clinician: bool,
        message: str,
    ) -> None:
        with pytest.raises(IllegalTransition, match=message) as info:
            transition(state, event, clearance_recorded=clearance, actor_is_clinician=clinician)
        assert isinstance(info.value, CoreError)

    def test_no_path_reaches_active_without_clearance(self) -> None:
        for state in ProgrammeState:
            for event in ProgrammeEvent:
                try:
                    result = transition(
                        state, event, clearance_recorded=False, actor_is_clinician=True
                    )
                except IllegalTransition:
                    continue
                assert result is not S.ACTIVE

    def test_final_states_accept_nothing(self) -> None:
        assert allowed_events(S.COMPLETED) == ()
        assert allowed_events(S.DISCHARGED) == ()
        assert set(allowed_events(S.ACTIVE)) == {
            E.RED_FLAG,
            E.PAUSE,
            E.COMPLETE,
            E.DISCHARGE,
        }
