"""walkrx.interop: writers (and readers) for the formats the rest of healthcare uses."""

from __future__ import annotations
