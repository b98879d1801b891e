"""Bearer-token authentication for the JSON API (no sessions, no cookies, no CSRF)."""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from walkrx.web.access import require_patient
from walkrx.web.accounts.models import User
from walkrx.web.api.actions import active_token, note_use

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; on success the token's user becomes request.user.

    The session cookie is never consulted: a browser that is signed in to the pages still
    gets 401 here, so a page's origin cannot drive the API with the user's cookies.
    """

    def __call__(self, request: HttpRequest) -> Any:
        # Parsed here rather than by HttpBearer, which logs the whole header in DEBUG.
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = active_token(token)
        if found is None:
            # ASVS 16.3.1: failed authentication is logged, never the presented secret.
            logger.warning("API authentication failed from %s", request.META.get("REMOTE_ADDR"))
            return None
        note_use(found, timezone.now())
        user: User = found.user
        request.user = user
        return user


class PatientTokenAuth(TokenAuth):
    """A token whose user is a patient; anyone else is refused (403) before the body is read."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = super().authenticate(request, token)
        if user is not None:
            require_patient(request)
        return user
