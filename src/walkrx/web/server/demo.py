"""The demo clinic: real accounts made through the same actions that clinic staff use.

The passwords are fixed so that the printed logins keep working; ``walkrx demo`` refuses to
run on an installation that is reachable by name (production mode).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from walkrx.web.clinics.actions import add_staff_member, create_clinic
from walkrx.web.clinics.models import Clinic, StaffMember, StaffRole
from walkrx.web.patients.actions import add_patient
from walkrx.web.patients.models import Patient

DEMO_CLINIC_SLUG = "demo"
DEMO_CLINIC_NAME = "Riverside Back Care (demo)"
ADMIN = ("admin@demo.walkrx.test", "Dana Okafor", "demo-admin-riverside")
CLINICIAN = ("clinician@demo.walkrx.test", "Sam Lindqvist", "demo-clinician-riverside")
PATIENT_PASSWORD = "demo-patient-walking"  # noqa: S105 (published demo login)


@dataclass(frozen=True)
class DemoPatient:
    email: str
    full_name: str
    story: str


DEMO_PATIENTS = (
    DemoPatient("alex.morgan@demo.walkrx.test", "Alex Morgan", "on track"),
    DemoPatient("priya.shah@demo.walkrx.test", "Priya Shah", "on track"),
    DemoPatient("tomasz.nowak@demo.walkrx.test", "Tomasz Nowak", "on track, target reached"),
    DemoPatient("grace.oconnell@demo.walkrx.test", "Grace O'Connell", "in a flare"),
    DemoPatient("henry.adeyemi@demo.walkrx.test", "Henry Adeyemi", "warning sign raised"),
    DemoPatient("maria.rossi@demo.walkrx.test", "Maria Rossi", "low adherence"),
    DemoPatient("kenji.watanabe@demo.walkrx.test", "Kenji Watanabe", "no data for 10 days"),
    DemoPatient("fatima.haddad@demo.walkrx.test", "Fatima Haddad", "awaiting clearance"),
    DemoPatient("lucy.brennan@demo.walkrx.test", "Lucy Brennan", "awaiting clearance"),
    DemoPatient("owen.price@demo.walkrx.test", "Owen Price", "asked for a call"),
    DemoPatient("ines.carvalho@demo.walkrx.test", "Inês Carvalho", "newly invited"),
    DemoPatient("david.cohen@demo.walkrx.test", "David Cohen", "newly invited"),
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
        if demo.story != "newly invited":
            logins.append(Login("patient", demo.email, PATIENT_PASSWORD, demo.story))
    return logins


@transaction.atomic
def build_demo_clinic() -> Clinic:
    """Create the demo clinic once; later calls find it and change nothing."""
    existing = Clinic.objects.filter(slug=DEMO_CLINIC_SLUG).first()
    if existing is not None:
        return existing
    clinic = create_clinic(DEMO_CLINIC_NAME, slug=DEMO_CLINIC_SLUG, time_zone="Europe/London")
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
    for demo in DEMO_PATIENTS:
        create_demo_patient(clinic, clinician, demo)
    return clinic


def create_demo_patient(clinic: Clinic, clinician: StaffMember, demo: DemoPatient) -> Patient:
    password = None if demo.story == "newly invited" else PATIENT_PASSWORD
    return add_patient(
        clinic,
        email=demo.email,
        full_name=demo.full_name,
        password=password,
        added_by=clinician.user,
        care_team=[clinician],
    )
