from __future__ import annotations

from django.contrib import admin

from walkrx.web.clinics.models import Clinic, StaffMember


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin[Clinic]):
    list_display = ["name", "slug", "time_zone", "emergency_number"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin[StaffMember]):
    list_display = ["user", "clinic", "role"]
    list_filter = ["clinic", "role"]
    raw_id_fields = ["user"]
