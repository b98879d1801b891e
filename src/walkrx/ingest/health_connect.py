"""Android Health Connect export: a zip holding ``health_connect_export.db`` (SQLite).

The database schema is internal to Android and undocumented, so tables and columns are
probed and anything missing is simply not read. Known layout (epoch milliseconds,
offsets in seconds):

- ``steps_record_table``: ``count``, ``start_time``, ``end_time``, ``start_zone_offset``,
  ``app_info_id``.
- ``exercise_session_record_table``: ``exercise_type`` (79 walking, 37 hiking),
  ``start_time``, ``end_time``, ``start_zone_offset``, ``uuid``, ``app_info_id``;
  distance and steps of a session are summed from ``distance_record_table`` and
  ``steps_record_table`` rows of the same app, apportioned by overlap.
- ``weight_record_table``: ``weight`` (grams in the versions seen; values that only make
  sense as kilograms are read as kilograms), ``time``, ``zone_offset``.
- ``application_info_table``: ``row_id``, ``package_name``, ``app_name``.

The member is copied to a private temporary file under the size cap and opened
read-only and immutable, with ``trusted_schema`` off so views or triggers in a hostile
file cannot run functions.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .archives import SafeZip
from .errors import IngestError
from .limits import Limits
from .records import (
    Activity,
    ReadSummary,
    Source,
    SourceKind,
    StepSampleRecord,
    WeightRecord,
    WorkoutRecord,
)
from .timeutil import fixed_offset, utc_stamp

DB_NAME = "health_connect_export.db"
EXERCISE_TYPES: dict[int, Activity] = {79: "walking", 37: "hiking"}
_REMEDY = "export the data again from Health Connect and upload the new zip"
SQLITE_MAGIC = b"SQLite format 3\x00"


def find_db(names: list[str]) -> str | None:
    for name in names:
        if name.rsplit("/", 1)[-1] == DB_NAME:
            return name
    return None


def read_zip(
    archive: SafeZip, *, file: str, summary: ReadSummary, limits: Limits
) -> Iterator[StepSampleRecord | WorkoutRecord | WeightRecord]:
    member = find_db(archive.names())
    if member is None:
        raise IngestError(file, None, f"the zip has no {DB_NAME}", _REMEDY)
    with tempfile.TemporaryDirectory(prefix="walkrx-hc-") as folder:
        target = Path(folder) / "export.db"
        with archive.open(member, cap=limits.max_database_bytes) as source, _private(target) as out:
            shutil.copyfileobj(source, out, 1 << 20)
        yield from read_db(target, file=file, summary=summary)


def _private(path: Path) -> IO[bytes]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def read_db(
    path: Path, *, file: str, summary: ReadSummary
) -> Iterator[StepSampleRecord | WorkoutRecord | WeightRecord]:
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise IngestError(file, DB_NAME, "the database inside the zip is not SQLite", _REMEDY)
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise IngestError(
            file, DB_NAME, f"the database cannot be opened ({exc})", _REMEDY
        ) from None
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA query_only = ON")
        reader = _Reader(conn, summary)
        yield from reader.run()
    except sqlite3.Error as exc:
        raise IngestError(file, DB_NAME, f"the database is damaged ({exc})", _REMEDY) from None
    finally:
        conn.close()


class _Reader:
    def __init__(self, conn: sqlite3.Connection, summary: ReadSummary) -> None:
        self.conn = conn
        self.summary = summary
        self.tables = {
            row[0]: self._columns(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        self.apps = self._apps()

    def _columns(self, table: str) -> set[str]:
        quoted = table.replace('"', '""')
        return {row[1] for row in self.conn.execute(f'PRAGMA table_info("{quoted}")')}

    def _has(self, table: str, *columns: str) -> bool:
        return table in self.tables and all(c in self.tables[table] for c in columns)

    def _apps(self) -> dict[Any, Source]:
        apps: dict[Any, Source] = {}
        if self._has("application_info_table", "row_id", "package_name"):
            name_col = (
                "app_name"
                if "app_name" in self.tables["application_info_table"]
                else "package_name"
            )
            query = f"SELECT row_id, package_name, {name_col} FROM application_info_table"  # noqa: S608
            for row_id, package, name in self.conn.execute(query):
                package = str(package or "unknown")
                apps[row_id] = Source(
                    key=f"health_connect:{package.casefold()}",
                    name=str(name or package),
                    kind=_kind(package),
                )
        return apps

    def source(self, app_id: Any) -> Source:
        return self.apps.get(app_id) or Source(
            key="health_connect:unknown", name="Health Connect", kind="other_app"
        )

    def run(self) -> Iterator[StepSampleRecord | WorkoutRecord | WeightRecord]:
        yield from self._steps()
        yield from self._sessions()
        yield from self._weights()

    def _select(self, table: str, wanted: list[str]) -> Iterator[dict[str, Any]]:
        have = [c for c in wanted if c in self.tables[table]]
        query = f'SELECT {", ".join(have)} FROM "{table}"'  # noqa: S608
        for row in self.conn.execute(query):
            yield dict(zip(have, row, strict=True))

    def _steps(self) -> Iterator[StepSampleRecord]:
        table = "steps_record_table"
        if not self._has(table, "count", "start_time", "end_time"):
            return
        for n, row in enumerate(
            self._select(
                table, ["count", "start_time", "end_time", "start_zone_offset", "app_info_id"]
            ),
            1,
        ):
            try:
                start = _time(row["start_time"], row.get("start_zone_offset"))
                end = _time(row["end_time"], row.get("start_zone_offset"))
                steps = int(row["count"])
            except (TypeError, ValueError, OverflowError):
                self.summary.skip(f"steps row {n}", "invalid time or count")
                continue
            if steps <= 0 or end < start:
                continue
            yield StepSampleRecord(
                start=start, end=end, steps=steps, source=self.source(row.get("app_info_id"))
            )

    def _overlap_sum(
        self, table: str, column: str, start_ms: int, end_ms: int, app: Any
    ) -> float | None:
        if not self._has(table, column, "start_time", "end_time"):
            return None
        app_clause = " AND app_info_id = ?" if "app_info_id" in self.tables[table] else ""
        params: list[Any] = [end_ms, start_ms] + ([app] if app_clause else [])
        query = (
            f'SELECT {column}, start_time, end_time FROM "{table}" '  # noqa: S608
            f"WHERE start_time < ? AND end_time > ?{app_clause}"
        )
        total = 0.0
        found = False
        for value, s, e in self.conn.execute(query, params):
            if value is None:
                continue
            span = max(int(e) - int(s), 1)
            overlap = min(int(e), end_ms) - max(int(s), start_ms)
            total += float(value) * max(0, min(overlap, span)) / span
            found = True
        return total if found else None

    def _sessions(self) -> Iterator[WorkoutRecord]:
        table = "exercise_session_record_table"
        if not self._has(table, "exercise_type", "start_time", "end_time"):
            return
        wanted = [
            "exercise_type",
            "start_time",
            "end_time",
            "start_zone_offset",
            "uuid",
            "app_info_id",
            "title",
        ]
        for n, row in enumerate(self._select(table, wanted), 1):
            locator = f"exercise session {n}"
            activity = EXERCISE_TYPES.get(int(row["exercise_type"] or -1))
            if activity is None:
                self.summary.skip(
                    locator,
                    f"not a walking or hiking session (exercise type {row['exercise_type']})",
                )
                continue
            try:
                start_ms, end_ms = int(row["start_time"]), int(row["end_time"])
                start = _time(start_ms, row.get("start_zone_offset"))
                end = _time(end_ms, row.get("start_zone_offset"))
            except (TypeError, ValueError, OverflowError):
                self.summary.skip(locator, "invalid start or end time")
                continue
            if end <= start:
                self.summary.skip(locator, "the session has no duration")
                continue
            app = row.get("app_info_id")
            steps = self._overlap_sum("steps_record_table", "count", start_ms, end_ms, app)
            distance = self._overlap_sum("distance_record_table", "distance", start_ms, end_ms, app)
            uuid = row.get("uuid")
            ident = (
                uuid.hex() if isinstance(uuid, bytes) else (str(uuid) if uuid else utc_stamp(start))
            )
            yield WorkoutRecord(
                external_id=f"health_connect:{ident}",
                activity=activity,
                start=start,
                end=end,
                minutes=round((end - start).total_seconds() / 60, 4),
                distance_m=round(distance, 3) if distance is not None else None,
                steps=round(steps) if steps is not None else None,
                energy_kcal=None,
                route_distance_m=None,
                source=self.source(app),
            )

    def _weights(self) -> Iterator[WeightRecord]:
        table = "weight_record_table"
        if not self._has(table, "weight", "time"):
            return
        for n, row in enumerate(
            self._select(table, ["weight", "time", "zone_offset", "app_info_id"]), 1
        ):
            try:
                at = _time(row["time"], row.get("zone_offset"))
                value = float(row["weight"])
            except (TypeError, ValueError, OverflowError):
                self.summary.skip(f"weight row {n}", "invalid time or weight")
                continue
            kg = value / 1000 if value > 1000 else value
            if not 2 <= kg <= 650:
                self.summary.skip(
                    f"weight row {n}", f"a body weight of {kg:.1f} kg is not possible"
                )
                continue
            yield WeightRecord(at=at, kg=round(kg, 3), source=self.source(row.get("app_info_id")))


def _time(epoch_ms: Any, offset_s: Any) -> datetime:
    tz = fixed_offset(int(offset_s)) if offset_s is not None else UTC
    if offset_s is not None and abs(int(offset_s)) > 18 * 3600:
        raise ValueError("offset out of range")
    return datetime.fromtimestamp(int(epoch_ms) / 1000, tz=UTC).astimezone(tz)


def _kind(package: str) -> SourceKind:
    p = package.casefold()
    if any(w in p for w in ("watch", "wear", "fitbit", "garmin", "samsung.health", "polar")):
        return "watch"
    if p.startswith(("com.google.android.apps.fitness", "com.sec.android")):
        return "phone"
    return "other_app"
