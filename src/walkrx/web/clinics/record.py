"""What the patient page reads: the timeline, chart series and outcome changes.

Every function runs a fixed number of queries for one patient; nothing loops over rows
with a query inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Avg
from django.utils import timezone

from walkrx.core.engine import describe_dose
from walkrx.core.errors import CoreError
from walkrx.core.outcomes import ChangeCategory, ChangeResult, Measure, classify_change
from walkrx.web.activity.models import CheckIn, DailyActivity, Walk, WeightEntry
from walkrx.web.alerts.models import Alert
from walkrx.web.clinics.intake import INSTRUMENTS, PAIN, TOLERANCE_TEST
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.models import (
    InstrumentResponse,
    Note,
    Programme,
    Questionnaire,
    ScreeningAnswer,
    WeeklyDecision,
)

TIMELINE_PAGE = 40
CHART_DAYS = 56
MAX_WEIGHTS = 120

DECISION_WORDS = {
    "PROGRESS": "Progress",
    "HOLD": "Hold",
    "REDUCE_TO_ACHIEVED": "Reduce to what was walked",
    "STEP_BACK": "Step back",
    "PAUSE": "Pause",
}


def decision_words(kind: str) -> str:
    return DECISION_WORDS.get(kind, kind.replace("_", " ").capitalize())


def reason_words(reason: dict[str, object]) -> str:
    code = str(reason.get("code", ""))
    text = code.replace("_", " ").capitalize()
    detail = reason.get("detail") or {}
    if isinstance(detail, dict) and detail:
        numbers = ", ".join(
            f"{key.replace('_', ' ')} {value:g}"
            if isinstance(value, int | float)
            else f"{key.replace('_', ' ')} {value}"
            for key, value in detail.items()
        )
        text = f"{text} ({numbers})"
    return text


@dataclass
class Entry:
    at: datetime
    kind: str
    title: str
    lines: list[str] = field(default_factory=list)
    css: str = ""
    by: str = ""


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def pain_words(before: int | None, after: int | None) -> str:
    if before is None and after is None:
        return ""
    show = [str(v) if v is not None else "?" for v in (before, after)]
    return f"pain {show[0]} → {show[1]}"


def timeline(patient: Patient, page: int) -> tuple[list[Entry], bool]:
    """Entries of one timeline page, newest first, and whether older entries exist."""
    zone = patient.clinic.zone
    limit = page * TIMELINE_PAGE + 1
    entries: list[Entry] = []
    for walk in Walk.objects.filter(patient=patient).order_by("-started_at")[:limit]:
        bits = [f"{walk.minutes:g} min"]
        if walk.steps is not None:
            bits.append(f"{walk.steps:,} steps")
        if walk.distance_m:
            bits.append(f"{walk.distance_m / 1000:.1f} km")
        pain = pain_words(walk.pain_before, walk.pain_after)
        if pain:
            bits.append(pain)
        lines = []
        if walk.duplicate_of_id:
            lines.append("Same walk as one logged by hand: not counted twice.")
        entries.append(
            Entry(
                walk.started_at,
                "walk",
                "Walk: " + ", ".join(bits),
                lines,
                by=walk.get_source_display().lower(),
            )
        )
    for checkin in CheckIn.objects.filter(patient=patient).order_by("-date")[:limit]:
        title = f"Morning check-in: pain {checkin.morning_pain}/10"
        if checkin.flare:
            title += ", flare"
        entries.append(
            Entry(
                local_midnight(checkin.date, zone),
                "checkin",
                title,
                [checkin.note] if checkin.note else [],
                "flare" if checkin.flare else "",
            )
        )
    screenings = (
        ScreeningAnswer.objects.filter(patient=patient)
        .select_related("answered_by")
        .order_by("-answered_at")[:limit]
    )
    for screening in screenings:
        if screening.questionnaire == Questionnaire.READINESS:
            lines = list(screening.clearance_points) or ["No points for the physician."]
            title = "Readiness check"
        else:
            lines = [
                f"{flag['tier']}: {flag['rule']} ({flag['source']})" for flag in screening.triggered
            ] or ["No warning signs."]
            title = screening.get_questionnaire_display()
            if screening.tier:
                title += f": {screening.tier}"
        entries.append(
            Entry(
                screening.answered_at,
                "screening",
                title,
                lines,
                f"tier-{screening.tier.lower()}" if screening.tier else "",
                screening.answered_by.full_name if screening.answered_by else "",
            )
        )
    decisions = (
        WeeklyDecision.objects.filter(programme__patient=patient)
        .select_related("decided_by", "programme")
        .order_by("-programme__created_at", "-week")[:limit]
    )
    for decision in decisions:
        lines = [reason_words(r) for r in decision.reasons]
        lines.append(
            f"Walked {decision.minutes_walked:g} of {decision.minutes_prescribed:g} minutes "
            f"({decision.adherence:.0%})."
        )
        status = decision.get_status_display()
        if decision.decided_by:
            status += f" by {decision.decided_by.full_name}"
        lines.append(f"{status}. Next: {describe_dose(decision.final_dose)}.")
        if decision.clinician_note:
            lines.append(f"Note: {decision.clinician_note}")
        entries.append(
            Entry(
                review_time(decision, zone),
                "decision",
                f"Week {decision.week} review: {decision_words(decision.kind)}",
                lines,
            )
        )
    alerts = (
        Alert.objects.filter(patient=patient).select_related("handled_by").order_by("-created_at")
    )
    for alert in alerts[:limit]:
        title = f"Alert ({alert.get_kind_display()}{', ' + alert.tier if alert.tier else ''})"
        entries.append(Entry(alert.created_at, "alert", title, [alert.summary], "alert"))
        if alert.handled_at is not None:
            handled = [alert.handled_note] if alert.handled_note else []
            entries.append(
                Entry(
                    alert.handled_at,
                    "alert-handled",
                    f"Alert handled: {alert.get_kind_display()}",
                    handled,
                    by=alert.handled_by.full_name if alert.handled_by else "",
                )
            )
    for note in Note.objects.filter(patient=patient).select_related("author")[:limit]:
        entries.append(
            Entry(note.created_at, "note", "Note", [note.text], by=note.author.full_name)
        )
    responses = (
        InstrumentResponse.objects.filter(patient=patient)
        .select_related("answered_by")
        .order_by("-answered_at")[:limit]
    )
    for response in responses:
        entries.append(
            Entry(
                response.answered_at,
                "instrument",
                instrument_title(response),
                [],
                by=response.answered_by.full_name if response.answered_by else "",
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    start = (page - 1) * TIMELINE_PAGE
    return entries[start : start + TIMELINE_PAGE], len(entries) > page * TIMELINE_PAGE


def review_time(decision: WeeklyDecision, zone: ZoneInfo) -> datetime:
    """When the week under review ended: reviews sit after that week's walks."""
    programme = decision.programme
    if programme.start_date is None:
        return decision.created_at
    _, last = programme.week_bounds(decision.week)
    return min(decision.created_at, local_midnight(last + timedelta(days=1), zone))


