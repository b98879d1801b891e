"""Loaded by pytest before Django (``-p tests.environment``): tests never touch a real
installation's data directory or database."""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ["WALKRX_HOME"] = tempfile.mkdtemp(prefix="walkrx-test-home-")
for name in ("WALKRX_ALLOWED_HOSTS", "WALKRX_HTTPS", "WALKRX_SECRET_KEY", "WALKRX_DEBUG"):
    os.environ.pop(name, None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The browser tests leave a live server and a browser running for the rest of the
    # session; running them last keeps every other test in a single-threaded process,
    # which the parallel file reader needs (it forks). The sort is stable, so the
    # random order of everything else is kept.
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)
