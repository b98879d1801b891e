from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from walkrx.web.access import patient_of, staff_member_of


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is."""
    if staff_member_of(request.user) is not None:
        return redirect("clinics:caseload")
    if patient_of(request.user) is not None:
        return redirect("patients:today")
    return render(request, "accounts/no_role.html", status=403)


class WelcomeView(auth_views.PasswordResetConfirmView):
    """An invited person follows their one-time link and chooses a password."""

    template_name = "accounts/welcome.html"
    success_url = reverse_lazy("accounts:welcome_done")
    post_reset_login = True


@login_not_required
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/about.html")