def instrument_title(response: InstrumentResponse) -> str:
    if response.instrument == TOLERANCE_TEST:
        return f"Tolerance test: {len(response.answers)} walks, mean {response.score:g} min"
    info = INSTRUMENTS.get(response.instrument)
    name = info.name if info else response.instrument
    unit = info.unit if info else ""
    text = f"{name}: {response.score:g}{unit}"
    return f"{text} ({response.band})" if response.band else text


# Charts ------------------------------------------------------------------------------


@dataclass
class WeekRow:
    week: int
    prescribed: float
    walked: float
    current: bool = False


def weekly_minutes(programme: Programme | None, today: date) -> list[WeekRow]:
    if programme is None or programme.start_date is None:
        return []
    rows = [
        WeekRow(d.week, d.minutes_prescribed, round(d.minutes_walked, 1))
        for d in programme.decisions.order_by("week")
    ]
    week = programme.week_number(today)
    dose = programme.dose
    if week is not None and dose is not None and not programme.core_state.is_final:
        first, _ = programme.week_bounds(week)
        walked = sum(
            DailyActivity.objects.filter(
                patient_id=programme.patient_id, date__gte=first, date__lte=today
            ).values_list("walking_minutes", flat=True)
        )
        if not rows or rows[-1].week < week:
            rows.append(WeekRow(week, dose.weekly_minutes, round(walked, 1), current=True))
    return rows


@dataclass
class PainDay:
    day: date
    before: float | None
    after: float | None
    next_morning: int | None


def pain_days(patient: Patient, today: date) -> list[PainDay]:
    """Mean pain before and after the day's walks, and the following morning's pain."""
    first = today - timedelta(days=CHART_DAYS - 1)
    walks = {
        row["local_date"]: row
        for row in Walk.objects.filter(
            patient=patient, local_date__gte=first, duplicate_of__isnull=True
        )
        .values("local_date")
        .annotate(before=Avg("pain_before"), after=Avg("pain_after"))
    }
    mornings = dict(
        CheckIn.objects.filter(patient=patient, date__gte=first).values_list("date", "morning_pain")
    )
    rows = []
    for offset in range(CHART_DAYS):
        day = first + timedelta(days=offset)
        walk = walks.get(day)
        before = round(walk["before"], 1) if walk and walk["before"] is not None else None
        after = round(walk["after"], 1) if walk and walk["after"] is not None else None
        morning = mornings.get(day + timedelta(days=1))
        if before is None and after is None and morning is None:
            continue
        rows.append(PainDay(day, before, after, morning))
    return rows


