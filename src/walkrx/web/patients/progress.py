"""The patient's progress: weekly minutes, pain, weight and the energy walking used."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from walkrx.core.activity import compendium_walking_entry, energy, walking_met
from walkrx.core.errors import CoreError
from walkrx.web import charts
from walkrx.web.activity.models import CheckIn, DailyActivity, Walk, WeightEntry
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.models import (
    Programme,
    State,
)

CHART_WEEKS = 12
PAIN_DAYS = 28
ENERGY_WEEKS = 4
# Compendium walking at a moderate pace (2.8-3.2 mph) when a walk's speed is unknown.
MODERATE_PACE_MPH = 3.0


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
    zone = patient.clinic.zone
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


def minutes_chart(rows: list[WeekRow]) -> bytes:
    return charts.weekly_minutes_chart(
        [f"Wk {r.week}" for r in rows],
        [r.prescribed for r in rows],
        [r.walked for r in rows],
        size=charts.PHONE,
    )


def pain_chart(days: list[PainDay]) -> bytes:
    return charts.pain_chart(
        [f"{d.day.day} {d.day:%b}" for d in days],
        [d.before for d in days],
        [d.after for d in days],
        [float(d.morning) if d.morning is not None else None for d in days],
        size=charts.PHONE,
    )


def weight_chart(days: list[date], kilograms: list[float]) -> bytes:
    return charts.series_chart(
        "Weight",
        "kg",
        [f"{day.day} {day:%b}" for day in days],
        kilograms,
        bars=False,
        size=charts.PHONE,
    )
