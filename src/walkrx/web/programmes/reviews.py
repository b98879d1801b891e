"""The weekly review: run the progression engine once per programme week and store it."""

from __future__ import annotations

from datetime import date, datetime

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from walkrx.core import engine, prescription
from walkrx.core.screening import Tier, highest_tier
from walkrx.web.accounts.models import User
from walkrx.web.activity.actions import counted_walks
from walkrx.web.activity.models import CheckIn
from walkrx.web.alerts.actions import site_url
from walkrx.web.audit.actions import record_event
from walkrx.web.programmes.actions import ProgrammeError, programme_policy
from walkrx.web.programmes.models import (
    DecisionStatus,
    Programme,
    Questionnaire,
    ScreeningAnswer,
    State,
    WeeklyDecision,
)

LOWER_LIMB_IDS = ("lower_limb_foot", "lower_limb_knee", "lower_limb_hip")


def clinic_today(programme: Programme, now: datetime) -> date:
    return now.astimezone(programme.patient.clinic.zone).date()


def due_weeks(programme: Programme, today: date) -> list[int]:
    """Ended programme weeks after the last reviewed one, oldest first."""
    if programme.state != State.ACTIVE or programme.start_date is None:
        return []
    current = programme.week_number(today)
    if current is None:
        return []
    last = programme.decisions.order_by("-week").values_list("week", flat=True).first() or 0
    return list(range(last + 1, current))


def week_input(programme: Programme, week: int) -> engine.WeekInput:
    first, last = programme.week_bounds(week)
    walks = tuple(
        engine.WalkRecord(
            on=walk.local_date,
            minutes=walk.minutes,
            steps=walk.steps,
            pain_before=walk.pain_before,
            pain_after=walk.pain_after,
        )
        for walk in counted_walks(programme.patient, first, last)
    )
    checkins = CheckIn.objects.filter(
        patient=programme.patient, date__gte=first, date__lte=last
    ).order_by("date")
    screenings = ScreeningAnswer.objects.filter(
        patient=programme.patient,
        answered_at__date__gte=first,
        answered_at__date__lte=last,
    ).exclude(questionnaire=Questionnaire.READINESS)
    tier = highest_tier(Tier(s.tier) for s in screenings if s.tier)
    lower_limb = any(any(s.answers.get(key) for key in LOWER_LIMB_IDS) for s in screenings)
    previous = programme.decisions.filter(week=week - 1).first()
    override = (
        previous.final_dose
        if previous is not None and previous.status == DecisionStatus.OVERRIDDEN
        else None
    )
    dose = programme.dose
    assert dose is not None
    prescribed = previous.proposed_dose if override is not None and previous else dose
    return engine.WeekInput(
        prescribed=prescribed,
        walks=walks,
        morning_pains={c.date: c.morning_pain for c in checkins},
        flares=sum(1 for c in checkins if c.flare),
        red_flag_tier=tier,
        lower_limb_pain=lower_limb,
        baseline_pain=programme.baseline_pain,
        clinician_override=override,
    )


def history(programme: Programme, before_week: int) -> list[engine.PastWeek]:
    return [
        engine.PastWeek(
            dose=decision.prescribed_dose,
            decision=engine.DecisionKind(decision.kind),
            well_tolerated=decision.well_tolerated,
        )
        for decision in programme.decisions.filter(week__lt=before_week).order_by("week")
    ]


