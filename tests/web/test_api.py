from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tests.web.conftest import Cast
from walkrx.core.prescription import DEFAULT_TARGET
from walkrx.core.screening import PATIENT_SAFETY_TEXT, WEEKLY_CHECK_QUESTIONS, Tier
from walkrx.web.activity.actions import record_walk
from walkrx.web.activity.models import CheckIn, DailyActivity, Walk
from walkrx.web.alerts.models import Alert
from walkrx.web.api.actions import issue_token, revoke_tokens
from walkrx.web.api.models import ApiToken
from walkrx.web.audit.models import AuditEvent
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.actions import (
    complete_intake,
    current_programme,
    record_clearance,
    start_programme,
)
from walkrx.web.programmes.models import Programme, ScreeningAnswer, State
from walkrx.web.programmes.reviews import review_week

ENDPOINTS = [
    ("get", "/api/v1/me/today"),
    ("post", "/api/v1/me/walks"),
    ("get", "/api/v1/me/walks"),
    ("post", "/api/v1/me/checkins"),
    ("get", "/api/v1/me/warning-signs"),
    ("post", "/api/v1/me/warning-signs"),
    ("get", "/api/v1/me/history"),
]
NO_WARNING_SIGNS = {q.id: False for q in WEEKLY_CHECK_QUESTIONS}


def call(
    method: str, path: str, token: str | None = None, body: Any = None, client: Client | None = None
) -> Any:
    client = client or Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(path, body or {}, **headers)
    return client.post(path, json.dumps(body or {}), content_type="application/json", **headers)


def activate(patient: Patient, cast: Cast, *, started_days_ago: int = 2) -> Programme:
    programme = current_programme(patient)
    assert programme is not None
    by = cast.clinician.user
    complete_intake(programme, by=by, baseline_pain=5)
    record_clearance(
        programme, physician_name="Dr Who", cleared_on=timezone.localdate(), limits="", by=by
    )
    start = timezone.localdate() - timedelta(days=started_days_ago)
    return start_programme(programme, start_date=start, target=DEFAULT_TARGET, by=by)


@pytest.fixture
def token_a(cast: Cast) -> str:
    return issue_token(cast.patient_a.user)[1]


@pytest.fixture
def staff_token(cast: Cast) -> str:
    return issue_token(cast.clinician.user)[1]


