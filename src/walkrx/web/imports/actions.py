"""Importing a phone or wearable file into a patient's record.

Reading happens first, outside any database transaction, into private staging files
(one per part of the file: a big Apple Health export.xml is read in parallel parts, see
:meth:`walkrx.ingest.ImportReader.map_parts`); then everything the file holds is written
in one transaction, so a file is imported entirely or not at all. Parts are written in
order as they come in, while later ones are still being read; the transaction starts
with the first part, or for a file above ``WRITE_WHILE_READING_MAX_BYTES`` once every
part is being read, which bounds how long the database's write lock is held. The daily
step totals of the file's days are merged last, once (see :meth:`FileWriter.merged_days`).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import operator
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max

from walkrx.core.activity import SourceKind, StepRow, merge_step_rows
from walkrx.core.errors import InvalidInput
from walkrx.ingest import (
    ReadOptions,
    ReadSummary,
    WeightRecord,
    WorkoutRecord,
    open_import,
)
from walkrx.ingest.limits import DEFAULT_LIMITS, Limits
from walkrx.ingest.parallel import can_fork, cpu_count, map_forked
from walkrx.web.accounts.models import User
from walkrx.web.activity.actions import (
    SAME_WALK_OVERLAP,
    overlap_share,
    refresh_daily_activity,
)
from walkrx.web.activity.models import DailyActivity, StepSample, Walk, WalkSource, WeightEntry
from walkrx.web.audit.actions import record_event
from walkrx.web.imports.ahead import take_read_ahead
from walkrx.web.imports.staging import SOURCE_KINDS, StagedParts, sqlite_text
from walkrx.web.patients.models import Patient

INSERT_BATCH = 5_000
# SQLite inserts step samples this many to a statement (4,000 bound values, well within
# its limit): a third fewer instructions than a statement per sample.
ROWS_PER_INSERT = 500
# Step samples of one local day can start up to 14 hours either side of its UTC day.
DAY_MARGIN = timedelta(days=1)
# An imported walk is compared with counted walks that started up to this much earlier.
SAME_WALK_WINDOW = timedelta(hours=12)
_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - SQLite keeps sample times as naive UTC
MERGE_WINDOW_SPAN = timedelta(days=31)
# Fetching the samples of a day costs about as much as merging it, so a window of days
# to merge is split where more than this many days lie between two of them.
MERGE_WINDOW_GAP = timedelta(days=3)
# The daily totals of a file's days are merged from its samples in memory, in several
# processes at once, when it holds up to this many (about 60 MB); a bigger file's days are
# merged from the database a month at a time, so memory stays flat.
MEMORY_MERGE_MAX_SAMPLES = 300_000
# Below this many samples the merge is not worth forking for.
PARALLEL_MERGE_MIN_SAMPLES = 20_000
# Samples are merged in this order (start, end, source): where one source's samples
# overlap with different UTC offsets, the merge counts the steps on the local day of the
# first, so the order must not depend on where the samples came from.
MERGE_ORDER = operator.itemgetter(0, 1, 4)
_SECONDS_PER_DAY = 86_400
_EPOCH_DAY = date(1970, 1, 1)
Progress = Callable[[int, int], None]
DayTotals = tuple[int | None, dict[str, int]]


_STEP_SAMPLE_FIELDS = (
    "source_key",
    "source_name",
    "source_kind",
    "start",
    "end",
    "utc_offset_minutes",
    "steps",
)
# PostgreSQL copies step samples into this table of the session, dropped at commit.
_NEW_STEP_SAMPLES = "walkrx_new_step_samples"


def _step_sample_columns() -> tuple[str, str]:
    """The quoted table name, and the quoted columns of step samples as staged rows hold
    them (every column but the patient's)."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(StepSample._meta.get_field(name).column) for name in _STEP_SAMPLE_FIELDS
    )
    return quote(StepSample._meta.db_table), columns


