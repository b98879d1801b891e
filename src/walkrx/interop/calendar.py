"""iCalendar (RFC 5545) feed of a patient's walking plan, for phone calendars.

Pure: takes the planned walks and reminders as values and returns the .ics bytes. Events
carry no health details beyond the walk's length, because phone calendars are often
synchronised to third-party services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

PRODUCT_ID = "-//walkrx//walking plan//EN"


@dataclass(frozen=True, slots=True)
class PlannedWalk:
    """A walking day: an all-day event, since the patient chooses the time of day."""

    uid: str
    day: date
    summary: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Reminder:
    """A short timed event with an alarm at its start (e.g. the morning check-in)."""

    uid: str
    start: datetime
    minutes: int
    summary: str
    description: str = ""


def walking_plan_calendar(
    *,
    name: str,
    walks: Sequence[PlannedWalk],
    reminders: Sequence[Reminder],
    stamp: datetime,
    url: str = "",
    refresh_hours: int = 6,
) -> bytes:
    """Render the plan as an iCalendar document. `stamp` must be timezone-aware."""
    if stamp.utcoffset() is None or any(r.start.utcoffset() is None for r in reminders):
        raise ValueError("calendar times must be timezone-aware")
    stamp_utc = stamp.astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    refresh = timedelta(hours=refresh_hours)
    calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))
    for walk in walks:
        event = Event()
        event.add("uid", walk.uid)
        event.add("dtstamp", stamp_utc)
        event.add("dtstart", walk.day)
        event.add("dtend", walk.day + timedelta(days=1))
        event.add("summary", walk.summary)
        event.add("transp", "TRANSPARENT")
        if walk.description:
            event.add("description", walk.description)
        if url:
            event.add("url", url)
        calendar.add_component(event)
    for reminder in reminders:
        # Times are written in UTC, one event per day, so daylight-saving changes need no
        # VTIMEZONE and every client shows the same local time.
        start = reminder.start.astimezone(UTC).replace(microsecond=0)
        event = Event()
        event.add("uid", reminder.uid)
        event.add("dtstamp", stamp_utc)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=reminder.minutes))
        event.add("summary", reminder.summary)
        event.add("transp", "TRANSPARENT")
        if reminder.description:
            event.add("description", reminder.description)
        if url:
            event.add("url", url)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", reminder.summary)
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
