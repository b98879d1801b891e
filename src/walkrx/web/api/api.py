"""The JSON API for the patient app: the same actions and access rules as the pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError, ValidationError

from walkrx.core.engine import describe_dose
from walkrx.core.screening import WEEKLY_CHECK_QUESTIONS
from walkrx.web.access import acting_user, get_own_patient
from walkrx.web.activity.actions import ActivityError, record_checkin, record_walk
from walkrx.web.activity.models import Walk as WalkRow
from walkrx.web.activity.models import WalkSource
from walkrx.web.api import schemas
from walkrx.web.api.auth import PatientTokenAuth, TokenAuth
from walkrx.web.api.docs import ReferenceDocs
from walkrx.web.patients.plans import review_text, today_plan
from walkrx.web.programmes.actions import (
    ProgrammeError,
    current_programme,
    record_warning_signs,
)
from walkrx.web.programmes.models import Programme, Questionnaire, State, WeeklyDecision

# A phone's clock may run a little ahead of the server's.
CLOCK_SLACK = timedelta(minutes=5)
CHECKIN_DAYS_BACK = 7
DEFAULT_HISTORY_DAYS = 28
MAX_HISTORY_DAYS = 366

api = NinjaAPI(
    title="walkrx patient API",
    version="1",
    description=(
        "For the patient app. Authenticate with `Authorization: Bearer <token>`; a clinic "
        "administrator creates tokens with `walkrx apitoken --email <patient's email>`. "
        "Only patients can use the /v1/me endpoints; anyone else gets 403."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    docs=ReferenceDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
me = Router(tags=["patient"], auth=PatientTokenAuth())

DENIED: dict[int, Any] = {401: schemas.Problem, 403: schemas.Problem}


def field_error(field: str, message: str) -> ValidationError:
    return ValidationError(
        [{"loc": ["body", "payload", field], "msg": message, "type": "value_error"}]
    )


def query_error(name: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", name], "msg": message, "type": "value_error"}])


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="walkrx"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(ActivityError)
@api.exception_handler(ProgrammeError)
def refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
    return api.create_response(request, {"detail": detail}, status=422)


def in_clinic_time(value: datetime, zone: ZoneInfo) -> datetime:
    """Programme days are the clinic's days: a walk's date is its date on the clinic's clock."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def dose_of(programme: Programme | None) -> schemas.Dose | None:
    dose = programme.dose if programme is not None else None
    if dose is None:
        return None
    return schemas.Dose(
        minutes_per_session=dose.minutes_per_session,
        sessions_per_day=dose.sessions_per_day,
        days_per_week=dose.days_per_week,
        description=describe_dose(dose),
    )


def walk_out(walk: WalkRow) -> schemas.Walk:
    return schemas.Walk(
        id=walk.pk,
        started_at=walk.started_at,
        local_date=walk.local_date,
        minutes=walk.minutes,
        steps=walk.steps,
        distance_m=walk.distance_m,
        pain_before=walk.pain_before,
        pain_after=walk.pain_after,
        source=walk.source,
        counted=walk.duplicate_of_id is None,
    )


@me.get("/today", response={200: schemas.Today, **DENIED}, summary="Today's plan")
def today(request: HttpRequest) -> schemas.Today:
    """The Today page's plan (patients.views.today_plan), so the app and the page agree."""
    patient = get_own_patient(request, action="view own plan (api)")
    now = timezone.localtime(timezone.now(), patient.clinic.zone)
    plan = today_plan(patient, now)
    programme = plan.programme
    active = plan.status == "active"
    latest = programme.decisions.order_by("-week").first() if programme is not None else None
    return schemas.Today(
        date=now.date(),
        status=plan.status,
        state=programme.state if programme is not None else "none",
        state_label=programme.get_state_display() if programme is not None else "No programme",
        headline=plan.headline,
        safety_text=plan.safety_text,
        programme_week=plan.week if active else None,
        dose=dose_of(programme) if active else None,
        walk_number=min(plan.walks_done + 1, plan.walks_planned) if active else None,
        walks_this_week=plan.walks_planned if active else None,
        walks_done_this_week=plan.walks_done,
        minutes_today=plan.minutes_today,
        latest_decision=review_text(latest) if latest is not None else None,
    )


