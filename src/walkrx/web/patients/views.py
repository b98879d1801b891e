"""The patient's pages (phone first): today's walk, check-ins, review, progress, lessons,
asking for a call and the calendar feed. Every write goes through a named action."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pygal
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from pygal.style import Style

from walkrx.core.activity import compendium_walking_entry, energy, walking_met
from walkrx.core.engine import Prompt, describe_dose
from walkrx.core.errors import CoreError
from walkrx.core.screening import PATIENT_SAFETY_TEXT, WEEKLY_CHECK_QUESTIONS, Tier
from walkrx.web import charts
from walkrx.web.access import get_own_patient
from walkrx.web.accounts.models import User
from walkrx.web.activity.actions import ActivityError, record_checkin, record_walk, record_weight
from walkrx.web.activity.models import CheckIn, DailyActivity, Walk, WalkSource, WeightEntry
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
from walkrx.web.programmes.actions import ProgrammeError, current_programme, record_warning_signs
from walkrx.web.programmes.models import (
    DecisionStatus,
    PauseReason,
    Programme,
    Questionnaire,
    ScreeningAnswer,
    State,
    WeeklyDecision,
)

PAUSING_TIERS = (Tier.EMERGENCY.value, Tier.URGENT.value)
CHART_WEEKS = 12
PAIN_DAYS = 28
ENERGY_WEEKS = 4
# Compendium walking at a moderate pace (2.8-3.2 mph) when a walk's speed is unknown.
MODERATE_PACE_MPH = 3.0
FLARE_EXPLAINED = (
    "A flare-up is a spell when your back is much worse than usual, for example it stops "
    "you doing your normal day."
)


def user_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def zone_of(patient: Patient) -> ZoneInfo:
    return ZoneInfo(patient.clinic.time_zone)


def local_now(patient: Patient) -> datetime:
    return timezone.now().astimezone(zone_of(patient))


def open_call_request(patient: Patient) -> Alert | None:
    return Alert.objects.filter(
        patient=patient, kind=AlertKind.CALL_REQUEST, handled_at__isnull=True
    ).first()


def latest_programme(patient: Patient) -> Programme | None:
    """The running programme, or else the last one (to show a finished programme)."""
    return current_programme(patient) or patient.programmes.order_by("-created_at").first()


def pausing_screening(programme: Programme) -> ScreeningAnswer | None:
    """The warning-sign answer that paused this programme, if that is why it is paused."""
    if programme.state != State.PAUSED or programme.pause_reason != PauseReason.WARNING_SIGN:
        return None
    return (
        programme.screenings.exclude(questionnaire=Questionnaire.READINESS)
        .filter(tier__in=PAUSING_TIERS)
        .first()
    )


def dose_today(programme: Programme) -> str:
    if programme.sessions_per_day > 1:
        return (
            f"{programme.sessions_per_day} walks of {programme.minutes_per_session} minutes today"
        )
    return f"{programme.minutes_per_session} minutes today"


def review_text(decision: WeeklyDecision) -> str:
    """What the patient reads about a week; a clinician's change replaces the engine's plan."""
    if decision.status == DecisionStatus.OVERRIDDEN:
        return (
            f"Your clinic has set your plan for week {decision.week + 1}: "
            f"{describe_dose(decision.final_dose)}."
        )
    return decision.patient_explanation


def review_links(decision: WeeklyDecision) -> dict[str, bool]:
    """Follow-ups the engine asked to offer the patient with this decision."""
    return {
        "offer_check": Prompt.WARNING_SIGN_CHECK.value in decision.prompts,
        "offer_call": Prompt.ASK_ABOUT_BARRIERS.value in decision.prompts,
    }


@dataclass
class TodayPlan:
    """Everything the Today page says about the programme, in one place."""

    status: str  # setting_up | awaiting_clearance | starts_later | active | paused | finished
    programme: Programme | None = None
    headline: str = ""
    week: int | None = None
    week_first: date | None = None
    walks_done: int = 0
    walks_planned: int = 0
    walks_today: int = 0
    minutes_today: float = 0
    safety_tier: str = ""
    safety_text: str = ""
    new_review: WeeklyDecision | None = None
    new_review_text: str = ""
    new_review_links: dict[str, bool] = field(default_factory=dict)
    checked_in_today: bool = False

    @property
    def done_for_today(self) -> bool:
        return (
            self.programme is not None
            and self.walks_today >= self.programme.sessions_per_day
            and self.walks_today > 0
        )

    @property
    def dots(self) -> list[bool]:
        """One mark per planned walk this week, filled for each walk done."""
        return [index < self.walks_done for index in range(self.walks_planned)]

    @property
    def week_complete(self) -> bool:
        return self.walks_planned > 0 and self.walks_done >= self.walks_planned


def today_plan(patient: Patient, now: datetime) -> TodayPlan:
    today = now.date()
    programme = latest_programme(patient)
    checked_in = CheckIn.objects.filter(patient=patient, date=today).exists()
    if programme is None or programme.state in (State.INVITED, State.SCREENING):
        return TodayPlan("setting_up", programme, checked_in_today=checked_in)
    if programme.state == State.AWAITING_CLEARANCE:
        return TodayPlan("awaiting_clearance", programme, checked_in_today=checked_in)
    if programme.state in (State.COMPLETED, State.DISCHARGED):
        return TodayPlan("finished", programme, checked_in_today=checked_in)
    if programme.state == State.PAUSED:
        screening = pausing_screening(programme)
        plan = TodayPlan("paused", programme, checked_in_today=checked_in)
        if screening is not None:
            plan.safety_tier = screening.tier
            plan.safety_text = PATIENT_SAFETY_TEXT[Tier(screening.tier)]
        return plan
    week = programme.week_number(today)
    dose = programme.dose
    if week is None or dose is None:
        return TodayPlan("starts_later", programme, checked_in_today=checked_in)
    first, last = programme.week_bounds(week)
    walks = list(
        Walk.objects.filter(
            patient=patient, local_date__gte=first, local_date__lte=last, duplicate_of__isnull=True
        ).values_list("local_date", "minutes")
    )
    todays = [minutes for day, minutes in walks if day == today]
    plan = TodayPlan(
        "active",
        programme,
        week=week,
        week_first=first,
        walks_done=len(walks),
        walks_planned=dose.sessions_per_week,
        walks_today=len(todays),
        minutes_today=round(sum(todays)),
        checked_in_today=checked_in,
    )
    if plan.week_complete:
        plan.headline = f"Well done: all {plan.walks_planned} walks done this week"
    elif plan.done_for_today:
        plan.headline = "Done for today. Well done!"
    else:
        plan.headline = (
            f"{dose_today(programme)} — walk {plan.walks_done + 1} of {plan.walks_planned} "
            "this week"
        )
    decision = programme.decisions.filter(week=week - 1).first() if week > 1 else None
    if decision is not None:
        plan.new_review = decision
        plan.new_review_text = review_text(decision)
        plan.new_review_links = review_links(decision)
    return plan


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
                by=user_of(request),
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
                by=user_of(request),
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
                by=user_of(request),
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


@dataclass(frozen=True)
class WeekRow:
    week: int
    first: date
    last: date
    prescribed: float
    walked: float


def week_rows(patient: Patient, programme: Programme | None, today: date) -> list[WeekRow]:
    """Prescribed and walked minutes for the recent programme weeks (one query each)."""
    if programme is None or programme.start_date is None:
        return []
    current = programme.week_number(today)
    if current is None:
        return []
    first_week = max(1, current - CHART_WEEKS + 1)
    start, _ = programme.week_bounds(first_week)
    walked: dict[int, float] = defaultdict(float)
    for day, minutes in DailyActivity.objects.filter(
        patient=patient, date__gte=start, date__lte=today
    ).values_list("date", "walking_minutes"):
        week = programme.week_number(day)
        if week is not None:
            walked[week] += minutes
    prescribed = {
        d.week: float(d.prescribed_dose.weekly_minutes)
        for d in programme.decisions.filter(week__gte=first_week)
    }
    if programme.dose is not None and programme.state == State.ACTIVE:
        prescribed[current] = float(programme.dose.weekly_minutes)
    rows = []
    for week in range(first_week, current + 1):
        first, last = programme.week_bounds(week)
        rows.append(WeekRow(week, first, last, prescribed.get(week, 0.0), round(walked[week], 1)))
    return rows


@dataclass(frozen=True)
class PainDay:
    day: date
    before: float | None
    after: float | None
    morning: int | None


def pain_days(patient: Patient, today: date) -> list[PainDay]:
    first = today - timedelta(days=PAIN_DAYS - 1)
    before: dict[date, list[int]] = defaultdict(list)
    after: dict[date, list[int]] = defaultdict(list)
    walks = Walk.objects.filter(
        patient=patient, local_date__gte=first, local_date__lte=today, duplicate_of__isnull=True
    ).values_list("local_date", "pain_before", "pain_after")
    for day, pain_before, pain_after in walks:
        if pain_before is not None:
            before[day].append(pain_before)
        if pain_after is not None:
            after[day].append(pain_after)
    mornings = dict(
        CheckIn.objects.filter(patient=patient, date__gte=first, date__lte=today).values_list(
            "date", "morning_pain"
        )
    )
    days = [first + timedelta(days=offset) for offset in range(PAIN_DAYS)]
    return [
        PainDay(
            day,
            round(mean(before[day]), 1) if before[day] else None,
            round(mean(after[day]), 1) if after[day] else None,
            mornings.get(day),
        )
        for day in days
    ]


def weight_entries(patient: Patient) -> list[WeightEntry]:
    return list(patient.weights.order_by("measured_at"))


def weight_on(entries: list[WeightEntry], day: date, zone: ZoneInfo) -> float | None:
    """The last weight measured on or before the day, else the first one measured after."""
    chosen: float | None = None
    for entry in entries:
        if entry.measured_at.astimezone(zone).date() <= day:
            chosen = entry.kg
        elif chosen is None:
            return entry.kg
    return chosen


def walk_met(walk: Walk) -> float:
    """METs from the walk's speed when its distance is known, else a moderate pace."""
    if walk.distance_m and walk.minutes > 0:
        try:
            return walking_met(walk.distance_m / walk.minutes).met
        except CoreError:
            pass
    return compendium_walking_entry(MODERATE_PACE_MPH).met


