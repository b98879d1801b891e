"""Fitbit step counts from Google Takeout (``Takeout/Fitbit/``) or a Fitbit data export.

- ``steps-YYYY-MM-DD.json``: a JSON list of ``{"dateTime": "MM/DD/YY HH:MM:SS",
  "value": "<steps>"}``, one entry per minute.
- ``steps_YYYY-MM-DD.csv`` (newer exports): header ``timestamp,steps`` (``dateTime,value``
  is accepted too), one row per minute, ISO 8601 times.

Fitbit writes these times without a time zone. They are read in
``ReadOptions.default_tz`` (the patient's zone, chosen by the caller) and the assumption
is added to the summary's notes. Minutes with zero steps are not kept: they carry no
steps, and a zero sample would only hide other devices' steps in a priority merge.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from .csvutil import rows
from .errors import IngestError
from .limits import Limits, ReadOptions
from .records import ReadSummary, Source, StepSampleRecord
from .timeutil import finite_float

SOURCE = Source(key="fitbit:fitbit", name="Fitbit", kind="watch")
MINUTE = timedelta(minutes=1)
_REMEDY = "download the Fitbit data again and upload the steps file or the whole zip"


def sniff_json(head: bytes) -> bool:
    text = head.lstrip()
    return text.startswith(b"[") and b'"dateTime"' in head and b'"value"' in head


def sniff_csv(header: str) -> bool:
    names = [h.strip().casefold() for h in header.split(",")]
    return names[:2] in (["timestamp", "steps"], ["datetime", "value"], ["datetime", "steps"])


def _note(summary: ReadSummary, options: ReadOptions) -> None:
    summary.note(f"Fitbit times have no time zone; they were read as {options.default_tz}.")


def read_json(
    data: bytes, *, name: str, file: str, summary: ReadSummary, options: ReadOptions
) -> Iterator[StepSampleRecord]:
    try:
        doc: Any = json.loads(data)
    except (ValueError, RecursionError):
        raise IngestError(file, name, "the steps file is not valid JSON", _REMEDY) from None
    if not isinstance(doc, list):
        raise IngestError(file, name, "the steps file does not hold a list of minutes", _REMEDY)
    _note(summary, options)
    for index, item in enumerate(doc, start=1):
        locator = f"{name}, entry {index}"
        if not isinstance(item, dict):
            summary.skip(locator, "the entry is not a date and a value")
            continue
        try:
            start = datetime.strptime(str(item["dateTime"]), "%m/%d/%y %H:%M:%S").replace(
                tzinfo=options.default_tz
            )
            steps = finite_float(str(item["value"])) or 0.0
        except (KeyError, ValueError) as exc:
            summary.skip(locator, f"invalid date or value ({exc})")
            continue
        if steps < 0 or steps > 1000:
            summary.skip(locator, f"{steps:g} steps in one minute is not possible")
            continue
        if steps:
            yield StepSampleRecord(
                start=start, end=start + MINUTE, steps=round(steps), source=SOURCE
            )


def read_csv(
    stream: IO[bytes],
    *,
    name: str,
    file: str,
    summary: ReadSummary,
    limits: Limits,
    options: ReadOptions,
) -> Iterator[StepSampleRecord]:
    _, body = rows(stream, file=file, max_line=limits.max_csv_line_bytes)
    _note(summary, options)
    for line, fields in body:
        locator = f"{name}, line {line}"
        try:
            start = datetime.fromisoformat(fields[0].strip().replace("Z", "+00:00"))
            if start.tzinfo is None:
                start = start.replace(tzinfo=options.default_tz)
            steps = finite_float(fields[1]) or 0.0
        except (IndexError, ValueError) as exc:
            summary.skip(locator, f"invalid time or value ({exc})")
            continue
        if steps < 0 or steps > 1000:
            summary.skip(locator, f"{steps:g} steps in one minute is not possible")
            continue
        if steps:
            yield StepSampleRecord(
                start=start, end=start + MINUTE, steps=round(steps), source=SOURCE
            )
