from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "walkrx.web.patients"
    label = "patients"
    verbose_name = "Patients"