def day_span(first: date, last: date) -> str:
    if first.month == last.month:
        return f"{first.day}\u2013{last.day} {last:%b}"
    return f"{first.day} {first:%b}\u2013{last.day} {last:%b}"


@dataclass(frozen=True)
class EnergyRow:
    label: str
    minutes: float
    net_kcal: int
    gross_kcal: int


def energy_rows(patient: Patient, today: date, entries: list[WeightEntry]) -> list[EnergyRow]:
    fallback = float(patient.weight_kg) if patient.weight_kg is not None else None
    zone = zone_of(patient)
    if not entries and fallback is None:
        return []
    rows = []
    for back in range(ENERGY_WEEKS):
        last = today - timedelta(days=7 * back)
        first = last - timedelta(days=6)
        net = gross = minutes = 0.0
        for walk in Walk.objects.filter(
            patient=patient,
            local_date__gte=first,
            local_date__lte=last,
            duplicate_of__isnull=True,
        ):
            kg = weight_on(entries, walk.local_date, zone) or fallback
            if kg is None:
                continue
            used = energy(walk_met(walk), kg, walk.minutes / 60)
            net += used.net_kcal
            gross += used.gross_kcal
            minutes += walk.minutes
        label = "Last 7 days" if back == 0 else day_span(first, last)
        rows.append(EnergyRow(label, round(minutes), round(net), round(gross)))
    return rows


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
                by=user_of(request),
            )
        except ActivityError as error:
            form.add_error("kg", str(error))
        else:
            messages.success(request, "Thank you. Your weight is saved.")
            return redirect(reverse("patients:progress") + "#weight")
    return render_progress(request, patient, form, status=400)


