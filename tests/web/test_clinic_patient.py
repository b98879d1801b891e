from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.web.conftest import Cast
from walkrx.core.prescription import Target
from walkrx.core.screening import READINESS_QUESTIONS, RED_FLAG_QUESTIONS
from walkrx.web.accounts.models import User
from walkrx.web.activity.actions import record_checkin, record_walk, record_weight
from walkrx.web.alerts.actions import request_call
from walkrx.web.alerts.models import Alert
from walkrx.web.audit.models import AuditEvent
from walkrx.web.patients.models import Patient
from walkrx.web.programmes import actions as programme_actions
from walkrx.web.programmes.models import (
    DecisionStatus,
    Note,
    Programme,
    Questionnaire,
    State,
    WeeklyDecision,
)
from walkrx.web.programmes.reviews import review_week


def today() -> date:
    return timezone.localdate(timezone.now(), ZoneInfo("UTC"))


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo("UTC"))


def programme_of(patient: Patient) -> Programme:
    programme = programme_actions.current_programme(patient)
    assert programme is not None
    return programme


def through_intake(patient: Patient, by: User) -> Programme:
    programme_actions.record_warning_signs(
        patient,
        questionnaire=Questionnaire.RED_FLAGS,
        answers={q.id: False for q in RED_FLAG_QUESTIONS},
        by=by,
        now=timezone.now(),
    )
    programme_actions.record_readiness(
        patient, answers={q.id: False for q in READINESS_QUESTIONS}, by=by, now=timezone.now()
    )
    return programme_actions.complete_intake(programme_of(patient), by=by, baseline_pain=5)


def started(patient: Patient, by: User, *, days_ago: int = 2) -> Programme:
    programme = through_intake(patient, by)
    programme_actions.record_clearance(
        programme,
        physician_name="Dr Who",
        cleared_on=today() - timedelta(days=20),
        limits="",
        by=by,
    )
    return programme_actions.start_programme(
        programme,
        start_date=today() - timedelta(days=days_ago),
        target=Target.session_days(30, 5),
        by=by,
    )


def reviewed_week(patient: Patient, by: User, *, walks: int = 5) -> WeeklyDecision:
    """An active programme in week 2 with week 1 reviewed by the engine."""
    programme = started(patient, by, days_ago=8)
    first, _ = programme.week_bounds(1)
    for offset in range(walks):
        record_walk(
            patient,
            started_at=at(first + timedelta(days=offset)),
            minutes=10,
            by=patient.user,
            pain_before=3,
            pain_after=3,
        )
        record_checkin(
            patient,
            day=first + timedelta(days=offset),
            morning_pain=3,
            flare=False,
            by=patient.user,
        )
    decision = review_week(programme, 1)
    assert decision is not None
    return decision


def url(patient: Patient, rest: str = "") -> str:
    return f"/clinic/patients/{patient.pk}/{rest}"


