"""The entry point: open any supported file and stream its records."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import IO, Generic, TypeVar

from . import apple_health, fit, fitbit, google_fit, gpx, health_connect, simple_csv, tcx
from .archives import SafeZip, open_file
from .detect import apple_export_member, classify_head, detect_format
from .errors import IngestError
from .limits import DEFAULT_LIMITS, DEFAULT_OPTIONS, MB, Limits, ReadOptions
from .parallel import PartOutcome, PartResult, Parts, attempt, can_fork, cpu_count
from .records import MAX_SKIPPED_EXAMPLES, Format, ReadSummary, Record, Skipped

Progress = Callable[[int, int], None]
T = TypeVar("T")

# Below this size a bare export.xml is read in one process: forking costs more than it
# saves. Each reading process gets at least this much of the file.
PARALLEL_MIN_BYTES = 32 * MB
MAX_READERS = 8
# The file is cut into this many parts per reading process, claimed by whichever is
# free: enough for the work to even out at the end, few enough that what each part costs
# (opening the file, a staging file, settling it) stays small.
PARTS_PER_READER = 8
# Up to this size a bare export.xml is written to the database while it is read (the
# database's write lock is then held for the reading too: about a second per 300 MB);
# a larger one only once every part is being read.
WRITE_WHILE_READING_MAX_BYTES = 1024 * MB

_GENERIC_REMEDY = (
    "check that the file is the unmodified export from the app; if it is, "
    "send it to the clinic so the problem can be looked at"
)


class ImportReader:
    """Iterate over the records of one file.

    The format is detected when the reader is created (so an unreadable file fails at
    once); records are then read lazily. ``summary`` fills in while iterating. Every
    failure is an :class:`IngestError`; the caller should keep the whole file's records
    in one transaction and roll back on it, since records may already have been yielded.
    """

    def __init__(
        self,
        path: Path,
        *,
        limits: Limits = DEFAULT_LIMITS,
        options: ReadOptions = DEFAULT_OPTIONS,
        progress: Progress | None = None,
        display_name: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.file = display_name or self.path.name
        self.limits = limits
        self.options = options
        self._progress = progress
        self.format = detect_format(self.path, limits=limits, display_name=self.file)
        self.summary = ReadSummary(file=self.file, format=self.format)
        self.total_bytes = self.path.stat().st_size

    def __iter__(self) -> Iterator[Record]:
        yield from self._guarded(self._records(), self.summary)
        self.progress(self.total_bytes, self.total_bytes)

    def _guarded(self, records: Iterator[Record], summary: ReadSummary) -> Iterator[Record]:
        try:
            for record in records:
                summary.count(record)
                yield record
        except IngestError:
            raise
        except MemoryError:
            raise IngestError(
                self.file,
                None,
                "the file needs more memory than the server allows",
                "split the export into smaller files",
            ) from None
        except Exception as exc:  # any library error becomes a clear message
            raise IngestError(
                self.file,
                None,
                f"the file could not be read ({type(exc).__name__})",
                _GENERIC_REMEDY,
            ) from exc

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)

    # -- parallel reading

    def readers(self) -> int:
        """How many processes :meth:`map_parts` reads the file with (1: read serially).

        Only a bare ``export.xml`` is split, when it is large, when more than one CPU is
        available and when this process runs a single thread (parts are read in forked
        processes, which is only safe then).
        """
        if self.format is not Format.APPLE_HEALTH_XML or self.total_bytes < 2 * (
            PARALLEL_MIN_BYTES
        ):
            return 1
        if not can_fork():
            return 1
        return max(1, min(cpu_count(), MAX_READERS, self.total_bytes // PARALLEL_MIN_BYTES))

    def max_parts(self) -> int:
        """How many parts :meth:`map_parts` may split the file into (1: read serially)."""
        readers = self.readers()
        return 1 if readers == 1 else readers * PARTS_PER_READER

    def map_parts(
        self,
        consume: Callable[[int, Iterator[Record]], T],
        *,
        ready: Callable[[int, T], None] | None = None,
    ) -> list[T]:
        """Call ``consume(index, records)`` on consecutive parts of the file's records.

        Together the parts hold exactly the records iteration yields, in the same order;
        ``summary`` is filled in as by iteration. Parts may be read in other (forked)
        processes at the same time, so ``consume`` must keep its output per index (for
        example in files opened before the call), and it may be called again for an
        index whose first reading had to be discarded: it should then start afresh. Its
        return value must be picklable. Returns the results in index order.

        ``ready(index, result)`` is called with each part's final result in index order:
        as soon as the part and those before it are read when the file is at most
        WRITE_WHILE_READING_MAX_BYTES, otherwise once every part is being read. When it
        raises, reading stops and the error propagates.
        """
        reading = self.start_parts(consume)
        if reading is None:
            result = consume(0, iter(self))
            if ready is not None:
                ready(0, result)
            return [result]
        return reading.finish(ready)

    def start_parts(
        self, consume: Callable[[int, Iterator[Record]], T], *, from_the_first: bool = False
    ) -> PartedReading[T] | None:
        """Plan the parts of :meth:`map_parts` and fork their readers, which start at once;
        :meth:`PartedReading.finish` then completes the reading. None when the file is
        read in one process.

        This process reads the first part when ``finish`` is called, unless
        ``from_the_first``: then the forked readers start with it, for a caller that has
        other work to do first (see :mod:`walkrx.web.imports.ahead`).
        """
        readers = self.readers()
        if readers < 2:
            return None
        with open_file(self.path, limits=self.limits, display_name=self.file) as fh:
            _, base, _ = apple_health.read_prolog(fh, file=self.file)
            points = apple_health.balanced_points(
                fh, start=base, size=self.total_bytes, parts=self.max_parts()
            )
        if not points:
            return None
        reading = PartedReading(self, points, consume)
        reading.start(readers - 1, first=0 if from_the_first else 1)
        return reading

    def report_to(self, progress: Progress | None) -> None:
        """Report progress to ``progress(done, total)`` from now on."""
        self._progress = progress

    # -- dispatch

    def _records(self) -> Iterator[Record]:
        fmt = self.format
        if fmt is Format.APPLE_HEALTH_ZIP:
            yield from self._apple_zip()
        elif fmt is Format.APPLE_HEALTH_XML:
            with open_file(self.path, limits=self.limits, display_name=self.file) as fh:
                yield from apple_health.read_export(
                    fh,
                    file=self.file,
                    summary=self.summary,
                    limits=self.limits,
                    total_bytes=self.total_bytes,
                    progress=self._progress,
                    routes=self._folder_routes(),
                )
        elif fmt in (Format.GOOGLE_TAKEOUT_ZIP, Format.FITBIT_TAKEOUT_ZIP):
            yield from self._takeout_zip()
        elif fmt is Format.HEALTH_CONNECT_ZIP:
            with SafeZip(self.path, limits=self.limits, display_name=self.file) as archive:
                yield from health_connect.read_zip(
                    archive, file=self.file, summary=self.summary, limits=self.limits
                )
        else:
            yield from self._single()

    def _document(self) -> bytes:
        if self.total_bytes > self.limits.max_document_bytes:
            raise IngestError(
                self.file,
                None,
                f"the file is larger than {self.limits.max_document_bytes:,} "
                "bytes, more than this format should ever need",
                "split it into smaller files",
            )
        with open_file(self.path, limits=self.limits, display_name=self.file) as fh:
            return fh.read(self.limits.max_document_bytes + 1)

    def _single(self) -> Iterator[Record]:
        fmt, file, summary, options = self.format, self.file, self.summary, self.options
        if fmt is Format.GPX:
            yield from gpx.read_gpx(self._document(), file=file, summary=summary, options=options)
        elif fmt is Format.FIT:
            yield from fit.read_fit(self._document(), file=file, summary=summary)
        elif fmt is Format.TCX:
            yield from tcx.read_tcx(self._document(), file=file, summary=summary, options=options)
        elif fmt is Format.GOOGLE_FIT_SESSION_JSON:
            yield from google_fit.read_session(
                self._document(), name=file, file=file, summary=summary
            )
        elif fmt is Format.FITBIT_STEPS_JSON:
            yield from fitbit.read_json(
                self._document(), name=file, file=file, summary=summary, options=options
            )
        else:
            with open_file(self.path, limits=self.limits, display_name=file) as fh:
                yield from self._csv(fmt, fh, file)

    def _csv(
        self, fmt: Format, fh: IO[bytes], name: str, covered: frozenset[date] = frozenset()
    ) -> Iterator[Record]:
        file, summary, limits, options = self.file, self.summary, self.limits, self.options
        if fmt is Format.GOOGLE_FIT_DAY_CSV:
            yield from google_fit.read_day_csv(
                fh, name=name, file=file, summary=summary, limits=limits
            )
        elif fmt is Format.GOOGLE_FIT_DAILY_CSV:
            yield from google_fit.read_daily_csv(
                fh,
                name=name,
                file=file,
                summary=summary,
                limits=limits,
                options=options,
                covered=covered,
            )
        elif fmt is Format.FITBIT_STEPS_CSV:
            yield from fitbit.read_csv(
                fh, name=name, file=file, summary=summary, limits=limits, options=options
            )
        elif fmt is Format.SIMPLE_CSV:
            yield from simple_csv.read_csv(
                fh, file=file, summary=summary, limits=limits, options=options
            )

    # -- Apple Health

    def _apple_zip(self) -> Iterator[Record]:
        with SafeZip(self.path, limits=self.limits, display_name=self.file) as archive:
            member = apple_export_member(archive)
            if member is None:
                raise IngestError(
                    self.file,
                    None,
                    "the zip holds no Apple Health export",
                    "upload the export.zip made by the Health app",
                )
            root = PurePosixPath(member).parent
            resolver = functools.partial(self._zip_route, archive, root)
            with archive.open(member) as stream:
                yield from apple_health.read_export(
                    stream,
                    file=self.file,
                    summary=self.summary,
                    limits=self.limits,
                    total_bytes=archive.members[member].file_size,
                    progress=self._progress,
                    routes=functools.cache(resolver),
                )

    def _zip_route(self, archive: SafeZip, root: PurePosixPath, ref: str) -> float | None:
        rel = _route_path(ref)
        if rel is None:
            self.summary.note(f"A workout route reference “{ref[:80]}” was ignored.")
            return None
        name = str(root / rel) if str(root) != "." else str(rel)
        if name not in archive.members:
            self.summary.note(f"A workout route file is missing from the export: {rel.name}.")
            return None
        try:
            data = archive.read(name, cap=self.limits.max_route_bytes)
            return gpx.route_length_m(data, file=self.file)
        except IngestError as exc:
            self.summary.note(f"The route {rel.name} could not be read ({exc.problem}).")
            return None

    def _folder_routes(self) -> apple_health.RouteResolver:
        base = self.path.parent

        @functools.cache
        def resolve(ref: str) -> float | None:
            rel = _route_path(ref)
            if rel is None:
                return None
            folder = (base / "workout-routes").resolve()
            candidate = (base / rel).resolve()
            if not candidate.is_relative_to(folder) or not candidate.is_file():
                return None
            if candidate.stat().st_size > self.limits.max_route_bytes:
                self.summary.note(f"The route {rel.name} is too large and was not read.")
                return None
            try:
                return gpx.route_length_m(candidate.read_bytes(), file=self.file)
            except IngestError as exc:
                self.summary.note(f"The route {rel.name} could not be read ({exc.problem}).")
                return None

        return resolve

    # -- Google / Fitbit Takeout

    def _takeout_zip(self) -> Iterator[Record]:
        with SafeZip(self.path, limits=self.limits, display_name=self.file) as archive:
            kinds: dict[str, Format] = {}
            for name in sorted(archive.names()):
                if name.lower().endswith((".json", ".csv")):
                    kind = classify_head(archive.head(name, 4096), name)
                    if kind is not None:
                        kinds[name] = kind
            covered = frozenset(
                day
                for name, kind in kinds.items()
                if kind is Format.GOOGLE_FIT_DAY_CSV
                and (day := google_fit.day_from_name(name)) is not None
            )
            total = len(kinds) or 1
            ordered = sorted(
                kinds.items(), key=lambda item: (item[1] is Format.GOOGLE_FIT_DAILY_CSV, item[0])
            )
            for done, (name, kind) in enumerate(ordered, start=1):
                short = PurePosixPath(name).name
                if kind in (Format.GOOGLE_FIT_SESSION_JSON, Format.FITBIT_STEPS_JSON):
                    data = archive.read(name, cap=self.limits.max_document_bytes)
                    if kind is Format.GOOGLE_FIT_SESSION_JSON:
                        yield from google_fit.read_session(
                            data, name=short, file=self.file, summary=self.summary
                        )
                    else:
                        yield from fitbit.read_json(
                            data,
                            name=short,
                            file=self.file,
                            summary=self.summary,
                            options=self.options,
                        )
                elif kind in (
                    Format.GOOGLE_FIT_DAY_CSV,
                    Format.GOOGLE_FIT_DAILY_CSV,
                    Format.FITBIT_STEPS_CSV,
                ):
                    with archive.open(name, cap=self.limits.max_document_bytes) as stream:
                        yield from self._csv(kind, stream, short, covered)
                self.progress(done, total)


class PartedReading(Generic[T]):
    """One reading of a bare export.xml in parts, for :meth:`ImportReader.map_parts`.

    The first part is read from the document's start, by this process unless the forked
    readers started with it. Later parts are claimed in order by whichever process is
    free, forked readers and this one, and each is read as if nothing were open at its
    start, with a summary of its own (line numbers from its start). They are then settled
    in order: a part whose start really was clean is absorbed as read; another is read
    again here from the true state.
    """

    def __init__(
        self,
        reader: ImportReader,
        points: list[int],
        consume: Callable[[int, Iterator[Record]], T],
    ) -> None:
        self.reader = reader
        self.consume = consume
        self.ready: Callable[[int, T], None] | None = None
        self.bounds = [0, *points]
        self.stops: list[int | None] = [*points, None]
        self.routes = reader._folder_routes()
        self.results: list[T] = []
        self.state = apple_health.ScanState()  # where the parts settled so far ended
        self.line = 1  # the line number at the start of the next part to settle
        self.mine = [0, 0]  # bytes of this process's finished parts, of its current part
        self.workers: Parts[T] | None = None
        self.first_is_mine = True

    def start(self, children: int, *, first: int) -> None:
        """Fork ``children`` readers, which claim parts from ``first`` on."""
        self.first_is_mine = first > 0
        self.workers = Parts(len(self.bounds), children, self.read_part, first=first)

    def stop(self) -> None:
        """Stop the forked readers (a reading that will not be finished)."""
        if self.workers is not None:
            self.workers.stop()

    def finish(self, ready: Callable[[int, T], None] | None) -> list[T]:
        """Read every part and return the results in order; ``ready`` as for
        :meth:`ImportReader.map_parts`: while later parts are read when the file is at
        most WRITE_WHILE_READING_MAX_BYTES."""
        self.ready = ready
        early = self.reader.total_bytes <= WRITE_WHILE_READING_MAX_BYTES
        workers = self.workers
        assert workers is not None
        try:
            if self.first_is_mine:
                self.results.append(self.read_settled(0, self.report))
                self.finished_mine()
                if early:
                    self.hand_over(0)
            own: dict[int, PartOutcome[T]] = {}
            while True:
                index = len(self.results)
                waiting = index < len(self.bounds) and (index in own or workers.arrived(index))
                if early and waiting:
                    outcome = own.pop(index, None) or workers.wait(index, self.report)
                    self.settle(index, outcome)
                    continue
                claimed = workers.claim()
                if claimed is None:
                    break
                own[claimed] = attempt(self.read_part, claimed, self.report)
                self.finished_mine()
            if not early and self.results:
                self.hand_over(0)
            for index in range(len(self.results), len(self.bounds)):
                outcome = own.pop(index, None) or workers.wait(index, self.report)
                self.settle(index, outcome)
        finally:
            workers.stop()
        self.reader.progress(self.reader.total_bytes, self.reader.total_bytes)
        return self.results

    def records(
        self,
        index: int,
        state: apple_health.ScanState,
        line_base: int,
        summary: ReadSummary,
        progress: Progress | None,
    ) -> Iterator[Record]:
        reader = self.reader
        with open_file(reader.path, limits=reader.limits, display_name=reader.file) as fh:
            if index == 0:
                yield from apple_health.read_export(
                    fh,
                    file=reader.file,
                    summary=summary,
                    limits=reader.limits,
                    progress=progress,
                    routes=self.routes,
                    stop=self.stops[0],
                    state=state,
                )
                return
            fh.seek(self.bounds[index])
            yield from apple_health.read_export_part(
                fh,
                offset=self.bounds[index],
                stop=self.stops[index],
                state=state,
                line_base=line_base,
                file=reader.file,
                summary=summary,
                limits=reader.limits,
                progress=progress,
                routes=self.routes,
            )

    def read_settled(self, index: int, progress: Progress | None = None) -> T:
        """Read part ``index`` from the true state where the part before it ended."""
        reader = self.reader
        records = self.records(index, self.state, self.line - 1, reader.summary, progress)
        result = self.consume(index, reader._guarded(records, reader.summary))
        self.line = self.state.end_line
        return result

    def read_part(self, index: int, progress: Progress) -> PartResult[T]:
        """Read part ``index`` as if nothing were open at its start (in any process)."""
        reader = self.reader
        summary = ReadSummary(file=reader.file, format=reader.format)
        start = self.bounds[index]
        state = apple_health.ScanState(resume_at=start)
        records = self.records(index, state, 0, summary, lambda done, _: progress(done - start, 0))
        result = self.consume(index, reader._guarded(records, summary))
        return PartResult(result, summary, state)

    def settle(self, index: int, outcome: PartOutcome[T]) -> None:
        """Judge part ``index`` against where the part before it ended, and hand it over."""
        clean = not self.state.in_correlation and self.state.resume_at <= self.bounds[index]
        if clean and isinstance(outcome, PartResult):
            _absorb(self.reader.summary, outcome.summary, self.line - 1)
            self.results.append(outcome.result)
            self.state = outcome.state
            self.line += self.state.end_line - 1
        elif clean and isinstance(outcome, IngestError):
            record = apple_health.shift_line(outcome.record, self.line - 1)
            raise IngestError(outcome.file, record, outcome.problem, outcome.remedy)
        else:
            # The cut was not at a clean boundary, or the part failed for a reason that
            # may come from it: read the part again here, from the true state.
            self.state = apple_health.ScanState(self.state.in_correlation, self.state.resume_at)
            self.results.append(self.read_settled(index))
        self.hand_over(index)

    def hand_over(self, index: int) -> None:
        if self.ready is not None:
            self.ready(index, self.results[index])

    def report(self, done: int = -1, _total: int = 0) -> None:
        if done >= 0:
            self.mine[1] = done
        assert self.workers is not None
        read = self.mine[0] + self.mine[1] + self.workers.bytes_read()
        self.reader.progress(min(read, self.reader.total_bytes), self.reader.total_bytes)

    def finished_mine(self) -> None:
        self.mine[0], self.mine[1] = self.mine[0] + self.mine[1], 0


def _absorb(summary: ReadSummary, part: ReadSummary, lines: int) -> None:
    """Add a later part's summary (line numbers counted from its start) to the summary."""
    summary.records_read += part.records_read
    summary.step_samples += part.step_samples
    summary.workouts += part.workouts
    summary.weights += part.weights
    for skipped in part.skipped:
        if len(summary.skipped) < MAX_SKIPPED_EXAMPLES:
            locator = apple_health.shift_line(skipped.locator, lines) or ""
            summary.skipped.append(Skipped(locator, skipped.reason))
    summary.skipped_count += part.skipped_count
    summary.skipped_by_reason.update(part.skipped_by_reason)
    for note in part.notes:
        summary.note(note)


def _route_path(ref: str) -> PurePosixPath | None:
    """A route reference as a relative path inside ``workout-routes/``, or None."""
    rel = PurePosixPath(ref.replace("\\", "/").lstrip("/"))
    if ".." in rel.parts or not rel.parts or rel.parts[0] != "workout-routes":
        return None
    if rel.suffix.lower() != ".gpx":
        return None
    return rel


def open_import(
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: ReadOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    display_name: str | None = None,
) -> ImportReader:
    """Detect the format of ``path`` and return a reader over its records.

    ``progress(done, total)`` is called as the file is read (bytes for big files,
    members for archives). ``display_name`` is the name shown in messages (for an
    upload, the name the patient chose rather than the temporary file's).
    """
    return ImportReader(
        path, limits=limits, options=options, progress=progress, display_name=display_name
    )


def read_file(
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    options: ReadOptions = DEFAULT_OPTIONS,
    progress: Progress | None = None,
    display_name: str | None = None,
) -> Iterator[Record]:
    """Shortcut for ``iter(open_import(...))`` when the summary is not needed."""
    return iter(
        open_import(
            path, limits=limits, options=options, progress=progress, display_name=display_name
        )
    )
