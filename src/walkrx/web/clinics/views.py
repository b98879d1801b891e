from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from walkrx.web.access import patients_for_staff, require_staff

CASELOAD_PAGE_SIZE = 50


def caseload(request: HttpRequest) -> HttpResponse:
    staff = require_staff(request)
    patients = patients_for_staff(staff).select_related("user").order_by("user__full_name")
    page = Paginator(patients, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clinics/caseload.html", {"staff": staff, "page": page})
