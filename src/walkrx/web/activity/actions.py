"""Named writes for walks, check-ins and weight, keeping the per-day totals current."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum

from walkrx.core.errors import CoreError
from walkrx.core.instruments import PainRating
from walkrx.web.accounts.models import User
from walkrx.web.activity.models import CheckIn, DailyActivity, Walk, WalkSource, WeightEntry
from walkrx.web.audit.actions import record_event
from walkrx.web.patients.models import Patient

MAX_WALK_MINUTES = 12 * 60
# Two records are the same walk when they overlap for at least this share of the shorter.
SAME_WALK_OVERLAP = 0.5
MIN_WEIGHT_KG = 20.0
MAX_WEIGHT_KG = 350.0


class ActivityError(Exception):
    """A walk, check-in or weight that cannot be recorded, with a message for the user."""


def checked_pain(label: str, value: int | None) -> int | None:
    if value is None:
        return None
    try:
        return PainRating(value).value
    except CoreError:
        raise ActivityError(f"{label} must be a whole number from 0 to 10.") from None


def overlap_share(
    a_start: datetime, a_minutes: float, b_start: datetime, b_minutes: float
) -> float:
    a_end = a_start + timedelta(minutes=a_minutes)
    b_end = b_start + timedelta(minutes=b_minutes)
    overlap = (min(a_end, b_end) - max(a_start, b_start)).total_seconds() / 60
    shorter = min(a_minutes, b_minutes)
    return max(overlap, 0.0) / shorter if shorter > 0 else 0.0


def find_same_walk(
    patient: Patient, started_at: datetime, minutes: float, *, exclude_source: str | None = None
) -> Walk | None:
    """A counted walk that covers the same time (the same walk logged or imported twice)."""
    window = Walk.objects.filter(
        patient=patient,
        duplicate_of__isnull=True,
        started_at__gte=started_at - timedelta(minutes=MAX_WALK_MINUTES),
        started_at__lte=started_at + timedelta(minutes=minutes),
    )
    if exclude_source is not None:
        window = window.exclude(source=exclude_source)
    for walk in window.order_by("started_at"):
        if overlap_share(started_at, minutes, walk.started_at, walk.minutes) >= SAME_WALK_OVERLAP:
            return walk
    return None


@transaction.atomic
def record_walk(
    patient: Patient,
    *,
    started_at: datetime,
    minutes: float,
    by: User,
    source: WalkSource = WalkSource.MANUAL,
    steps: int | None = None,
    distance_m: float | None = None,
    pain_before: int | None = None,
    pain_after: int | None = None,
) -> Walk:
    """Log a walk the patient did. If the same walk was imported, the import stops counting."""
    if not 0 < minutes <= MAX_WALK_MINUTES:
        raise ActivityError("A walk must last between 1 minute and 12 hours.")
    if steps is not None and not 0 <= steps <= 200 * minutes:
        raise ActivityError("That many steps does not fit the walk's length; please check it.")
    if distance_m is not None and not 0 <= distance_m <= 200 * minutes:
        raise ActivityError("That distance does not fit the walk's length; please check it.")
    walk = Walk.objects.create(
        patient=patient,
        started_at=started_at,
        local_date=started_at.date(),
        minutes=round(float(minutes), 1),
        steps=steps,
        distance_m=distance_m,
        pain_before=checked_pain("Pain before the walk", pain_before),
        pain_after=checked_pain("Pain after the walk", pain_after),
        source=source,
    )
    # The hand-logged walk carries the pain ratings, so it is the one that counts.
    imported_twins = Walk.objects.filter(
        patient=patient, source=WalkSource.IMPORT, duplicate_of__isnull=True
    ).filter(
        started_at__gte=started_at - timedelta(minutes=MAX_WALK_MINUTES),
        started_at__lte=started_at + timedelta(minutes=walk.minutes),
    )
    days = {walk.local_date}
    for twin in imported_twins:
        if (
            overlap_share(started_at, walk.minutes, twin.started_at, twin.minutes)
            >= SAME_WALK_OVERLAP
        ):
            twin.duplicate_of = walk
            twin.save(update_fields=["duplicate_of"])
            days.add(twin.local_date)
    refresh_daily_activity(patient, days)
    record_event(actor=by, action="log walk", patient=patient)
    return walk


@transaction.atomic
def record_checkin(
    patient: Patient, *, day: date, morning_pain: int, flare: bool, by: User, note: str = ""
) -> CheckIn:
    """The morning check-in; answering again the same day replaces that day's answer."""
    pain = checked_pain("Morning pain", morning_pain)
    assert pain is not None
    checkin, _ = CheckIn.objects.update_or_create(
        patient=patient,
        date=day,
        defaults={"morning_pain": pain, "flare": flare, "note": note.strip()[:500]},
    )
    record_event(actor=by, action="check in", patient=patient)
    return checkin


@transaction.atomic
def record_weight(
    patient: Patient, *, measured_at: datetime, kg: float, by: User, source: str = "entered by hand"
) -> WeightEntry:
    if not MIN_WEIGHT_KG <= kg <= MAX_WEIGHT_KG:
        raise ActivityError(f"Weight must be between {MIN_WEIGHT_KG:g} and {MAX_WEIGHT_KG:g} kg.")
    entry, _ = WeightEntry.objects.update_or_create(
        patient=patient, measured_at=measured_at, source=source, defaults={"kg": round(kg, 1)}
    )
    record_event(actor=by, action="log weight", patient=patient)
    return entry


def refresh_daily_activity(patient: Patient, days: Iterable[date]) -> None:
    """Recompute the stored per-day walking totals for the given days (a few queries)."""
    wanted = sorted(set(days))
    if not wanted:
        return
    totals = {
        row["local_date"]: row
        for row in Walk.objects.filter(
            patient=patient,
            local_date__gte=wanted[0],
            local_date__lte=wanted[-1],
            duplicate_of__isnull=True,
        )
        .values("local_date")
        .annotate(minutes=Sum("minutes"), distance=Sum("distance_m"), walks=Count("id"))
    }
    rows = [
        DailyActivity(
            patient=patient,
            date=day,
            walking_minutes=round(totals[day]["minutes"] or 0.0, 1) if day in totals else 0.0,
            walks=totals[day]["walks"] if day in totals else 0,
            distance_m=round(totals[day]["distance"] or 0.0, 1) if day in totals else 0.0,
        )
        for day in wanted
    ]
    DailyActivity.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["patient", "date"],
        update_fields=["walking_minutes", "walks", "distance_m"],
    )


def counted_walks(patient: Patient, first: date, last: date) -> list[Walk]:
    return list(
        Walk.objects.filter(
            Q(patient=patient) & Q(local_date__gte=first) & Q(local_date__lte=last),
            duplicate_of__isnull=True,
        ).order_by("started_at")
    )
