"""Size limits and reading options shared by all readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo

GB = 1024**3
MB = 1024**2


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps enforced while reading; every one is counted on real bytes, never on headers.

    Defaults:

    - ``max_file_bytes`` 4 GB: the uploaded file itself (same default as the upload cap).
    - ``max_member_bytes`` 16 GB: one decompressed zip member (the biggest known Apple
      ``export.xml`` is about 3 GB; a 4 GB zip of XML can hold about 20 GB).
    - ``max_total_bytes`` 20 GB: all members read from one archive together.
    - ``max_entries`` 10,000 zip entries (ten years of routes plus daily Takeout files fit).
    - ``max_element_bytes`` 32 MB: one XML record or workout, including children.
    - ``max_route_bytes`` 64 MB: one workout-route GPX inside an Apple export.
    - ``max_document_bytes`` 64 MB: formats read whole into memory (GPX, TCX, JSON, FIT);
      gpxpy keeps every point as an object, so this keeps memory well under 250 MB.
    - ``max_database_bytes`` 2 GB: the Health Connect SQLite copy in a temporary file.
    - ``max_csv_line_bytes`` 1 MB: one CSV row (a huge field is refused, not buffered).
    """

    max_file_bytes: int = 4 * GB
    max_member_bytes: int = 16 * GB
    max_total_bytes: int = 20 * GB
    max_entries: int = 10_000
    max_element_bytes: int = 32 * MB
    max_route_bytes: int = 64 * MB
    max_document_bytes: int = 64 * MB
    max_database_bytes: int = 2 * GB
    max_csv_line_bytes: int = 1 * MB


DEFAULT_LIMITS = Limits()

# Frail and post-operative walkers move at about 0.4 m/s (1.4 km/h); GPS points sampled
# while such a person is walking slowly often show 0.6-1.2 km/h, which gpxpy's default
# threshold of 1 km/h would count as stopped. 0.5 km/h stays below slow walking while
# still treating a patient standing at a crossing (GPS drift of a few metres a minute,
# ~0.1-0.3 km/h) as stopped.
STOPPED_SPEED_KMH = 0.5

# Faster than brisk walking (about 6.5 km/h): a session averaging more is a run, a ride or
# a drive, not a walk for this programme.
MAX_WALK_SPEED_KMH = 7.0


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Choices the caller makes for formats that leave something open.

    ``default_tz`` is used for times written without an offset (Fitbit minute files,
    Google daily totals, simple CSV without offsets); the assumption is recorded in the
    summary's notes.
    """

    default_tz: tzinfo = UTC
    stopped_speed_kmh: float = STOPPED_SPEED_KMH
    max_walk_speed_kmh: float = MAX_WALK_SPEED_KMH


DEFAULT_OPTIONS = ReadOptions()