# --- authentication -------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_answers_401_with_no_data_without_a_token(cast: Cast, method: str, path: str) -> None:
    response = call(method, path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nonsense",
        "Bearer ",
        "Token abc",
        "Basic cGF0LmFAZXhhbXBsZS50ZXN0Og==",
        "Bearer " + "x" * 5000,
    ],
)
def test_it_answers_401_to_a_bad_authorization_header(
    cast: Cast, token_a: str, header: str
) -> None:
    response = Client().get("/api/v1/me/today", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert b"Pat" not in response.content


def test_it_answers_401_to_a_revoked_token(cast: Cast, token_a: str) -> None:
    assert revoke_tokens(cast.patient_a.user) == 1
    assert call("get", "/api/v1/me/today", token_a).status_code == 401


def test_it_answers_401_to_a_deactivated_users_token(cast: Cast, token_a: str) -> None:
    user = cast.patient_a.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert call("get", "/api/v1/me/today", token_a).status_code == 401


def test_it_ignores_the_session_cookie(cast: Cast) -> None:
    signed_in = cast.client_for("patient_a")
    assert call("get", "/api/v1/me/today", client=signed_in).status_code == 401
    response = call("post", "/api/v1/me/checkins", body={"morning_pain": 3}, client=signed_in)
    assert response.status_code == 401
    assert not CheckIn.objects.exists()


def test_it_needs_no_csrf_token_with_a_bearer_token(cast: Cast, token_a: str) -> None:
    client = Client(enforce_csrf_checks=True)
    response = call("post", "/api/v1/me/checkins", token_a, {"morning_pain": 3}, client=client)
    assert response.status_code == 201


def test_it_stores_only_a_sha256_digest_of_the_token(cast: Cast) -> None:
    token, plain = issue_token(cast.patient_a.user)
    token.refresh_from_db()
    assert plain.startswith("wrx_")
    assert len(plain) >= 4 + 43  # 32 random bytes, URL-safe base64
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in set(ApiToken.objects.values_list("token_hash", "label")[0])


def test_it_notes_when_a_token_was_last_used(cast: Cast, token_a: str) -> None:
    assert ApiToken.objects.get().last_used_at is None
    call("get", "/api/v1/me/today", token_a)
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_forbids_staff_tokens_on_patient_endpoints(
    cast: Cast, staff_token: str, method: str, path: str
) -> None:
    body = {"morning_pain": 3} if path.endswith("checkins") else None
    response = call(method, path, staff_token, body)
    assert response.status_code == 403
    assert "Pat Able" not in response.content.decode()
    assert not CheckIn.objects.exists()


# --- today ------------------------------------------------------------------------------


def test_today_before_the_programme_starts(cast: Cast, token_a: str) -> None:
    response = call("get", "/api/v1/me/today", token_a)
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == State.INVITED
    assert data["dose"] is None
    assert data["walk_number"] is None
    assert data["minutes_today"] == 0


def test_today_shows_the_dose_and_which_walk_of_the_week_is_next(cast: Cast, token_a: str) -> None:
    patient = cast.patient_a
    activate(patient, cast)
    now = timezone.localtime()
    record_walk(patient, started_at=now - timedelta(hours=1), minutes=12, by=patient.user)
    record_walk(
        cast.patient_b, started_at=now - timedelta(hours=1), minutes=30, by=cast.patient_b.user
    )
    data = call("get", "/api/v1/me/today", token_a).json()
    assert (data["status"], data["state"]) == ("active", State.ACTIVE)
    assert data["headline"]
    assert data["safety_text"] == ""
    assert data["programme_week"] == 1
    assert data["dose"] == {
        "minutes_per_session": 10,
        "sessions_per_day": 1,
        "days_per_week": 5,
        "description": "10 minutes on 5 days",
    }
    assert (data["walks_done_this_week"], data["walk_number"], data["walks_this_week"]) == (1, 2, 5)
    assert data["minutes_today"] == 12
    assert data["latest_decision"] is None
    assert AuditEvent.objects.filter(
        actor=patient.user, patient_id=patient.pk, action="view own plan (api)"
    ).exists()


# --- walks ------------------------------------------------------------------------------


def test_it_logs_a_walk(cast: Cast, token_a: str) -> None:
    started = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    body = {
        "started_at": started.isoformat(),
        "minutes": 14,
        "steps": 1500,
        "distance_m": 1100,
        "pain_before": 4,
        "pain_after": 3,
    }
    response = call("post", "/api/v1/me/walks", token_a, body)
    assert response.status_code == 201
    walk = Walk.objects.get()
    assert walk.patient == cast.patient_a
    assert (walk.minutes, walk.steps, walk.pain_before, walk.pain_after) == (14, 1500, 4, 3)
    assert walk.started_at == started
    assert walk.source == "manual"
    assert response.json()["id"] == walk.pk
    assert DailyActivity.objects.get(patient=cast.patient_a).walking_minutes == 14
    assert AuditEvent.objects.filter(
        actor=cast.patient_a.user, patient_id=cast.patient_a.pk, action="log walk"
    ).exists()


def test_a_walk_without_utc_offset_is_read_in_the_clinics_time(cast: Cast, token_a: str) -> None:
    clinic = cast.clinic
    clinic.time_zone = "Pacific/Auckland"
    clinic.save(update_fields=["time_zone"])
    local = timezone.localtime(timezone.now(), ZoneInfo("Pacific/Auckland")) - timedelta(hours=3)
    naive = local.replace(tzinfo=None, microsecond=0)
    response = call(
        "post", "/api/v1/me/walks", token_a, {"started_at": naive.isoformat(), "minutes": 10}
    )
    assert response.status_code == 201
    walk = Walk.objects.get()
    assert walk.local_date == naive.date()
    assert walk.started_at == naive.replace(tzinfo=ZoneInfo("Pacific/Auckland"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 800}, "minutes"),
        ({"minutes": "long"}, "minutes"),
        ({"pain_before": 11}, "pain_before"),
        ({"pain_after": -1}, "pain_after"),
        ({"steps": -5}, "steps"),
        ({"source": "import"}, "source"),
        ({"patient": 2}, "patient"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "2999-01-01T10:00:00+00:00"}, "started_at"),
    ],
)
def test_it_refuses_a_bad_walk_with_422_naming_the_field(
    cast: Cast, token_a: str, change: dict[str, Any], field: str
) -> None:
    body = {"started_at": "2024-05-01T10:00:00+00:00", "minutes": 20, **change}
    response = call("post", "/api/v1/me/walks", token_a, body)
    assert response.status_code == 422
    assert field in [error["loc"][-1] for error in response.json()["detail"]]
    assert not Walk.objects.exists()


