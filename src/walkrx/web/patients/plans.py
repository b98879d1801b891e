"""What the patient's pages (and the API) say about their programme today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from walkrx.core.engine import Prompt, describe_dose
from walkrx.core.screening import PATIENT_SAFETY_TEXT, Tier
from walkrx.web.activity.models import CheckIn, Walk
from walkrx.web.alerts.models import Alert, AlertKind
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.actions import current_programme
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


def local_now(patient: Patient) -> datetime:
    return timezone.now().astimezone(patient.clinic.zone)


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
