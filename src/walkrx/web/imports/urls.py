from __future__ import annotations

from django.urls import path

from walkrx.web.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.my_imports, name="mine"),
    path("<uuid:job_id>/", views.my_import, name="my_job"),
    path("patients/<int:patient_id>/", views.patient_imports, name="patient"),
    path("patients/<int:patient_id>/<uuid:job_id>/", views.patient_import, name="patient_job"),
]