def _insert_step_sample_sql(patient_id: int, rows: int) -> str:
    """One INSERT of ``rows`` step samples of a patient, with SQLite's ``?`` parameters,
    skipping stored ones."""
    table, columns = _step_sample_columns()
    patient = connection.ops.quote_name(StepSample._meta.get_field("patient").column)
    values = ", ".join([f"({int(patient_id)}, ?, ?, ?, ?, ?, ?, ?)"] * rows)
    # Names come from the model, quoted by the backend; the patient's id is an integer;
    # values are bound.
    return (
        f"INSERT INTO {table} ({patient}, {columns}) VALUES {values} "  # noqa: S608
        "ON CONFLICT DO NOTHING"
    )


@dataclass
class ImportOutcome:
    """What one file added to the patient's record."""

    summary: ReadSummary
    new_step_samples: int = 0
    new_walks: int = 0
    walks_already_known: int = 0
    walks_counted_elsewhere: int = 0
    new_weights: int = 0
    days_with_steps: int = 0
    first_day: date | None = None
    last_day: date | None = None
    affected_days: set[date] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "file": summary.file,
            "format": summary.format.value if summary.format else "",
            "records_read": summary.records_read,
            "step_samples_read": summary.step_samples,
            "new_step_samples": self.new_step_samples,
            "days_with_steps": self.days_with_steps,
            "walks_read": summary.workouts,
            "new_walks": self.new_walks,
            "walks_already_known": self.walks_already_known,
            "walks_counted_elsewhere": self.walks_counted_elsewhere,
            "weights_read": summary.weights,
            "new_weights": self.new_weights,
            "skipped": summary.skipped_count,
            "skipped_by_reason": dict(summary.skipped_by_reason.most_common(20)),
            "skipped_examples": [
                {"record": item.locator, "reason": item.reason} for item in summary.skipped[:20]
            ],
            "notes": list(summary.notes),
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    patient: Patient,
    path: Path,
    *,
    by: User | None,
    display_name: str | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportOutcome:
    """Read ``path`` and add its walks, steps and weights to ``patient``'s record.

    Raises IngestError (with the file, the record and what to do) when the file is
    refused; the database is then unchanged. A reading of ``path`` already started by the
    command (see :mod:`walkrx.web.imports.ahead`) is carried on rather than started again.
    """
    as_text = connection.vendor == "sqlite"
    ahead = None if display_name else take_read_ahead(path, limits=limits, as_text=as_text)
    if ahead is not None:
        reader, staged, reading = ahead.reader, ahead.staged, ahead.reading
        reader.report_to(progress)
    else:
        options = ReadOptions(default_tz=patient.clinic.zone)
        reader = open_import(
            path, limits=limits, options=options, progress=progress, display_name=display_name
        )
        # One staging file per part of the file; big exports are read in parallel parts.
        staging_dir = Path(settings.FILE_UPLOAD_TEMP_DIR)
        staged = StagedParts(reader.max_parts(), staging_dir, as_text=as_text)
        reading = None
    outcome = ImportOutcome(summary=reader.summary)
    writer = FileWriter(patient, outcome)
    with ExitStack() as stack:
        stack.enter_context(closing(staged))

        def write_part(index: int, _: None) -> None:
            if index == 0:
                # Exited (committed, or rolled back on an error) before the staging files.
                stack.enter_context(transaction.atomic())
                writer.begin()
            writer.add(staged.batches(index))

        if reading is not None:
            reading.finish(write_part)
        else:
            reader.map_parts(staged.stage_part, ready=write_part)
        writer.finish()
        record_event(
            actor=by,
            action="import file",
            patient=patient,
            detail=f"{outcome.summary.file} ({outcome.summary.format})",
        )
    return outcome


