from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from walkrx.web.access import get_own_patient, get_patient_for_staff


def patient_page(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id)
    return render(request, "patients/patient_page.html", {"patient": patient})


def today(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view own plan")
    return render(request, "patients/today.html", {"patient": patient})
