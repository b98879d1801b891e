"""Things the clinic must act on: warning signs and patients asking for a call."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from walkrx.web.patients.models import Patient


class AlertKind(models.TextChoices):
    WARNING_SIGN = "warning_sign", "Warning sign"
    CALL_REQUEST = "call_request", "Call requested"


class Alert(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    tier = models.CharField(max_length=12, blank=True)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_note = models.CharField(max_length=500, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "handled_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None
