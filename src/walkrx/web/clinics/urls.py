from __future__ import annotations

from django.urls import path

from walkrx.web.clinics import views
from walkrx.web.patients import views as patient_views

app_name = "clinics"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("patients/<int:patient_id>/", patient_views.patient_page, name="patient"),
]
