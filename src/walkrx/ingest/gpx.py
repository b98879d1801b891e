"""GPX tracks (GPX 1.0 and 1.1) as walks.

The document is first parsed with defusedxml with any DTD refused, because gpxpy hands
the text to lxml with default options; only a document that passed is given to gpxpy.

One GPX file usually holds one outing, sometimes split into several tracks by the
converter (GPSBabel writes one track per device log). Tracks whose times are less than
``TRACK_GAP`` apart are joined into one walk; a larger gap starts a new walk.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .errors import IngestError
from .limits import ReadOptions
from .records import Activity, ReadSummary, Source, WorkoutRecord
from .timeutil import fixed_offset, plausible, utc_stamp
from .xmlsafe import defused_fromstring, local_name

if TYPE_CHECKING:
    import gpxpy.gpx

TRACK_GAP = timedelta(minutes=60)
_REMEDY = "export the track again from the app or device and upload the new GPX file"
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_NOT_WALKS = (
    "run",
    "bik",
    "cycl",
    "ride",
    "driv",
    "car",
    "ski",
    "swim",
    "row",
    "paddl",
    "motor",
    "boat",
)


def decode(data: bytes, *, file: str) -> str:
    """Text of an XML document in its declared encoding (UTF-8 by default), BOM removed."""
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    else:
        m = _ENCODING_RE.match(data[:512])
        if m:
            encoding = m.group(1).decode("ascii")
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise IngestError(
            file, None, f"the text encoding is not readable ({exc})", _REMEDY
        ) from None
    return _DECL_RE.sub("", text, count=1)


def parse(data: bytes, *, file: str) -> gpxpy.gpx.GPX:
    root = defused_fromstring(data, file=file, what="GPX file", remedy=_REMEDY)
    if local_name(root.tag) != "gpx":
        raise IngestError(
            file,
            None,
            f"this is not a GPX file (its main element is “{local_name(root.tag)[:40]}”)",
            _REMEDY,
        )
    # Imported here: loading gpxpy would slow the start of every command.
    import gpxpy
    import gpxpy.gpx

    try:
        return gpxpy.parse(decode(data, file=file))
    except gpxpy.gpx.GPXException as exc:
        raise IngestError(file, None, _invalid_value_problem(str(exc)), _REMEDY) from None


def route_length_m(data: bytes, *, file: str) -> float:
    """Length along all tracks of a route file, in metres (used for Apple workout routes)."""
    gpx = parse(data, file=file)
    return float(sum(track.length_2d() for track in gpx.tracks))


def read_gpx(
    data: bytes, *, file: str, summary: ReadSummary, options: ReadOptions
) -> Iterator[WorkoutRecord]:
    gpx = parse(data, file=file)
    creator = (gpx.creator or "").strip()
    source = Source(
        key="gpx:" + (" ".join(creator.casefold().split()) or "unknown"),
        name=creator or "GPX file",
        kind="watch" if "watch" in creator.casefold() else "other_app",
    )
    if not any(seg.points for trk in gpx.tracks for seg in trk.segments):
        summary.skip("file", "no recorded track (only waypoints, a route or an empty track)")
        return

    tracks: list[tuple[int, gpxpy.gpx.GPXTrack, datetime, datetime]] = []
    for t_index, track in enumerate(gpx.tracks, start=1):
        total = timed = 0
        for s_index, segment in enumerate(track.segments, start=1):
            for p_index, point in enumerate(segment.points, start=1):
                total += 1
                if point.time is None:
                    continue
                if point.time.tzinfo is None:
                    # GPX times are UTC by definition; some writers drop the "Z".
                    point.time = point.time.replace(tzinfo=UTC)
                if not plausible(point.time):
                    summary.skip(
                        f"track {t_index}, segment {s_index}, point {p_index}",
                        "the point's time is before 1990 or in the future "
                        "(a device clock error), so it is ignored",
                    )
                    point.time = None
                    continue
                timed += 1
        if total == 0:
            continue
        if timed == 0:
            summary.skip(
                f"track {t_index}",
                "the track has no usable times, so its date and duration are unknown",
            )
            continue
        if timed * 2 < total:
            summary.skip(
                f"track {t_index}",
                f"only {timed} of {total} points have a time, so the walk's duration is unknown",
            )
            continue
        bounds = track.get_time_bounds()
        if bounds.start_time is None or bounds.end_time is None:
            continue
        tracks.append((t_index, track, bounds.start_time, bounds.end_time))

    tracks.sort(key=lambda item: item[2])
    groups: list[list[tuple[int, gpxpy.gpx.GPXTrack, datetime, datetime]]] = []
    for item in tracks:
        if groups and item[2] - groups[-1][-1][3] <= TRACK_GAP:
            groups[-1].append(item)
        else:
            groups.append([item])

    for group in groups:
        record = _walk(group, source=source, summary=summary, options=options)
        if record is not None:
            yield record


def _plain(dt: datetime) -> datetime:
    offset = dt.utcoffset()
    return dt.astimezone(fixed_offset(int(offset.total_seconds()) if offset else 0))


def _walk(
    group: list[tuple[int, gpxpy.gpx.GPXTrack, datetime, datetime]],
    *,
    source: Source,
    summary: ReadSummary,
    options: ReadOptions,
) -> WorkoutRecord | None:
    locator = "track " + ", ".join(str(index) for index, *_ in group)
    activity: Activity = "walking"
    for _, track, _, _ in group:
        kind = (track.type or "").casefold()
        if "hik" in kind or "trek" in kind:
            activity = "hiking"
        elif any(word in kind for word in _NOT_WALKS):
            summary.skip(locator, f"the track is marked as “{track.type}”, not a walk")
            return None
    moving_s = moving_m = length = 0.0
    for _, track, _, _ in group:
        data = track.get_moving_data(stopped_speed_threshold=options.stopped_speed_kmh)
        if data is not None:
            moving_s += data.moving_time
            moving_m += data.moving_distance
        length += track.length_2d()
    # gpxpy's own tzinfo class is replaced by a plain fixed offset (the file's own).
    start, end = _plain(group[0][2]), _plain(max(item[3] for item in group))
    if moving_s <= 0:
        summary.skip(locator, "the track has no movement over time")
        return None
    speed_kmh = moving_m / moving_s * 3.6
    if speed_kmh > options.max_walk_speed_kmh:
        summary.skip(
            locator,
            f"average moving speed of {speed_kmh:.1f} km/h is faster than "
            "walking (a run, ride or drive?)",
        )
        return None
    return WorkoutRecord(
        external_id=f"gpx:{utc_stamp(start)}-{utc_stamp(end)}",
        activity=activity,
        start=start,
        end=end,
        minutes=round(moving_s / 60, 4),
        distance_m=None,
        steps=None,
        energy_kcal=None,
        route_distance_m=round(length, 3),
        source=source,
    )


def _invalid_value_problem(message: str) -> str:
    """gpxpy's message, reworded for a patient: which value is wrong, not the parser's text."""
    bad = re.search(r"could not convert string to float: '([^']{0,40})'", message)
    if bad:
        return f"the GPX file holds invalid values (a number reads “{bad.group(1)}”)"
    return "the GPX file holds invalid values"
