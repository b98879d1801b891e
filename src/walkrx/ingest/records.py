"""Plain records produced by every reader, independent of the file format."""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

SourceKind = Literal["manual", "watch", "phone", "other_app"]
Activity = Literal["walking", "hiking"]


class Format(enum.StrEnum):
    APPLE_HEALTH_ZIP = "apple_health_zip"
    APPLE_HEALTH_XML = "apple_health_xml"
    GPX = "gpx"
    FIT = "fit"
    TCX = "tcx"
    GOOGLE_TAKEOUT_ZIP = "google_takeout_zip"
    GOOGLE_FIT_DAILY_CSV = "google_fit_daily_csv"
    GOOGLE_FIT_DAY_CSV = "google_fit_day_csv"
    GOOGLE_FIT_SESSION_JSON = "google_fit_session_json"
    FITBIT_TAKEOUT_ZIP = "fitbit_takeout_zip"
    FITBIT_STEPS_JSON = "fitbit_steps_json"
    FITBIT_STEPS_CSV = "fitbit_steps_csv"
    HEALTH_CONNECT_ZIP = "health_connect_zip"
    SIMPLE_CSV = "simple_csv"


@dataclass(frozen=True, slots=True)
class Source:
    """Where samples came from.

    ``key`` is normalised (format prefix, source name, device model; never a device's
    memory address or serial-like detail that changes between records) so that the same
    phone always maps to the same key across records and re-imports.
    """

    key: str
    name: str
    kind: SourceKind


class StepSampleRecord(NamedTuple):
    """Steps counted between ``start`` and ``end`` (aware datetimes in the file's own offset).

    A named tuple rather than a dataclass like the other records: exports hold hundreds
    of thousands of samples, and a tuple is several times cheaper to build.
    """

    start: datetime
    end: datetime
    steps: int
    source: Source


@dataclass(frozen=True, slots=True)
class WorkoutRecord:
    """A walking or hiking session.

    ``minutes`` is moving time (pauses excluded). ``distance_m`` is the distance the
    device or app reported; ``route_distance_m`` is measured along the GPS route when
    one exists. ``external_id`` is a stable natural key: reading the same workout from
    the same or a newer export gives the same value.
    """

    external_id: str
    activity: Activity
    start: datetime
    end: datetime
    minutes: float
    distance_m: float | None
    steps: int | None
    energy_kcal: float | None
    route_distance_m: float | None
    source: Source

    @property
    def best_distance_m(self) -> float | None:
        return self.distance_m if self.distance_m is not None else self.route_distance_m


@dataclass(frozen=True, slots=True)
class WeightRecord:
    at: datetime
    kg: float
    source: Source


Record = StepSampleRecord | WorkoutRecord | WeightRecord


@dataclass(frozen=True, slots=True)
class Skipped:
    """One record that was not imported: ``locator`` says where it is, ``reason`` why."""

    locator: str
    reason: str


MAX_SKIPPED_EXAMPLES = 200


@dataclass
class ReadSummary:
    """What a reader did with one file; filled in while records stream.

    ``skipped`` keeps the first ``MAX_SKIPPED_EXAMPLES`` examples; ``skipped_by_reason``
    counts all of them. ``notes`` holds assumptions the import relied on (for example the
    time zone used for a format that has none), to be shown with the result.
    """

    file: str
    format: Format | None = None
    records_read: int = 0
    step_samples: int = 0
    workouts: int = 0
    weights: int = 0
    skipped_count: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    skipped_by_reason: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def skip(self, locator: str, reason: str) -> None:
        self.skipped_count += 1
        self.skipped_by_reason[reason] += 1
        if len(self.skipped) < MAX_SKIPPED_EXAMPLES:
            self.skipped.append(Skipped(locator, reason))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def count(self, record: Record) -> None:
        self.records_read += 1
        if isinstance(record, StepSampleRecord):
            self.step_samples += 1
        elif isinstance(record, WorkoutRecord):
            self.workouts += 1
        else:
            self.weights += 1