@me.post("/walks", response={201: schemas.Walk, **DENIED}, summary="Log a walk")
def log_walk(request: HttpRequest, payload: schemas.WalkIn) -> Status[Any]:
    patient = get_own_patient(request)
    started_at = in_clinic_time(payload.started_at, patient.clinic.zone)
    if started_at > timezone.now() + CLOCK_SLACK:
        raise field_error("started_at", "A walk cannot start in the future.")
    walk = record_walk(
        patient,
        started_at=started_at,
        minutes=payload.minutes,
        by=acting_user(request),
        source=WalkSource(payload.source),
        steps=payload.steps,
        distance_m=payload.distance_m,
        pain_before=payload.pain_before,
        pain_after=payload.pain_after,
    )
    return Status(201, walk_out(walk))


@me.get("/walks", response={200: list[schemas.Walk], **DENIED}, summary="Walk history")
def list_walks(request: HttpRequest, period: Query[schemas.Period]) -> list[schemas.Walk]:
    patient = get_own_patient(request, action="view own walks (api)")
    last = period.last or patient.clinic.today()
    first = period.first or last - timedelta(days=DEFAULT_HISTORY_DAYS - 1)
    if first > last:
        raise query_error("from", "'from' must not be after 'to'.")
    if (last - first).days >= MAX_HISTORY_DAYS:
        raise query_error("from", f"Ask for at most {MAX_HISTORY_DAYS} days at a time.")
    walks = WalkRow.objects.filter(
        patient=patient, local_date__gte=first, local_date__lte=last
    ).order_by("started_at")
    return [walk_out(walk) for walk in walks]


@me.post("/checkins", response={201: schemas.CheckIn, **DENIED}, summary="Morning check-in")
def check_in(request: HttpRequest, payload: schemas.CheckInIn) -> Status[Any]:
    patient = get_own_patient(request)
    today_ = patient.clinic.today()
    day = payload.date or today_
    if day > today_:
        raise field_error("date", "A check-in cannot be for a day that has not come yet.")
    if day < today_ - timedelta(days=CHECKIN_DAYS_BACK):
        raise field_error("date", f"Check-ins can be added for the last {CHECKIN_DAYS_BACK} days.")
    checkin = record_checkin(
        patient,
        day=day,
        morning_pain=payload.morning_pain,
        flare=payload.flare,
        by=acting_user(request),
        note=payload.note,
    )
    return Status(
        201,
        schemas.CheckIn(
            date=checkin.date,
            morning_pain=checkin.morning_pain,
            flare=checkin.flare,
            note=checkin.note,
        ),
    )


@me.get(
    "/warning-signs",
    response={200: list[schemas.Question], **DENIED},
    summary="The weekly warning-sign questions",
)
def warning_sign_questions(request: HttpRequest) -> list[schemas.Question]:
    get_own_patient(request)
    return [schemas.Question(id=q.id, text=q.text, help=q.help) for q in WEEKLY_CHECK_QUESTIONS]


@me.post(
    "/warning-signs",
    response={201: schemas.WarningSignsResult, **DENIED},
    summary="Answer the weekly warning-sign check",
    description=(
        "Every question must be answered. The reply carries fixed safety text to show the "
        "patient at once; answers that need a clinician pause the programme and alert the "
        "clinic."
    ),
)
def warning_signs(request: HttpRequest, payload: schemas.WarningSignsIn) -> Status[Any]:
    patient = get_own_patient(request)
    _, result = record_warning_signs(
        patient,
        questionnaire=Questionnaire.WEEKLY_CHECK,
        answers=payload.answers,
        by=acting_user(request),
        now=timezone.now(),
    )
    programme = current_programme(patient)
    return Status(
        201,
        schemas.WarningSignsResult(
            message=result.patient_message,
            programme_paused=programme is not None and programme.state == State.PAUSED,
        ),
    )


@me.get("/history", response={200: list[schemas.WeekReview], **DENIED}, summary="Weekly reviews")
def history(request: HttpRequest) -> list[schemas.WeekReview]:
    patient = get_own_patient(request, action="view own reviews (api)")
    decisions = (
        WeeklyDecision.objects.filter(programme__patient=patient)
        .select_related("programme")
        .order_by("-programme__created_at", "-week")
    )
    reviews = []
    for decision in decisions:
        bounds: tuple[date | None, date | None] = (None, None)
        if decision.programme.start_date is not None:
            bounds = decision.programme.week_bounds(decision.week)
        reviews.append(
            schemas.WeekReview(
                week=decision.week,
                first_day=bounds[0],
                last_day=bounds[1],
                text=review_text(decision),
                minutes_walked=decision.minutes_walked,
                minutes_prescribed=decision.minutes_prescribed,
                next_week=describe_dose(decision.final_dose),
            )
        )
    return reviews


api.add_router("/v1/me/", me)
