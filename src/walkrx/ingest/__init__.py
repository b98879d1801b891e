"""Safe, streaming readers for phone and wearable exports.

Framework-free: nothing here imports Django. The web and CLI layers call
:func:`open_import` (or :func:`read_file`) and store the records it yields.
"""

from __future__ import annotations

from .detect import detect_format
from .errors import IngestError
from .limits import DEFAULT_LIMITS, DEFAULT_OPTIONS, Limits, ReadOptions
from .reader import ImportReader, open_import, read_file
from .records import (
    Format,
    ReadSummary,
    Record,
    Skipped,
    Source,
    SourceKind,
    StepSampleRecord,
    WeightRecord,
    WorkoutRecord,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_OPTIONS",
    "Format",
    "ImportReader",
    "IngestError",
    "Limits",
    "ReadOptions",
    "ReadSummary",
    "Record",
    "Skipped",
    "Source",
    "SourceKind",
    "StepSampleRecord",
    "WeightRecord",
    "WorkoutRecord",
    "detect_format",
    "open_import",
    "read_file",
]
