"""Named writes for a patient's programme: screening, clearance, start, pause and resume."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from walkrx.core import prescription, screening
from walkrx.core.errors import CoreError
from walkrx.core.policy import ProgressionPolicy, policy_from_mapping
from walkrx.core.programmes import ProgrammeEvent, transition
from walkrx.web.accounts.models import User
from walkrx.web.alerts.actions import raise_warning_sign_alert
from walkrx.web.audit.actions import record_event
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.models import (
    Clearance,
    Note,
    PauseReason,
    Programme,
    Questionnaire,
    ScreeningAnswer,
    State,
)


class ProgrammeError(Exception):
    """A programme change that cannot be made, with a message for the user."""


def current_programme(patient: Patient) -> Programme | None:
    return (
        patient.programmes.exclude(state__in=[State.COMPLETED, State.DISCHARGED])
        .order_by("-created_at")
        .first()
    )


def programme_policy(programme: Programme) -> ProgressionPolicy:
    return policy_from_mapping(programme.policy_overrides or {})


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def apply_event(programme: Programme, event: ProgrammeEvent, *, by_clinician: bool) -> None:
    """Move the programme through the core's state machine; record when and why it paused."""
    try:
        new_state = transition(
            programme.core_state,
            event,
            clearance_recorded=Clearance.objects.filter(programme=programme).exists(),
            actor_is_clinician=by_clinician,
        )
    except CoreError as error:
        raise ProgrammeError(str(error)) from None
    was_paused = programme.state == State.PAUSED
    programme.state = new_state.value
    if programme.state == State.PAUSED and not was_paused:
        programme.paused_at = timezone.now()
        programme.pause_reason = (
            PauseReason.WARNING_SIGN if event == ProgrammeEvent.RED_FLAG else PauseReason.CLINICIAN
        )
    elif programme.state != State.PAUSED:
        programme.paused_at = None
        programme.pause_reason = ""
    if programme.state in (State.COMPLETED, State.DISCHARGED):
        programme.ended_at = timezone.now()
    programme.save(update_fields=["state", "ended_at", "paused_at", "pause_reason"])


@transaction.atomic
def open_programme(patient: Patient) -> Programme:
    existing = current_programme(patient)
    if existing is not None:
        return existing
    return Programme.objects.create(patient=patient)


@transaction.atomic
def record_warning_signs(
    patient: Patient,
    *,
    questionnaire: Questionnaire,
    answers: Mapping[str, bool],
    by: User,
    now: datetime,
    context: screening.RedFlagContext | None = None,
) -> tuple[ScreeningAnswer, screening.RedFlagResult]:
    """Store a red-flag, weekly or lower-limb checklist; pause and alert on EMERGENCY/URGENT."""
    programme = current_programme(patient)
    merged = dict(answers)
    if questionnaire != Questionnaire.RED_FLAGS:
        # History answered at intake still counts (known cancer with new neurology).
        intake = patient.screenings.filter(questionnaire=Questionnaire.RED_FLAGS).first()
        if intake is not None:
            for key, value in intake.answers.items():
                merged.setdefault(key, value)
    if context is None:
        context = screening.RedFlagContext(
            age_years=age_on(patient.date_of_birth, timezone.localdate(now))
        )
    try:
        result = screening.assess_red_flags(merged, context)
    except CoreError as error:
        raise ProgrammeError(str(error)) from None
    saved = ScreeningAnswer.objects.create(
        patient=patient,
        programme=programme,
        questionnaire=questionnaire,
        answers=dict(answers),
        tier=result.tier.value if result.tier else "",
        triggered=[
            {"question": f.question_id, "tier": f.tier.value, "rule": f.rule, "source": f.source}
            for f in result.triggered
        ],
        answered_by=by,
        answered_at=now,
    )
    if programme is not None and programme.state == State.INVITED:
        apply_event(programme, ProgrammeEvent.START_SCREENING, by_clinician=False)
    if result.pauses_programme and programme is not None and programme.state == State.ACTIVE:
        apply_event(programme, ProgrammeEvent.RED_FLAG, by_clinician=False)
    raise_warning_sign_alert(patient, result)
    record_event(actor=by, action=f"answer {questionnaire}", patient=patient)
    return saved, result


