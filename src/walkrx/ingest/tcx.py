"""Garmin Training Center (TCX) activities.

TCX only knows the sports ``Running``, ``Biking`` and ``Other``, so walks arrive as
``Other`` or ``Running``. Rule used here:

- ``Biking`` is skipped.
- ``Running`` and ``Other`` (and the non-standard ``Walking``/``Hiking`` some tools
  write) are taken as walks when the average speed over the laps' moving time is at most
  ``ReadOptions.max_walk_speed_kmh`` (7 km/h); faster ones are skipped as runs. An
  ``Other`` activity at walking pace that was not a walk (a paddle, say) cannot be told
  apart; the patient can delete it afterwards.

Moving time is the sum of the laps' ``TotalTimeSeconds`` (timer time, pauses excluded);
distance and calories are the laps' sums.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from xml.etree.ElementTree import Element

from .errors import IngestError
from .limits import ReadOptions
from .records import Activity, ReadSummary, Source, WorkoutRecord
from .timeutil import finite_float, parse_iso, plausible, utc_stamp
from .xmlsafe import defused_fromstring, local_name

_REMEDY = "export the activity again as TCX (or better, as FIT) and upload the new file"


def _children(elem: Element, name: str) -> list[Element]:
    return [child for child in elem if local_name(child.tag) == name]


def _child_text(elem: Element, name: str) -> str | None:
    for child in elem:
        if local_name(child.tag) == name:
            return (child.text or "").strip()
    return None


def read_tcx(
    data: bytes, *, file: str, summary: ReadSummary, options: ReadOptions
) -> Iterator[WorkoutRecord]:
    root = defused_fromstring(data, file=file, what="TCX file", remedy=_REMEDY)
    if local_name(root.tag) != "TrainingCenterDatabase":
        raise IngestError(file, None, "this is not a TCX file", _REMEDY)
    activities = [
        a for block in _children(root, "Activities") for a in _children(block, "Activity")
    ]
    if not activities:
        summary.skip("file", "the file holds no recorded activity (a course or a plan)")
        return
    for index, activity in enumerate(activities, start=1):
        try:
            record = _activity(activity, index, file=file, summary=summary, options=options)
        except ValueError as exc:
            summary.skip(f"activity {index}", f"the activity holds an invalid value ({exc})")
            continue
        if record is not None:
            yield record


def _creator(activity: Element) -> str:
    for child in activity:
        if local_name(child.tag) == "Creator":
            return _child_text(child, "Name") or ""
    return ""


def _activity(
    activity: Element, index: int, *, file: str, summary: ReadSummary, options: ReadOptions
) -> WorkoutRecord | None:
    locator = f"activity {index}"
    sport = (activity.get("Sport") or "Other").strip()
    if sport.casefold() == "biking":
        summary.skip(locator, "a bike ride is not counted as walking")
        return None
    kind: Activity = "hiking" if sport.casefold() == "hiking" else "walking"
    laps = _children(activity, "Lap")
    if not laps:
        summary.skip(locator, "the activity has no laps, so its duration is unknown")
        return None
    seconds = distance = calories = 0.0
    have_distance = have_calories = False
    first_start = None
    last_end = None
    for lap in laps:
        lap_start = parse_iso(lap.get("StartTime") or "")
        lap_seconds = finite_float(_child_text(lap, "TotalTimeSeconds")) or 0.0
        seconds += max(lap_seconds, 0.0)
        lap_distance = finite_float(_child_text(lap, "DistanceMeters"))
        if lap_distance is not None:
            distance += lap_distance
            have_distance = True
        lap_cal = finite_float(_child_text(lap, "Calories"))
        if lap_cal is not None:
            calories += lap_cal
            have_calories = True
        first_start = lap_start if first_start is None or lap_start < first_start else first_start
        for track in _children(lap, "Track"):
            for point in _children(track, "Trackpoint"):
                text = _child_text(point, "Time")
                if text:
                    at = parse_iso(text)
                    if last_end is None or at > last_end:
                        last_end = at
    start_text = _child_text(activity, "Id")
    start = parse_iso(start_text) if start_text else first_start
    if start is None or not plausible(start):
        summary.skip(locator, "the activity has no valid start time")
        return None
    if seconds <= 0:
        summary.skip(locator, "the activity has no duration")
        return None
    end = last_end if last_end is not None and last_end >= start else None
    if end is None:
        end = start + timedelta(seconds=seconds)
    if have_distance and distance > 0:
        speed = distance / seconds * 3.6
        if speed > options.max_walk_speed_kmh:
            summary.skip(
                locator,
                f"average speed of {speed:.1f} km/h is faster than walking (sport “{sport}”)",
            )
            return None
    creator = _creator(activity)
    source = Source(
        key="tcx:" + (" ".join(creator.casefold().split()) or "unknown"),
        name=creator or "TCX file",
        kind="watch" if creator else "other_app",
    )
    return WorkoutRecord(
        external_id=f"tcx:{utc_stamp(start)}",
        activity=kind,
        start=start,
        end=end,
        minutes=round(seconds / 60, 4),
        distance_m=round(distance, 3) if have_distance else None,
        steps=None,
        energy_kcal=round(calories, 3) if have_calories else None,
        route_distance_m=None,
        source=source,
    )
