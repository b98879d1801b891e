"""Named writes for clinics and their staff."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from walkrx.web.accounts.models import User, normalise_email
from walkrx.web.clinics.models import Clinic, StaffMember, StaffRole


class ClinicError(Exception):
    """A clinic or staff change that cannot be made, with a message for the user."""


@transaction.atomic
def create_clinic(
    name: str, *, slug: str = "", time_zone: str = "UTC", emergency_number: str = ""
) -> Clinic:
    slug = slug or slugify(name)
    if not slug:
        raise ClinicError("A clinic needs a name with at least one letter or digit.")
    if Clinic.objects.filter(slug=slug).exists():
        raise ClinicError(f"A clinic with the short name {slug!r} exists already.")
    return Clinic.objects.create(
        name=name.strip(), slug=slug, time_zone=time_zone, emergency_number=emergency_number
    )


@transaction.atomic
def add_staff_member(
    clinic: Clinic,
    *,
    email: str,
    full_name: str,
    role: StaffRole,
    password: str | None = None,
    job_title: str = "",
) -> StaffMember:
    email = normalise_email(email)
    if User.objects.filter(email=email).exists():
        raise ClinicError(f"{email} already has a walkrx account.")
    user = User.objects.create_user(email, password, full_name=full_name.strip())
    return StaffMember.objects.create(user=user, clinic=clinic, role=role, job_title=job_title)
