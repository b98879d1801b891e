"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.web.conftest import Cast, _test_settings, cast  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are ordinary blocking calls and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" not in str(item.path).replace(os.sep, "/"):
            continue
        item.add_marker(pytest.mark.browser)
        if not CHROMIUM.exists():
            item.add_marker(
                pytest.mark.skip(reason=f"{CHROMIUM} is absent (install Debian's chromium package)")
            )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Site:
    url: str
    browser: Any
    cast: Cast

    def page(self, viewport: dict[str, int], who: str | None = None) -> Any:
        """A fresh browser page at this viewport, signed in as ``who`` (a cast member)."""
        context = self.browser.new_context(viewport=viewport, base_url=self.url)
        context.set_default_timeout(10_000)
        if who is not None:
            client = Client()
            client.force_login(getattr(self.cast, who).user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": self.url, "httpOnly": True}]
            )
        return context.new_page()


@pytest.fixture
def site(live_server: Any, browser: Any, cast: Cast) -> Iterator[Site]:  # noqa: F811
    made = Site(live_server.url, browser, cast)
    yield made
    for context in browser.contexts:
        context.close()