class FileWriter:
    """Writes what one file holds, part by part, inside the caller's transaction.

    ``begin`` notes what is stored before the file; ``add`` writes a part's staged step
    samples and weights (walks wait for the end, to be compared across the whole file);
    ``finish`` adds the walks and brings the daily totals up to date.
    """

    def __init__(self, patient: Patient, outcome: ImportOutcome) -> None:
        self.patient = patient
        self.outcome = outcome
        self.step_days: set[date] = set()
        self.workouts: list[WorkoutRecord] = []
        # The file's step samples as the daily merge reads them; None once too many.
        self.samples: list[StepRow] | None = []
        self.samples_before = self.weights_before = 0
        self.last_sample_before = 0

    def begin(self) -> None:
        patient = self.patient
        # ignore_conflicts inserts do not report what was new, so count around the file.
        self.samples_before = StepSample.objects.filter(patient=patient).count()
        self.weights_before = WeightEntry.objects.filter(patient=patient).count()
        # Samples stored before the file are told from the file's own by their keys.
        self.last_sample_before = StepSample.objects.aggregate(last=Max("pk"))["last"] or 0

    def add(self, batches: Iterator[Any]) -> None:
        for rows, merge_rows, others, days in batches:
            if rows:
                insert_step_samples(self.patient.pk, rows)
                self.step_days |= days
                self.keep_samples(merge_rows)
            self.workouts.extend(r for r in others if isinstance(r, WorkoutRecord))
            weights = [r for r in others if isinstance(r, WeightRecord)]
            if weights:
                store_weights(self.patient, weights)

    def keep_samples(self, merge_rows: list[tuple[Any, ...]]) -> None:
        if self.samples is None:
            return
        if len(self.samples) + len(merge_rows) > MEMORY_MERGE_MAX_SAMPLES:
            self.samples = None
            return
        self.samples.extend(merge_rows)

    def finish(self) -> None:
        patient, outcome, step_days = self.patient, self.outcome, self.step_days
        outcome.new_step_samples = (
            StepSample.objects.filter(patient=patient).count() - self.samples_before
        )
        outcome.new_weights = (
            WeightEntry.objects.filter(patient=patient).count() - self.weights_before
        )
        walk_days = store_workouts(patient, self.workouts, outcome)
        if walk_days:
            refresh_daily_activity(patient, walk_days)
        if step_days:
            totals = self.merged_days() if self.samples is not None else None
            if totals is None:
                outcome.days_with_steps = refresh_daily_steps(patient, step_days)
            else:
                store_daily_steps(patient, totals)
                outcome.days_with_steps = sum(1 for steps, _ in totals.values() if steps)
            outcome.first_day, outcome.last_day = min(step_days), max(step_days)
        outcome.affected_days = step_days | walk_days

    def merged_days(self) -> dict[date, DayTotals] | None:
        """What :func:`refresh_daily_steps` would store for the file's days, merged from
        samples in memory: those stored before the file near its days, then the file's,
        each span kept once, as the database keeps it. Groups of days are merged in
        several processes at once when the file is big.

        None when a sample cannot be merged (the database merge then reports it).
        """
        assert self.samples is not None
        days = sorted(self.step_days)
        stored = fetch_step_rows(
            self.patient,
            since=day_start(days[0] - DAY_MARGIN),
            until=day_start(days[-1] + 2 * DAY_MARGIN),
            up_to_pk=self.last_sample_before,
        )
        # Each span once: the first received, as the database keeps it (stored first).
        first_of_span = {
            (row[4], row[0], row[1]): row
            for row in itertools.chain(reversed(self.samples), reversed(stored))
        }
        self.samples = None
        samples = sorted(first_of_span.values(), key=MERGE_ORDER)
        del first_of_span
        groups = 1
        if len(samples) >= PARALLEL_MERGE_MIN_SAMPLES and can_fork():
            groups = min(cpu_count(), len(days))
        starts = [row[0] for row in samples]
        chunks: list[tuple[list[StepRow], list[date]]] = []
        for group in range(groups):
            wanted = days[len(days) * group // groups : len(days) * (group + 1) // groups]
            since, until = merge_span(wanted)
            first, last = bisect.bisect_left(starts, since), bisect.bisect_left(starts, until)
            chunks.append((samples[first:last], wanted))
        try:
            merged = map_forked(merge_days, chunks)
        except InvalidInput:
            return None
        return {day: totals for part in merged for day, totals in part.items()}


def day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def merge_span(days: list[date]) -> tuple[float, float]:
    """POSIX seconds from which to which samples must start to be merged for ``days``
    (in order): from the UTC day before the first to two days after the last."""
    since = day_start(days[0] - DAY_MARGIN).timestamp()
    return since, day_start(days[-1] + 2 * DAY_MARGIN).timestamp()


def merge_days(chunk: tuple[list[StepRow], list[date]]) -> dict[date, DayTotals]:
    """The stored totals of some days as :func:`merge_window` gives them.

    ``chunk`` holds the samples of :func:`merge_span` of the days, each span once, in
    :data:`MERGE_ORDER`, and the days, in order.
    """
    samples, days = chunk
    merged = merge_step_rows(samples)
    return {day: (merged.daily.get(day), dict(merged.per_source.get(day, {}))) for day in days}


def store_daily_steps(patient: Patient, totals: dict[date, DayTotals]) -> None:
    DailyActivity.objects.bulk_create(
        [
            DailyActivity(patient=patient, date=day, steps=steps, steps_by_source=by_source)
            for day, (steps, by_source) in sorted(totals.items())
        ],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["patient", "date"],
        update_fields=["steps", "steps_by_source"],
    )


def insert_step_samples(patient_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Insert a patient's staged samples, skipping ones already stored (re-imports,
    overlapping exports).

    Exports hold hundreds of thousands of samples, so rows go to the database as plain
    values through the driver's own cursor, in the form each database takes fastest:
    SQLite :data:`ROWS_PER_INSERT` rows to a statement; PostgreSQL a COPY into a table
    of the session, then one INSERT from it (Django's cursor would have psycopg merge
    every value into the SQL text in Python). Both run inside the caller's transaction.
    """
    if not rows:
        return
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        _copy_step_samples(patient_id, rows)
        return
    full = _insert_step_sample_sql(patient_id, ROWS_PER_INSERT)
    cursor = connection.connection.cursor()
    try:
        for first in range(0, len(rows), ROWS_PER_INSERT):
            batch = rows[first : first + ROWS_PER_INSERT]
            sql = (
                full
                if len(batch) == ROWS_PER_INSERT
                else _insert_step_sample_sql(patient_id, len(batch))
            )
            cursor.execute(sql, [value for row in batch for value in row])
    finally:
        cursor.close()


def _copy_step_samples(patient_id: int, rows: list[tuple[Any, ...]]) -> None:
    import psycopg

    table, columns = _step_sample_columns()
    patient = connection.ops.quote_name(StepSample._meta.get_field("patient").column)
    new = _NEW_STEP_SAMPLES
    # Names come from the model and a constant, quoted by the backend; values are copied.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {new} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {new} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({patient}, {columns}) "  # noqa: S608
            f"SELECT %s, {columns} FROM {new} ON CONFLICT DO NOTHING",
            [patient_id],
        )
        cursor.execute(f"TRUNCATE {new}")


def store_workouts(
    patient: Patient, records: list[WorkoutRecord], outcome: ImportOutcome
) -> set[date]:
    """Add the file's walks in file order; returns the local days that got a new walk.

    A walk whose external id is already stored (or came earlier in the file) is skipped;
    one that covers the same time as a counted walk (logged by hand, or from another file
    or device) is kept but marked as its duplicate. The checks run against walks loaded
    once, not one query per walk.
    """
    if not records:
        return set()
    known = _known_external_ids(patient, [r.external_id[:200] for r in records])
    counted = _CountedWalks(
        patient,
        min(r.start for r in records) - SAME_WALK_WINDOW,
        max(r.end for r in records),
    )
    new: list[Walk] = []
    twins: list[tuple[Walk, Walk]] = []
    for record in records:
        external_id = record.external_id[:200]
        if external_id in known:
            outcome.walks_already_known += 1
            continue
        known.add(external_id)
        walk = Walk(
            patient=patient,
            started_at=record.start,
            local_date=record.start.date(),
            minutes=round(record.minutes, 1),
            steps=record.steps,
            distance_m=record.best_distance_m,
            route_distance_m=record.route_distance_m,
            source=WalkSource.IMPORT,
            device=record.source.name[:120],
            external_id=external_id,
        )
        twin = counted.same_walk(record)
        if twin is None:
            counted.add(walk)
        else:
            outcome.walks_counted_elsewhere += 1
            twins.append((walk, twin))
        new.append(walk)
    outcome.new_walks += len(new)
    if connection.features.can_return_rows_from_bulk_insert:
        # A twin from this same file gets its key only when inserted: link it after.
        later = [(walk, twin) for walk, twin in twins if twin.pk is None]
        for walk, twin in twins:
            if twin.pk is not None:
                walk.duplicate_of = twin
        Walk.objects.bulk_create(new, batch_size=INSERT_BATCH // 10)
        for walk, twin in later:
            walk.duplicate_of = twin
        Walk.objects.bulk_update(
            [walk for walk, _ in later], ["duplicate_of"], batch_size=INSERT_BATCH // 10
        )
    else:  # pragma: no cover - every supported database returns new keys
        duplicate = {id(walk): twin for walk, twin in twins}
        for walk in new:
            walk.duplicate_of = duplicate.get(id(walk))
            walk.save(force_insert=True)
    return {walk.local_date for walk in new}


def _known_external_ids(patient: Patient, ids: list[str]) -> set[str]:
    known: set[str] = set()
    wanted = sorted(set(ids))
    for first in range(0, len(wanted), 500):
        known.update(
            Walk.objects.filter(
                patient=patient, external_id__in=wanted[first : first + 500]
            ).values_list("external_id", flat=True)
        )
    return known


class _CountedWalks:
    """The patient's counted walks (not duplicates) between two instants, by start time."""

    def __init__(self, patient: Patient, since: datetime, until: datetime) -> None:
        walks = Walk.objects.filter(
            patient=patient,
            duplicate_of__isnull=True,
            started_at__gte=since,
            started_at__lte=until,
        ).order_by("started_at", "pk")
        self.walks: list[Walk] = list(walks.only("pk", "started_at", "minutes"))
        self.starts = [walk.started_at for walk in self.walks]

    def add(self, walk: Walk) -> None:
        index = bisect.bisect_right(self.starts, walk.started_at)
        self.starts.insert(index, walk.started_at)
        self.walks.insert(index, walk)

    def same_walk(self, record: WorkoutRecord) -> Walk | None:
        """A counted walk covering this time: logged by hand or from another file."""
        first = bisect.bisect_left(self.starts, record.start - SAME_WALK_WINDOW)
        last = bisect.bisect_right(self.starts, record.end)
        for walk in self.walks[first:last]:
            if overlap_share(record.start, record.minutes, walk.started_at, walk.minutes) >= (
                SAME_WALK_OVERLAP
            ):
                return walk
        return None


def store_weights(patient: Patient, records: list[WeightRecord]) -> None:
    rows = [
        WeightEntry(
            patient=patient,
            measured_at=record.at,
            kg=round(record.kg, 1),
            source=record.source.name[:120] or "imported",
        )
        for record in records
    ]
    WeightEntry.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)


