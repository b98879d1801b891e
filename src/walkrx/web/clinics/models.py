"""A clinic is the tenant: its staff see its patients and no one else's."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Shown to patients with every emergency message, as a tap-to-call link.
    emergency_number = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone: programme days are the clinic's calendar days."""
        return ZoneInfo(self.time_zone)

    def today(self) -> date:
        return timezone.localdate(timezone.now(), self.zone)


class StaffRole(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    CLINICIAN = "clinician", "Clinician"


class StaffMember(models.Model):
    """A user's job at one clinic. A user is staff at one clinic at most."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=StaffRole.choices)
    job_title = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return f"{self.user.full_name} ({self.get_role_display()}, {self.clinic})"

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == StaffRole.CLINIC_ADMIN
