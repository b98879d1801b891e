"""Loaded by pytest before Django (``-p tests.environment``): tests never touch a real
installation's data directory or database."""

from __future__ import annotations

import os
import tempfile

os.environ["WALKRX_HOME"] = tempfile.mkdtemp(prefix="walkrx-test-home-")
for name in ("WALKRX_ALLOWED_HOSTS", "WALKRX_HTTPS", "WALKRX_SECRET_KEY", "WALKRX_DEBUG"):
    os.environ.pop(name, None)
