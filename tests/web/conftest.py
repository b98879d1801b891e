from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any

import pytest
from django.test import Client

from walkrx.web.clinics.actions import add_staff_member, create_clinic
from walkrx.web.clinics.models import Clinic, StaffMember, StaffRole
from walkrx.web.patients.actions import add_patient
from walkrx.web.patients.models import Patient

PASSWORD = "correct horse battery staple"


IMMEDIATE_TASKS = (
    "django.tasks.backends.immediate.ImmediateBackend"
    if find_spec("django.tasks") is not None
    else "django_tasks.backends.immediate.ImmediateBackend"
)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks run at once, in the test's own process.
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE_TASKS}}
    settings.WALKRX_UPLOAD_DIR = str(tmp_path_factory.mktemp("uploads"))


@dataclass
class Cast:
    """The people every web test can use: two clinics, their staff and patients."""

    clinic: Clinic
    other_clinic: Clinic
    clinician: StaffMember
    clinic_admin: StaffMember
    other_clinician: StaffMember
    patient_a: Patient
    patient_b: Patient
    other_patient: Patient

    def client_for(self, who: str) -> Client:
        client = Client()
        if who == "anonymous":
            return client
        person = getattr(self, who)
        client.force_login(person.user)
        return client


@pytest.fixture
def cast(db: None) -> Cast:
    clinic = create_clinic("Northside Physio", slug="northside")
    other = create_clinic("Southside Spine", slug="southside")
    clinician = add_staff_member(
        clinic,
        email="alice@north.test",
        full_name="Alice Clinician",
        role=StaffRole.CLINICIAN,
        password=PASSWORD,
    )
    admin = add_staff_member(
        clinic,
        email="carol@north.test",
        full_name="Carol Admin",
        role=StaffRole.CLINIC_ADMIN,
        password=PASSWORD,
    )
    other_clinician = add_staff_member(
        other,
        email="oscar@south.test",
        full_name="Oscar Outsider",
        role=StaffRole.CLINICIAN,
        password=PASSWORD,
    )
    patient_a = add_patient(
        clinic,
        email="pat.a@example.test",
        full_name="Pat Able",
        password=PASSWORD,
        care_team=[clinician],
    )
    patient_b = add_patient(
        clinic,
        email="pat.b@example.test",
        full_name="Bea Baker",
        password=PASSWORD,
        care_team=[clinician],
    )
    other_patient = add_patient(
        other,
        email="zed@example.test",
        full_name="Zed Zimmer",
        password=PASSWORD,
    )
    return Cast(
        clinic, other, clinician, admin, other_clinician, patient_a, patient_b, other_patient
    )