@transaction.atomic
def review_week(programme: Programme, week: int) -> WeeklyDecision | None:
    """Run the engine for one ended week; None when another process stored it first."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.decisions.filter(week=week).exists():
        return None
    inputs = week_input(programme, week)
    decision = engine.review_week(
        inputs, history(programme, week), programme.target, programme_policy(programme)
    )
    nxt = decision.next_dose
    try:
        with transaction.atomic():
            stored = WeeklyDecision.objects.create(
                programme=programme,
                week=week,
                kind=decision.kind.value,
                reasons=[
                    {"code": reason.code.value, "detail": dict(reason.detail)}
                    for reason in decision.reasons
                ],
                prompts=[prompt.value for prompt in decision.prompts],
                patient_explanation=decision.patient_explanation,
                clinician_explanation=decision.clinician_explanation,
                minutes_walked=sum(walk.minutes for walk in inputs.walks),
                minutes_prescribed=inputs.dose.weekly_minutes,
                adherence=decision.adherence,
                well_tolerated=decision.well_tolerated,
                prescribed_minutes_per_session=inputs.dose.minutes_per_session,
                prescribed_sessions_per_day=inputs.dose.sessions_per_day,
                prescribed_days_per_week=inputs.dose.days_per_week,
                proposed_minutes_per_session=nxt.minutes_per_session,
                proposed_sessions_per_day=nxt.sessions_per_day,
                proposed_days_per_week=nxt.days_per_week,
                final_minutes_per_session=nxt.minutes_per_session,
                final_sessions_per_day=nxt.sessions_per_day,
                final_days_per_week=nxt.days_per_week,
            )
    except IntegrityError:
        return None
    set_dose(programme, nxt)
    transaction.on_commit(lambda: notify_patient(stored))
    return stored


def set_dose(programme: Programme, dose: prescription.Dose) -> None:
    programme.minutes_per_session = dose.minutes_per_session
    programme.sessions_per_day = dose.sessions_per_day
    programme.days_per_week = dose.days_per_week
    programme.save(update_fields=["minutes_per_session", "sessions_per_day", "days_per_week"])


def notify_patient(decision: WeeklyDecision) -> None:
    """Tell the patient their week is reviewed: a link only, no health details by email."""
    patient = decision.programme.patient
    if not patient.user.has_usable_password():
        return
    send_mail(
        subject="Your walking plan for next week is ready",
        message=(
            f"Hello {patient.user.get_short_name()},\n\n"
            "Your weekly walking review is ready. Open walkrx to see next week's plan:\n\n"
            f"{site_url()}{reverse('patients:today')}\n"
        ),
        from_email=None,
        recipient_list=[patient.user.email],
    )
    decision.patient_notified_at = timezone.now()
    decision.save(update_fields=["patient_notified_at"])


def review_due_programmes(now: datetime) -> list[WeeklyDecision]:
    """Review every ended, unreviewed week of every active programme (safe to re-run)."""
    stored: list[WeeklyDecision] = []
    active = Programme.objects.filter(state=State.ACTIVE).select_related("patient__clinic")
    for programme in active.iterator(chunk_size=200):
        for week in due_weeks(programme, clinic_today(programme, now)):
            decision = review_week(programme, week)
            if decision is not None:
                stored.append(decision)
    return stored


@transaction.atomic
def accept_decision(decision: WeeklyDecision, *, by: User) -> WeeklyDecision:
    if decision.status != DecisionStatus.PROPOSED:
        raise ProgrammeError("This week's decision has been settled already.")
    decision.status = DecisionStatus.ACCEPTED
    decision.decided_by = by
    decision.decided_at = timezone.now()
    decision.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(actor=by, action="accept weekly decision", patient=decision.programme.patient)
    return decision


@transaction.atomic
def override_decision(
    decision: WeeklyDecision, *, dose: prescription.Dose, note: str, by: User
) -> WeeklyDecision:
    """The clinician sets next week's dose; the next review starts from it."""
    latest = decision.programme.decisions.order_by("-week").first()
    if latest is None or latest.pk != decision.pk:
        raise ProgrammeError("Only the latest week's decision can be changed.")
    decision.status = DecisionStatus.OVERRIDDEN
    decision.final_minutes_per_session = dose.minutes_per_session
    decision.final_sessions_per_day = dose.sessions_per_day
    decision.final_days_per_week = dose.days_per_week
    decision.clinician_note = note.strip()
    decision.decided_by = by
    decision.decided_at = timezone.now()
    decision.save()
    set_dose(decision.programme, dose)
    record_event(actor=by, action="override weekly decision", patient=decision.programme.patient)
    return decision