def test_it_shows_the_patient_page_with_decision_charts_and_outcomes(cast: Cast) -> None:
    patient = cast.patient_a
    reviewed_week(patient, cast.clinician.user)
    record_weight(patient, measured_at=at(today() - timedelta(days=3)), kg=80, by=patient.user)
    record_weight(patient, measured_at=at(today()), kg=79.5, by=patient.user)
    client = cast.client_for("clinician")
    page = client.get(url(patient)).content.decode()
    assert "Week 1 review" in page
    assert "Accept: " in page
    assert "10 minutes on 5 days" in page
    assert "Minutes per week as a table" in page
    assert "Pain (0 to 10)" in page  # outcomes: baseline 5 vs this week's mornings
    assert "No important change" in page or "Improved" in page
    for name in ("minutes", "pain", "steps", "weight"):
        response = client.get(url(patient, f"charts/{name}.svg"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert b"<svg" in response.content
    assert client.get(url(patient, "charts/secret.svg")).status_code == 404


def test_it_accepts_the_proposed_decision(cast: Cast) -> None:
    decision = reviewed_week(cast.patient_a, cast.clinician.user)
    client = cast.client_for("clinician")
    response = client.post(url(cast.patient_a, f"decisions/{decision.pk}/accept/"))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.ACCEPTED
    assert decision.decided_by == cast.clinician.user
    again = client.post(url(cast.patient_a, f"decisions/{decision.pk}/accept/"), follow=True)
    assert "settled already" in again.content.decode()


def test_it_overrides_the_decision_with_a_new_dose(cast: Cast) -> None:
    decision = reviewed_week(cast.patient_a, cast.clinician.user)
    client = cast.client_for("clinician")
    response = client.post(
        url(cast.patient_a, f"decisions/{decision.pk}/override/"),
        {"minutes_per_session": 8, "sessions_per_day": 2, "days_per_week": 4, "note": "Knee"},
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OVERRIDDEN
    assert (decision.final_minutes_per_session, decision.final_sessions_per_day) == (8, 2)
    assert decision.clinician_note == "Knee"
    programme = programme_of(cast.patient_a)
    assert (programme.minutes_per_session, programme.days_per_week) == (8, 4)


def test_it_shows_override_errors_next_to_the_fields(cast: Cast) -> None:
    decision = reviewed_week(cast.patient_a, cast.clinician.user)
    response = cast.client_for("clinician").post(
        url(cast.patient_a, f"decisions/{decision.pk}/override/"),
        {"minutes_per_session": 0, "sessions_per_day": "x", "days_per_week": 9},
    )
    assert response.status_code == 400
    assert "Ensure this value is" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED


def test_it_pauses_resumes_and_discharges(cast: Cast) -> None:
    started(cast.patient_a, cast.clinician.user)
    client = cast.client_for("clinician")
    client.post(url(cast.patient_a, "pause/"), {"reason": "Holiday"})
    assert programme_of(cast.patient_a).state == State.PAUSED
    assert AuditEvent.objects.filter(action="pause programme", detail="Holiday").exists()
    client.post(url(cast.patient_a, "resume/"))
    assert programme_of(cast.patient_a).state == State.ACTIVE
    unconfirmed = client.post(url(cast.patient_a, "finish/"), {"outcome": "discharged"})
    assert unconfirmed.status_code == 400
    assert programme_of(cast.patient_a).state == State.ACTIVE
    client.post(url(cast.patient_a, "finish/"), {"outcome": "discharged", "confirm": "on"})
    programme = cast.patient_a.programmes.get()
    assert programme.state == State.DISCHARGED
    # Resuming a finished programme is refused with a message, not an error page.
    response = client.post(url(cast.patient_a, "resume/"), follow=True)
    assert response.status_code == 200
    assert "no open programme" in response.content.decode()


def test_it_refuses_to_resume_a_programme_that_is_not_paused(cast: Cast) -> None:
    started(cast.patient_a, cast.clinician.user)
    response = cast.client_for("clinician").post(url(cast.patient_a, "resume/"), follow=True)
    assert response.status_code == 200
    assert programme_of(cast.patient_a).state == State.ACTIVE


def test_it_handles_an_alert_with_a_note(cast: Cast) -> None:
    alert = request_call(cast.patient_a, message="Please call")
    client = cast.client_for("clinician")
    assert "Please call" in client.get(url(cast.patient_a)).content.decode()
    client.post(url(cast.patient_a, f"alerts/{alert.pk}/handle/"), {"note": "Called back"})
    alert.refresh_from_db()
    assert alert.handled_by == cast.clinician.user
    assert alert.handled_note == "Called back"
    again = client.post(url(cast.patient_a, f"alerts/{alert.pk}/handle/"), follow=True)
    assert "handled already" in again.content.decode()


def test_it_does_not_handle_another_patients_alert_through_this_patient(cast: Cast) -> None:
    alert = request_call(cast.patient_b)
    response = cast.client_for("clinician").post(url(cast.patient_a, f"alerts/{alert.pk}/handle/"))
    assert response.status_code == 404
    assert Alert.objects.get(pk=alert.pk).handled_at is None


def test_it_adds_notes_to_the_timeline(cast: Cast) -> None:
    client = cast.client_for("clinician")
    client.post(url(cast.patient_a, "notes/"), {"text": "Prefers mornings"})
    assert Note.objects.get(patient=cast.patient_a).text == "Prefers mornings"
    assert "Prefers mornings" in client.get(url(cast.patient_a)).content.decode()
    assert client.post(url(cast.patient_a, "notes/"), {"text": ""}).status_code == 400


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_never_fails_on_a_missing_decision_or_alert(cast: Cast, method: str) -> None:
    client = cast.client_for("clinician")
    call = getattr(client, method)
    expected = 404 if method == "post" else 405
    assert call(url(cast.patient_a, "decisions/999/accept/")).status_code == expected
    assert call(url(cast.patient_a, "alerts/999/handle/")).status_code == expected
