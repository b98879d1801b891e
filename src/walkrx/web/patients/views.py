"""The patient's pages (phone first): today's walk, check-ins, review, progress, lessons,
asking for a call and the calendar feed. Every write goes through a named action."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from walkrx.core.engine import describe_dose
from walkrx.core.screening import PATIENT_SAFETY_TEXT, WEEKLY_CHECK_QUESTIONS, Tier
from walkrx.web import charts
from walkrx.web.access import acting_user, get_own_patient
from walkrx.web.activity.actions import ActivityError, record_checkin, record_walk, record_weight
from walkrx.web.activity.models import CheckIn, Walk, WalkSource
from walkrx.web.alerts.actions import AlertError, request_call
from walkrx.web.alerts.models import Alert, AlertKind
from walkrx.web.audit.actions import record_event
from walkrx.web.patients.calendar import (
    feed_calendar,
    live_feed,
    make_calendar_feed,
    stop_calendar_feed,
)
from walkrx.web.patients.forms import (
    CallForm,
    CheckInForm,
    WalkForm,
    WeeklyCheckForm,
    WeightForm,
)
from walkrx.web.patients.lessons import LESSONS, LESSONS_BY_SLUG
from walkrx.web.patients.models import CALENDAR_TOKEN_MAX_LENGTH, CalendarFeed, Patient
from walkrx.web.patients.plans import (
    TodayPlan,
    latest_programme,
    local_now,
    open_call_request,
    review_links,
    review_text,
    today_plan,
)
from walkrx.web.patients.progress import (
    energy_rows,
    minutes_chart,
    pain_chart,
    pain_days,
    week_rows,
    weight_chart,
    weight_entries,
)
from walkrx.web.programmes.actions import ProgrammeError, record_warning_signs
from walkrx.web.programmes.models import (
    Questionnaire,
    ScreeningAnswer,
    State,
)

FLARE_EXPLAINED = (
    "A flare-up is a spell when your back is much worse than usual, for example it stops "
    "you doing your normal day."
)


def today(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own plan")
    now = local_now(patient)
    plan = today_plan(patient, now)
    form = WalkForm(now=now)
    return render(request, "patients/today.html", today_context(patient, plan, form))


def today_context(patient: Patient, plan: TodayPlan, form: WalkForm) -> dict[str, object]:
    return {
        "patient": patient,
        "plan": plan,
        "form": form,
        "pain_scale": range(11),
        "call_request": open_call_request(patient),
        "can_log": plan.status == "active",
    }


@require_POST
def log_walk(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    now = local_now(patient)
    form = WalkForm(request.POST, now=now)
    if form.is_valid():
        data = form.cleaned_data
        distance = data.get("distance_km")
        try:
            walk = record_walk(
                patient,
                started_at=data["started_at"],
                minutes=data["minutes"],
                by=acting_user(request),
                source=WalkSource.TIMER if form.is_timer else WalkSource.MANUAL,
                steps=data.get("steps"),
                distance_m=float(distance) * 1000 if distance is not None else None,
                pain_before=data.get("pain_before"),
                pain_after=data.get("pain_after"),
            )
        except ActivityError as error:
            form.add_error(None, str(error))
        else:
            return redirect("patients:walk_saved", walk_id=walk.pk)
    plan = today_plan(patient, now)
    return render(request, "patients/today.html", today_context(patient, plan, form), status=400)


def walk_saved(request: HttpRequest, walk_id: int) -> HttpResponse:
    patient = get_own_patient(request, action="view own walk")
    walk = Walk.objects.filter(patient=patient, pk=walk_id).first()
    if walk is None:
        raise Http404("No such walk.")
    plan = today_plan(patient, local_now(patient))
    return render(
        request, "patients/walk_saved.html", {"patient": patient, "walk": walk, "plan": plan}
    )


# Check-ins ---------------------------------------------------------------------------


def checkin(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own check-in")
    today = local_now(patient).date()
    existing = CheckIn.objects.filter(patient=patient, date=today).first()
    initial = (
        {"morning_pain": existing.morning_pain, "flare": "yes" if existing.flare else "no"}
        if existing
        else {}
    )
    return render_checkin(request, patient, CheckInForm(initial=initial), existing)


def render_checkin(
    request: HttpRequest,
    patient: Patient,
    form: CheckInForm,
    existing: CheckIn | None,
    status: int = 200,
) -> HttpResponse:
    selected = form["morning_pain"].value()
    return render(
        request,
        "patients/checkin.html",
        {
            "patient": patient,
            "form": form,
            "existing": existing,
            "pain_scale": range(11),
            "selected_pain": str(selected) if selected is not None else "",
            "selected_flare": form["flare"].value() or "",
            "flare_explained": FLARE_EXPLAINED,
        },
        status=status,
    )


@require_POST
def save_checkin(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    today = local_now(patient).date()
    form = CheckInForm(request.POST)
    if form.is_valid():
        flare = form.cleaned_data["flare"] == "yes"
        try:
            record_checkin(
                patient,
                day=today,
                morning_pain=form.cleaned_data["morning_pain"],
                flare=flare,
                by=acting_user(request),
            )
        except ActivityError as error:
            form.add_error(None, str(error))
        else:
            if flare:
                messages.warning(
                    request,
                    "Thank you. Sorry your back is flaring up. Please answer the "
                    "warning-sign check now: it takes about two minutes.",
                )
                return redirect(reverse("patients:weekly_check") + "?after=flare")
            messages.success(request, "Thank you. Your check-in is saved.")
            return redirect("patients:today")
    existing = CheckIn.objects.filter(patient=patient, date=today).first()
    return render_checkin(request, patient, form, existing, status=400)


def weekly_check(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own weekly check")
    form = WeeklyCheckForm(questions=WEEKLY_CHECK_QUESTIONS)
    return render_weekly_check(
        request, patient, form, after_flare=request.GET.get("after") == "flare"
    )


def render_weekly_check(
    request: HttpRequest,
    patient: Patient,
    form: WeeklyCheckForm,
    *,
    after_flare: bool = False,
    status: int = 200,
) -> HttpResponse:
    lower_limb = [q for q in WEEKLY_CHECK_QUESTIONS if q.id.startswith("lower_limb_")]
    groups = [
        ("Warning signs", [form[q.id] for q in WEEKLY_CHECK_QUESTIONS if q not in lower_limb]),
        ("Feet, knees and hips", [form[q.id] for q in lower_limb]),
    ]
    return render(
        request,
        "patients/weekly_check.html",
        {"patient": patient, "form": form, "groups": groups, "after_flare": after_flare},
        status=status,
    )


@require_POST
def save_weekly_check(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    form = WeeklyCheckForm(request.POST, questions=WEEKLY_CHECK_QUESTIONS)
    if form.is_valid():
        try:
            saved, _result = record_warning_signs(
                patient,
                questionnaire=Questionnaire.WEEKLY_CHECK,
                answers=form.answers(),
                by=acting_user(request),
                now=timezone.now(),
            )
        except ProgrammeError as error:
            form.add_error(None, str(error))
        else:
            return redirect("patients:check_result", answer_id=saved.pk)
    return render_weekly_check(request, patient, form, status=400)


def check_result(request: HttpRequest, answer_id: int) -> HttpResponse:
    patient = get_own_patient(request, action="view own check result")
    answer = ScreeningAnswer.objects.filter(
        patient=patient, pk=answer_id, questionnaire=Questionnaire.WEEKLY_CHECK
    ).first()
    if answer is None:
        raise Http404("No such check.")
    tier = Tier(answer.tier) if answer.tier else None
    programme = answer.programme
    return render(
        request,
        "patients/check_result.html",
        {
            "patient": patient,
            "answer": answer,
            "tier": tier.value if tier else "",
            "safety_text": PATIENT_SAFETY_TEXT[tier],
            "paused": programme is not None and programme.state == State.PAUSED,
            "clinic_told": tier is not None
            and Alert.objects.filter(
                patient=patient,
                kind=AlertKind.WARNING_SIGN,
                created_at__gte=answer.answered_at - timedelta(minutes=1),
            ).exists(),
        },
    )


# Weekly review -----------------------------------------------------------------------


def review(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own weekly review")
    programme = latest_programme(patient)
    decisions = list(programme.decisions.order_by("-week")) if programme is not None else []
    items = [(decision, review_text(decision)) for decision in decisions]
    return render(
        request,
        "patients/review.html",
        {
            "patient": patient,
            "programme": programme,
            "latest": items[0] if items else None,
            "links": review_links(decisions[0]) if decisions else {},
            "earlier": items[1:],
            "plan": describe_dose(programme.dose)
            if programme is not None
            and programme.dose is not None
            and programme.state == State.ACTIVE
            else "",
        },
    )


# Progress ----------------------------------------------------------------------------


def progress(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own progress")
    return render_progress(request, patient, WeightForm(today=local_now(patient).date()))


def render_progress(
    request: HttpRequest, patient: Patient, weight_form: WeightForm, status: int = 200
) -> HttpResponse:
    today = local_now(patient).date()
    programme = latest_programme(patient)
    entries = weight_entries(patient)
    recent_walks = list(
        Walk.objects.filter(patient=patient, duplicate_of__isnull=True).order_by("-started_at")[:10]
    )
    return render(
        request,
        "patients/progress.html",
        {
            "patient": patient,
            "weeks": week_rows(patient, programme, today),
            "pain": [p for p in pain_days(patient, today) if p.before or p.after or p.morning],
            "weights": list(reversed(entries))[:20],
            "has_weights": bool(entries),
            "weight_chart": len(entries) > 1,
            "energy": energy_rows(patient, today, entries),
            "weight_form": weight_form,
            "recent_walks": recent_walks,
            "zone": patient.clinic.time_zone,
        },
        status=status,
    )


@require_POST
def save_weight(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    now = local_now(patient)
    form = WeightForm(request.POST, today=now.date())
    if form.is_valid():
        day = date.fromisoformat(form.cleaned_data["day"])
        measured_at = (
            now.replace(microsecond=0)
            if day == now.date()
            else datetime.combine(day, time(12, 0), tzinfo=now.tzinfo)
        )
        try:
            record_weight(
                patient,
                measured_at=measured_at,
                kg=float(form.cleaned_data["kg"]),
                by=acting_user(request),
            )
        except ActivityError as error:
            form.add_error("kg", str(error))
        else:
            messages.success(request, "Thank you. Your weight is saved.")
            return redirect(reverse("patients:progress") + "#weight")
    return render_progress(request, patient, form, status=400)


def chart(request: HttpRequest, name: str) -> HttpResponse:
    patient = get_own_patient(request, action=f"view own chart {name}")
    today = local_now(patient).date()
    if name == "minutes":
        svg = minutes_chart(week_rows(patient, latest_programme(patient), today))
    elif name == "pain":
        svg = pain_chart(pain_days(patient, today))
    elif name == "weight":
        zone = patient.clinic.zone
        entries = weight_entries(patient)
        svg = weight_chart(
            [e.measured_at.astimezone(zone).date() for e in entries], [e.kg for e in entries]
        )
    else:
        raise Http404("No such chart.")
    return charts.svg_response(svg)


# Lessons -----------------------------------------------------------------------------


def learn(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    return render(request, "patients/learn.html", {"patient": patient, "lessons": LESSONS})


def lesson(request: HttpRequest, slug: str) -> HttpResponse:
    patient = get_own_patient(request)
    found = LESSONS_BY_SLUG.get(slug)
    if found is None:
        raise Http404("No such lesson.")
    index = LESSONS.index(found)
    return render(
        request,
        "patients/lesson.html",
        {
            "patient": patient,
            "lesson": found,
            "next_lesson": LESSONS[index + 1] if index + 1 < len(LESSONS) else None,
        },
    )


# Request a call ----------------------------------------------------------------------


def call(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own call requests")
    return render_call(request, patient, CallForm())


def render_call(
    request: HttpRequest, patient: Patient, form: CallForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "patients/call.html",
        {"patient": patient, "form": form, "open_request": open_call_request(patient)},
        status=status,
    )


@require_POST
def save_call(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    form = CallForm(request.POST)
    if form.is_valid():
        try:
            request_call(patient, message=form.cleaned_data["message"])
        except AlertError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you. Your clinic will call you.")
            return redirect("patients:call")
    return render_call(request, patient, form, status=400)


# Calendar ----------------------------------------------------------------------------


def feed_url(request: HttpRequest, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("patient_feeds:calendar", args=[feed.token]))


def calendar(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own calendar link")
    feed = live_feed(patient)
    url = feed_url(request, feed) if feed is not None else ""
    webcal = "webcal://" + url.split("://", 1)[1] if url else ""
    return render(
        request,
        "patients/calendar.html",
        {"patient": patient, "feed": feed, "feed_url": url, "webcal_url": webcal},
    )


@require_POST
def new_calendar_link(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    had_one = live_feed(patient) is not None
    make_calendar_feed(patient, by=acting_user(request))
    messages.success(
        request,
        "Here is your new calendar link. The old link no longer works."
        if had_one
        else "Here is your calendar link.",
    )
    return redirect("patients:calendar")


@require_POST
def stop_calendar_link(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request)
    stop_calendar_feed(patient, by=acting_user(request))
    messages.success(request, "Your calendar link is switched off.")
    return redirect("patients:calendar")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: the token in the address is the only credential."""
    if len(token) > CALENDAR_TOKEN_MAX_LENGTH:
        raise Http404("No such calendar.")
    feed = (
        CalendarFeed.objects.filter(
            Q(token=token) & Q(revoked_at__isnull=True) & Q(patient__user__is_active=True)
        )
        .select_related("patient__clinic", "patient__user")
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    patient = feed.patient
    record_event(actor=None, action="calendar feed", patient=patient, request=request)
    body = feed_calendar(
        patient,
        now=timezone.now(),
        app_url=request.build_absolute_uri(reverse("patients:today")),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="walking-plan.ics"'
    return response
