from __future__ import annotations

from django.urls import path

from walkrx.web.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.today, name="today"),
]
