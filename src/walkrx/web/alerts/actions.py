"""Raising and handling alerts. Alert emails carry a link only, never health details."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from walkrx.core.screening import RedFlagResult, Tier
from walkrx.web.accounts.models import User
from walkrx.web.alerts.models import Alert, AlertKind
from walkrx.web.audit.actions import record_event
from walkrx.web.clinics.models import StaffMember, StaffRole
from walkrx.web.patients.models import Patient


class AlertError(Exception):
    pass


def clinicians_to_alert(patient: Patient) -> list[str]:
    """The patient's care team, or every clinician of the clinic when there is none."""
    team = list(patient.care_team.select_related("user").filter(user__is_active=True))
    if not team:
        team = list(
            StaffMember.objects.filter(
                clinic_id=patient.clinic_id, role=StaffRole.CLINICIAN, user__is_active=True
            ).select_related("user")
        )
    return [member.user.email for member in team]


def site_url() -> str:
    configured = str(getattr(settings, "SITE_URL", "") or "")
    if configured:
        return configured.rstrip("/")
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "127.0.0.1"
    return f"{'https' if settings.HTTPS else 'http'}://{host}"


def email_alert(alert: Alert) -> None:
    recipients = clinicians_to_alert(alert.patient)
    if not recipients:
        return
    link = site_url() + reverse("clinics:patient", args=[alert.patient_id])
    urgency = "URGENT: " if alert.tier in (Tier.EMERGENCY, Tier.URGENT) else ""
    send_mail(
        subject=f"{urgency}walkrx: a patient needs your attention",
        message=(
            "A patient in your caseload needs attention from the clinic.\n"
            f"Open walkrx to see who and why:\n\n{link}\n\n"
            "This email deliberately contains no health details.\n"
        ),
        from_email=None,
        recipient_list=recipients,
    )
    alert.emailed_at = timezone.now()
    alert.save(update_fields=["emailed_at"])


@transaction.atomic
def raise_warning_sign_alert(patient: Patient, result: RedFlagResult) -> Alert | None:
    """Alert the clinic at once about EMERGENCY and URGENT flags; REVIEW waits for review."""
    if result.tier is None:
        return None
    rules = "; ".join(flag.rule for flag in result.triggered)
    alert = Alert.objects.create(
        patient=patient,
        kind=AlertKind.WARNING_SIGN,
        tier=result.tier.value,
        summary=f"{result.tier.value.title()}: {rules}"[:300],
    )
    if result.tier.at_least(Tier.URGENT):
        transaction.on_commit(lambda: email_alert(alert))
    return alert


@transaction.atomic
def request_call(patient: Patient, *, message: str = "") -> Alert:
    existing = Alert.objects.filter(
        patient=patient, kind=AlertKind.CALL_REQUEST, handled_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    alert = Alert.objects.create(
        patient=patient,
        kind=AlertKind.CALL_REQUEST,
        summary=(message.strip() or "The patient asked the clinic to call them.")[:300],
    )
    record_event(actor=patient.user, action="request call", patient=patient)
    transaction.on_commit(lambda: email_alert(alert))
    return alert


@transaction.atomic
def handle_alert(alert: Alert, *, by: User, note: str = "") -> Alert:
    if alert.handled_at is not None:
        raise AlertError("This alert has been handled already.")
    alert.handled_at = timezone.now()
    alert.handled_by = by
    alert.handled_note = note.strip()[:500]
    alert.save(update_fields=["handled_at", "handled_by", "handled_note"])
    record_event(actor=by, action="handle alert", patient=alert.patient, detail=alert.kind)
    return alert
