"""Staging a file's records before they are written: rows ready for the database.

A big export holds hundreds of thousands of step samples. Each is turned, once, into
the row the database stores and the row the daily merge reads, and both are kept in a
private temporary file (one per part of the file, see :class:`StagedParts`) until the
part is written. What a sample time becomes is computed per hour, not per sample (see
:class:`SampleTimes`).

Nothing here needs Django, so that a big export can be read and staged while the
command that imports it is still starting (see :mod:`walkrx.web.imports.ahead`).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import IO, Any, Final

from walkrx.core.activity import SourceKind
from walkrx.ingest import StepSampleRecord

STAGING_BATCH = 20_000
SOURCE_KINDS: Final = {
    "manual": SourceKind.MANUAL,
    "watch": SourceKind.WATCH,
    "phone": SourceKind.PHONE,
    "other_app": SourceKind.OTHER_APP,
}
# Step samples keep at most this much of their source's key and name (the columns' size).
SOURCE_TEXT_MAX = 200

_TWO_DIGITS: Final = tuple(f"{i:02d}" for i in range(60))
_COLON_TWO_DIGITS: Final = tuple(f":{i:02d}" for i in range(60))
_SECOND: Final = timedelta(seconds=1)
_DAY_SECONDS: Final = 86_400
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


class StagedParts:
    """A private staging file for each part of one file, filled by :meth:`stage_part`.

    ``as_text`` says how sample times are staged: as SQLite's text (True) or as
    datetimes (PostgreSQL). Closing the files deletes them.
    """

    def __init__(self, parts: int, directory: Path, *, as_text: bool) -> None:
        self.as_text = as_text
        self.files: list[IO[bytes]] = []
        try:
            for _ in range(parts):
                # Kept open beyond this call; closed (and so deleted) by close().
                file = tempfile.TemporaryFile(dir=directory, prefix="walkrx-staging-")  # noqa: SIM115
                self.files.append(file)
        except BaseException:
            self.close()
            raise

    def stage_part(self, index: int, records: Iterator[Any]) -> None:
        """Stage part ``index``'s records, replacing what an earlier reading of it staged."""
        target = self.files[index]
        target.seek(0)
        target.truncate()
        stage(records, target, as_text=self.as_text)
        target.flush()

    def batches(self, index: int) -> Iterator[tuple[Any, ...]]:
        return unstage(self.files[index])

    def close(self) -> None:
        for file in self.files:
            file.close()


def stage(records: Iterator[Any], staging: IO[bytes], *, as_text: bool) -> None:
    """Write the file's records to the staging file in batches.

    Step samples, by far the most numerous, are staged twice: as ready-to-insert row
    tuples (every column but the patient, added when they are written) and as the rows
    the daily merge reads (:data:`walkrx.core.activity.StepRow`); workouts and weights as
    records. Each batch also carries the local days its step samples fall on. Sample
    times are staged as SQLite's text with ``as_text``, as datetimes otherwise.
    """
    times = SampleTimes(as_text=as_text)
    rows: list[tuple[Any, ...]] = []
    merge_rows: list[tuple[Any, ...]] = []
    others: list[Any] = []
    days: set[int] = set()
    last_source = None
    key = name = kind = ""
    merge_kind = SourceKind.OTHER_APP
    for record in records:
        if type(record) is StepSampleRecord:
            source = record.source
            if source is not last_source:
                last_source = source
                key, name = source.key[:SOURCE_TEXT_MAX], source.name[:SOURCE_TEXT_MAX]
                kind = source.kind
                merge_kind = SOURCE_KINDS.get(kind, SourceKind.OTHER_APP)
            start_value, start_seconds, offset, start_day = times(record.start)
            end_value, end_seconds, _, end_day = times(record.end)
            steps = record.steps
            rows.append((key, name, kind, start_value, end_value, offset, steps))
            merge_rows.append((start_seconds, end_seconds, offset * 60, steps, key, merge_kind))
            # A sample that runs past midnight also counts on the next local day.
            days.add(start_day)
            days.add(end_day)
        else:
            others.append(record)
        if len(rows) + len(others) >= STAGING_BATCH:
            _dump(staging, rows, merge_rows, others, days)
            rows, merge_rows, others, days = [], [], [], set()
    if rows or others:
        _dump(staging, rows, merge_rows, others, days)


