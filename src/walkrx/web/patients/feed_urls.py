"""The private calendar feed, mounted at /calendar/ and reached by its token alone."""

from __future__ import annotations

from django.urls import path

from walkrx.web.patients import views

app_name = "patient_feeds"

urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="calendar"),
]
