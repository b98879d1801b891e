"""Named writes for patients: adding and inviting them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from walkrx.web.accounts.models import User, normalise_email
from walkrx.web.audit.actions import record_event
from walkrx.web.clinics.models import Clinic, StaffMember
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.actions import open_programme


class PatientError(Exception):
    """A patient change that cannot be made, with a message for the user."""


@transaction.atomic
def add_patient(
    clinic: Clinic,
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    date_of_birth: date | None = None,
    added_by: User | None = None,
    care_team: list[StaffMember] | None = None,
) -> Patient:
    """Create a patient account in a clinic (without sending an invitation)."""
    email = normalise_email(email)
    if not full_name.strip():
        raise PatientError("A patient needs a name.")
    if User.objects.filter(email=email).exists():
        raise PatientError(f"{email} already has a walkrx account.")
    user = User.objects.create_user(email, password, full_name=full_name.strip())
    patient = Patient.objects.create(user=user, clinic=clinic, date_of_birth=date_of_birth)
    if care_team:
        patient.care_team.set(care_team)
    open_programme(patient)
    record_event(actor=added_by, action="add patient", patient=patient)
    return patient


def welcome_link(user: User, *, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("accounts:welcome", args=[uid, token])


def send_invitation(patient: Patient, *, base_url: str) -> None:
    """Email a one-time link to choose a password. No health details go in the email."""
    link = welcome_link(patient.user, base_url=base_url)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        subject=f"{patient.clinic.name} invites you to walkrx",
        message=(
            f"Hello {patient.user.get_short_name()},\n\n"
            f"{patient.clinic.name} uses walkrx to support your walking programme.\n"
            f"Open this link to choose your password (it works once and expires in "
            f"{hours} hours):\n\n{link}\n\n"
            "If you were not expecting this email, you can ignore it.\n"
        ),
        from_email=None,
        recipient_list=[patient.user.email],
    )
    patient.invited_at = timezone.now()
    patient.save(update_fields=["invited_at"])


@transaction.atomic
def invite_patient(
    clinic: Clinic,
    *,
    email: str,
    full_name: str,
    invited_by: User,
    base_url: str,
    date_of_birth: date | None = None,
    care_team: list[StaffMember] | None = None,
) -> Patient:
    patient = add_patient(
        clinic,
        email=email,
        full_name=full_name,
        date_of_birth=date_of_birth,
        added_by=invited_by,
        care_team=care_team,
    )
    transaction.on_commit(lambda: send_invitation(patient, base_url=base_url))
    record_event(actor=invited_by, action="invite patient", patient=patient)
    return patient
