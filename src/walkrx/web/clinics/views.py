"""Clinician pages: the caseload, inviting a patient, and the patient page with its actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from walkrx.core.engine import describe_dose
from walkrx.core.prescription import Target, TargetKind
from walkrx.core.programmes import ProgrammeEvent, allowed_events
from walkrx.web import charts
from walkrx.web.access import (
    acting_user,
    get_patient_for_staff,
    patients_for_staff,
    require_staff,
    staff_member_of,
)
from walkrx.web.alerts.actions import AlertError, handle_alert
from walkrx.web.alerts.models import Alert
from walkrx.web.clinics import dashboard, record
from walkrx.web.clinics.forms import (
    DoseForm,
    FinishForm,
    HandleAlertForm,
    InviteForm,
    NoteForm,
    PauseForm,
)
from walkrx.web.patients.actions import PatientError, invite_patient, send_invitation
from walkrx.web.patients.models import Patient
from walkrx.web.programmes import actions as programme_actions
from walkrx.web.programmes.actions import ProgrammeError, age_on
from walkrx.web.programmes.models import (
    Clearance,
    DecisionStatus,
    Programme,
    State,
    WeeklyDecision,
)
from walkrx.web.programmes.reviews import accept_decision, override_decision

CASELOAD_PAGE_SIZE = dashboard.PAGE_SIZE
SERIOUS_TIERS = ("EMERGENCY", "URGENT")


def clinic_time(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render dates and times in the clinic's time zone."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        staff = staff_member_of(request.user)
        if staff is None:
            return view(request, *args, **kwargs)
        with timezone.override(staff.clinic.zone):
            return view(request, *args, **kwargs)

    return wrapper


def site_root(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def shown_programme(patient: Patient) -> Programme | None:
    """The open programme, else the most recent one (a finished programme stays visible)."""
    return (
        programme_actions.current_programme(patient)
        or patient.programmes.order_by("-created_at").first()
    )


def open_programme_or_none(request: HttpRequest, patient: Patient) -> Programme | None:
    programme = programme_actions.current_programme(patient)
    if programme is None:
        messages.error(request, "This patient has no open programme.")
    return programme


def describe_target(target: Target) -> str:
    if target.kind is TargetKind.SESSION_DAYS:
        return f"{target.amount} minutes on {target.days_per_week} days a week"
    if target.kind is TargetKind.WEEKLY_MINUTES:
        return f"{target.amount} minutes a week"
    return f"{target.amount:,} steps a day"


def page_number(request: HttpRequest, name: str = "page") -> int:
    try:
        return max(1, int(request.GET.get(name, "1")))
    except ValueError:
        return 1


# Caseload ----------------------------------------------------------------------------


@clinic_time
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    today = staff.clinic.today()
    search = request.GET.get("q", "").strip()[:100]
    need = dashboard.Need.from_slug(request.GET.get("need", ""))
    patients = patients_for_staff(staff)
    rows = dashboard.caseload(patients, today, need=need, search=search)
    page = Paginator(rows, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dashboard.need_counts(patients, today, search=search)
    filters = [(n, counts.get(n, 0)) for n in dashboard.Need if counts.get(n)]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "clinics/caseload.html",
        {
            "staff": staff,
            "page": page,
            "rows": dashboard.page_rows(list(page.object_list), today),
            "filters": filters,
            "need": need,
            "search": search,
            "total": sum(counts.values()),
            "today": today,
            "page_query": query.urlencode(),
        },
    )


# Inviting ------------------------------------------------------------------------------


@clinic_time
@require_GET
def invite_form(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    return render(request, "clinics/invite.html", {"form": InviteForm(staff=staff)})


@clinic_time
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    form = InviteForm(request.POST, staff=staff)
    if form.is_valid():
        data = form.cleaned_data
        try:
            patient = invite_patient(
                staff.clinic,
                email=data["email"],
                full_name=data["full_name"],
                invited_by=acting_user(request),
                base_url=site_root(request),
                date_of_birth=data["date_of_birth"],
                care_team=list(data["care_team"]),
            )
        except PatientError as error:
            form.add_error("email" if "account" in str(error) else None, str(error))
        else:
            messages.success(
                request,
                f"Invitation sent to {patient.user.email}. Next: the intake with the patient.",
            )
            return redirect("clinics:intake", patient.pk)
    return render(request, "clinics/invite.html", {"form": form}, status=400)


@clinic_time
@require_POST
def invite_again(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="resend invitation")
    if patient.user.has_usable_password():
        messages.error(request, "This patient has chosen a password already.")
    else:
        send_invitation(patient, base_url=site_root(request))
        messages.success(request, f"A new invitation was sent to {patient.user.email}.")
    return redirect("clinics:patient", patient.pk)


# Patient page --------------------------------------------------------------------------


def patient_context(
    request: HttpRequest, patient: Patient, **form_overrides: forms.Form
) -> dict[str, Any]:
    today = patient.clinic.today()
    programme = shown_programme(patient)
    latest = programme.decisions.order_by("-week").first() if programme else None
    clearance = Clearance.objects.filter(programme=programme).first() if programme else None
    events = set(allowed_events(programme.core_state)) if programme else set()
    dose = programme.dose if programme else None
    proposed = latest.final_dose if latest else dose
    dose_initial = (
        {
            "minutes_per_session": proposed.minutes_per_session,
            "sessions_per_day": proposed.sessions_per_day,
            "days_per_week": proposed.days_per_week,
        }
        if proposed
        else {}
    )
    alerts = list(patient.alerts.filter(handled_at__isnull=True).order_by("created_at"))
    timeline_page = page_number(request, "timeline")
    entries, older = record.timeline(patient, timeline_page)
    return {
        "patient": patient,
        "programme": programme,
        "today": today,
        "age": age_on(patient.date_of_birth, today),
        "care_team": patient.care_team.select_related("user"),
        "week": programme.week_number(today)
        if programme and programme.state in (State.ACTIVE, State.PAUSED)
        else None,
        "dose_words": describe_dose(dose) if dose else "",
        "target_words": describe_target(programme.target) if programme else "",
        "clearance": clearance,
        "alerts": alerts,
        "serious_alert": any(a.tier in SERIOUS_TIERS for a in alerts),
        "decision": latest,
        "decision_reasons": [record.reason_words(r) for r in latest.reasons] if latest else [],
        "decision_words": record.decision_words(latest.kind) if latest else "",
        "proposed_words": describe_dose(latest.proposed_dose) if latest else "",
        "final_words": describe_dose(latest.final_dose) if latest else "",
        "prescribed_words": describe_dose(latest.prescribed_dose) if latest else "",
        "can_accept": latest is not None and latest.status == DecisionStatus.PROPOSED,
        "can_pause": ProgrammeEvent.PAUSE in events,
        "can_resume": ProgrammeEvent.RESUME in events and programme is not None,
        "can_finish": ProgrammeEvent.COMPLETE in events,
        "can_discharge": ProgrammeEvent.DISCHARGE in events,
        "in_intake": programme is not None and programme.state in (State.INVITED, State.SCREENING),
        "needs_clearance": programme is not None
        and clearance is None
        and not programme.core_state.is_final
        and programme.state != State.INVITED,
        "can_start": programme is not None
        and clearance is not None
        and programme.state == State.AWAITING_CLEARANCE,
        "invited_only": not patient.user.has_usable_password(),
        "override_form": form_overrides.get("override_form") or DoseForm(initial=dose_initial),
        "note_form": form_overrides.get("note_form") or NoteForm(),
        "pause_form": form_overrides.get("pause_form") or PauseForm(),
        "finish_form": form_overrides.get("finish_form") or FinishForm(),
        "alert_form": HandleAlertForm(),
        "timeline": entries,
        "timeline_page": timeline_page,
        "timeline_older": older,
        "weeks": record.weekly_minutes(programme, today),
        "pain_days": record.pain_days(patient, today),
        "step_days": record.step_days(patient, today),
        "weights": record.weights(patient),
        "outcomes": record.outcomes(patient, programme, today),
    }


@clinic_time
@require_GET
def patient_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    return render(request, "clinics/patient.html", patient_context(request, patient))


def patient_page_with_errors(
    request: HttpRequest, patient: Patient, **form_overrides: forms.Form
) -> HttpResponse:
    messages.error(request, "Please correct the form below.")
    context = patient_context(request, patient, **form_overrides)
    return render(request, "clinics/patient.html", context, status=400)


def decision_for(patient: Patient, decision_id: int) -> WeeklyDecision:
    decision = (
        WeeklyDecision.objects.filter(programme__patient=patient, pk=decision_id)
        .select_related("programme__patient")
        .first()
    )
    if decision is None:
        raise Http404("No such decision.")
    return decision


@clinic_time
@require_POST
def accept(request: HttpRequest, patient_id: int, decision_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open weekly decision")
    decision = decision_for(patient, decision_id)
    try:
        accept_decision(decision, by=acting_user(request))
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Week {decision.week} accepted: {describe_dose(decision.final_dose)}."
        )
    return redirect("clinics:patient", patient.pk)


@clinic_time
@require_POST
def override(request: HttpRequest, patient_id: int, decision_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open weekly decision")
    decision = decision_for(patient, decision_id)
    form = DoseForm(request.POST)
    if not form.is_valid():
        return patient_page_with_errors(request, patient, override_form=form)
    try:
        override_decision(
            decision,
            dose=form.cleaned_data["dose"],
            note=form.cleaned_data["note"],
            by=acting_user(request),
        )
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Next week changed to {describe_dose(form.cleaned_data['dose'])}."
        )
    return redirect("clinics:patient", patient.pk)


@clinic_time
@require_POST
def handle(request: HttpRequest, patient_id: int, alert_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open alert")
    alert = Alert.objects.filter(patient=patient, pk=alert_id).select_related("patient").first()
    if alert is None:
        raise Http404("No such alert.")
    form = HandleAlertForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        handle_alert(alert, by=acting_user(request), note=note)
    except AlertError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Alert marked as handled.")
    return redirect("clinics:patient", patient.pk)


@clinic_time
@require_POST
def pause(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open programme")
    form = PauseForm(request.POST)
    programme = open_programme_or_none(request, patient)
    if programme is not None and form.is_valid():
        try:
            programme_actions.pause_programme(
                programme, by=acting_user(request), reason=form.cleaned_data["reason"]
            )
        except ProgrammeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Programme paused. The patient sees that it is paused.")
    return redirect("clinics:patient", patient.pk)


@clinic_time
@require_POST
def resume(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open programme")
    programme = open_programme_or_none(request, patient)
    if programme is not None:
        try:
            programme_actions.resume_programme(programme, by=acting_user(request))
        except ProgrammeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Programme resumed.")
    return redirect("clinics:patient", patient.pk)


@clinic_time
@require_POST
def finish(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open programme")
    form = FinishForm(request.POST)
    if not form.is_valid():
        return patient_page_with_errors(request, patient, finish_form=form)
    programme = open_programme_or_none(request, patient)
    if programme is not None:
        completed = form.cleaned_data["outcome"] == "completed"
        try:
            programme_actions.discharge_patient(
                programme, by=acting_user(request), completed=completed
            )
        except ProgrammeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "Programme completed." if completed else "Patient discharged."
            )
    return redirect("clinics:patient", patient.pk)


@clinic_time
@require_POST
def add_note(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open notes")
    form = NoteForm(request.POST)
    if not form.is_valid():
        return patient_page_with_errors(request, patient, note_form=form)
    try:
        programme_actions.add_note(patient, text=form.cleaned_data["text"], by=acting_user(request))
    except ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Note added.")
    return redirect("clinics:patient", patient.pk)


# Charts --------------------------------------------------------------------------------


def chart_svg(patient: Patient, name: str, today: date) -> bytes:
    if name == "minutes":
        weeks = record.weekly_minutes(shown_programme(patient), today)
        return charts.weekly_minutes_chart(
            [f"{w.week} so far" if w.current else str(w.week) for w in weeks],
            [w.prescribed for w in weeks],
            [w.walked for w in weeks],
        )
    if name == "pain":
        days = record.pain_days(patient, today)
        return charts.pain_chart(
            [d.day.strftime("%d %b") for d in days],
            [d.before for d in days],
            [d.after for d in days],
            [d.next_morning for d in days],
        )
    if name == "steps":
        steps = record.step_days(patient, today)
        return charts.series_chart(
            "Steps per day",
            "steps",
            [d.strftime("%d %b") for d, _ in steps],
            [s for _, s in steps],
            bars=True,
        )
    if name == "weight":
        weights = record.weights(patient)
        return charts.series_chart(
            "Weight",
            "kg",
            [d.strftime("%d %b %Y") for d, _ in weights],
            [kg for _, kg in weights],
            bars=False,
        )
    raise Http404("No such chart.")


@clinic_time
@require_GET
def chart(request: HttpRequest, patient_id: int, name: str) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action=f"view {name} chart")
    today = patient.clinic.today()
    return charts.svg_response(chart_svg(patient, name, today))
