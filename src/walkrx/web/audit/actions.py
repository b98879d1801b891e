from __future__ import annotations

from django.http import HttpRequest

from walkrx.web.accounts.models import User
from walkrx.web.audit.models import AuditEvent
from walkrx.web.patients.models import Patient


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    *,
    actor: User | None,
    action: str,
    patient: Patient | None = None,
    detail: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        patient_id=patient.pk if patient else None,
        clinic_id=patient.clinic_id if patient else None,
        action=action,
        detail=detail[:300],
        ip_address=client_address(request),
    )
