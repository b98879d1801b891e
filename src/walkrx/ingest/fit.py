"""Garmin FIT activity files: walking and hiking sessions, using the device's own totals.

Decoded with fitdecode with CRC checking on; chained FIT files (several headers in one
file) are read in order. A CRC mismatch, a truncated file or an undecodable message
refuses the whole file: the session totals come last, so a damaged file cannot be
trusted to hold them.

Per session: ``total_timer_time`` (moving time, pauses excluded) is preferred over
``total_elapsed_time``; ``total_distance`` in metres; ``total_strides`` (``total_cycles``
read for walking) counts strides, i.e. two steps each, so steps = 2 * strides;
``total_calories`` in kcal. The local offset comes from the ``activity`` message's
``local_timestamp``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import IngestError
from .records import Activity, ReadSummary, Source, SourceKind, WorkoutRecord
from .timeutil import fixed_offset, plausible, utc_stamp

if TYPE_CHECKING:
    import fitdecode

FIT_MAGIC = b".FIT"
_REMEDY = "copy the activity file from the watch again (or re-download it) and upload it"
_WALK_SUB_SPORTS = {"indoor_walking", "casual_walking", "speed_walking"}
_APP_MAKERS = {"strava", "zwift", "development", "the_sufferfest"}


def sniff(head: bytes) -> bool:
    return len(head) >= 12 and head[0] in (12, 14) and head[8:12] == FIT_MAGIC


def read_fit(data: bytes, *, file: str, summary: ReadSummary) -> Iterator[WorkoutRecord]:
    sessions: list[dict[str, Any]] = []
    file_ids: list[dict[str, Any]] = []
    offset: timedelta | None = None
    monitoring = 0
    # Imported here: loading fitdecode would slow the start of every command.
    import fitdecode
    import fitdecode.exceptions

    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
            keep_raw_chunks=False,
        ) as reader:
            for frame in reader:
                if not isinstance(frame, fitdecode.FitDataMessage):
                    continue
                name = frame.name
                if name == "session":
                    sessions.append(_fields(frame))
                elif name == "file_id":
                    file_ids.append(_fields(frame))
                elif name == "activity" and offset is None:
                    fields = _fields(frame)
                    ts, local = fields.get("timestamp"), fields.get("local_timestamp")
                    if isinstance(ts, datetime) and isinstance(local, datetime):
                        delta = (local.replace(tzinfo=UTC) - ts).total_seconds()
                        if abs(delta) <= 14 * 3600:
                            offset = timedelta(seconds=round(delta / 900) * 900)
                elif name == "monitoring":
                    monitoring += 1
    except fitdecode.exceptions.FitHeaderError:
        raise IngestError(
            file, None, "this is not a FIT file, or its header is damaged", _REMEDY
        ) from None
    except fitdecode.exceptions.FitCRCError:
        raise IngestError(
            file, None, "the file is damaged (its checksum does not match)", _REMEDY
        ) from None
    except fitdecode.exceptions.FitEOFError:
        raise IngestError(file, None, "the file ends early (it is incomplete)", _REMEDY) from None
    except (fitdecode.exceptions.FitError, ValueError, KeyError, IndexError, TypeError) as exc:
        detail = str(exc).split(" @ ")[0][:80]
        raise IngestError(file, None, f"the file cannot be decoded ({detail})", _REMEDY) from None

    source = _source(file_ids)
    if not sessions:
        kinds = {str(f.get("type")) for f in file_ids}
        if monitoring or any("monitoring" in k for k in kinds):
            summary.skip(
                "file",
                "daily monitoring files are not imported; upload the walk's activity file instead",
            )
        else:
            summary.skip(
                "file",
                "the file holds no recorded session (a course, settings, "
                "or an unfinished activity)",
            )
        return
    tz = fixed_offset(int(offset.total_seconds())) if offset is not None else UTC
    for index, session in enumerate(sessions, start=1):
        record = _session(session, index, tz=tz, source=source, summary=summary)
        if record is not None:
            yield record


def _fields(frame: fitdecode.FitDataMessage) -> dict[str, Any]:
    return {f.name: f.value for f in frame.fields if f.value is not None}


def _source(file_ids: list[dict[str, Any]]) -> Source:
    info = file_ids[0] if file_ids else {}
    maker = str(info.get("manufacturer", "unknown"))
    product = str(info.get("garmin_product") or info.get("product") or "")
    name = f"{maker} {product}".strip()
    kind: SourceKind = "other_app" if maker in _APP_MAKERS else "watch"
    return Source(key=f"fit:{maker.casefold()}|{product.casefold()}", name=name, kind=kind)


def _session(
    session: dict[str, Any], index: int, *, tz: Any, source: Source, summary: ReadSummary
) -> WorkoutRecord | None:
    locator = f"session {index}"
    sport = str(session.get("sport", "unknown"))
    sub_sport = str(session.get("sub_sport", ""))
    activity: Activity
    if sport == "hiking":
        activity = "hiking"
    elif sport == "walking" or sub_sport in _WALK_SUB_SPORTS:
        activity = "walking"
    else:
        summary.skip(locator, f"not a walking or hiking session ({sport})")
        return None
    start = session.get("start_time")
    if not isinstance(start, datetime) or not plausible(start):
        summary.skip(locator, "the session has no valid start time")
        return None
    seconds = _number(session.get("total_timer_time")) or _number(session.get("total_elapsed_time"))
    if not seconds or seconds <= 0:
        summary.skip(locator, "the session has no duration")
        return None
    elapsed = _number(session.get("total_elapsed_time")) or seconds
    end = session.get("timestamp")
    if not isinstance(end, datetime) or end < start:
        end = start + timedelta(seconds=elapsed)
    strides = _number(session.get("total_strides", session.get("total_cycles")))
    start_local, end_local = start.astimezone(tz), end.astimezone(tz)
    return WorkoutRecord(
        external_id=f"fit:{source.key.removeprefix('fit:')}:{utc_stamp(start)}:{index}",
        activity=activity,
        start=start_local,
        end=end_local,
        minutes=round(seconds / 60, 4),
        distance_m=_rounded(_number(session.get("total_distance"))),
        steps=round(strides * 2) if strides else None,
        energy_kcal=_rounded(_number(session.get("total_calories"))),
        route_distance_m=None,
        source=source,
    )


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and value == value:
        return float(value)
    return None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
