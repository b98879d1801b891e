"""The caseload, sorted by who needs the clinic most.

The need of every patient is worked out in the database (one CASE over EXISTS and
subqueries), so sorting, filtering and paging 2,000 patients costs the same few queries
as 20. The facts shown on a page are then read with a fixed number of batched queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from walkrx.core.engine import DecisionKind
from walkrx.core.screening import Tier
from walkrx.web.activity.models import CheckIn, DailyActivity, Walk
from walkrx.web.alerts.models import Alert, AlertKind
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.models import Programme, State, WeeklyDecision

PAGE_SIZE = 50
LOW_ADHERENCE = 0.5
QUIET_DAYS = 7
FLARE_DAYS = 7
# A change of the 7-day mean morning pain smaller than this is shown as steady: single
# ratings move by a point from day to day without meaning much (NPRS MDC is 2 points).
TREND_STEP = 1.0
FINAL_STATES = (State.COMPLETED, State.DISCHARGED)


class Need(IntEnum):
    """Why a patient is on the caseload, most pressing first."""

    WARNING_SIGN = 1
    CALL = 2
    FLARE = 3
    REVIEW_FLAG = 4
    CLEARANCE = 5
    INTAKE = 6
    PAUSED = 7
    LOW_ADHERENCE = 8
    NO_DATA = 9
    ON_TRACK = 10
    FINISHED = 11

    @property
    def label(self) -> str:
        return NEED_LABELS[self]

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def css(self) -> str:
        if self is Need.WARNING_SIGN:
            return "need-danger"
        if self in (Need.CALL, Need.FLARE, Need.REVIEW_FLAG):
            return "need-warning"
        if self is Need.ON_TRACK:
            return "need-ok"
        return "need-neutral"

    @classmethod
    def from_slug(cls, slug: str) -> Need | None:
        for need in cls:
            if need.slug == slug:
                return need
        return None


NEED_LABELS = {
    Need.WARNING_SIGN: "Warning sign",
    Need.CALL: "Call requested",
    Need.FLARE: "Flare or step back",
    Need.REVIEW_FLAG: "Flag to review",
    Need.CLEARANCE: "Awaiting clearance",
    Need.INTAKE: "Intake to do",
    Need.PAUSED: "Paused",
    Need.LOW_ADHERENCE: "Low adherence",
    Need.NO_DATA: f"No data for {QUIET_DAYS} days",
    Need.ON_TRACK: "On track",
    Need.FINISHED: "Finished",
}


def open_alerts(**filters: object) -> QuerySet[Alert]:
    return Alert.objects.filter(patient=OuterRef("pk"), handled_at__isnull=True, **filters)


def caseload_queryset(patients: QuerySet[Patient], today: date) -> QuerySet[Patient]:
    """Patients annotated with ``need`` (a Need value) and their current programme."""
    current = (
        Programme.objects.filter(patient=OuterRef("pk"))
        .exclude(state__in=FINAL_STATES)
        .order_by("-created_at")
    )
    latest = WeeklyDecision.objects.filter(programme_id=OuterRef("programme_pk")).order_by("-week")
    recent = today - timedelta(days=QUIET_DAYS - 1)
    annotated = patients.annotate(
        programme_pk=Subquery(current.values("pk")[:1]),
        programme_state=Subquery(current.values("state")[:1]),
        programme_start=Subquery(current.values("start_date")[:1]),
    ).annotate(
        latest_kind=Subquery(latest.values("kind")[:1]),
        latest_adherence=Subquery(latest.values("adherence")[:1]),
        urgent_alert=Exists(
            open_alerts(kind=AlertKind.WARNING_SIGN, tier__in=[Tier.EMERGENCY, Tier.URGENT])
        ),
        call_request=Exists(open_alerts(kind=AlertKind.CALL_REQUEST)),
        review_alert=Exists(open_alerts(kind=AlertKind.WARNING_SIGN)),
        recent_flare=Exists(
            CheckIn.objects.filter(
                patient=OuterRef("pk"), flare=True, date__gte=today - timedelta(days=FLARE_DAYS - 1)
            )
        ),
        recent_walk=Exists(
            Walk.objects.filter(
                patient=OuterRef("pk"), local_date__gte=recent, duplicate_of__isnull=True
            )
        ),
        recent_checkin=Exists(CheckIn.objects.filter(patient=OuterRef("pk"), date__gte=recent)),
    )
    running = Q(programme_state__in=[State.ACTIVE, State.PAUSED])
    need = Case(
        When(urgent_alert=True, then=Value(Need.WARNING_SIGN.value)),
        When(call_request=True, then=Value(Need.CALL.value)),
        When(
            running & (Q(latest_kind=DecisionKind.STEP_BACK) | Q(recent_flare=True)),
            then=Value(Need.FLARE.value),
        ),
        When(review_alert=True, then=Value(Need.REVIEW_FLAG.value)),
        When(programme_pk__isnull=True, then=Value(Need.FINISHED.value)),
        When(programme_state=State.AWAITING_CLEARANCE, then=Value(Need.CLEARANCE.value)),
        When(programme_state__in=[State.INVITED, State.SCREENING], then=Value(Need.INTAKE.value)),
        When(programme_state=State.PAUSED, then=Value(Need.PAUSED.value)),
        When(
            Q(latest_kind=DecisionKind.REDUCE_TO_ACHIEVED) | Q(latest_adherence__lt=LOW_ADHERENCE),
            then=Value(Need.LOW_ADHERENCE.value),
        ),
        When(
            Q(programme_start__lte=today - timedelta(days=QUIET_DAYS))
            & Q(recent_walk=False)
            & Q(recent_checkin=False),
            then=Value(Need.NO_DATA.value),
        ),
        default=Value(Need.ON_TRACK.value),
        output_field=IntegerField(),
    )
    return annotated.annotate(need=need)


def caseload(
    patients: QuerySet[Patient], today: date, *, need: Need | None = None, search: str = ""
) -> QuerySet[Patient]:
    """The caseload in order of need, then name; optionally one need or a name search."""
    rows = caseload_queryset(patients, today).select_related("user")
    if search:
        rows = rows.filter(user__full_name__icontains=search)
    if need is not None:
        rows = rows.filter(need=need.value)
    return rows.order_by("need", "user__full_name", "pk")


def need_counts(patients: QuerySet[Patient], today: date, *, search: str = "") -> dict[Need, int]:
    """How many patients have each need (one grouped query)."""
    rows = caseload_queryset(patients, today)
    if search:
        rows = rows.filter(user__full_name__icontains=search)
    counts = rows.order_by().values("need").annotate(n=Count("pk"))
    return {Need(row["need"]): row["n"] for row in counts}


@dataclass(frozen=True)
class PainTrend:
    recent: float
    previous: float

    @property
    def change(self) -> float:
        return self.recent - self.previous

    @property
    def direction(self) -> str:
        if self.change >= TREND_STEP:
            return "up"
        if self.change <= -TREND_STEP:
            return "down"
        return "steady"

    @property
    def arrow(self) -> str:
        return {"up": "↑", "down": "↓", "steady": "→"}[self.direction]

    @property
    def words(self) -> str:
        return {"up": "worse", "down": "better", "steady": "steady"}[self.direction]


@dataclass(frozen=True)
class CaseloadRow:
    patient: Patient
    need: Need
    programme: Programme | None
    week: int | None
    walked: float | None
    prescribed: int | None
    pain: float | None
    trend: PainTrend | None
    last_activity: date | None
    quiet_days: int | None = None


def mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def page_rows(patients: list[Patient], today: date) -> list[CaseloadRow]:
    """The facts for one page of the caseload, read in four queries whatever its size."""
    ids = [p.pk for p in patients]
    programme_ids = [p.programme_pk for p in patients if p.programme_pk]  # type: ignore[attr-defined]
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in=programme_ids)}
    week_start = today - timedelta(days=6)
    minutes: dict[int, dict[date, float]] = defaultdict(dict)
    for row in DailyActivity.objects.filter(
        patient_id__in=ids, date__gte=week_start, date__lte=today
    ).values_list("patient_id", "date", "walking_minutes"):
        minutes[row[0]][row[1]] = row[2]
    pains: dict[int, dict[date, int]] = defaultdict(dict)
    last_checkin: dict[int, date] = {}
    last_walk: dict[int, date] = {}
    for pid, day, pain in CheckIn.objects.filter(
        patient_id__in=ids, date__gte=today - timedelta(days=13), date__lte=today
    ).values_list("patient_id", "date", "morning_pain"):
        pains[pid][day] = pain
    # The newest check-in and walk per patient, each in one grouped query.
    for pid, day in (
        CheckIn.objects.filter(patient_id__in=ids)
        .values("patient_id")
        .annotate(last=Max("date"))
        .values_list("patient_id", "last")
    ):
        last_checkin[pid] = day
    for pid, day in (
        Walk.objects.filter(patient_id__in=ids, duplicate_of__isnull=True)
        .values("patient_id")
        .annotate(last=Max("local_date"))
        .values_list("patient_id", "last")
    ):
        last_walk[pid] = day
    rows = []
    for patient in patients:
        programme = programmes.get(patient.programme_pk)  # type: ignore[attr-defined]
        week = walked = prescribed = None
        if programme is not None and programme.state in (State.ACTIVE, State.PAUSED):
            week = programme.week_number(today)
            dose = programme.dose
            if week is not None and dose is not None:
                first, _ = programme.week_bounds(week)
                walked = sum(m for d, m in minutes[patient.pk].items() if d >= first)
                prescribed = dose.weekly_minutes
        own = pains[patient.pk]
        recent = mean([p for d, p in own.items() if d >= week_start])
        previous = mean([p for d, p in own.items() if d < week_start])
        trend = PainTrend(recent, previous) if recent is not None and previous is not None else None
        days = [d for d in (last_checkin.get(patient.pk), last_walk.get(patient.pk)) if d]
        rows.append(
            CaseloadRow(
                patient=patient,
                need=Need(patient.need),  # type: ignore[attr-defined]
                programme=programme,
                week=week,
                walked=walked,
                prescribed=prescribed,
                pain=recent,
                trend=trend,
                last_activity=max(days) if days else None,
                quiet_days=quiet_days(programme, max(days) if days else None, today),
            )
        )
    return rows


def quiet_days(programme: Programme | None, last: date | None, today: date) -> int | None:
    """Days without a walk or check-in in an active programme, once that reaches a week."""
    if programme is None or programme.state != State.ACTIVE or programme.start_date is None:
        return None
    since = last or programme.start_date
    days = (today - since).days
    return days if days >= QUIET_DAYS else None