def test_it_refuses_a_walk_the_action_rejects_with_422(cast: Cast, token_a: str) -> None:
    body = {"started_at": "2024-05-01T10:00:00+00:00", "minutes": 1, "steps": 50_000}
    response = call("post", "/api/v1/me/walks", token_a, body)
    assert response.status_code == 422
    assert "steps" in response.json()["detail"][0]["msg"]
    assert not Walk.objects.exists()


def test_it_refuses_a_missing_walk_with_422(cast: Cast, token_a: str) -> None:
    response = call("post", "/api/v1/me/walks", token_a, {})
    assert response.status_code == 422
    missing = {error["loc"][-1] for error in response.json()["detail"]}
    assert {"started_at", "minutes"} <= missing


def test_it_answers_400_not_500_to_a_body_that_is_not_json(cast: Cast, token_a: str) -> None:
    response = Client().post(
        "/api/v1/me/walks",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_a}",
    )
    assert response.status_code == 400


def test_it_lists_the_patients_own_walks_in_a_date_range(cast: Cast, token_a: str) -> None:
    zone = ZoneInfo("UTC")
    for day, minutes in [(1, 11), (10, 12), (20, 13)]:
        record_walk(
            cast.patient_a,
            started_at=datetime(2024, 5, day, 9, tzinfo=zone),
            minutes=minutes,
            by=cast.patient_a.user,
        )
    record_walk(
        cast.patient_b,
        started_at=datetime(2024, 5, 10, 9, tzinfo=zone),
        minutes=40,
        by=cast.patient_b.user,
    )
    response = call("get", "/api/v1/me/walks", token_a, {"from": "2024-05-02", "to": "2024-05-31"})
    assert response.status_code == 200
    assert [walk["minutes"] for walk in response.json()] == [12, 13]
    assert all(walk["counted"] for walk in response.json())


def test_the_walk_history_defaults_to_the_last_four_weeks(cast: Cast, token_a: str) -> None:
    now = timezone.now()
    for days_ago in (1, 27, 40):
        record_walk(
            cast.patient_a,
            started_at=now - timedelta(days=days_ago),
            minutes=days_ago,
            by=cast.patient_a.user,
        )
    response = call("get", "/api/v1/me/walks", token_a)
    assert [walk["minutes"] for walk in response.json()] == [27, 1]


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2024-05-10", "to": "2024-05-01"},
        {"from": "2020-01-01", "to": "2024-01-01"},
        {"from": "not-a-date"},
    ],
)
def test_it_refuses_a_bad_history_range_with_422(
    cast: Cast, token_a: str, query: dict[str, str]
) -> None:
    response = call("get", "/api/v1/me/walks", token_a, query)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "from"]


