"""Every page, as the user it is for, carries walkrx's security headers (ASVS 3.4, 14.3.2),
and no page needs inline script or style that the Content-Security-Policy would block."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.web.conftest import PASSWORD, Cast
from tests.web.test_authorization_matrix import World, a_objects, all_routes, url_for

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
)
INLINE_SCRIPT = re.compile(
    rb"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
)
INLINE_HANDLER = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(rb"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(rb"<style[\s>]", re.IGNORECASE)
OTHER_SITE = re.compile(rb"<(?:script|link|img|iframe)[^>]+(?:src|href)=\"(?:https?:)?//", re.I)

OWNER = {
    "staff": "clinic_admin",
    "patient": "patient_a",
    "account": "patient_a",
    "api": "patient_a",
    "public": "anonymous",
    "capability": "anonymous",
    "api-public": "anonymous",
}


@pytest.fixture
def world(cast: Cast) -> World:
    return a_objects(cast)


def pages(world: World) -> list[tuple[str, Any]]:
    """Each route's GET response as the user it is meant for."""
    clients = {role: world.cast.client_for(role) for role in set(OWNER.values())}
    seen = []
    for route in all_routes():
        role = OWNER[route.kind]
        headers = {}
        if route.kind == "api":
            headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[role]}"
        seen.append(
            (
                f"{url_for(world, route)} as {role}",
                clients[role].get(url_for(world, route), **headers),
            )
        )
    return seen


def test_every_response_carries_the_security_headers(world: World) -> None:
    problems = []
    for where, response in pages(world):
        csp = response.get("Content-Security-Policy", "")
        if response.get("Content-Type", "").startswith("image/svg+xml"):
            # Charts carry their own styles; their policy forbids everything else.
            if "default-src 'none'" not in csp or "script-src" in csp:
                problems.append(f"{where}: chart CSP {csp!r} must forbid scripts")
        else:
            problems += [f"{where}: CSP lacks {d}" for d in CSP_DIRECTIVES if d not in csp]
        expected = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
            "Cache-Control": "no-store",
        }
        problems += [
            f"{where}: {header} is {response.get(header)!r}, not {value!r}"
            for header, value in expected.items()
            if response.get(header) != value
        ]
    assert not problems, "\n".join(problems)


def test_no_page_needs_inline_script_or_style_or_another_site(world: World) -> None:
    problems = []
    for where, response in pages(world):
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = response.content
        for what, pattern in [
            ("inline <script>", INLINE_SCRIPT),
            ("inline event handler", INLINE_HANDLER),
            ("style attribute", STYLE_ATTRIBUTE),
            ("<style> block", STYLE_BLOCK),
            ("asset from another site", OTHER_SITE),
        ]:
            match = pattern.search(body)
            if match:
                problems.append(f"{where}: {what}: {match.group(0)[:80]!r}")
    assert not problems, "\n".join(problems)


def test_cookies_are_httponly_and_samesite(cast: Cast) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "pat.a@example.test", "password": "wrong password"}
    )
    assert response.status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "pat.a@example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_static_files_may_be_cached(cast: Cast) -> None:
    response = Client().get("/static/walkrx/app.css")
    assert response.status_code == 200
    assert response.get("Cache-Control") != "no-store"
