"""The patient's private calendar feed: named writes for its token, and the planned events."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from walkrx.interop.calendar import PlannedWalk, Reminder, walking_plan_calendar
from walkrx.web.accounts.models import User
from walkrx.web.audit.actions import record_event
from walkrx.web.patients.models import CalendarFeed, Patient
from walkrx.web.programmes.actions import current_programme
from walkrx.web.programmes.models import Programme, State

FEED_DAYS = 28
CHECKIN_AT = time(8, 0)
CHECKIN_MINUTES = 5
TOKEN_BYTES = 32


@transaction.atomic
def make_calendar_feed(patient: Patient, *, by: User) -> CalendarFeed:
    """A new private feed address; any earlier address stops working."""
    now = timezone.now()
    patient.calendar_feeds.filter(revoked_at__isnull=True).update(revoked_at=now)
    feed = CalendarFeed.objects.create(patient=patient, token=secrets.token_urlsafe(TOKEN_BYTES))
    record_event(actor=by, action="make calendar link", patient=patient)
    return feed


@transaction.atomic
def stop_calendar_feed(patient: Patient, *, by: User) -> int:
    """Revoke every live feed address of the patient; returns how many were revoked."""
    revoked = patient.calendar_feeds.filter(revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        record_event(actor=by, action="stop calendar link", patient=patient)
    return revoked


def live_feed(patient: Patient) -> CalendarFeed | None:
    return patient.calendar_feeds.filter(revoked_at__isnull=True).first()


def walking_day_offsets(days_per_week: int) -> list[int]:
    """Which days of a programme week to suggest, spread out (5 days: 0, 1, 2, 4, 5)."""
    days = max(1, min(7, days_per_week))
    return sorted({(i * 7) // days for i in range(days)})


def walk_summary(programme: Programme) -> str:
    minutes = programme.minutes_per_session
    if programme.sessions_per_day > 1:
        return f"{programme.sessions_per_day} walks of {minutes} minutes"
    return f"Walk {minutes} minutes"


def planned_walk_days(programme: Programme, first: date, last: date) -> list[date]:
    """Suggested walking days between first and last (inclusive) on the programme's weeks."""
    if programme.start_date is None or programme.days_per_week is None:
        return []
    offsets = walking_day_offsets(programme.days_per_week)
    days: list[date] = []
    day = max(first, programme.start_date)
    while day <= last:
        if (day - programme.start_date).days % 7 in offsets:
            days.append(day)
        day += timedelta(days=1)
    return days


def feed_calendar(patient: Patient, *, now: datetime, app_url: str) -> bytes:
    """The .ics document for the patient's coming weeks (empty unless the programme runs)."""
    zone = patient.clinic.zone
    today = now.astimezone(zone).date()
    programme = current_programme(patient)
    walks: list[PlannedWalk] = []
    reminders: list[Reminder] = []
    if (
        programme is not None
        and programme.state == State.ACTIVE
        and programme.dose is not None
        and programme.start_date is not None
    ):
        first = max(today, programme.start_date)
        last = first + timedelta(days=FEED_DAYS - 1)
        summary = walk_summary(programme)
        walks = [
            PlannedWalk(
                uid=f"walk-{programme.pk}-{day.isoformat()}@walkrx",
                day=day,
                summary=summary,
                description=f"Log your walk in walkrx: {app_url}",
            )
            for day in planned_walk_days(programme, first, last)
        ]
        for offset in range(FEED_DAYS):
            day = first + timedelta(days=offset)
            week_ends = (day - programme.start_date).days % 7 == 6
            reminders.append(
                Reminder(
                    uid=f"checkin-{programme.pk}-{day.isoformat()}@walkrx",
                    start=datetime.combine(day, CHECKIN_AT, tzinfo=zone),
                    minutes=CHECKIN_MINUTES,
                    summary="Morning check-in and weekly check"
                    if week_ends
                    else "Morning check-in",
                    description=f"Open walkrx: {app_url}",
                )
            )
    return walking_plan_calendar(
        name="Walking plan", walks=walks, reminders=reminders, stamp=now, url=app_url
    )
