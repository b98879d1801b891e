"""Google Fit data from Google Takeout (``Takeout/Fit/``), English column names.

- ``All Sessions/<start>_<ACTIVITY>.json``: one session; ``walking`` and ``hiking``
  (and Google's walking variants) become walks with the session's step, distance and
  calorie aggregates. Times are UTC; the local offset is taken from the file name
  (``2024-05-22T07_57_45.601+03_00_WALKING.json``) when it has one.
- ``Daily activity metrics/YYYY-MM-DD.csv``: 15-minute rows whose times carry an offset;
  each row with a step count becomes a step sample. The date comes from the file name.
- ``Daily activity metrics/Daily activity metrics.csv``: one row per day; the step count
  becomes a whole-day sample in ``ReadOptions.default_tz``. Columns vary per account, so
  they are found by name; a row whose number of values differs from the header's cannot
  be matched to columns and is skipped. Inside a Takeout zip, days that also have a
  15-minute file are taken from that file only, so no step is counted twice.
- ``All Data`` raw streams repeat the same steps once per source and are not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from .csvutil import rows
from .errors import IngestError
from .limits import Limits, ReadOptions
from .records import Activity, ReadSummary, Source, StepSampleRecord, WorkoutRecord
from .timeutil import finite_float, fixed_offset, parse_iso, utc_stamp

SOURCE = Source(key="google_fit:google fit", name="Google Fit", kind="phone")
_ACTIVITIES: dict[str, Activity] = {
    "walking": "walking",
    "walking.fitness": "walking",
    "walking.nordic": "walking",
    "walking.treadmill": "walking",
    "walking.stroller": "walking",
    "hiking": "hiking",
}
_NAME_OFFSET_RE = re.compile(r"([+-])(\d\d)_(\d\d)(?:_[A-Z_]+)?\.json$")
_DAY_NAME_RE = re.compile(r"(\d{4}-\d\d-\d\d)\.csv$")
_REMEDY = "download the Google Takeout archive again and upload the Fit folder as a zip"


def sniff_session(head: bytes) -> bool:
    return head.lstrip().startswith(b"{") and b'"fitnessActivity"' in head


def sniff_daily_csv(header: str) -> bool:
    names = {h.strip().casefold() for h in header.split(",")}
    return "date" in names and "step count" in names


def sniff_day_csv(header: str) -> bool:
    names = {h.strip().casefold() for h in header.split(",")}
    return "start time" in names and "end time" in names and "step count" in names


def day_from_name(name: str) -> date | None:
    m = _DAY_NAME_RE.search(name)
    if not m:
        return None
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        return None


def read_session(
    data: bytes, *, name: str, file: str, summary: ReadSummary
) -> Iterator[WorkoutRecord]:
    locator = name
    try:
        doc: Any = json.loads(data)
    except (ValueError, RecursionError):
        raise IngestError(file, name, "the session file is not valid JSON", _REMEDY) from None
    if not isinstance(doc, dict):
        raise IngestError(file, name, "the session file does not hold a session", _REMEDY)
    activity_name = str(doc.get("fitnessActivity", ""))
    activity = _ACTIVITIES.get(activity_name)
    if activity is None:
        summary.skip(locator, f"not a walking or hiking session ({activity_name or 'unknown'})")
        return
    try:
        start = parse_iso(str(doc["startTime"]))
        end = parse_iso(str(doc["endTime"]))
        seconds = float(str(doc.get("duration", "")).rstrip("s") or (end - start).total_seconds())
    except (KeyError, ValueError):
        summary.skip(locator, "the session has no valid start, end or duration")
        return
    m = _NAME_OFFSET_RE.search(name)
    if m:
        offset = int(m.group(2)) * 3600 + int(m.group(3)) * 60
        tz = fixed_offset(-offset if m.group(1) == "-" else offset)
        start, end = start.astimezone(tz), end.astimezone(tz)
    aggregates: dict[str, float] = {}
    for item in doc.get("aggregate") or []:
        if isinstance(item, dict) and "metricName" in item:
            value = item.get("intValue", item.get("floatValue"))
            if isinstance(value, int | float):
                aggregates[str(item["metricName"])] = float(value)
    if seconds <= 0 or end < start:
        summary.skip(locator, "the session has no duration")
        return
    steps = aggregates.get("com.google.step_count.delta")
    distance = aggregates.get("com.google.distance.delta")
    energy = aggregates.get("com.google.calories.expended")
    yield WorkoutRecord(
        external_id=f"google_fit:{activity_name}:{utc_stamp(start)}",
        activity=activity,
        start=start,
        end=end,
        minutes=round(seconds / 60, 4),
        distance_m=round(distance, 3) if distance is not None else None,
        steps=round(steps) if steps is not None else None,
        energy_kcal=round(energy, 3) if energy is not None else None,
        route_distance_m=None,
        source=SOURCE,
    )


def read_day_csv(
    stream: IO[bytes], *, name: str, file: str, summary: ReadSummary, limits: Limits
) -> Iterator[StepSampleRecord]:
    day = day_from_name(name)
    if day is None:
        raise IngestError(
            file,
            name,
            "a Google Fit 15-minute file takes its date from its "
            "name (YYYY-MM-DD.csv), and this name has none",
            "upload the file with the name Google Takeout gave it, or the whole Takeout zip",
        )
    header, body = rows(stream, file=file, max_line=limits.max_csv_line_bytes)
    columns = {h.casefold(): i for i, h in enumerate(header)}
    i_start, i_end, i_steps = columns["start time"], columns["end time"], columns["step count"]
    for line, fields in body:
        locator = f"{name}, line {line}"
        if len(fields) != len(header):
            summary.skip(locator, "the row has a different number of values than the header")
            continue
        text = fields[i_steps].strip()
        if not text:
            continue
        try:
            steps = finite_float(text) or 0.0
            start = _day_time(day, fields[i_start])
            end = _day_time(day, fields[i_end])
        except ValueError as exc:
            summary.skip(locator, f"invalid value ({exc})")
            continue
        if end <= start:
            end += timedelta(days=1)  # the last row ends at midnight of the next day
        if steps <= 0:
            continue
        yield StepSampleRecord(start=start, end=end, steps=round(steps), source=SOURCE)


def _day_time(day: date, text: str) -> datetime:
    t = time.fromisoformat(text.strip())
    if t.tzinfo is None:
        raise ValueError(f"the time “{text}” has no offset")
    return datetime.combine(day, t)


def read_daily_csv(
    stream: IO[bytes],
    *,
    name: str,
    file: str,
    summary: ReadSummary,
    limits: Limits,
    options: ReadOptions,
    covered: frozenset[date] = frozenset(),
) -> Iterator[StepSampleRecord]:
    header, body = rows(stream, file=file, max_line=limits.max_csv_line_bytes)
    columns = {h.casefold(): i for i, h in enumerate(header)}
    i_date, i_steps = columns["date"], columns["step count"]
    noted = False
    for line, fields in body:
        locator = f"{name}, line {line}"
        if len(fields) != len(header):
            summary.skip(
                locator,
                "the row has a different number of values than the header, "
                "so its columns cannot be matched",
            )
            continue
        text = fields[i_steps].strip()
        if not text:
            continue
        try:
            day = date.fromisoformat(fields[i_date].strip())
            steps = finite_float(text) or 0.0
        except ValueError as exc:
            summary.skip(locator, f"invalid value ({exc})")
            continue
        if day in covered:
            summary.skip(locator, "the day's steps are read from its 15-minute file instead")
            continue
        if steps <= 0:
            continue
        if not noted:
            summary.note(
                f"Google Fit daily totals have no time zone; days were taken in "
                f"{options.default_tz}."
            )
            noted = True
        start = datetime.combine(day, time(), tzinfo=options.default_tz)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=options.default_tz)
        yield StepSampleRecord(start=start, end=end, steps=round(steps), source=SOURCE)
