"""The patient's pages at HTTP level: today's walk, check-ins, review, progress, lessons, calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.web.conftest import Cast
from walkrx.core.prescription import DEFAULT_TARGET
from walkrx.core.screening import PATIENT_SAFETY_TEXT, WEEKLY_CHECK_QUESTIONS, Tier
from walkrx.web.activity.actions import record_walk
from walkrx.web.activity.models import CheckIn, Walk, WalkSource, WeightEntry
from walkrx.web.alerts.models import Alert, AlertKind
from walkrx.web.audit.models import AuditEvent
from walkrx.web.patients.lessons import LESSONS
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.actions import (
    complete_intake,
    current_programme,
    record_clearance,
    start_programme,
)
from walkrx.web.programmes.models import Programme, ScreeningAnswer, State
from walkrx.web.programmes.reviews import review_week

PATIENT_PAGES = [
    "/me/",
    "/me/checkin/",
    "/me/check/",
    "/me/review/",
    "/me/progress/",
    "/me/charts/minutes.svg",
    "/me/learn/",
    "/me/learn/flare-ups/",
    "/me/call/",
    "/me/calendar/",
]
POST_ONLY = [
    "/me/walks/",
    "/me/checkin/save/",
    "/me/check/save/",
    "/me/progress/weight/",
    "/me/call/request/",
    "/me/calendar/new/",
    "/me/calendar/stop/",
]


def start(cast: Cast, patient: Patient, *, days_ago: int = 2) -> Programme:
    """Put the patient on an active programme that started `days_ago` days ago."""
    programme = current_programme(patient)
    assert programme is not None
    by = cast.clinician.user
    complete_intake(programme, by=by, baseline_pain=4)
    record_clearance(
        programme, physician_name="Dr Ray", cleared_on=timezone.localdate(), limits="", by=by
    )
    return start_programme(
        programme,
        start_date=timezone.localdate() - timedelta(days=days_ago),
        target=DEFAULT_TARGET,
        by=by,
    )


def no_answers() -> dict[str, str]:
    return {q.id: "no" for q in WEEKLY_CHECK_QUESTIONS}


@pytest.fixture
def walker(cast: Cast) -> Client:
    start(cast, cast.patient_a)
    return cast.client_for("patient_a")


# Today and walks -----------------------------------------------------------------------


def test_it_shows_todays_walk_in_plain_words(cast: Cast, walker: Client) -> None:
    page = walker.get("/me/").content.decode()
    assert "10 minutes today — walk 1 of 5 this week" in page
    assert "Start my walk" in page
    assert 'name="pain_before"' in page
    assert "worst imaginable" in page


def test_it_logs_a_manual_walk_with_pain(cast: Cast, walker: Client) -> None:
    response = walker.post(
        "/me/walks/",
        {
            "minutes": "12",
            "pain_before": "3",
            "pain_after": "4",
            "day": timezone.localdate().isoformat(),
            "steps": "1300",
            "distance_km": "1.1",
            "source": "manual",
        },
    )
    walk = Walk.objects.get(patient=cast.patient_a)
    assert response.status_code == 302
    assert response["Location"] == f"/me/walks/{walk.pk}/saved/"
    assert (walk.minutes, walk.pain_before, walk.pain_after) == (12, 3, 4)
    assert (walk.steps, walk.distance_m, walk.source) == (1300, 1100, WalkSource.MANUAL)
    done = walker.get(response["Location"]).content.decode()
    assert "Well done! Your walk is saved." in done
    assert "1 of 5 walks done" in done
    assert "walk 2 of 5 this week" not in done
    assert "Done for today" in walker.get("/me/").content.decode()


def test_it_logs_a_timed_walk_with_its_start_time(cast: Cast, walker: Client) -> None:
    started = timezone.now() - timedelta(minutes=15)
    response = walker.post(
        "/me/walks/",
        {
            "minutes": "15",
            "pain_before": "2",
            "pain_after": "2",
            "day": timezone.localdate().isoformat(),
            "source": "timer",
            "started_ms": str(int(started.timestamp() * 1000)),
        },
    )
    assert response.status_code == 302
    walk = Walk.objects.get(patient=cast.patient_a)
    assert walk.source == WalkSource.TIMER
    assert abs((walk.started_at - started).total_seconds()) < 2


def test_it_treats_a_forgotten_timer_as_a_manual_walk(cast: Cast, walker: Client) -> None:
    long_ago = timezone.now() - timedelta(days=3)
    walker.post(
        "/me/walks/",
        {
            "minutes": "20",
            "day": timezone.localdate().isoformat(),
            "source": "timer",
            "started_ms": str(int(long_ago.timestamp() * 1000)),
        },
    )
    walk = Walk.objects.get(patient=cast.patient_a)
    assert walk.source == WalkSource.MANUAL
    assert walk.local_date == timezone.localdate()


@pytest.mark.parametrize("started_ms", ["x" * 40, "-5", "9" * 19, ""])
def test_it_ignores_an_unreadable_timer_start(cast: Cast, walker: Client, started_ms: str) -> None:
    response = walker.post(
        "/me/walks/",
        {
            "minutes": "10",
            "day": timezone.localdate().isoformat(),
            "source": "timer",
            "started_ms": started_ms,
        },
    )
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert Walk.objects.get(patient=cast.patient_a).source == WalkSource.MANUAL


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"minutes": "0"}, "A walk must be at least 1 minute."),
        ({"minutes": "ten"}, "Please enter the minutes as a whole number"),
        ({"minutes": ""}, "Please enter how many minutes you walked."),
        ({"minutes": "10", "pain_before": "11"}, "Please choose a number from 0 to 10."),
        ({"minutes": "10", "day": "1999-01-01"}, "Select a valid choice"),
        ({"minutes": "10", "start_time": "25:99"}, "Please enter a time like 09:30."),
        ({"minutes": "10", "steps": "5000"}, "That many steps does not fit"),
    ],
)
def test_it_shows_walk_errors_next_to_the_form(
    cast: Cast, walker: Client, data: dict[str, str], message: str
) -> None:
    response = walker.post("/me/walks/", {"day": timezone.localdate().isoformat(), **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Walk.objects.filter(patient=cast.patient_a).exists()


def test_it_refuses_a_walk_later_today(cast: Cast, walker: Client) -> None:
    later = (timezone.localtime() + timedelta(hours=1)).strftime("%H:%M")
    if timezone.localtime().hour == 23:
        pytest.skip("an hour from now is tomorrow")
    response = walker.post(
        "/me/walks/",
        {"minutes": "10", "day": timezone.localdate().isoformat(), "start_time": later},
    )
    assert response.status_code == 400
    assert "That time has not come yet" in response.content.decode()


@pytest.mark.parametrize(
    ("state_setup", "text"),
    [
        ("invited", "is setting up your walking programme"),
        ("awaiting", "Waiting for your doctor's go-ahead"),
    ],
)
def test_it_tells_a_patient_without_a_running_programme_where_things_stand(
    cast: Cast, state_setup: str, text: str
) -> None:
    if state_setup == "awaiting":
        programme = current_programme(cast.patient_a)
        assert programme is not None
        complete_intake(programme, by=cast.clinician.user, baseline_pain=4)
    page = cast.client_for("patient_a").get("/me/").content.decode()
    assert text in page
    assert "Start my walk" not in page


# Check-ins ----------------------------------------------------------------------------


def test_it_saves_the_morning_check_in(cast: Cast, walker: Client) -> None:
    response = walker.post("/me/checkin/save/", {"morning_pain": "3", "flare": "no"})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    checkin = CheckIn.objects.get(patient=cast.patient_a)
    assert (checkin.date, checkin.morning_pain, checkin.flare) == (timezone.localdate(), 3, False)
    assert "You checked in today already" in walker.get("/me/checkin/").content.decode()


def test_it_offers_the_warning_sign_check_after_a_flare(cast: Cast, walker: Client) -> None:
    response = walker.post("/me/checkin/save/", {"morning_pain": "7", "flare": "yes"})
    assert response.status_code == 302
    assert response["Location"] == "/me/check/?after=flare"
    assert CheckIn.objects.get(patient=cast.patient_a).flare is True
    page = walker.get(response["Location"]).content.decode()
    assert "You told us your back is flaring up" in page
    assert WEEKLY_CHECK_QUESTIONS[0].text in page


def test_it_needs_both_check_in_answers(cast: Cast, walker: Client) -> None:
    response = walker.post("/me/checkin/save/", {"morning_pain": "12"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please choose a number from 0 to 10." in page
    assert "Please answer yes or no." in page
    assert not CheckIn.objects.exists()


def test_a_weekly_check_without_warning_signs_says_keep_walking(cast: Cast, walker: Client) -> None:
    response = walker.post("/me/check/save/", no_answers())
    answer = ScreeningAnswer.objects.get(patient=cast.patient_a, questionnaire="weekly_check")
    assert response["Location"] == f"/me/check/{answer.pk}/"
    page = walker.get(response["Location"]).content.decode()
    assert PATIENT_SAFETY_TEXT[None] in page
    assert current_programme(cast.patient_a).state == State.ACTIVE  # type: ignore[union-attr]


def test_an_emergency_answer_pauses_alerts_and_shows_the_fixed_text(
    cast: Cast, walker: Client
) -> None:
    answers = no_answers() | {"ces_bladder": "yes"}
    response = walker.post("/me/check/save/", answers)
    programme = current_programme(cast.patient_a)
    assert programme is not None
    assert programme.state == State.PAUSED
    alert = Alert.objects.get(patient=cast.patient_a, kind=AlertKind.WARNING_SIGN)
    assert alert.tier == Tier.EMERGENCY
    page = walker.get(response["Location"]).content.decode()
    assert "Seek emergency care now" in page
    assert PATIENT_SAFETY_TEXT[Tier.EMERGENCY] in page
    assert "Your walking programme is paused." in page
    assert "Your clinic has been told." in page
    assert "cauda" not in page.lower()
    assert "bladder dysfunction" not in page
    today = walker.get("/me/").content.decode()
    assert "Seek emergency care now" in today
    assert "Your programme is paused" in today
    assert "Start my walk" not in today


def test_the_weekly_check_needs_every_answer(cast: Cast, walker: Client) -> None:
    answers = no_answers()
    del answers["ces_bowel"]
    answers["ces_bladder"] = "maybe"
    response = walker.post("/me/check/save/", answers)
    assert response.status_code == 400
    assert "Please answer yes or no." in response.content.decode()
    assert not ScreeningAnswer.objects.filter(patient=cast.patient_a).exists()


# Weekly review --------------------------------------------------------------------------


def test_it_shows_the_weekly_review_in_plain_words(cast: Cast) -> None:
    programme = start(cast, cast.patient_a, days_ago=8)
    for day in range(5):
        record_walk(
            cast.patient_a,
            started_at=timezone.localtime() - timedelta(days=8 - day),
            minutes=10,
            pain_before=3,
            pain_after=3,
            by=cast.patient_a.user,
        )
    decision = review_week(programme, 1)
    assert decision is not None
    client = cast.client_for("patient_a")
    review = client.get("/me/review/").content.decode()
    assert decision.patient_explanation in review
    assert "Good week: 5 of 5 walks." in review
    assert decision.patient_explanation in client.get("/me/").content.decode()
    assert "ADHERENCE" not in review


# Progress -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["minutes", "pain", "weight"])
def test_progress_charts_are_svg(cast: Cast, walker: Client, name: str) -> None:
    record_walk(
        cast.patient_a,
        started_at=timezone.localtime() - timedelta(hours=1),
        minutes=10,
        pain_before=2,
        pain_after=3,
        by=cast.patient_a.user,
    )
    response = walker.get(f"/me/charts/{name}.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml")
    assert "script-src" not in response["Content-Security-Policy"]


def test_an_unknown_chart_is_not_found(walker: Client) -> None:
    assert walker.get("/me/charts/secrets.svg").status_code == 404


def test_it_logs_weight_and_shows_the_energy_walking_used(cast: Cast, walker: Client) -> None:
    record_walk(
        cast.patient_a,
        started_at=timezone.localtime() - timedelta(hours=2),
        minutes=30,
        by=cast.patient_a.user,
    )
    response = walker.post(
        "/me/progress/weight/", {"kg": "80", "day": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    assert WeightEntry.objects.get(patient=cast.patient_a).kg == 80
    page = walker.get("/me/progress/").content.decode()
    # 30 minutes at a moderate pace (Compendium 3.5 METs) for 80 kg: net 100, gross 140 kcal.
    assert "<td>100</td><td>140</td>" in page
    assert "80.0 kg" in page


@pytest.mark.parametrize(("kg", "message"), [("5", "Weight must be between"), ("abc", "72.5")])
def test_it_shows_weight_errors(cast: Cast, walker: Client, kg: str, message: str) -> None:
    response = walker.post(
        "/me/progress/weight/", {"kg": kg, "day": timezone.localdate().isoformat()}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WeightEntry.objects.exists()


# Lessons and calls -----------------------------------------------------------------------


def test_every_lesson_has_a_page(walker: Client) -> None:
    index = walker.get("/me/learn/").content.decode()
    for lesson in LESSONS:
        assert lesson.title in index
        page = walker.get(f"/me/learn/{lesson.slug}/").content.decode()
        assert lesson.sections[0].heading in page
    assert walker.get("/me/learn/no-such-lesson/").status_code == 404


def test_a_patient_can_ask_for_a_call_once(cast: Cast, walker: Client) -> None:
    response = walker.post("/me/call/request/", {"message": "About my knee"})
    assert response.status_code == 302
    alert = Alert.objects.get(patient=cast.patient_a, kind=AlertKind.CALL_REQUEST)
    assert alert.summary == "About my knee"
    page = walker.get("/me/call/").content.decode()
    assert "Your clinic will call you" in page
    assert "Please call me" not in page
    walker.post("/me/call/request/", {"message": "Again"})
    assert Alert.objects.filter(patient=cast.patient_a).count() == 1
    assert "You asked your clinic to call you" in walker.get("/me/").content.decode()


def test_a_call_message_is_limited(cast: Cast, walker: Client) -> None:
    response = walker.post("/me/call/request/", {"message": "x" * 301})
    assert response.status_code == 400
    assert "under 300 characters" in response.content.decode()
    assert not Alert.objects.exists()


# Who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clinician", "clinic_admin", "other_clinician"])
def test_staff_are_refused_patient_pages(cast: Cast, who: str) -> None:
    client = cast.client_for(who)
    for url in PATIENT_PAGES:
        assert client.get(url).status_code == 403, url
    for url in POST_ONLY:
        assert client.post(url, {"minutes": "10"}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(cast: Cast) -> None:
    client = cast.client_for("anonymous")
    for url in PATIENT_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_writes_are_post_only(walker: Client) -> None:
    for url in POST_ONLY:
        assert walker.get(url).status_code == 405, url


def test_patient_b_never_sees_patient_as_data(cast: Cast, walker: Client) -> None:
    walker.post(
        "/me/walks/",
        {"minutes": "23", "pain_before": "6", "day": timezone.localdate().isoformat()},
    )
    walker.post("/me/check/save/", no_answers())
    walk = Walk.objects.get(patient=cast.patient_a)
    answer = ScreeningAnswer.objects.get(patient=cast.patient_a)
    other = cast.client_for("patient_b")
    assert other.get(f"/me/walks/{walk.pk}/saved/").status_code == 404
    assert other.get(f"/me/check/{answer.pk}/").status_code == 404
    progress = other.get("/me/progress/").content.decode()
    assert "23 minutes" not in progress
    assert "Pat Able" not in other.get("/me/").content.decode()
    assert not Walk.objects.filter(patient=cast.patient_b).exists()


def test_viewing_and_changing_own_data_is_audited(cast: Cast, walker: Client) -> None:
    walker.get("/me/")
    walker.post("/me/checkin/save/", {"morning_pain": "3", "flare": "no"})
    actions = set(
        AuditEvent.objects.filter(patient_id=cast.patient_a.pk).values_list("action", flat=True)
    )
    assert {"view own plan", "check in"} <= actions
