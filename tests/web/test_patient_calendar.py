"""The patient's private iCalendar feed: making, revoking and fetching it."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
from django.test import Client
from django.utils import timezone

from tests.web.conftest import Cast
from walkrx.core.prescription import DEFAULT_TARGET
from walkrx.web.audit.models import AuditEvent
from walkrx.web.patients.calendar import walking_day_offsets
from walkrx.web.patients.models import CalendarFeed
from walkrx.web.programmes.actions import (
    complete_intake,
    current_programme,
    record_clearance,
    start_programme,
)


def start(cast: Cast) -> None:
    programme = current_programme(cast.patient_a)
    assert programme is not None
    by = cast.clinician.user
    complete_intake(programme, by=by, baseline_pain=4)
    record_clearance(
        programme, physician_name="Dr Ray", cleared_on=timezone.localdate(), limits="", by=by
    )
    start_programme(programme, start_date=timezone.localdate(), target=DEFAULT_TARGET, by=by)


def make_link(client: Client) -> str:
    response = client.post("/me/calendar/new/")
    assert response.status_code == 302
    page = client.get("/me/calendar/").content.decode()
    feed = CalendarFeed.objects.get(revoked_at__isnull=True)
    url = f"http://testserver/calendar/{feed.token}.ics"
    assert url in page
    assert f"webcal://testserver/calendar/{feed.token}.ics" in page
    return f"/calendar/{feed.token}.ics"


def test_anyone_with_the_link_gets_the_walking_plan(cast: Cast) -> None:
    start(cast)
    path = make_link(cast.client_for("patient_a"))
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    walks = [e for e in events if str(e["SUMMARY"]) == "Walk 10 minutes"]
    checkins = [e for e in events if str(e["SUMMARY"]).startswith("Morning check-in")]
    assert len(walks) == 20  # 4 weeks x 5 days
    assert len(checkins) == 28
    assert all(isinstance(e.decoded("DTSTART"), date) for e in walks)
    assert all(e.walk("VALARM") for e in checkins)
    assert walks[0].decoded("DTSTART") == timezone.localdate()
    text = response.content.decode()
    assert "Pat Able" not in text
    assert "pain" not in text.lower()
    event = AuditEvent.objects.get(action="calendar feed")
    assert (event.actor_id, event.patient_id) == (None, cast.patient_a.pk)


def test_a_feed_before_the_programme_starts_is_empty_but_valid(cast: Cast) -> None:
    path = make_link(cast.client_for("patient_a"))
    response = Client().get(path)
    assert response.status_code == 200
    assert icalendar.Calendar.from_ical(response.content).walk("VEVENT") == []


def test_a_new_link_revokes_the_old_one(cast: Cast) -> None:
    client = cast.client_for("patient_a")
    old = make_link(client)
    new = make_link(client)
    assert old != new
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarFeed.objects.filter(patient=cast.patient_a).count() == 2


def test_switching_the_link_off_stops_it(cast: Cast) -> None:
    client = cast.client_for("patient_a")
    path = make_link(client)
    assert client.post("/me/calendar/stop/").status_code == 302
    assert Client().get(path).status_code == 404
    assert "Make my calendar link" in client.get("/me/calendar/").content.decode()


def test_unknown_or_missing_tokens_are_not_found(cast: Cast) -> None:
    make_link(cast.client_for("patient_a"))
    anonymous = Client()
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    assert anonymous.get("/calendar/.ics").status_code == 404
    assert anonymous.get("/calendar/").status_code == 404
    assert anonymous.get("/calendar/" + "a" * 500 + ".ics").status_code == 404
    assert not AuditEvent.objects.filter(action="calendar feed").exists()


def test_a_patient_sees_only_their_own_link(cast: Cast) -> None:
    make_link(cast.client_for("patient_a"))
    token = CalendarFeed.objects.get().token
    page = cast.client_for("patient_b").get("/me/calendar/").content.decode()
    assert token not in page
    assert "Make my calendar link" in page


def test_walking_days_are_spread_over_the_week() -> None:
    assert walking_day_offsets(5) == [0, 1, 2, 4, 5]
    assert walking_day_offsets(3) == [0, 2, 4]
    assert walking_day_offsets(7) == list(range(7))
    assert walking_day_offsets(1) == [0]
    assert len({walking_day_offsets(n)[-1] for n in range(1, 8)}) > 1
    assert timedelta(days=max(walking_day_offsets(6))) < timedelta(days=7)
