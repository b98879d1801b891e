"""The clinician's and the patient's journeys through the browser, at phone and desktop width."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import WIDTHS, Site
from tests.web.conftest import PASSWORD
from walkrx.core.prescription import DEFAULT_TARGET
from walkrx.core.screening import WEEKLY_CHECK_QUESTIONS
from walkrx.web.accounts.models import User
from walkrx.web.activity.models import CheckIn, Walk
from walkrx.web.alerts.models import Alert
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.actions import (
    complete_intake,
    current_programme,
    record_clearance,
    start_programme,
)
from walkrx.web.programmes.models import Programme, State
from walkrx.web.programmes.reviews import review_week

pytestmark = pytest.mark.django_db(transaction=True)

EMERGENCY_QUESTION = next(q for q in WEEKLY_CHECK_QUESTIONS if q.id == "ces_bladder")


def exact(text: str) -> re.Pattern[str]:
    return re.compile(f"^{re.escape(text)}$")


def answer_every_no(page: Any) -> None:
    for radio in page.get_by_role("radio", name="No", exact=True).all():
        radio.check()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_clinician_invites_screens_clears_and_starts_a_patient(site: Site, width: str) -> None:
    page = site.page(WIDTHS[width])
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(site.cast.clinician.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("caseload")).wait_for()

    page.get_by_role("link", name="Invite a patient").first.click()
    page.get_by_label("Full name").fill("Nina Newcomer")
    page.get_by_label("Email address").fill("nina@example.test")
    page.get_by_label("Date of birth").fill("1968-04-02")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_role("heading", name="Intake: Nina Newcomer").wait_for()
    patient = Patient.objects.get(user__email="nina@example.test")

    page.get_by_role("link", name="Start the checklist").click()
    answer_every_no(page)
    page.get_by_role("button", name="Save the checklist").click()
    page.get_by_role("link", name="Start the readiness check").click()
    answer_every_no(page)
    page.get_by_role("button", name="Save the readiness check").click()
    page.get_by_role("heading", name="Intake: Nina Newcomer").wait_for()
    page.get_by_role("group", name="Baseline pain (0 to 10)").get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Intake complete").click()

    page.get_by_role("heading", name="Physician's clearance").wait_for()
    assert current_programme(patient).state == State.AWAITING_CLEARANCE  # type: ignore[union-attr]
    page.get_by_label("Physician who gave the clearance").fill("Dr Mary Osei, GP")
    page.get_by_label("Date of the clearance").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the clearance").click()

    page.get_by_role("heading", name="Start the walking programme").wait_for()
    start = page.get_by_role("button", name="Start the programme with this plan")
    if not start.is_visible():
        page.get_by_label("Minutes per session on days a week").check()
        page.get_by_label("Minutes per session").fill("30")
        page.get_by_label("Days a week").fill("5")
        page.get_by_label("First day of the programme").fill(timezone.localdate().isoformat())
        page.get_by_role("button", name="Update the plan").click()
    start.click()
    page.get_by_text(re.compile("Programme started")).wait_for()
    programme = current_programme(patient)
    assert programme is not None
    assert programme.state == State.ACTIVE
    assert programme.dose is not None
    assert programme.clearance.physician_name == "Dr Mary Osei, GP"  # type: ignore[attr-defined]
    page.context.close()


def active_patient(site: Site) -> Programme:
    """Patient A, cleared and walking since nine days ago, with week 1 reviewed."""
    patient = site.cast.patient_a
    by = site.cast.clinician.user
    programme = current_programme(patient)
    assert programme is not None
    complete_intake(programme, by=by, baseline_pain=5)
    record_clearance(
        programme, physician_name="Dr Ray", cleared_on=timezone.localdate(), limits="", by=by
    )
    start = timezone.localdate() - timedelta(days=9)
    start_programme(programme, start_date=start, target=DEFAULT_TARGET, by=by)
    review_week(programme, 1)
    return programme


@pytest.mark.parametrize("width", WIDTHS)
def test_the_patient_walks_checks_in_reads_the_review_and_reports_an_emergency(
    site: Site, width: str
) -> None:
    programme = active_patient(site)
    decision = programme.decisions.get(week=1)  # type: ignore[attr-defined]
    user: User = site.cast.patient_a.user
    page = site.page(WIDTHS[width], "patient_a")

    page.goto("/me/")
    page.get_by_label("Minutes walked").fill("15")
    page.get_by_role("group", name="Pain before the walk (0 to 10)").get_by_label(
        "4", exact=True
    ).check()
    page.get_by_role("group", name="Pain after the walk (0 to 10)").get_by_label(
        "3", exact=True
    ).check()
    page.get_by_role("button", name="Save my walk").click()
    page.get_by_role("heading", name="Well done! Your walk is saved.").wait_for()
    walk = Walk.objects.get(patient__user=user, minutes=15)
    assert (walk.pain_before, walk.pain_after) == (4, 3)

    page.get_by_role("link", name="Back to today").click()
    page.get_by_role("link", name="Morning check-in").first.click()
    page.get_by_role("group", name="How bad is your back pain this morning?").get_by_label(
        "3", exact=True
    ).check()
    page.get_by_role("group", name="Is your back having a flare-up?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save my check-in").click()
    page.wait_for_url(re.compile(r"/me/"))
    checkin = CheckIn.objects.get(patient__user=user)
    assert (checkin.morning_pain, checkin.flare) == (3, False)

    page.goto("/me/")
    page.get_by_role("link", name="My weekly reviews").click()
    page.get_by_role("heading", name="Week 1").wait_for()
    assert page.get_by_text(decision.patient_explanation).first.is_visible()

    page.goto("/me/")
    page.get_by_role("link", name="Weekly warning-sign check").first.click()
    answer_every_no(page)
    page.get_by_role("group", name=EMERGENCY_QUESTION.text).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Seek emergency care now").wait_for()
    assert page.get_by_role("alert").first.is_visible()
    programme.refresh_from_db()
    assert programme.state == State.PAUSED
    assert Alert.objects.filter(patient__user=user, tier="EMERGENCY").exists()
    page.context.close()

    dashboard = site.page(WIDTHS[width], "clinician")
    dashboard.goto("/clinic/")
    row = dashboard.get_by_role("row").filter(has_text=user.full_name)
    row.get_by_text("Warning sign").wait_for()
    dashboard.context.close()


TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata"


@pytest.mark.skipif(not TESTDATA.is_dir(), reason="the shared sample files are not present")
def test_the_patient_uploads_two_walks_from_a_watch_and_sees_them_imported(site: Site) -> None:
    page = site.page(WIDTHS["phone"], "patient_a")
    page.goto("/imports/")
    page.get_by_label("Files from your phone or watch").set_input_files(
        [
            TESTDATA / "gpx" / "gpxpy_cerknicko-jezero.gpx",
            TESTDATA / "fit" / "fitparse_garmin-fenix-5-walk.fit",
        ]
    )
    page.get_by_role("button", name="Upload and import").click()
    page.get_by_text("2 files are uploaded and being imported").wait_for()
    rows = page.get_by_role("table", name="Files imported before").get_by_role("row")
    for name in ("gpxpy_cerknicko-jezero.gpx", "fitparse_garmin-fenix-5-walk.fit"):
        row = rows.filter(has_text=name)
        assert row.get_by_role("cell", name="Imported").is_visible()
    assert Walk.objects.filter(patient=site.cast.patient_a, source="import").count() == 2
    # Long file names wrap: the page never scrolls sideways on a phone.
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )

    page.get_by_role("link", name="fitparse_garmin-fenix-5-walk.fit").click()
    page.get_by_role("heading", name=re.compile("fitparse_garmin-fenix-5-walk.fit")).wait_for()
    assert "1 new" in page.content()
