from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from walkrx.web.accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("about/", account_views.about, name="about"),
    path("accounts/", include("walkrx.web.accounts.urls")),
    path("clinic/", include("walkrx.web.clinics.urls")),
    path("me/", include("walkrx.web.patients.urls")),
    path("calendar/", include("walkrx.web.patients.feed_urls")),
    path("imports/", include("walkrx.web.imports.urls")),
    path("api/", include("walkrx.web.api.urls")),
    path("admin/", admin.site.urls),
]