# --- check-ins --------------------------------------------------------------------------


def test_it_records_the_morning_check_in(cast: Cast, token_a: str) -> None:
    response = call("post", "/api/v1/me/checkins", token_a, {"morning_pain": 6, "flare": True})
    assert response.status_code == 201
    checkin = CheckIn.objects.get()
    assert (checkin.patient, checkin.morning_pain, checkin.flare) == (cast.patient_a, 6, True)
    assert checkin.date == timezone.localdate()
    assert response.json() == {
        "date": checkin.date.isoformat(),
        "morning_pain": 6,
        "flare": True,
        "note": "",
    }
    call("post", "/api/v1/me/checkins", token_a, {"morning_pain": 2})
    assert CheckIn.objects.get().morning_pain == 2
    assert AuditEvent.objects.filter(actor=cast.patient_a.user, action="check in").count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"morning_pain": 11}, "morning_pain"),
        ({}, "morning_pain"),
        ({"morning_pain": 2, "flare": "yes"}, "flare"),
        ({"morning_pain": 2, "date": "2999-01-01"}, "date"),
        ({"morning_pain": 2, "date": "2000-01-01"}, "date"),
        ({"morning_pain": 2, "note": "x" * 501}, "note"),
    ],
)
def test_it_refuses_a_bad_check_in_with_422(
    cast: Cast, token_a: str, body: dict[str, Any], field: str
) -> None:
    response = call("post", "/api/v1/me/checkins", token_a, body)
    assert response.status_code == 422
    assert field in [error["loc"][-1] for error in response.json()["detail"]]
    assert not CheckIn.objects.exists()


# --- warning signs ----------------------------------------------------------------------


def test_it_lists_the_weekly_warning_sign_questions(cast: Cast, token_a: str) -> None:
    response = call("get", "/api/v1/me/warning-signs", token_a)
    assert [q["id"] for q in response.json()] == [q.id for q in WEEKLY_CHECK_QUESTIONS]
    assert "rule" not in response.json()[0]


def test_no_warning_signs_keeps_the_programme_going(cast: Cast, token_a: str) -> None:
    activate(cast.patient_a, cast)
    response = call("post", "/api/v1/me/warning-signs", token_a, {"answers": NO_WARNING_SIGNS})
    assert response.status_code == 201
    assert response.json() == {"message": PATIENT_SAFETY_TEXT[None], "programme_paused": False}
    assert ScreeningAnswer.objects.get().patient == cast.patient_a
    assert not Alert.objects.exists()


def test_an_emergency_answer_pauses_the_programme_and_alerts_the_clinic(
    cast: Cast, token_a: str
) -> None:
    activate(cast.patient_a, cast)
    answers = {**NO_WARNING_SIGNS, "ces_bladder": True}
    response = call("post", "/api/v1/me/warning-signs", token_a, {"answers": answers})
    assert response.status_code == 201
    data = response.json()
    assert data == {"message": PATIENT_SAFETY_TEXT[Tier.EMERGENCY], "programme_paused": True}
    assert "EMERGENCY" not in response.content.decode()
    assert current_programme(cast.patient_a).state == State.PAUSED  # type: ignore[union-attr]
    alert = Alert.objects.get()
    assert (alert.patient, alert.tier) == (cast.patient_a, Tier.EMERGENCY)
    today = call("get", "/api/v1/me/today", token_a).json()
    assert today["status"] == "paused"
    assert today["safety_text"] == PATIENT_SAFETY_TEXT[Tier.EMERGENCY]


