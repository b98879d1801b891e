"""A patient belongs to exactly one clinic."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from walkrx.web.clinics.models import Clinic, StaffMember


class Patient(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    care_team = models.ManyToManyField(StaffMember, blank=True, related_name="patients")
    date_of_birth = models.DateField(null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__full_name"]
        indexes = [models.Index(fields=["clinic", "created_at"])]

    def __str__(self) -> str:
        return self.user.full_name

    @property
    def name(self) -> str:
        return self.user.full_name


CALENDAR_TOKEN_MAX_LENGTH = 64


class CalendarFeed(models.Model):
    """A private calendar address for one patient; revoking it makes the address stop working.

    The token is a random 32-byte secret (URL-safe), looked up by equality. A patient has at
    most one feed that is not revoked.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=CALENDAR_TOKEN_MAX_LENGTH, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.patient} ({'revoked' if self.revoked_at else 'live'})"