def refresh_daily_steps(patient: Patient, days: set[date]) -> int:
    """Merge all sources' samples per local day by priority and store the daily totals.

    Works through the days in windows of at most a month, so memory stays flat however
    many years an export covers; a window ends early at a gap in the days, so days far
    apart (where the parts of a big file meet) do not fetch the samples in between.
    Returns how many days have steps.
    """
    with_steps = 0
    window: list[date] = []
    for day in sorted(days):
        if window and (day - window[-1] > MERGE_WINDOW_GAP or day - window[0] >= MERGE_WINDOW_SPAN):
            with_steps += merge_window(patient, window[0], window[-1], set(window))
            window = []
        window.append(day)
    if window:
        with_steps += merge_window(patient, window[0], window[-1], set(window))
    return with_steps


def merge_window(patient: Patient, first: date, last: date, wanted: set[date]) -> int:
    rows = fetch_step_rows(
        patient, since=day_start(first - DAY_MARGIN), until=day_start(last + 2 * DAY_MARGIN)
    )
    merged = merge_step_rows(rows)
    rows_out = [
        DailyActivity(
            patient=patient,
            date=day,
            steps=merged.daily.get(day),
            steps_by_source=dict(merged.per_source.get(day, {})),
        )
        for day in sorted(wanted)
    ]
    DailyActivity.objects.bulk_create(
        rows_out,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["patient", "date"],
        update_fields=["steps", "steps_by_source"],
    )
    return sum(1 for day in wanted if merged.daily.get(day))