def step_days(patient: Patient, today: date) -> list[tuple[date, int]]:
    first = today - timedelta(days=CHART_DAYS - 1)
    return list(
        DailyActivity.objects.filter(patient=patient, date__gte=first, steps__isnull=False)
        .order_by("date")
        .values_list("date", "steps")
    )


def weights(patient: Patient) -> list[tuple[date, float]]:
    zone = patient.clinic.zone
    entries = WeightEntry.objects.filter(patient=patient).order_by("-measured_at")[:MAX_WEIGHTS]
    return [
        (timezone.localtime(entry.measured_at, zone).date(), entry.kg)
        for entry in reversed(list(entries))
    ]


# Outcomes ----------------------------------------------------------------------------

CATEGORY_WORDS = {
    ChangeCategory.IMPROVED: "Improved",
    ChangeCategory.NO_IMPORTANT_CHANGE: "No important change",
    ChangeCategory.WORSE: "Worse",
}


@dataclass
class Outcome:
    name: str
    unit: str
    baseline: float
    baseline_on: date | None
    latest: float | None
    latest_on: date | None
    latest_source: str = ""
    baseline_band: str = ""
    latest_band: str = ""
    change: ChangeResult | None = None

    @property
    def category_words(self) -> str:
        return CATEGORY_WORDS[self.change.category] if self.change else ""

    @property
    def css(self) -> str:
        return self.change.category.lower() if self.change else ""


def outcomes(patient: Patient, programme: Programme | None, today: date) -> list[Outcome]:
    """Baseline against latest score for each instrument, classified against the MIC."""
    zone = patient.clinic.zone
    by_instrument: dict[str, list[InstrumentResponse]] = {}
    for response in InstrumentResponse.objects.filter(patient=patient).order_by(
        "answered_at", "pk"
    ):
        by_instrument.setdefault(response.instrument, []).append(response)
    rows: list[Outcome] = []
    pain_row = pain_outcome(patient, programme, by_instrument.get(PAIN, []), today, zone)
    if pain_row is not None:
        rows.append(pain_row)
    for key, info in INSTRUMENTS.items():
        if key == PAIN or key not in by_instrument:
            continue
        first, last = by_instrument[key][0], by_instrument[key][-1]
        row = Outcome(
            name=info.name,
            unit=info.unit,
            baseline=first.score,
            baseline_on=timezone.localtime(first.answered_at, zone).date(),
            latest=last.score if last.pk != first.pk else None,
            latest_on=timezone.localtime(last.answered_at, zone).date()
            if last.pk != first.pk
            else None,
            baseline_band=first.band,
            latest_band=last.band if last.pk != first.pk else "",
        )
        row.change = classified(info.measure, row.baseline, row.latest)
        rows.append(row)
    return rows


def classified(
    measure: Measure | None, baseline: float, latest: float | None
) -> ChangeResult | None:
    if measure is None or latest is None:
        return None
    try:
        return classify_change(measure, baseline, latest)
    except CoreError:
        return None


def pain_outcome(
    patient: Patient,
    programme: Programme | None,
    responses: list[InstrumentResponse],
    today: date,
    zone: ZoneInfo,
) -> Outcome | None:
    """Baseline pain from intake; latest from a later rating, else this week's mornings."""
    baseline_on = timezone.localtime(responses[0].answered_at, zone).date() if responses else None
    if programme is not None and programme.baseline_pain is not None:
        baseline = float(programme.baseline_pain)
    elif responses:
        baseline = responses[0].score
    else:
        return None
    latest = latest_on = None
    source = ""
    if len(responses) > 1:
        latest = responses[-1].score
        latest_on = timezone.localtime(responses[-1].answered_at, zone).date()
        source = "pain rating"
    else:
        recent = list(
            CheckIn.objects.filter(
                patient=patient, date__gte=today - timedelta(days=6), date__lte=today
            ).values_list("morning_pain", flat=True)
        )
        if recent:
            latest = round(sum(recent) / len(recent), 1)
            latest_on = today
            source = f"mean morning pain, last 7 days ({len(recent)} check-ins)"
    row = Outcome(
        name=INSTRUMENTS[PAIN].name,
        unit="/10",
        baseline=baseline,
        baseline_on=baseline_on,
        latest=latest,
        latest_on=latest_on,
        latest_source=source,
    )
    row.change = classified(Measure.PAIN, baseline, latest)
    return row