@transaction.atomic
def record_readiness(
    patient: Patient, *, answers: Mapping[str, bool], by: User, now: datetime
) -> ScreeningAnswer:
    try:
        result = screening.assess_readiness(answers)
    except CoreError as error:
        raise ProgrammeError(str(error)) from None
    programme = current_programme(patient)
    saved = ScreeningAnswer.objects.create(
        patient=patient,
        programme=programme,
        questionnaire=Questionnaire.READINESS,
        answers=dict(answers),
        clearance_points=[*result.needs_clearance_points, *result.notes],
        answered_by=by,
        answered_at=now,
    )
    if programme is not None and programme.state == State.INVITED:
        apply_event(programme, ProgrammeEvent.START_SCREENING, by_clinician=False)
    record_event(actor=by, action="answer readiness", patient=patient)
    return saved


@transaction.atomic
def complete_intake(programme: Programme, *, by: User, baseline_pain: int | None) -> Programme:
    """Intake is done: the programme waits for the physician's clearance."""
    if programme.state == State.INVITED:
        apply_event(programme, ProgrammeEvent.START_SCREENING, by_clinician=True)
    if baseline_pain is not None:
        programme.baseline_pain = baseline_pain
        programme.save(update_fields=["baseline_pain"])
    apply_event(programme, ProgrammeEvent.SCREENING_DONE, by_clinician=True)
    record_event(actor=by, action="complete intake", patient=programme.patient)
    return programme


@transaction.atomic
def record_clearance(
    programme: Programme, *, physician_name: str, cleared_on: date, limits: str, by: User
) -> Clearance:
    if not physician_name.strip():
        raise ProgrammeError("Name the physician who gave the clearance.")
    if cleared_on > timezone.localdate():
        raise ProgrammeError("A clearance cannot be dated in the future.")
    if Clearance.objects.filter(programme=programme).exists():
        raise ProgrammeError("A clearance is recorded already for this programme.")
    clearance = Clearance.objects.create(
        programme=programme,
        physician_name=physician_name.strip(),
        cleared_on=cleared_on,
        limits=limits.strip(),
        recorded_by=by,
    )
    record_event(actor=by, action="record clearance", patient=programme.patient)
    return clearance


@transaction.atomic
def start_programme(
    programme: Programme,
    *,
    start_date: date,
    target: prescription.Target,
    by: User,
    tolerance_walks: Sequence[prescription.ToleranceWalk] | None = None,
    start: prescription.Dose | None = None,
) -> Programme:
    """Activate the programme (clearance required) with the engine's start dose."""
    policy = programme_policy(programme)
    try:
        dose = start or prescription.start_dose(tolerance_walks or None, policy)
        prescription.target_dose(target, policy)
    except CoreError as error:
        raise ProgrammeError(str(error)) from None
    apply_event(programme, ProgrammeEvent.ACTIVATE, by_clinician=True)
    programme.start_date = start_date
    programme.target_kind = target.kind.value
    programme.target_amount = target.amount
    programme.target_days_per_week = target.days_per_week
    programme.minutes_per_session = dose.minutes_per_session
    programme.sessions_per_day = dose.sessions_per_day
    programme.days_per_week = dose.days_per_week
    programme.save(
        update_fields=[
            "start_date",
            "target_kind",
            "target_amount",
            "target_days_per_week",
            "minutes_per_session",
            "sessions_per_day",
            "days_per_week",
        ]
    )
    record_event(actor=by, action="start programme", patient=programme.patient)
    return programme


@transaction.atomic
def pause_programme(programme: Programme, *, by: User, reason: str = "") -> Programme:
    apply_event(programme, ProgrammeEvent.PAUSE, by_clinician=True)
    record_event(actor=by, action="pause programme", patient=programme.patient, detail=reason)
    return programme


@transaction.atomic
def resume_programme(programme: Programme, *, by: User) -> Programme:
    apply_event(programme, ProgrammeEvent.RESUME, by_clinician=True)
    record_event(actor=by, action="resume programme", patient=programme.patient)
    return programme


@transaction.atomic
def discharge_patient(programme: Programme, *, by: User, completed: bool) -> Programme:
    event = ProgrammeEvent.COMPLETE if completed else ProgrammeEvent.DISCHARGE
    apply_event(programme, event, by_clinician=True)
    record_event(actor=by, action=f"{event.value.lower()} programme", patient=programme.patient)
    return programme


@transaction.atomic
def add_note(patient: Patient, *, text: str, by: User) -> Note:
    if not text.strip():
        raise ProgrammeError("A note cannot be empty.")
    note = Note.objects.create(patient=patient, author=by, text=text.strip())
    record_event(actor=by, action="add note", patient=patient)
    return note
