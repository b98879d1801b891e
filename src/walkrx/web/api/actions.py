"""Named writes for API tokens: issue, revoke, and note when a token was last used."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from walkrx.web.access import patient_of
from walkrx.web.accounts.models import User
from walkrx.web.api.models import ApiToken
from walkrx.web.audit.actions import record_event

TOKEN_PREFIX = "wrx_"  # noqa: S105 - a marker for secret scanners, not a secret
TOKEN_BYTES = 32
# Writing last_used_at on every call would turn each read into a write; a minute's
# precision is enough to tell a live device from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def issue_token(user: User, *, label: str = "", by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; the plain token is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(user=user, token_hash=token_digest(plain), label=label[:100])
    record_event(
        actor=by,  # None when an operator ran `walkrx apitoken`
        action="issue api token",
        patient=patient_of(user),
        detail=f"token {token.pk} of user {user.pk}",
    )
    return token, plain


@transaction.atomic
def revoke_tokens(user: User, *, by: User | None = None) -> int:
    """Revoke every active token of ``user``; returns how many were revoked."""
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        record_event(
            actor=by,
            action="revoke api tokens",
            patient=patient_of(user),
            detail=f"{revoked} token(s) of user {user.pk}",
        )
    return revoked


def active_token(plain: str) -> ApiToken | None:
    """The active token whose digest matches, with its user; one indexed query, always.

    Every presented value is hashed and looked up the same way, whatever its shape, so
    neither the response time nor the code path tells a caller how close a guess was.
    """
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(plain), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def note_use(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