def phone_style() -> Style:
    """walkrx's chart style with type big enough to read on a phone held at arm's length."""
    style = copy.copy(charts.WALKRX_STYLE)
    style.label_font_size = 17
    style.major_label_font_size = 17
    style.legend_font_size = 18
    style.value_font_size = 17
    style.title_font_size = 18
    return style


def phone_config(y_title: str, **extra: object) -> dict[str, object]:
    """charts.base_config sized for a phone: narrow, no title (the page has a heading)."""
    config = charts.base_config("", y_title=y_title) | {
        "title": None,
        "width": 420,
        "height": 360,
        "style": phone_style(),
        "legend_at_bottom_columns": 2,
        "margin": 6,
    }
    return config | extra


def minutes_chart(rows: list[WeekRow]) -> bytes:
    bars = pygal.Bar(**phone_config("minutes"))
    bars.x_labels = [f"Wk {r.week}" for r in rows]
    bars.add("Plan", [r.prescribed for r in rows])
    bars.add("Walked", [r.walked for r in rows])
    return bytes(bars.render())


def pain_chart(days: list[PainDay]) -> bytes:
    line = pygal.Line(
        **phone_config("pain", range=(0, 10), allow_interruptions=True, legend_at_bottom_columns=3)
    )
    line.x_labels = [f"{d.day.day} {d.day:%b}" for d in days]
    line.x_labels_major_every = 7
    line.show_minor_x_labels = False
    line.add("Before walk", [d.before for d in days])
    line.add("After walk", [d.after for d in days])
    line.add("Morning", [float(d.morning) if d.morning is not None else None for d in days])
    return bytes(line.render())


def weight_chart(days: list[date], kilograms: list[float]) -> bytes:
    line = pygal.Line(**phone_config("kg", show_legend=False))
    line.x_labels = [f"{day.day} {day:%b}" for day in days]
    line.x_labels_major_every = max(1, len(days) // 4)
    line.show_minor_x_labels = False
    line.add("Weight", list(kilograms))
    return bytes(line.render())


def chart(request: HttpRequest, name: str) -> HttpResponse:
    patient = get_own_patient(request, action=f"view own chart {name}")
    today = local_now(patient).date()
    if name == "minutes":
        svg = minutes_chart(week_rows(patient, latest_programme(patient), today))
    elif name == "pain":
        svg = pain_chart(pain_days(patient, today))
    elif name == "weight":
        zone = zone_of(patient)
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
    make_calendar_feed(patient, by=user_of(request))
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
    stop_calendar_feed(patient, by=user_of(request))
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
