from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.web.conftest import Cast
from walkrx.core import prescription
from walkrx.core.screening import RED_FLAG_QUESTIONS
from walkrx.web.activity.actions import record_checkin, record_walk
from walkrx.web.alerts.models import Alert
from walkrx.web.patients.models import Patient
from walkrx.web.programmes import actions
from walkrx.web.programmes.models import Programme, Questionnaire, State, WeeklyDecision
from walkrx.web.programmes.reviews import (
    accept_decision,
    override_decision,
    review_due_programmes,
    review_week,
)

LONDON = ZoneInfo("UTC")


def start_active_programme(cast: Cast, patient: Patient, start: date) -> Programme:
    programme = actions.current_programme(patient)
    assert programme is not None
    by = cast.clinician.user
    actions.record_warning_signs(
        patient,
        questionnaire=Questionnaire.RED_FLAGS,
        answers={q.id: False for q in RED_FLAG_QUESTIONS},
        by=by,
        now=timezone.now(),
    )
    actions.complete_intake(programme, by=by, baseline_pain=4)
    actions.record_clearance(
        programme, physician_name="Dr Imre", cleared_on=start, limits="", by=by
    )
    return actions.start_programme(
        programme,
        start_date=start,
        target=prescription.Target(prescription.TargetKind.SESSION_DAYS, 30, 5),
        by=by,
    )


def walk_week(
    patient: Patient, programme: Programme, week: int, *, minutes: int, days: int
) -> None:
    first, _ = programme.week_bounds(week)
    for offset in range(days):
        day = first + timedelta(days=offset)
        record_walk(
            patient,
            started_at=datetime.combine(day, time(9), tzinfo=LONDON),
            minutes=minutes,
            pain_before=3,
            pain_after=3,
            by=patient.user,
        )


def test_a_new_patient_has_an_invited_programme(cast: Cast) -> None:
    programme = actions.current_programme(cast.patient_a)
    assert programme is not None
    assert programme.state == State.INVITED


def test_no_programme_starts_without_a_clearance(cast: Cast) -> None:
    programme = actions.current_programme(cast.patient_a)
    assert programme is not None
    actions.complete_intake(programme, by=cast.clinician.user, baseline_pain=5)
    with pytest.raises(actions.ProgrammeError, match="clearance"):
        actions.start_programme(
            programme,
            start_date=timezone.localdate(),
            target=prescription.Target(prescription.TargetKind.SESSION_DAYS, 30, 5),
            by=cast.clinician.user,
        )
    programme.refresh_from_db()
    assert programme.state == State.AWAITING_CLEARANCE


def test_the_start_dose_is_ten_minutes_without_a_tolerance_test(cast: Cast) -> None:
    programme = start_active_programme(cast, cast.patient_a, timezone.localdate())
    assert programme.state == State.ACTIVE
    assert programme.dose == prescription.Dose(10, 1, 5)


def test_an_emergency_answer_pauses_alerts_and_emails_a_link_only(
    cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    programme = start_active_programme(cast, cast.patient_a, timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _, result = actions.record_warning_signs(
            cast.patient_a,
            questionnaire=Questionnaire.WEEKLY_CHECK,
            answers={"ces_bladder": True},
            by=cast.patient_a.user,
            now=timezone.now(),
        )
    programme.refresh_from_db()
    assert programme.state == State.PAUSED
    assert "emergency" in result.patient_message.lower()
    alert = Alert.objects.get(patient=cast.patient_a)
    assert alert.tier == "EMERGENCY"
    assert [message.to for message in mail.outbox] == [["alice@north.test"]]
    body = mail.outbox[0].body
    assert f"/clinic/patients/{cast.patient_a.pk}/" in body
    assert "bladder" not in body.lower()
    assert cast.patient_a.name not in body


def test_only_a_clinician_resumes_a_paused_programme(cast: Cast) -> None:
    programme = start_active_programme(cast, cast.patient_a, timezone.localdate())
    actions.record_warning_signs(
        cast.patient_a,
        questionnaire=Questionnaire.WEEKLY_CHECK,
        answers={"new_one_sided_weakness": True},
        by=cast.patient_a.user,
        now=timezone.now(),
    )
    programme.refresh_from_db()
    assert programme.state == State.PAUSED
    actions.resume_programme(programme, by=cast.clinician.user)
    assert programme.state == State.ACTIVE


def test_a_week_is_reviewed_once_and_progresses_a_good_week(cast: Cast) -> None:
    start = timezone.localdate() - timedelta(days=8)
    programme = start_active_programme(cast, cast.patient_a, start)
    walk_week(cast.patient_a, programme, 1, minutes=10, days=5)
    now = timezone.now()
    decisions = review_due_programmes(now)
    assert [(d.week, d.kind) for d in decisions] == [(1, "PROGRESS")]
    assert review_due_programmes(now) == []
    assert WeeklyDecision.objects.count() == 1
    programme.refresh_from_db()
    assert programme.dose is not None
    assert programme.dose.minutes_per_session > 10
    assert "Good week: 5 of 5 walks" in decisions[0].patient_explanation


def test_a_flare_steps_back(cast: Cast) -> None:
    start = timezone.localdate() - timedelta(days=8)
    programme = start_active_programme(cast, cast.patient_a, start)
    walk_week(cast.patient_a, programme, 1, minutes=10, days=5)
    record_checkin(
        cast.patient_a,
        day=start + timedelta(days=3),
        morning_pain=8,
        flare=True,
        by=cast.patient_a.user,
    )
    decision = review_week(programme, 1)
    assert decision is not None
    assert decision.kind == "STEP_BACK"
    assert any(reason["code"] == "FLARE" for reason in decision.reasons)


def test_an_override_is_where_the_next_review_starts(cast: Cast) -> None:
    start = timezone.localdate() - timedelta(days=15)
    programme = start_active_programme(cast, cast.patient_a, start)
    walk_week(cast.patient_a, programme, 1, minutes=10, days=5)
    first = review_week(programme, 1)
    assert first is not None
    override_decision(first, dose=prescription.Dose(8, 1, 4), note="knee", by=cast.clinician.user)
    programme.refresh_from_db()
    assert programme.dose == prescription.Dose(8, 1, 4)
    walk_week(cast.patient_a, programme, 2, minutes=8, days=4)
    second = review_week(programme, 2)
    assert second is not None
    assert second.prescribed_dose == prescription.Dose(8, 1, 4)
    assert any(reason["code"] == "CLINICIAN_OVERRIDE" for reason in second.reasons)
    with pytest.raises(actions.ProgrammeError):
        accept_decision(first.__class__.objects.get(pk=first.pk), by=cast.clinician.user)


def test_the_review_command_reports_what_it_stored(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    programme = start_active_programme(
        cast, cast.patient_a, timezone.localdate() - timedelta(days=8)
    )
    walk_week(cast.patient_a, programme, 1, minutes=10, days=2)
    call_command("review")
    out = capsys.readouterr().out
    assert "Pat Able: week 1 -> REDUCE_TO_ACHIEVED" in out
    assert "1 weekly decision(s) stored." in out


def test_the_weekly_review_tells_the_patient_without_health_details(
    cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    programme = start_active_programme(
        cast, cast.patient_a, timezone.localdate() - timedelta(days=8)
    )
    walk_week(cast.patient_a, programme, 1, minutes=10, days=5)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        review_due_programmes(timezone.now())
    assert mail.outbox[-1].to == ["pat.a@example.test"]
    assert "minutes" not in mail.outbox[-1].body
