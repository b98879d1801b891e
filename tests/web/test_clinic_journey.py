from __future__ import annotations

from typing import Any

from django.core import mail

from tests.web.conftest import Cast
from tests.web.test_clinic_patient import programme_of, started
from walkrx.core.screening import READINESS_QUESTIONS, RED_FLAG_QUESTIONS
from walkrx.web.accounts.models import User
from walkrx.web.alerts.models import Alert
from walkrx.web.audit.models import AuditEvent
from walkrx.web.clinics.models import StaffMember, StaffRole
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.models import Clearance, InstrumentResponse, State


def red_flag_answers(**yes: bool) -> dict[str, str]:
    data = {f"q_{q.id}": "yes" if yes.get(q.id) else "no" for q in RED_FLAG_QUESTIONS}
    data["new_episode"] = "no"
    return data


def test_it_runs_the_clinician_journey_from_invite_to_start(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client_for("clinician")
    assert client.get("/clinic/patients/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/clinic/patients/new/send/",
            {
                "full_name": "Nora New",
                "email": "Nora@Example.test",
                "date_of_birth": "1970-05-01",
                "care_team": [cast.clinician.pk],
            },
        )
    patient = Patient.objects.get(user__email="nora@example.test")
    assert response.status_code == 302
    assert response["Location"] == f"/clinic/patients/{patient.pk}/intake/"
    assert list(patient.care_team.all()) == [cast.clinician]
    (invitation,) = mail.outbox
    assert invitation.to == ["nora@example.test"]
    assert "http://testserver/accounts/welcome/" in invitation.body
    base = f"/clinic/patients/{patient.pk}/"

    assert client.get(base + "intake/warning-signs/").status_code == 200
    assert client.post(base + "intake/warning-signs/save/", red_flag_answers()).status_code == 302
    assert programme_of(patient).state == State.SCREENING
    readiness = {f"q_{q.id}": "no" for q in READINESS_QUESTIONS}
    readiness["q_heart_or_blood_pressure"] = "yes"
    assert client.post(base + "intake/readiness/save/", readiness).status_code == 302
    for key, data in (
        ("pain", {"pain": "6"}),
        ("start_back", {**{f"item_{i}": "1" for i in range(8)}, "item_8": "4"}),
        ("oswestry", {f"section_{i}": "2" for i in range(9)}),
        ("roland_morris", {"item_0": "on", "item_5": "on"}),
        ("peg", {"item_0": "5", "item_1": "4", "item_2": "6"}),
    ):
        assert client.get(base + f"instruments/{key}/").status_code == 200
        assert client.post(base + f"instruments/{key}/save/", data).status_code == 302, key
    scores = dict(
        InstrumentResponse.objects.filter(patient=patient).values_list("instrument", "score")
    )
    assert scores == {"pain": 6, "start_back": 9, "oswestry": 40, "roland_morris": 2, "peg": 5}
    assert InstrumentResponse.objects.get(instrument="start_back").band.startswith("HIGH")
    tolerance = {"minutes_0": "12", "minutes_1": "8", "before_0": "3", "after_0": "5"}
    assert client.post(base + "intake/tolerance/save/", tolerance).status_code == 302
    intake_page = client.get(base + "intake/").content.decode()
    assert "Heart condition or high blood pressure" in intake_page
    assert "2 walks of 8 minutes a day on 5 days" in intake_page

    # No start before the clearance: the start page sends the clinician back.
    assert client.post(base + "intake/complete/", {"baseline_pain": "6"}).status_code == 302
    programme = programme_of(patient)
    assert (programme.state, programme.baseline_pain) == (State.AWAITING_CLEARANCE, 6)
    refused = client.get(base + "start/", follow=True)
    assert "Record the physician" in refused.content.decode()
    refused = client.post(base + "start/confirm/", {"target_kind": "SESSION_DAYS"})
    assert programme_of(patient).state == State.AWAITING_CLEARANCE
    assert "Start the programme" not in client.get(base).content.decode()

    clearance = {"physician_name": "Dr Lee", "cleared_on": "2020-01-02", "limits": "No hills"}
    response = client.post(base + "clearance/save/", clearance)
    assert response["Location"] == base + "start/"
    assert Clearance.objects.get(programme=programme).limits == "No hills"
    plan = client.get(base + "start/").content.decode()
    assert "2 walks of 8 minutes a day on 5 days" in plan
    assert "in week" in plan
    response = client.post(
        base + "start/confirm/",
        {
            "target_kind": "SESSION_DAYS",
            "session_minutes": "30",
            "session_days": "5",
            "weekly_minutes": "",
            "daily_steps": "",
            "start_date": "2026-01-05",
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.state == State.ACTIVE
    assert (programme.minutes_per_session, programme.sessions_per_day) == (8, 2)
    assert str(programme.start_date) == "2026-01-05"
    actions = set(AuditEvent.objects.filter(patient_id=patient.pk).values_list("action", flat=True))
    assert {"invite patient", "record start_back", "complete intake", "start programme"} <= actions


def test_it_rejects_a_duplicate_email_clearly(cast: Cast) -> None:
    response = cast.client_for("clinician").post(
        "/clinic/patients/new/send/", {"full_name": "Again", "email": "pat.a@example.test"}
    )
    assert response.status_code == 400
    assert "already has a walkrx account" in response.content.decode()
    assert Patient.objects.filter(user__email="pat.a@example.test").count() == 1


def test_it_shows_a_banner_and_raises_an_alert_for_an_emergency_at_intake(cast: Cast) -> None:
    client = cast.client_for("clinician")
    base = f"/clinic/patients/{cast.patient_a.pk}/"
    response = client.post(
        base + "intake/warning-signs/save/", red_flag_answers(ces_bladder=True), follow=True
    )
    page = response.content.decode()
    assert "EMERGENCY: warning signs at intake" in page
    assert "new bladder dysfunction" in page
    assert "cauda equina" in page  # the source, for clinicians
    alert = Alert.objects.get(patient=cast.patient_a)
    assert alert.tier == "EMERGENCY"
    assert "Warning sign" in client.get("/clinic/").content.decode()


def test_it_keeps_the_checklist_on_screen_when_answers_are_missing(cast: Cast) -> None:
    base = f"/clinic/patients/{cast.patient_a.pk}/"
    response = cast.client_for("clinician").post(base + "intake/warning-signs/save/", {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    bad = cast.client_for("clinician").post(base + "instruments/oswestry/save/", {"section_0": "9"})
    assert bad.status_code == 400
    assert not InstrumentResponse.objects.exists()


def test_it_refuses_a_start_date_without_clearance_even_when_posted(cast: Cast) -> None:
    started(cast.patient_b, cast.clinician.user)
    response = cast.client_for("clinician").post(
        f"/clinic/patients/{cast.patient_b.pk}/start/confirm/", {"target_kind": "SESSION_DAYS"}
    )
    assert response.status_code == 302  # already active: refused with a message


def test_it_lets_a_clinic_admin_add_staff_and_read_the_audit_log(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client_for("clinic_admin")
    assert "Alice Clinician" in client.get("/clinic/staff/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/clinic/staff/add/",
            {"full_name": "Dev Newman", "email": "dev@north.test", "role": StaffRole.CLINICIAN},
        )
    assert response.status_code == 302
    member = StaffMember.objects.get(user__email="dev@north.test")
    assert member.clinic == cast.clinic
    assert not member.user.has_usable_password()
    assert "/accounts/welcome/" in mail.outbox[-1].body
    duplicate = client.post(
        "/clinic/staff/add/", {"full_name": "X", "email": "dev@north.test", "role": "clinician"}
    )
    assert duplicate.status_code == 400
    assert User.objects.filter(email="dev@north.test").count() == 1

    cast.client_for("clinician").get(f"/clinic/patients/{cast.patient_a.pk}/")
    cast.client_for("other_clinician").get(f"/clinic/patients/{cast.other_patient.pk}/")
    log = client.get("/clinic/audit/").content.decode()
    assert "view patient" in log
    assert "Pat Able" in log
    assert "Zed Zimmer" not in log
    only_b = client.get(f"/clinic/audit/?patient={cast.patient_b.pk}").content.decode()
    assert "Pat Able" not in only_b.split("<tbody>")[-1]
