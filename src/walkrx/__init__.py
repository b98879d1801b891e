"""walkrx: progressive walking programmes for people with back pain, supervised by their clinic."""

from __future__ import annotations

__version__ = "0.1.0"
