"""The first visit: intake checklists and instruments, the physician's clearance, the start."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from walkrx.core import prescription
from walkrx.core.engine import describe_dose
from walkrx.core.errors import CoreError
from walkrx.core.screening import RED_FLAG_QUESTIONS, Tier
from walkrx.web.access import acting_user, get_patient_for_staff
from walkrx.web.clinics import intake
from walkrx.web.clinics.forms import (
    INSTRUMENT_FORMS,
    ClearanceForm,
    CompleteIntakeForm,
    ReadinessForm,
    RedFlagForm,
    StartForm,
    ToleranceForm,
)
from walkrx.web.clinics.views import (
    clinic_time,
    describe_target,
    open_programme_or_none,
)
from walkrx.web.patients.models import Patient
from walkrx.web.programmes import actions as programme_actions
from walkrx.web.programmes.actions import ProgrammeError, age_on, programme_policy
from walkrx.web.programmes.models import (
    Clearance,
    InstrumentResponse,
    Programme,
    Questionnaire,
    ScreeningAnswer,
    State,
    TargetKind,
)

QUESTION_TEXT = {q.id: q.text for q in RED_FLAG_QUESTIONS}
INTAKE_STATES = (State.INVITED, State.SCREENING)


def after_recording(patient: Patient) -> HttpResponse:
    programme = programme_actions.current_programme(patient)
    if programme is not None and programme.state in INTAKE_STATES:
        return redirect("clinics:intake", patient.pk)
    return redirect("clinics:patient", patient.pk)


def latest_screening(patient: Patient, questionnaire: Questionnaire) -> ScreeningAnswer | None:
    return (
        ScreeningAnswer.objects.filter(patient=patient, questionnaire=questionnaire)
        .order_by("-answered_at", "-pk")
        .first()
    )


def latest_scores(patient: Patient) -> dict[str, InstrumentResponse]:
    latest: dict[str, InstrumentResponse] = {}
    for response in InstrumentResponse.objects.filter(patient=patient).order_by(
        "answered_at", "pk"
    ):
        latest[response.instrument] = response
    return latest


# Overview ------------------------------------------------------------------------------


@clinic_time
@require_GET
def overview(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="view intake")
    return render(request, "clinics/intake.html", intake_context(patient))


def intake_context(patient: Patient, **extra: Any) -> dict[str, Any]:
    programme = programme_actions.current_programme(patient)
    red_flags = latest_screening(patient, Questionnaire.RED_FLAGS)
    readiness = latest_screening(patient, Questionnaire.READINESS)
    scores = latest_scores(patient)
    tolerance = scores.pop(intake.TOLERANCE_TEST, None)
    pain = scores.get(intake.PAIN)
    flags = [
        {**flag, "question": QUESTION_TEXT.get(flag["question"], flag["question"])}
        for flag in (red_flags.triggered if red_flags else [])
    ]
    instruments = [
        {"info": info, "response": scores.get(key)} for key, info in intake.INSTRUMENTS.items()
    ]
    walks = intake.tolerance_walks(tolerance)
    start = prescription.start_dose(walks or None) if walks else None
    today = patient.clinic.today()
    return {
        "patient": patient,
        "programme": programme,
        "age": age_on(patient.date_of_birth, today),
        "red_flags": red_flags,
        "flags": flags,
        "serious": red_flags is not None
        and red_flags.tier in (Tier.EMERGENCY.value, Tier.URGENT.value),
        "readiness": readiness,
        "instruments": instruments,
        "tolerance": tolerance,
        "tolerance_walks": walks,
        "tolerance_dose": describe_dose(start) if start else "",
        "in_intake": programme is not None and programme.state in INTAKE_STATES,
        "complete_form": extra.get("complete_form")
        or CompleteIntakeForm(initial={"baseline_pain": int(pain.score) if pain else None}),
        "licence": intake.pack_licence(),
    }


@clinic_time
@require_POST
def complete(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open intake")
    form = CompleteIntakeForm(request.POST)
    if not form.is_valid():
        context = intake_context(patient, complete_form=form)
        return render(request, "clinics/intake.html", context, status=400)
    programme = open_programme_or_none(request, patient)
    if programme is None:
        return redirect("clinics:patient", patient.pk)
    missing = [
        name
        for name, questionnaire in (
            ("the warning-sign checklist", Questionnaire.RED_FLAGS),
            ("the readiness check", Questionnaire.READINESS),
        )
        if latest_screening(patient, questionnaire) is None
    ]
    if missing:
        messages.error(request, "Before completing the intake, record " + " and ".join(missing))
        return redirect("clinics:intake", patient.pk)
    try:
        programme_actions.complete_intake(
            programme, by=acting_user(request), baseline_pain=form.cleaned_data["baseline_pain"]
        )
    except ProgrammeError as error:
        messages.error(request, str(error))
        return redirect("clinics:intake", patient.pk)
    messages.success(request, "Intake complete. Next: record the physician's clearance.")
    return redirect("clinics:clearance", patient.pk)


# Checklists ----------------------------------------------------------------------------


def checklist_page(
    request: HttpRequest, patient: Patient, template: str, form: Any, status: int = 200
) -> HttpResponse:
    today = patient.clinic.today()
    context = {"patient": patient, "form": form, "age": age_on(patient.date_of_birth, today)}
    return render(request, template, context, status=status)


@clinic_time
@require_GET
def red_flags_form(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open warning-sign checklist")
    return checklist_page(request, patient, "clinics/red_flags.html", RedFlagForm())


@clinic_time
@require_POST
def red_flags(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open warning-sign checklist")
    form = RedFlagForm(request.POST)
    if not form.is_valid():
        return checklist_page(request, patient, "clinics/red_flags.html", form, 400)
    now = timezone.now()
    age = age_on(patient.date_of_birth, patient.clinic.today())
    try:
        _, result = programme_actions.record_warning_signs(
            patient,
            questionnaire=Questionnaire.RED_FLAGS,
            answers=form.answers(),
            by=acting_user(request),
            now=now,
            context=form.context(age),
        )
    except ProgrammeError as error:
        form.add_error(None, str(error))
        return checklist_page(request, patient, "clinics/red_flags.html", form, 400)
    if result.tier is not None and result.tier.at_least(Tier.URGENT):
        messages.error(
            request,
            f"{result.tier.value}: warning signs found. An alert has been raised for the "
            "clinic. Act on it before going on with the programme.",
        )
    elif result.tier is not None:
        messages.warning(request, "Warning-sign checklist saved: a point to review.")
    else:
        messages.success(request, "Warning-sign checklist saved: no warning signs.")
    return after_recording(patient)


@clinic_time
@require_GET
def readiness_form(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open readiness check")
    return checklist_page(request, patient, "clinics/readiness.html", ReadinessForm())


@clinic_time
@require_POST
def readiness(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open readiness check")
    form = ReadinessForm(request.POST)
    if not form.is_valid():
        return checklist_page(request, patient, "clinics/readiness.html", form, 400)
    try:
        saved = programme_actions.record_readiness(
            patient, answers=form.answers(), by=acting_user(request), now=timezone.now()
        )
    except ProgrammeError as error:
        form.add_error(None, str(error))
        return checklist_page(request, patient, "clinics/readiness.html", form, 400)
    count = len(saved.clearance_points)
    messages.success(
        request,
        f"Readiness check saved: {count} point{'s' if count != 1 else ''} for the physician.",
    )
    return after_recording(patient)


# Instruments ---------------------------------------------------------------------------


def instrument_page(
    request: HttpRequest, patient: Patient, key: str, form: Any, status: int = 200
) -> HttpResponse:
    text = intake.instrument_text(key)
    context = {
        "patient": patient,
        "form": form,
        "info": intake.INSTRUMENTS[key],
        "text": text,
        "licence": intake.pack_licence(),
    }
    return render(request, "clinics/instrument.html", context, status=status)


def instrument_form(key: str, data: Any = None) -> Any:
    if key not in INSTRUMENT_FORMS:
        raise Http404("No such instrument.")
    return INSTRUMENT_FORMS[key](data, text=intake.instrument_text(key))


@clinic_time
@require_GET
def instrument(request: HttpRequest, patient_id: int, key: str) -> HttpResponse:
    form = instrument_form(key)
    patient = get_patient_for_staff(request, patient_id, action=f"open {key}")
    return instrument_page(request, patient, key, form)


@clinic_time
@require_POST
def save_instrument(request: HttpRequest, patient_id: int, key: str) -> HttpResponse:
    form = instrument_form(key, request.POST)
    patient = get_patient_for_staff(request, patient_id, action=f"open {key}")
    if not form.is_valid():
        return instrument_page(request, patient, key, form, 400)
    try:
        response = intake.record_instrument(
            patient,
            instrument=key,
            answers=form.answers(),
            by=acting_user(request),
            now=timezone.now(),
        )
    except intake.InstrumentError as error:
        form.add_error(None, str(error))
        return instrument_page(request, patient, key, form, 400)
    info = intake.INSTRUMENTS[key]
    band = f" ({response.band})" if response.band else ""
    messages.success(request, f"{info.name} saved: {response.score:g}{info.unit}{band}.")
    return after_recording(patient)


@clinic_time
@require_GET
def tolerance_form(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open tolerance test")
    return render(request, "clinics/tolerance.html", {"patient": patient, "form": ToleranceForm()})


@clinic_time
@require_POST
def tolerance(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open tolerance test")
    form = ToleranceForm(request.POST)
    if form.is_valid():
        try:
            saved = intake.record_tolerance_test(
                patient,
                walks=form.cleaned_data["walks"],
                by=acting_user(request),
                now=timezone.now(),
            )
        except intake.InstrumentError as error:
            form.add_error(None, str(error))
        else:
            walks = intake.tolerance_walks(saved)
            dose = prescription.start_dose(walks)
            messages.success(
                request,
                f"Tolerance test saved (mean {saved.score:g} minutes). "
                f"Start dose from it: {describe_dose(dose)}.",
            )
            return after_recording(patient)
    context = {"patient": patient, "form": form}
    return render(request, "clinics/tolerance.html", context, status=400)


# Clearance -----------------------------------------------------------------------------


def clearance_page(
    request: HttpRequest, patient: Patient, form: ClearanceForm, status: int = 200
) -> HttpResponse:
    programme = programme_actions.current_programme(patient)
    clearance = Clearance.objects.filter(programme=programme).first() if programme else None
    context = {
        "patient": patient,
        "programme": programme,
        "clearance": clearance,
        "readiness": latest_screening(patient, Questionnaire.READINESS),
        "red_flags": latest_screening(patient, Questionnaire.RED_FLAGS),
        "form": form,
    }
    return render(request, "clinics/clearance.html", context, status=status)


@clinic_time
@require_GET
def clearance_form(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open clearance")
    today = patient.clinic.today()
    return clearance_page(request, patient, ClearanceForm(initial={"cleared_on": today}))


@clinic_time
@require_POST
def clearance(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open clearance")
    form = ClearanceForm(request.POST)
    if not form.is_valid():
        return clearance_page(request, patient, form, 400)
    programme = open_programme_or_none(request, patient)
    if programme is None:
        return redirect("clinics:patient", patient.pk)
    try:
        programme_actions.record_clearance(
            programme,
            physician_name=form.cleaned_data["physician_name"],
            cleared_on=form.cleaned_data["cleared_on"],
            limits=form.cleaned_data["limits"],
            by=acting_user(request),
        )
    except ProgrammeError as error:
        form.add_error(None, str(error))
        return clearance_page(request, patient, form, 400)
    messages.success(request, "Clearance recorded.")
    if programme.state == State.AWAITING_CLEARANCE:
        return redirect("clinics:start", patient.pk)
    return redirect("clinics:patient", patient.pk)


# Start ---------------------------------------------------------------------------------


def startable(request: HttpRequest, patient: Patient) -> Programme | None:
    programme = open_programme_or_none(request, patient)
    if programme is None:
        return None
    if programme.state != State.AWAITING_CLEARANCE:
        messages.error(request, "Only a programme that has finished its intake can start.")
        return None
    if not Clearance.objects.filter(programme=programme).exists():
        messages.error(request, "Record the physician's clearance before starting.")
        return None
    return programme


def plan_preview(programme: Programme, form: StartForm) -> dict[str, Any]:
    """The engine's start dose and the week the target is reached, for the chosen target."""
    walks = intake.tolerance_walks(intake.latest_tolerance_test(programme.patient))
    policy = programme_policy(programme)
    preview: dict[str, Any] = {"from_tolerance": bool(walks)}
    if not form.is_valid():
        return preview
    target = form.cleaned_data["target"]
    try:
        dose = prescription.start_dose(walks or None, policy)
        preview["dose_words"] = describe_dose(dose)
        preview["target_words"] = describe_target(target)
        preview["weekly_minutes"] = dose.weekly_minutes
        preview["target_week"] = prescription.weeks_to_target(dose, target, policy)
    except CoreError as error:
        preview["error"] = str(error)
    return preview


