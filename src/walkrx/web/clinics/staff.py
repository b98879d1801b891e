"""Inviting a colleague: a staff account plus the same one-time welcome link patients get."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from walkrx.web.accounts.models import User
from walkrx.web.audit.actions import record_event
from walkrx.web.clinics.actions import add_staff_member
from walkrx.web.clinics.models import Clinic, StaffMember, StaffRole
from walkrx.web.patients.actions import welcome_link


def send_staff_invitation(member: StaffMember, *, base_url: str) -> None:
    link = welcome_link(member.user, base_url=base_url)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        subject=f"{member.clinic.name} has added you to walkrx",
        message=(
            f"Hello {member.user.get_short_name()},\n\n"
            f"{member.clinic.name} has given you a walkrx account "
            f"({member.get_role_display().lower()}).\n"
            f"Open this link to choose your password (it works once and expires in "
            f"{hours} hours):\n\n{link}\n\n"
            "If you were not expecting this email, you can ignore it.\n"
        ),
        from_email=None,
        recipient_list=[member.user.email],
    )


@transaction.atomic
def invite_staff_member(
    clinic: Clinic,
    *,
    email: str,
    full_name: str,
    role: StaffRole,
    job_title: str,
    invited_by: User,
    base_url: str,
) -> StaffMember:
    """Add a staff member without a password and email them a link to choose one."""
    member = add_staff_member(
        clinic, email=email, full_name=full_name, role=role, job_title=job_title.strip()
    )
    transaction.on_commit(lambda: send_staff_invitation(member, base_url=base_url))
    record_event(actor=invited_by, action="add staff member", detail=member.user.email)
    return member
