"""The one place where protected objects are fetched for a user.

Views never query patients directly: they ask here, and the answer is either the object
the user may see or a 404 (never a hint that it exists elsewhere). Each rule is on its own
line so that tests cover every branch.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from walkrx.web.accounts.models import User
from walkrx.web.audit.actions import record_event
from walkrx.web.clinics.models import StaffMember
from walkrx.web.patients.models import Patient

View = Callable[..., HttpResponse]


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a request that the login requirement has already let through."""
    user = request.user
    assert isinstance(user, User)
    return user


def staff_member_of(user: Any) -> StaffMember | None:
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    try:
        return user.staff_member  # type: ignore[no-any-return]
    except StaffMember.DoesNotExist:
        return None


def patient_of(user: Any) -> Patient | None:
    if not user.is_authenticated:
        return None
    if not user.is_active:
        return None
    try:
        return user.patient  # type: ignore[no-any-return]
    except Patient.DoesNotExist:
        return None


def require_staff(request: HttpRequest) -> StaffMember:
    staff = staff_member_of(request.user)
    if staff is None:
        raise PermissionDenied("This page is for clinic staff.")
    return staff


def require_clinic_admin(request: HttpRequest) -> StaffMember:
    staff = require_staff(request)
    if not staff.is_clinic_admin:
        raise PermissionDenied("This page is for the clinic's administrators.")
    return staff


def require_patient(request: HttpRequest) -> Patient:
    patient = patient_of(request.user)
    if patient is None:
        raise PermissionDenied("This page is for patients.")
    return patient


def patients_for_staff(staff: StaffMember) -> QuerySet[Patient]:
    return Patient.objects.filter(clinic_id=staff.clinic_id)


def get_patient_for_staff(
    request: HttpRequest, patient_id: int, *, action: str = "view patient"
) -> Patient:
    """The patient if the signed-in staff member's clinic holds them; audited."""
    staff = require_staff(request)
    patient = (
        patients_for_staff(staff).select_related("user", "clinic").filter(pk=patient_id).first()
    )
    if patient is None:
        raise Http404("No such patient.")
    record_event(actor=acting_user(request), action=action, patient=patient, request=request)
    return patient


def get_own_patient(request: HttpRequest, *, action: str = "") -> Patient:
    """The signed-in patient's own record; audited when ``action`` names what they did."""
    patient = require_patient(request)
    if action:
        record_event(actor=acting_user(request), action=action, patient=patient, request=request)
    return patient


def staff_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_staff(request)
        return view(request, *args, **kwargs)

    return wrapper


def patient_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_patient(request)
        return view(request, *args, **kwargs)

    return wrapper