def _dump(
    staging: IO[bytes],
    rows: list[tuple[Any, ...]],
    merge_rows: list[tuple[Any, ...]],
    others: list[Any],
    days: set[int],
) -> None:
    local_days = {date.fromordinal(day) for day in days}
    pickle.dump((rows, merge_rows, others, local_days), staging, pickle.HIGHEST_PROTOCOL)


def unstage(staging: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    """The batches :func:`stage` wrote, from the start of the file."""
    # The staging file was written by stage() moments ago in a private temporary file.
    staging.seek(0)
    while True:
        try:
            yield pickle.load(staging)  # noqa: S301
        except EOFError:
            return


def sqlite_text(moment: datetime) -> str:
    """The naive UTC time's isoformat(" "): the aware one's without "+00:00"."""
    return moment.astimezone(UTC).isoformat(" ")[:-6]


def offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


class SampleTimes:
    """What staging needs of a sample time: the value the database stores (SQLite: the
    text of :func:`sqlite_text`; otherwise the datetime itself), its POSIX seconds, its
    UTC offset in minutes and the ordinal of its local day.

    Nearly every time in an export is a whole second at a fixed whole-minute offset. For
    those the seconds are plain arithmetic on the local day and time, and the text of each
    UTC hour is cached. Anything else (zones with rules, fractions of a second, offsets
    with seconds, times beyond the text's range) goes the plain way.
    """

    __slots__ = ("_as_text", "_offsets", "_utc_hours")

    MAX_HOURS: Final = 200_000

    def __init__(self, *, as_text: bool) -> None:
        self._as_text = as_text
        # Fixed offsets -> their seconds; None when not whole minutes.
        self._offsets: dict[tzinfo, int | None] = {}
        # POSIX hour -> "YYYY-MM-DD HH:" of that UTC hour.
        self._utc_hours: dict[int, str] = {}

    def __call__(self, moment: datetime) -> tuple[Any, float, int, int]:
        tz = moment.tzinfo
        if moment.microsecond or type(tz) is not timezone:
            return self._plain(moment)
        try:
            offset = self._offsets[tz]
        except KeyError:
            offset = self._offset(tz)
        if offset is None:
            return self._plain(moment)
        day = moment.toordinal()
        seconds = (
            (day - _EPOCH_ORDINAL) * _DAY_SECONDS
            + moment.hour * 3600
            + moment.minute * 60
            + moment.second
            - offset
        )
        if not self._as_text:
            return moment, seconds, offset // 60, day
        utc_hour, rest = divmod(seconds, 3600)
        prefix = self._utc_hours.get(utc_hour)
        if prefix is None:
            prefix = self._utc_hour(utc_hour)
            if prefix is None:
                return self._plain(moment)
        text = prefix + _TWO_DIGITS[rest // 60] + _COLON_TWO_DIGITS[rest % 60]
        return text, seconds, offset // 60, day

    def _offset(self, tz: timezone) -> int | None:
        offset = tz.utcoffset(None)
        seconds = None if offset.microseconds or offset.seconds % 60 else offset // _SECOND
        self._offsets[tz] = seconds
        return seconds

    def _utc_hour(self, utc_hour: int) -> str | None:
        try:
            text = datetime.fromtimestamp(utc_hour * 3600, UTC).isoformat(" ")[:14]
        except (OverflowError, ValueError, OSError):
            return None
        if len(self._utc_hours) >= self.MAX_HOURS:
            self._utc_hours.clear()
        self._utc_hours[utc_hour] = text
        return text

    def _plain(self, moment: datetime) -> tuple[Any, float, int, int]:
        value = sqlite_text(moment) if self._as_text else moment
        return value, moment.timestamp(), offset_minutes(moment), moment.toordinal()
