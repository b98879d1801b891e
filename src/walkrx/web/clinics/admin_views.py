"""Clinic administration pages: the staff list and the audit log (clinic admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from walkrx.web.access import acting_user, patients_for_staff, require_clinic_admin
from walkrx.web.audit.models import AuditEvent
from walkrx.web.clinics.actions import ClinicError
from walkrx.web.clinics.forms import AuditFilterForm, StaffForm
from walkrx.web.clinics.models import StaffMember, StaffRole
from walkrx.web.clinics.staff import invite_staff_member
from walkrx.web.clinics.views import clinic_time, site_root

AUDIT_PAGE_SIZE = 50


def staff_page(
    request: HttpRequest, member: StaffMember, form: StaffForm, status: int = 200
) -> HttpResponse:
    staff = StaffMember.objects.filter(clinic_id=member.clinic_id).select_related("user")
    context = {"staff": staff, "form": form, "clinic": member.clinic}
    return render(request, "clinics/staff.html", context, status=status)


@clinic_time
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    admin = require_clinic_admin(request)
    return staff_page(request, admin, StaffForm(initial={"role": StaffRole.CLINICIAN}))


@clinic_time
@require_POST
def add_staff(request: HttpRequest) -> HttpResponse:
    admin = require_clinic_admin(request)
    form = StaffForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = invite_staff_member(
                admin.clinic,
                email=data["email"],
                full_name=data["full_name"],
                role=StaffRole(data["role"]),
                job_title=data["job_title"],
                invited_by=acting_user(request),
                base_url=site_root(request),
            )
        except ClinicError as error:
            form.add_error("email", str(error))
        else:
            messages.success(
                request,
                f"{member.user.full_name} added. An invitation went to {member.user.email}.",
            )
            return redirect("clinics:staff")
    return staff_page(request, admin, form, 400)


@clinic_time
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    admin = require_clinic_admin(request)
    form = AuditFilterForm(request.GET)
    events = AuditEvent.objects.filter(clinic_id=admin.clinic_id).select_related("actor")
    patients = patients_for_staff(admin).select_related("user")
    chosen = None
    if form.is_valid():
        if form.cleaned_data["patient"]:
            chosen = patients.filter(pk=form.cleaned_data["patient"]).first()
            events = events.filter(patient_id=chosen.pk if chosen else -1)
        elif form.cleaned_data["name"]:
            matching = patients.filter(user__full_name__icontains=form.cleaned_data["name"])
            events = events.filter(patient_id__in=matching.values("pk"))
    page = Paginator(events.order_by("-at", "-id"), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ids = {event.patient_id for event in page.object_list if event.patient_id}
    names = dict(patients.filter(pk__in=ids).values_list("pk", "user__full_name"))
    rows = [(event, names.get(event.patient_id, "")) for event in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "form": form,
        "chosen": chosen,
        "query": query.urlencode(),
        "clinic": admin.clinic,
    }
    return render(request, "clinics/audit.html", context)
