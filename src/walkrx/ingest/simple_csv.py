"""The simple CSV format, for patients typing their data in a spreadsheet.

Format (UTF-8, comma- or semicolon-separated, a header row is required, column names
are case-insensitive and may come in any order):

- Daily steps: columns ``date`` and ``steps``. ``date`` is ``YYYY-MM-DD``; ``steps`` is a
  whole number for that day.
- Walks: columns ``start``, ``end`` and ``minutes``. ``start`` and ``end`` are ISO 8601
  date-times (``2024-03-01T09:00`` or ``2024-03-01 09:00``, optionally with an offset such
  as ``+01:00``); ``minutes`` is the time spent walking (pauses excluded). Optional
  columns: ``distance_km``, ``activity`` (``walking`` or ``hiking``; walking if empty).

A file may have both sets of columns; each row then fills one set or both. Times and
dates without an offset are in the patient's time zone. Example::

    date,steps,start,end,minutes,distance_km
    2024-03-01,6200,2024-03-01T09:00,2024-03-01T09:40,35,2.4
    2024-03-02,4100,,,,
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from typing import IO

from .csvutil import rows
from .errors import IngestError
from .limits import Limits, ReadOptions
from .records import Activity, ReadSummary, Source, StepSampleRecord, WorkoutRecord
from .timeutil import finite_float, parse_iso, utc_stamp

SOURCE = Source(key="csv:manual", name="CSV file", kind="manual")
_REMEDY = (
    "use a header row with date,steps and/or start,end,minutes as described in the walkrx README"
)


def sniff(header: str) -> bool:
    names = {h.strip().casefold() for h in header.replace(";", ",").split(",")}
    return {"date", "steps"} <= names or {"start", "end", "minutes"} <= names


def read_csv(
    stream: IO[bytes], *, file: str, summary: ReadSummary, limits: Limits, options: ReadOptions
) -> Iterator[StepSampleRecord | WorkoutRecord]:
    header, body = rows(stream, file=file, max_line=limits.max_csv_line_bytes)
    cols = {h.casefold(): i for i, h in enumerate(header)}
    daily = "date" in cols and "steps" in cols
    walks = all(c in cols for c in ("start", "end", "minutes"))
    if not daily and not walks:
        raise IngestError(file, "header", "the columns are not recognised", _REMEDY)
    tz = options.default_tz
    summary.note(f"Times in the CSV file without an offset were read as {tz}.")
    for line, fields in body:
        row = _Row(cols, fields)
        try:
            if daily and row["date"]:
                day = date.fromisoformat(row["date"])
                steps = finite_float(row["steps"])
                if steps is None or steps < 0 or steps > 200_000 or steps != int(steps):
                    raise ValueError("steps must be a whole number between 0 and 200,000")
                yield StepSampleRecord(
                    start=datetime.combine(day, time(), tzinfo=tz),
                    end=datetime.combine(day + timedelta(days=1), time(), tzinfo=tz),
                    steps=int(steps),
                    source=SOURCE,
                )
            if walks and row["start"]:
                yield _walk(row, tz)
        except ValueError as exc:
            summary.skip(f"line {line}", str(exc))


class _Row:
    def __init__(self, cols: dict[str, int], fields: list[str]) -> None:
        self.cols = cols
        self.fields = fields

    def __getitem__(self, name: str) -> str:
        index = self.cols.get(name)
        return self.fields[index].strip() if index is not None and index < len(self.fields) else ""


def _walk(row: _Row, tz: tzinfo) -> WorkoutRecord:
    start = parse_iso(row["start"], tz)
    end = parse_iso(row["end"], tz)
    minutes = finite_float(row["minutes"])
    if end <= start:
        raise ValueError("the walk ends before it starts")
    if minutes is None or minutes <= 0 or minutes > (end - start).total_seconds() / 60 + 1:
        raise ValueError("minutes must be more than 0 and fit between start and end")
    distance_km = finite_float(row["distance_km"] or None)
    if distance_km is not None and not 0 <= distance_km <= 200:
        raise ValueError("distance_km must be between 0 and 200")
    activity_text = row["activity"].casefold() or "walking"
    if activity_text not in ("walking", "hiking"):
        raise ValueError("activity must be walking or hiking")
    activity: Activity = "hiking" if activity_text == "hiking" else "walking"
    return WorkoutRecord(
        external_id=f"csv:{utc_stamp(start)}-{utc_stamp(end)}",
        activity=activity,
        start=start,
        end=end,
        minutes=round(minutes, 4),
        distance_m=round(distance_km * 1000, 3) if distance_km is not None else None,
        steps=None,
        energy_kcal=None,
        route_distance_m=None,
        source=SOURCE,
    )