def fetch_step_rows(
    patient: Patient, *, since: datetime, until: datetime, up_to_pk: int | None = None
) -> list[StepRow]:
    """The patient's stored samples starting in ``[since, until)`` as merge rows, in
    :data:`MERGE_ORDER`; with ``up_to_pk``, only those with keys up to it."""
    quote = connection.ops.quote_name
    table = quote(StepSample._meta.db_table)
    to_db = database_datetime()
    start_col, end_col = quote("start"), quote("end")
    if connection.vendor == "sqlite":
        # Whole-second times (naive UTC text of 19 characters) come back as POSIX seconds
        # computed by SQLite; others as plain text, which fromisoformat reads far faster
        # than the backend's datetime converter. Both give what .timestamp() gives.
        start_col, end_col = (
            f"CASE WHEN length({col}) = 19 THEN CAST(strftime('%%s', {col}) AS REAL) "
            f"ELSE CAST({col} AS TEXT) END"
            for col in (start_col, end_col)
        )
    condition, parameters = "", [patient.pk, to_db(since), to_db(until)]
    if up_to_pk is not None:
        condition = f" AND {quote('id')} <= %s"
        parameters.append(up_to_pk)
    with connection.cursor() as cursor:
        # A plain query: converting each row through the ORM would cost more than merging.
        cursor.execute(
            f"SELECT {start_col}, {end_col}, utc_offset_minutes, steps, "  # noqa: S608
            f"source_key, source_kind FROM {table} "
            f"WHERE patient_id = %s AND {quote('start')} >= %s AND {quote('start')} < %s"
            f"{condition} ORDER BY {quote('start')}, {quote('end')}, source_key",
            parameters,
        )
        fetched = cursor.fetchall()
    return [
        (
            _timestamp(start),
            _timestamp(end),
            offset * 60,
            steps,
            source_key,
            SOURCE_KINDS.get(source_kind, SourceKind.OTHER_APP),
        )
        for start, end, offset, steps, source_key, source_kind in fetched
    ]


def database_datetime() -> Callable[[datetime], Any]:
    """How an aware datetime is sent to the database (SQLite: naive UTC text, as Django)."""
    if connection.vendor == "sqlite":
        return sqlite_text
    return lambda moment: moment


def _timestamp(value: Any) -> float:
    """POSIX seconds of a stored sample time (SQLite: seconds or naive UTC text)."""
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        # Same value as .replace(tzinfo=UTC).timestamp(), without the slow replace().
        return (datetime.fromisoformat(value) - _EPOCH).total_seconds()
    assert isinstance(value, datetime)
    return value.timestamp()