START_DEFAULTS = {
    "target_kind": TargetKind.SESSION_DAYS,
    "session_minutes": 30,
    "session_days": 5,
    "weekly_minutes": 150,
    "daily_steps": 7000,
}


@clinic_time
@require_GET
def start_form(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open programme start")
    programme = startable(request, patient)
    if programme is None:
        return redirect("clinics:patient", patient.pk)
    today = patient.clinic.today()
    values = {**START_DEFAULTS, "start_date": today.isoformat()}
    if "target_kind" in request.GET:
        values = {key: request.GET.get(key, "") for key in [*START_DEFAULTS, "start_date"]}
    form = StartForm(values)
    context = {
        "patient": patient,
        "programme": programme,
        "form": form,
        "preview": plan_preview(programme, form),
    }
    return render(request, "clinics/start.html", context)


@clinic_time
@require_POST
def start(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="open programme start")
    programme = startable(request, patient)
    if programme is None:
        return redirect("clinics:patient", patient.pk)
    form = StartForm(request.POST)
    if not form.is_valid():
        context = {
            "patient": patient,
            "programme": programme,
            "form": form,
            "preview": plan_preview(programme, form),
        }
        return render(request, "clinics/start.html", context, status=400)
    walks = intake.tolerance_walks(intake.latest_tolerance_test(patient))
    try:
        programme_actions.start_programme(
            programme,
            start_date=form.cleaned_data["start_date"],
            target=form.cleaned_data["target"],
            by=acting_user(request),
            tolerance_walks=walks or None,
        )
    except ProgrammeError as error:
        messages.error(request, str(error))
        return redirect("clinics:start", patient.pk)
    dose = programme.dose
    messages.success(
        request,
        f"Programme started: {describe_dose(dose) if dose else ''} in week 1.",
    )
    return redirect("clinics:patient", patient.pk)
