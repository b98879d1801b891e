from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path

from walkrx.web.api.api import api

_patterns, _app, _namespace = api.urls
for _pattern in _patterns:
    # The API answers 401 itself (token auth); the pages' login redirect must not apply.
    if isinstance(_pattern, URLPattern):
        login_not_required(_pattern.callback)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((_patterns, _app), namespace=_namespace)),
]
