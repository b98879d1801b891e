from __future__ import annotations

from django.urls import path, re_path

from walkrx.web.clinics import admin_views, intake_views, views

app_name = "clinics"

P = "patients/<int:patient_id>/"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("patients/new/", views.invite_form, name="invite"),
    path("patients/new/send/", views.invite, name="invite_send"),
    path(P, views.patient_page, name="patient"),
    path(P + "invite-again/", views.invite_again, name="invite_again"),
    path(P + "decisions/<int:decision_id>/accept/", views.accept, name="accept_decision"),
    path(P + "decisions/<int:decision_id>/override/", views.override, name="override_decision"),
    path(P + "alerts/<int:alert_id>/handle/", views.handle, name="handle_alert"),
    path(P + "pause/", views.pause, name="pause"),
    path(P + "resume/", views.resume, name="resume"),
    path(P + "finish/", views.finish, name="finish"),
    path(P + "notes/", views.add_note, name="add_note"),
    re_path(
        r"^patients/(?P<patient_id>[0-9]+)/charts/(?P<name>minutes|pain|steps|weight)\.svg$",
        views.chart,
        name="chart",
    ),
    path(P + "intake/", intake_views.overview, name="intake"),
    path(P + "intake/complete/", intake_views.complete, name="complete_intake"),
    path(P + "intake/warning-signs/", intake_views.red_flags_form, name="red_flags"),
    path(P + "intake/warning-signs/save/", intake_views.red_flags, name="red_flags_save"),
    path(P + "intake/readiness/", intake_views.readiness_form, name="readiness"),
    path(P + "intake/readiness/save/", intake_views.readiness, name="readiness_save"),
    path(P + "intake/tolerance/", intake_views.tolerance_form, name="tolerance"),
    path(P + "intake/tolerance/save/", intake_views.tolerance, name="tolerance_save"),
    path(P + "instruments/<slug:key>/", intake_views.instrument, name="instrument"),
    path(P + "instruments/<slug:key>/save/", intake_views.save_instrument, name="instrument_save"),
    path(P + "clearance/", intake_views.clearance_form, name="clearance"),
    path(P + "clearance/save/", intake_views.clearance, name="clearance_save"),
    path(P + "start/", intake_views.start_form, name="start"),
    path(P + "start/confirm/", intake_views.start, name="start_confirm"),
    path("staff/", admin_views.staff_list, name="staff"),
    path("staff/add/", admin_views.add_staff, name="add_staff"),
    path("audit/", admin_views.audit_log, name="audit"),
]
