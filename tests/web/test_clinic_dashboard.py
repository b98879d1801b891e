from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.web.conftest import Cast
from tests.web.test_clinic_patient import (
    at,
    programme_of,
    reviewed_week,
    started,
    through_intake,
    today,
)
from walkrx.web.activity.actions import record_checkin, record_walk
from walkrx.web.alerts.actions import request_call
from walkrx.web.clinics.dashboard import Need
from walkrx.web.patients.actions import add_patient
from walkrx.web.patients.models import Patient
from walkrx.web.programmes import actions as programme_actions
from walkrx.web.programmes.models import Questionnaire


def new_patient(cast: Cast, name: str) -> Patient:
    email = name.lower().replace(" ", ".") + "@example.test"
    return add_patient(cast.clinic, email=email, full_name=name, care_team=[cast.clinician])


def add_varied_patients(cast: Cast, first: int, count: int) -> None:
    """Patients in different states, with walks and check-ins, so every per-row fact is read."""
    by = cast.clinician.user
    for number in range(first, first + count):
        patient = new_patient(cast, f"Patient {number:03d}")
        kind = number % 6
        if kind == 1:
            through_intake(patient, by)
        elif kind in (2, 3):
            started(patient, by, days_ago=9)
            day = today() - timedelta(days=kind)
            record_walk(patient, started_at=at(day), minutes=12, by=patient.user, pain_after=3)
            record_checkin(patient, day=day, morning_pain=4, flare=kind == 3, by=patient.user)
            record_checkin(
                patient, day=day - timedelta(days=8), morning_pain=2, flare=False, by=patient.user
            )


def caseload_queries(cast: Cast) -> int:
    client = cast.client_for("clinician")
    client.get("/clinic/")  # warm up the session and static lookups
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/clinic/")
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_it_runs_the_same_number_of_queries_for_5_and_60_patients(cast: Cast) -> None:
    add_varied_patients(cast, 0, 3)  # with patient_a and patient_b: 5 patients
    small = caseload_queries(cast)
    add_varied_patients(cast, 3, 55)  # 60 patients: a full page of 50 and a second page
    large = caseload_queries(cast)
    assert small == large
    client = cast.client_for("clinician")
    with CaptureQueriesContext(connection) as second:
        assert client.get("/clinic/?page=2").status_code == 200
    assert len(second.captured_queries) == large


def test_it_sorts_the_caseload_by_need(cast: Cast) -> None:
    by = cast.clinician.user
    on_track = new_patient(cast, "Aaron On Track")
    started(on_track, by)
    record_walk(on_track, started_at=at(today()), minutes=10, by=on_track.user)
    finished = new_patient(cast, "Abe Finished")
    programme_actions.discharge_patient(programme_of(finished), by=by, completed=False)
    quiet = new_patient(cast, "Ada No Data")
    started(quiet, by, days_ago=10)
    low = new_patient(cast, "Al Low Adherence")
    reviewed_week(low, by, walks=1)
    paused = new_patient(cast, "Ali Paused")
    programme_actions.pause_programme(started(paused, by), by=by)
    intake = new_patient(cast, "Amy Intake")
    clearance = new_patient(cast, "Ann Clearance")
    through_intake(clearance, by)
    flare = new_patient(cast, "Ash Flare")
    started(flare, by)
    record_checkin(flare, day=today(), morning_pain=7, flare=True, by=flare.user)
    call = new_patient(cast, "Ava Call")
    request_call(call)
    warning = new_patient(cast, "Azi Warning")
    programme_actions.record_warning_signs(
        warning,
        questionnaire=Questionnaire.RED_FLAGS,
        answers={"ces_bladder": True},
        by=by,
        now=timezone.now(),
    )
    response = cast.client_for("clinician").get("/clinic/")
    rows = [(row.patient.pk, row.need) for row in response.context["rows"]]
    expected = [
        (warning.pk, Need.WARNING_SIGN),
        (call.pk, Need.CALL),
        (flare.pk, Need.FLARE),
        (clearance.pk, Need.CLEARANCE),
        (intake.pk, Need.INTAKE),
        (paused.pk, Need.PAUSED),
        (low.pk, Need.LOW_ADHERENCE),
        (quiet.pk, Need.NO_DATA),
        (on_track.pk, Need.ON_TRACK),
        (finished.pk, Need.FINISHED),
    ]
    ours = [row for row in rows if row[0] in {pk for pk, _ in expected}]
    assert ours == expected
    page = response.content.decode()
    assert page.index("Azi Warning") < page.index("Ava Call") < page.index("Ash Flare")


def test_it_shows_the_facts_of_each_row(cast: Cast) -> None:
    by = cast.clinician.user
    patient = new_patient(cast, "Fact Finder")
    programme = started(patient, by, days_ago=1)
    record_walk(patient, started_at=at(today()), minutes=7, by=patient.user)
    for offset, pain in ((0, 6), (1, 6), (8, 3), (9, 3)):
        day = today() - timedelta(days=offset)
        record_checkin(patient, day=day, morning_pain=pain, flare=False, by=patient.user)
    response = cast.client_for("clinician").get("/clinic/?q=fact")
    (row,) = response.context["rows"]
    assert row.week == 1
    assert (row.walked, row.prescribed) == (7, programme.dose.weekly_minutes)
    assert row.trend is not None
    assert row.trend.direction == "up"
    assert row.last_activity == today()
    page = response.content.decode()
    assert "7 / 50" in page
    assert "worse" in page


def test_it_filters_by_need_and_searches_by_name(cast: Cast) -> None:
    request_call(cast.patient_b)
    client = cast.client_for("clinician")
    calls = client.get("/clinic/?need=call").context["rows"]
    assert [row.patient for row in calls] == [cast.patient_b]
    found = client.get("/clinic/?q=able").context["rows"]
    assert [row.patient for row in found] == [cast.patient_a]
    assert client.get("/clinic/?need=nonsense&page=abc").status_code == 200
