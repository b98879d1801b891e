"""The demo clinic: real accounts and histories made through the same actions that clinic
staff and patients use, so every page shows what a working clinic would see.

The passwords are fixed so that the printed logins keep working; ``walkrx demo`` refuses to
run on an installation that is reachable by name (production mode).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from walkrx.core import prescription
from walkrx.core.screening import READINESS_QUESTIONS, RED_FLAG_QUESTIONS
from walkrx.web.accounts.models import User
from walkrx.web.activity.actions import record_checkin, record_walk, record_weight
from walkrx.web.activity.models import WalkSource
from walkrx.web.alerts.actions import request_call
from walkrx.web.clinics.actions import add_staff_member, create_clinic
from walkrx.web.clinics.models import Clinic, StaffMember, StaffRole
from walkrx.web.patients.actions import add_patient
from walkrx.web.patients.models import Patient
from walkrx.web.programmes import actions as programme_actions
from walkrx.web.programmes.models import Programme, Questionnaire
from walkrx.web.programmes.reviews import review_week

DEMO_CLINIC_SLUG = "demo"
DEMO_CLINIC_NAME = "Riverside Back Care (demo)"
DEMO_TIME_ZONE = "Europe/London"
ADMIN = ("admin@demo.walkrx.test", "Dana Okafor", "demo-admin-riverside")
CLINICIAN = ("clinician@demo.walkrx.test", "Sam Lindqvist", "demo-clinician-riverside")
PATIENT_PASSWORD = "demo-patient-walking"  # noqa: S105 (published demo login)


@dataclass(frozen=True)
class DemoPatient:
    email: str
    full_name: str
    story: str
    born: date
    weeks: int = 0  # programme weeks so far (0: not started)
    adherence: float = 0.95
    stop_logging_days: int = 0


DEMO_PATIENTS = (
    DemoPatient("alex.morgan@demo.walkrx.test", "Alex Morgan", "on track", date(1968, 3, 14), 6),
    DemoPatient("priya.shah@demo.walkrx.test", "Priya Shah", "on track", date(1975, 9, 2), 3),
    DemoPatient(
        "tomasz.nowak@demo.walkrx.test", "Tomasz Nowak", "target reached", date(1961, 1, 20), 13
    ),
    DemoPatient(
        "grace.oconnell@demo.walkrx.test", "Grace O'Connell", "in a flare", date(1959, 6, 30), 5
    ),
    DemoPatient(
        "henry.adeyemi@demo.walkrx.test",
        "Henry Adeyemi",
        "warning sign raised",
        date(1955, 11, 8),
        4,
    ),
    DemoPatient(
        "maria.rossi@demo.walkrx.test", "Maria Rossi", "low adherence", date(1970, 4, 17), 4, 0.35
    ),
    DemoPatient(
        "kenji.watanabe@demo.walkrx.test",
        "Kenji Watanabe",
        "no data for 10 days",
        date(1964, 12, 1),
        4,
        0.9,
        10,
    ),
    DemoPatient(
        "fatima.haddad@demo.walkrx.test", "Fatima Haddad", "awaiting clearance", date(1972, 7, 23)
    ),
    DemoPatient(
        "lucy.brennan@demo.walkrx.test", "Lucy Brennan", "awaiting clearance", date(1981, 2, 11)
    ),
    DemoPatient(
        "owen.price@demo.walkrx.test", "Owen Price", "asked for a call", date(1966, 8, 5), 2
    ),
    DemoPatient(
        "ines.carvalho@demo.walkrx.test", "Inês Carvalho", "newly invited", date(1977, 5, 9)
    ),
    DemoPatient("david.cohen@demo.walkrx.test", "David Cohen", "newly invited", date(1958, 10, 27)),
)


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    note: str = ""


def demo_logins() -> list[Login]:
    logins = [
        Login("clinician", CLINICIAN[0], CLINICIAN[2]),
        Login("clinic admin", ADMIN[0], ADMIN[2]),
    ]
    for demo in DEMO_PATIENTS:
        if demo.story == "newly invited":
            logins.append(Login("patient", demo.email, "(none yet)", "invited, not signed up"))
        else:
            logins.append(Login("patient", demo.email, PATIENT_PASSWORD, demo.story))
    return logins


def build_demo_clinic(now: datetime | None = None) -> Clinic:
    """Create the demo clinic once; later calls find it and change nothing."""
    existing = Clinic.objects.filter(slug=DEMO_CLINIC_SLUG).first()
    if existing is not None:
        return existing
    # Demo emails (invitations, alerts) are not sent anywhere.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return create_demo_clinic(now or timezone.now())


@transaction.atomic
def create_demo_clinic(now: datetime) -> Clinic:
    clinic = create_clinic(
        DEMO_CLINIC_NAME, slug=DEMO_CLINIC_SLUG, time_zone=DEMO_TIME_ZONE, emergency_number="999"
    )
    add_staff_member(
        clinic, email=ADMIN[0], full_name=ADMIN[1], password=ADMIN[2], role=StaffRole.CLINIC_ADMIN
    )
    clinician = add_staff_member(
        clinic,
        email=CLINICIAN[0],
        full_name=CLINICIAN[1],
        password=CLINICIAN[2],
        role=StaffRole.CLINICIAN,
        job_title="Physiotherapist",
    )
    local_now = now.astimezone(ZoneInfo(DEMO_TIME_ZONE))
    for number, demo in enumerate(DEMO_PATIENTS):
        DemoStory(clinic, clinician, demo, local_now, random.Random(number)).tell()  # noqa: S311
    return clinic


class DemoStory:
    """One patient's history, acted out day by day through the real actions."""

    def __init__(
        self,
        clinic: Clinic,
        clinician: StaffMember,
        demo: DemoPatient,
        now: datetime,
        rng: random.Random,
    ) -> None:
        self.clinic, self.clinician, self.demo, self.now, self.rng = (
            clinic,
            clinician,
            demo,
            now,
            rng,
        )
        self.staff_user: User = clinician.user

    def tell(self) -> Patient:
        demo = self.demo
        invited = demo.story == "newly invited"
        patient = add_patient(
            self.clinic,
            email=demo.email,
            full_name=demo.full_name,
            password=None if invited else PATIENT_PASSWORD,
            date_of_birth=demo.born,
            added_by=self.staff_user,
            care_team=[self.clinician],
        )
        if invited:
            return patient
        programme = programme_actions.current_programme(patient)
        assert programme is not None
        today = self.now.date()
        # The current programme week is demo.weeks; the earlier ones have been reviewed.
        start = today - timedelta(days=7 * demo.weeks - 2)
        intake_day = start - timedelta(days=10)
        self.intake(patient, programme, intake_day)
        if demo.weeks == 0:
            return patient
        programme_actions.record_clearance(
            programme,
            physician_name="Dr Rachel Imre (GP)",
            cleared_on=intake_day + timedelta(days=4),
            limits="Avoid steep hills for the first month." if self.rng.random() < 0.3 else "",
            by=self.staff_user,
        )
        programme_actions.start_programme(
            programme,
            start_date=start,
            target=prescription.Target(prescription.TargetKind.SESSION_DAYS, 30, 5),
            by=self.staff_user,
        )
        record_weight(
            patient,
            measured_at=self.at(start, 8),
            kg=round(self.rng.uniform(62, 98), 1),
            by=patient.user,
        )
        self.walk_weeks(patient, programme, start, today)
        self.finish(patient, programme)
        return patient

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(DEMO_TIME_ZONE))

    def intake(self, patient: Patient, programme: Programme, day: date) -> None:
        programme_actions.record_warning_signs(
            patient,
            questionnaire=Questionnaire.RED_FLAGS,
            answers={q.id: False for q in RED_FLAG_QUESTIONS},
            by=self.staff_user,
            now=self.at(day, 10),
        )
        readiness = {q.id: False for q in READINESS_QUESTIONS}
        readiness["currently_active"] = False
        if self.rng.random() < 0.5:
            readiness[READINESS_QUESTIONS[0].id] = True
        programme_actions.record_readiness(
            patient, answers=readiness, by=self.staff_user, now=self.at(day, 10, 5)
        )
        programme_actions.complete_intake(
            programme, by=self.staff_user, baseline_pain=self.rng.randint(4, 6)
        )

    def walk_weeks(self, patient: Patient, programme: Programme, start: date, today: date) -> None:
        demo = self.demo
        last_logged = today - timedelta(days=demo.stop_logging_days)
        for week in range(1, demo.weeks + 1):
            first, _ = programme.week_bounds(week)
            programme.refresh_from_db()
            dose = programme.dose
            assert dose is not None
            flare_week = demo.story == "in a flare" and week >= demo.weeks - 1
            walking_days = sorted(self.rng.sample(range(7), dose.days_per_week))
            planned = max(1, round(dose.days_per_week * demo.adherence))
            for offset in range(7):
                day = first + timedelta(days=offset)
                if day >= today or day >= last_logged:
                    break
                flare = flare_week and offset in (1, 2, 3)
                record_checkin(
                    patient,
                    day=day,
                    morning_pain=min(10, self.rng.randint(2, 4) + (4 if flare else 0)),
                    flare=flare and offset == 1,
                    by=patient.user,
                )
                if offset not in walking_days[:planned]:
                    continue
                minutes = dose.minutes_per_session * self.rng.uniform(0.9, 1.15)
                if flare:
                    minutes *= 0.5
                before = self.rng.randint(2, 4) + (3 if flare else 0)
                record_walk(
                    patient,
                    started_at=self.at(
                        day, self.rng.choice([8, 10, 13, 17]), self.rng.randint(0, 59)
                    ),
                    minutes=max(3, round(minutes)),
                    steps=round(minutes * self.rng.uniform(95, 112)),
                    pain_before=min(10, before),
                    pain_after=min(10, before + self.rng.choice([-1, 0, 0, 1])),
                    source=self.rng.choice([WalkSource.TIMER, WalkSource.MANUAL]),
                    by=patient.user,
                )
            if first + timedelta(days=7) <= today:
                review_week(programme, week)

    def finish(self, patient: Patient, programme: Programme) -> None:
        story = self.demo.story
        if story == "warning sign raised":
            programme_actions.record_warning_signs(
                patient,
                questionnaire=Questionnaire.WEEKLY_CHECK,
                answers={"ces_bladder": True, "ces_saddle_numbness": True},
                by=patient.user,
                now=self.now - timedelta(hours=3),
            )
        elif story == "asked for a call":
            request_call(patient, message="Could someone call me about my knee, please?")