@pytest.mark.parametrize(
    "answers",
    [
        {"ces_bladder": True},
        {**NO_WARNING_SIGNS, "cancer_history": True},
        {**NO_WARNING_SIGNS, "made_up": False},
        {**NO_WARNING_SIGNS, "ces_bladder": "yes"},
        {**NO_WARNING_SIGNS, "ces_bladder": 1},
    ],
)
def test_it_refuses_incomplete_or_unknown_answers_with_422(
    cast: Cast, token_a: str, answers: dict[str, Any]
) -> None:
    response = call("post", "/api/v1/me/warning-signs", token_a, {"answers": answers})
    assert response.status_code == 422
    assert "answers" in response.json()["detail"][0]["loc"]
    assert not ScreeningAnswer.objects.exists()


# --- history ----------------------------------------------------------------------------


def test_it_shows_the_weekly_reviews_in_plain_words(cast: Cast, token_a: str) -> None:
    programme = activate(cast.patient_a, cast, started_days_ago=9)
    first = programme.start_date
    assert first is not None
    for offset in range(5):
        record_walk(
            cast.patient_a,
            started_at=datetime.combine(
                first + timedelta(days=offset), datetime.min.time()
            ).replace(hour=9, tzinfo=ZoneInfo("UTC")),
            minutes=10,
            by=cast.patient_a.user,
        )
    decision = review_week(programme, 1)
    assert decision is not None
    response = call("get", "/api/v1/me/history", token_a)
    assert response.status_code == 200
    [week] = response.json()
    assert week["week"] == 1
    assert week["text"] == decision.patient_explanation
    assert week["first_day"] == first.isoformat()
    assert week["last_day"] == (first + timedelta(days=6)).isoformat()
    assert week["minutes_walked"] == 50
    assert "clinician" not in json.dumps(week).lower()
    assert decision.clinician_explanation not in response.content.decode()
    today = call("get", "/api/v1/me/today", token_a).json()
    assert today["latest_decision"] == decision.patient_explanation


def test_history_is_empty_for_another_patient(cast: Cast) -> None:
    programme = activate(cast.patient_a, cast, started_days_ago=9)
    review_week(programme, 1)
    token_b = issue_token(cast.patient_b.user)[1]
    assert call("get", "/api/v1/me/history", token_b).json() == []


# --- schema and docs --------------------------------------------------------------------


def test_the_openapi_document_lists_every_endpoint(cast: Cast) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]
    for method, path in ENDPOINTS:
        operation = schema["paths"][path][method]
        assert operation["responses"].keys() >= {"401", "403"}
        [requirement] = operation["security"]
        [scheme] = requirement
        assert schema["components"]["securitySchemes"][scheme] == {
            "type": "http",
            "scheme": "bearer",
        }


def test_the_docs_page_needs_no_script_and_no_other_site(cast: Cast) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html
    assert "/api/v1/me/walks" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- the apitoken command ---------------------------------------------------------------


def test_the_apitoken_command_prints_a_working_token_once(cast: Cast) -> None:
    out, err = StringIO(), StringIO()
    call_command("apitoken", "--email", "PAT.A@example.test", stdout=out, stderr=err)
    plain = out.getvalue().strip()
    assert plain.startswith("wrx_")
    assert plain not in err.getvalue()
    assert call("get", "/api/v1/me/today", plain).status_code == 200
    assert AuditEvent.objects.filter(action="issue api token", patient_id=cast.patient_a.pk)


def test_the_apitoken_command_revokes_tokens(cast: Cast, token_a: str) -> None:
    out = StringIO()
    call_command("apitoken", "--email", "pat.a@example.test", "--revoke", stdout=out)
    assert "Revoked 1 token" in out.getvalue()
    assert call("get", "/api/v1/me/today", token_a).status_code == 401


def test_the_apitoken_command_refuses_an_unknown_email(cast: Cast) -> None:
    with pytest.raises(CommandError, match="No walkrx account"):
        call_command("apitoken", "--email", "nobody@example.test")


def test_the_apitoken_command_has_help_with_an_example() -> None:
    from walkrx.web.api.management.commands.apitoken import Command

    assert "Example: walkrx apitoken" in Command.help
