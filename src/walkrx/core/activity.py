"""Activity maths: merging step samples from several sources, intensity, METs and energy."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from walkrx.core._policy import policy_field
from walkrx.core.errors import InvalidInput
from walkrx.core.prescription import round_half_up


class SourceKind(StrEnum):
    """Kinds of step source, in the default merge priority (issue 3 §5)."""

    MANUAL = "MANUAL"
    WATCH = "WATCH"
    PHONE = "PHONE"
    OTHER_APP = "OTHER_APP"


DEFAULT_SOURCE_PRIORITY: tuple[SourceKind, ...] = (
    SourceKind.MANUAL,
    SourceKind.WATCH,
    SourceKind.PHONE,
    SourceKind.OTHER_APP,
)
"""Manual entry first, then watch, phone, other apps (issue 3 §5, as the Health app)."""


@dataclass(frozen=True, slots=True)
class StepSample:
    """Steps counted by one source between two timezone-aware instants.

    The sample's own UTC offset decides its local date (travel, daylight saving).
    """

    start: datetime
    end: datetime
    steps: int
    source: str
    source_kind: SourceKind

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise InvalidInput("step sample times must be timezone-aware")
        if self.end < self.start:
            raise InvalidInput("step sample ends before it starts")
        if isinstance(self.steps, bool) or not isinstance(self.steps, int) or self.steps < 0:
            raise InvalidInput(
                f"step count must be a non-negative whole number, got {self.steps!r}"
            )


@dataclass(frozen=True, slots=True)
class MergedSteps:
    """Merged daily steps, with per-source totals for audit.

    `per_source`: what each source reported per local date; `contributed`: what each
    source added to the merged total after priority.
    """

    daily: Mapping[date, int]
    per_source: Mapping[date, Mapping[str, int]]
    contributed: Mapping[date, Mapping[str, int]]


_SECONDS_PER_DAY = 24 * 60 * 60
_EPOCH_DAY = date(1970, 1, 1)
# Event order at one instant: spans that end, then spans that start, then instant samples.
_END, _START, _INSTANT = 0, 1, 2


StepRow = tuple[float, float, int, int, str, SourceKind]
"""A step sample as plain values: ``(start, end, utc_offset, steps, source, source_kind)``.

``start`` and ``end`` are POSIX timestamps in seconds, ``utc_offset`` the sample's own UTC
offset in seconds (it decides the local date). Used by :func:`merge_step_rows`, which
merges large numbers of samples without building a :class:`StepSample` for each.
"""


def _rank(source: str, kind: SourceKind, priority: Sequence[SourceKind | str]) -> int:
    for index, entry in enumerate(priority):
        if isinstance(entry, SourceKind):
            if entry is kind:
                return index
        elif entry == source:
            return index
    return len(priority)


def _local_day(moment: float, offset: int) -> int:
    """The local calendar day of an instant, as days since 1970-01-01."""
    return int((moment + offset) // _SECONDS_PER_DAY)


def _split_by_day(start: float, end: float, offset: int) -> list[tuple[int, float]]:
    """The seconds of [start, end) on each local calendar day at a fixed UTC offset."""
    parts: list[tuple[int, float]] = []
    while True:
        day = _local_day(start, offset)
        midnight = ((start + offset) // _SECONDS_PER_DAY + 1) * _SECONDS_PER_DAY - offset
        if end <= midnight:
            parts.append((day, end - start))
            return parts
        parts.append((day, midnight - start))
        start = midnight


def merge_step_samples(
    samples: Sequence[StepSample], priority: Sequence[SourceKind | str] = DEFAULT_SOURCE_PRIORITY
) -> MergedSteps:
    """Merge step samples from several sources without double counting.

    Over every stretch of time, the highest-priority source with a sample covering it
    supplies the steps (each sample's steps spread evenly over its duration); lower
    sources only fill the stretches it does not cover, and overlapping sources are never
    summed. Samples of one source that overlap each other add up. An instantaneous sample
    counts unless a higher-priority source covers that instant. `priority` lists source
    kinds and/or exact source names (a name entry outranks its kind); unlisted sources
    come last, ties go to the alphabetically first source name. Totals fall on each
    sample's own local date. Runs in O(n log n) over the samples, so years of minute-level
    data merge in about a second. Source: issue 3 §5 (Health app source-priority merge).
    """
    rows: list[StepRow] = []
    for sample in samples:
        offset = sample.start.utcoffset()
        assert offset is not None  # checked in StepSample.__post_init__
        rows.append(
            (
                sample.start.timestamp(),
                sample.end.timestamp(),
                int(offset.total_seconds()),
                sample.steps,
                sample.source,
                sample.source_kind,
            )
        )
    return merge_step_rows(rows, priority)


def merge_step_rows(
    rows: Iterable[StepRow], priority: Sequence[SourceKind | str] = DEFAULT_SOURCE_PRIORITY
) -> MergedSteps:
    """:func:`merge_step_samples` over plain :data:`StepRow` values (same rules, same result).

    Raises InvalidInput for a row that ends before it starts or has a negative count.
    """
    ranks: dict[tuple[str, SourceKind], int] = {}
    rank_of: dict[str, tuple[int, str]] = {}
    per_source: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    contributed: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    day_seconds = _SECONDS_PER_DAY
    # Spans (samples with a duration), column by column; instants separately.
    rates: list[float] = []
    sources: list[str] = []
    offsets: list[int] = []
    instants: list[tuple[str, int, float]] = []
    events: list[tuple[float, int, int]] = []
    last: tuple[str, SourceKind] | None = None
    for start, end, offset, steps, source, source_kind in rows:
        if not end >= start or steps < 0:
            raise InvalidInput(f"invalid step sample: {steps!r} steps from {start} to {end}")
        if last is None or source != last[0] or source_kind is not last[1]:
            # Rows of one source usually come together: rank once per run of them.
            last = (source, source_kind)
            rank = ranks.get(last)
            if rank is None:
                rank = ranks[last] = _rank(source, source_kind, priority)
            known = rank_of.get(source)
            if known is None or rank < known[0]:
                rank_of[source] = (rank, source)
        day = int((start + offset) // day_seconds)
        if end == start:
            per_source[day][source] += steps
            events.append((start, _INSTANT, len(instants)))
            instants.append((source, offset, float(steps)))
            continue
        rate = steps / (end - start)
        if end <= (day + 1) * day_seconds - offset:  # the usual case: within one local day
            per_source[day][source] += rate * (end - start)
        else:
            for part_day, seconds in _split_by_day(start, end, offset):
                per_source[part_day][source] += rate * seconds
        index = len(rates)
        events.append((start, _START, index))
        events.append((end, _END, index))
        rates.append(rate)
        sources.append(source)
        offsets.append(offset)
    events.sort()

    heap: list[tuple[tuple[int, str], int]] = []
    push, pop = heapq.heappush, heapq.heappop
    active = [False] * len(rates)
    rate_by_source: dict[str, float] = defaultdict(float)
    previous = events[0][0] if events else 0.0
    top = -1  # the winning span, or -1; kept up to date at each event
    top_source, top_offset = "", 0

    for moment, event, index in events:
        if moment > previous and top >= 0:
            rate = rate_by_source[top_source]
            day = int((previous + top_offset) // day_seconds)
            if moment <= (day + 1) * day_seconds - top_offset:
                contributed[day][top_source] += rate * (moment - previous)
            else:
                for part_day, seconds in _split_by_day(previous, moment, top_offset):
                    contributed[part_day][top_source] += rate * seconds
        previous = moment
        if event == _START:
            active[index] = True
            source = sources[index]
            rate_by_source[source] += rates[index]
            push(heap, (rank_of[source], index))
        elif event == _END:
            active[index] = False
            rate_by_source[sources[index]] -= rates[index]
        else:
            source, offset, count = instants[index]
            if top < 0 or rank_of[source] <= rank_of[top_source]:
                contributed[int((moment + offset) // day_seconds)][source] += count
            continue
        while heap and not active[heap[0][1]]:
            pop(heap)
        if heap:
            top = heap[0][1]
            top_source, top_offset = sources[top], offsets[top]
        else:
            top = -1
    daily = {day: round_half_up(sum(by_source.values())) for day, by_source in contributed.items()}
    return MergedSteps(
        daily=MappingProxyType(
            {_EPOCH_DAY + timedelta(days=day): total for day, total in sorted(daily.items())}
        ),
        per_source=_freeze(per_source),
        contributed=_freeze(contributed),
    )


def _freeze(data: Mapping[int, Mapping[str, float]]) -> Mapping[date, Mapping[str, int]]:
    return MappingProxyType(
        {
            _EPOCH_DAY + timedelta(days=day): MappingProxyType(
                {name: round_half_up(v) for name, v in sorted(by_source.items())}
            )
            for day, by_source in sorted(data.items())
        }
    )


# Intensity, METs and energy ----------------------------------------------------------


class Intensity(StrEnum):
    """Absolute walking intensity from cadence."""

    LIGHT = "LIGHT"
    MODERATE = "MODERATE"
    VIGOROUS = "VIGOROUS"


_TUDOR = "clinical-reference.md §8, Tudor-Locke CADENCE-Adults"
_ACSM = "clinical-reference.md §8, ACSM walking equation"


@dataclass(frozen=True, slots=True)
class ActivityPolicy:
    """Thresholds for intensity and the ACSM equation's valid speed range."""

    moderate_cadence: int = policy_field(
        100,
        doc="Cadence from which walking counts as moderate (about 3 METs)",
        source=_TUDOR,
        unit="steps/min",
    )
    vigorous_cadence: int = policy_field(
        130,
        doc="Cadence from which walking counts as vigorous (about 6 METs)",
        source=_TUDOR,
        unit="steps/min",
    )
    acsm_min_speed: float = policy_field(
        50.0, doc="Slowest speed for the ACSM walking equation", source=_ACSM, unit="m/min"
    )
    acsm_max_speed: float = policy_field(
        100.0, doc="Fastest speed for the ACSM walking equation", source=_ACSM, unit="m/min"
    )


DEFAULT_ACTIVITY_POLICY = ActivityPolicy()


def cadence(steps: int, minutes: float) -> float:
    """Steps per minute."""
    if minutes <= 0:
        raise InvalidInput(f"minutes must be positive, got {minutes}")
    return steps / minutes


def intensity_from_cadence(
    steps_per_minute: float, policy: ActivityPolicy = DEFAULT_ACTIVITY_POLICY
) -> Intensity:
    """Absolute intensity: >= 100 steps/min moderate, >= 130 vigorous, else light.

    Source: clinical-reference.md §8 (Tudor-Locke, CADENCE-Adults; 100 also holds at
    61-85 y).
    """
    if steps_per_minute >= policy.vigorous_cadence:
        return Intensity.VIGOROUS
    if steps_per_minute >= policy.moderate_cadence:
        return Intensity.MODERATE
    return Intensity.LIGHT


METERS_PER_MINUTE_PER_MPH = 26.8
"""1 mph = 26.8 m/min (clinical-reference.md §8, ACSM)."""

ML_O2_PER_KG_MIN_PER_MET = 3.5
"""1 MET = 3.5 mL O2/kg/min (clinical-reference.md §8 and §10)."""


@dataclass(frozen=True, slots=True)
class CompendiumEntry:
    """One Compendium of Physical Activities walking code, stored with its version."""

    code: str
    version: str
    description: str
    met: float
    min_mph: float
    max_mph: float
    min_grade_percent: float = 0.0
    max_grade_percent: float = 0.0


_C = "2011"
# Speed bands run to the midpoint between neighbouring Compendium speeds (design choice);
# the walking values are unchanged until the 2024 update is checked (clinical-reference.md §8).
COMPENDIUM_WALKING: tuple[CompendiumEntry, ...] = (
    CompendiumEntry("17151", _C, "walking, less than 2.0 mph, level, strolling", 2.0, 0.0, 2.0),
    CompendiumEntry(
        "17152", _C, "walking, 2.0 mph, level, slow pace, firm surface", 2.8, 2.0, 2.25
    ),
    CompendiumEntry("17170", _C, "walking, 2.5 mph, level, firm surface", 3.0, 2.25, 2.65),
    CompendiumEntry("17190", _C, "walking, 2.8 to 3.2 mph, level, moderate pace", 3.5, 2.65, 3.35),
    CompendiumEntry("17200", _C, "walking, 3.5 mph, level, brisk, firm surface", 4.3, 3.35, 3.75),
    CompendiumEntry("17220", _C, "walking, 4.0 mph, level, very brisk", 5.0, 3.75, 4.25),
    CompendiumEntry("17230", _C, "walking, 4.5 mph, level, very, very brisk", 7.0, 4.25, 4.75),
    CompendiumEntry("17231", _C, "walking, 5.0 mph, level, firm surface", 8.3, 4.75, 5.25),
    CompendiumEntry(
        "17210", _C, "walking, 2.9 to 3.5 mph, uphill, 1 to 5 % grade", 5.3, 2.9, 3.5, 0.0, 5.0
    ),
    CompendiumEntry(
        "17211", _C, "walking, 2.9 to 3.5 mph, uphill, 6 to 15 % grade", 8.0, 2.9, 3.5, 5.0, 15.0
    ),
)
"""Compendium 2011 walking codes (Ainsworth 2011; clinical-reference.md §8)."""


def compendium_walking_entry(speed_mph: float, grade_percent: float = 0.0) -> CompendiumEntry:
    """The Compendium 2011 walking code for a speed (and uphill grade).

    Level speeds map to the nearest listed speed; uphill grades (above 0 up to 15 %)
    exist only for 2.9-3.5 mph. Raises InvalidInput outside the listed codes.
    Source: clinical-reference.md §8 (Ainsworth 2011 Compendium).
    """
    for entry in COMPENDIUM_WALKING:
        level = entry.max_grade_percent == 0
        if (grade_percent == 0) != level:
            continue
        speed_ok = entry.min_mph <= speed_mph < entry.max_mph or (
            not level and speed_mph == entry.max_mph
        )
        grade_ok = level or entry.min_grade_percent < grade_percent <= entry.max_grade_percent
        if speed_ok and grade_ok:
            return entry
    raise InvalidInput(f"no Compendium walking code for {speed_mph} mph at {grade_percent} % grade")


def acsm_walking_met(
    speed_m_per_min: float, grade: float = 0.0, policy: ActivityPolicy = DEFAULT_ACTIVITY_POLICY
) -> float:
    """METs from the ACSM walking equation, VO2 = 3.5 + 0.1 S + 1.8 S G, MET = VO2 / 3.5.

    S is speed in m/min and G the grade as a decimal. Valid for 50-100 m/min
    (1.9-3.7 mph); outside that range it raises InvalidInput.
    Source: clinical-reference.md §8 (ACSM metabolic equations).
    """
    if not policy.acsm_min_speed <= speed_m_per_min <= policy.acsm_max_speed:
        raise InvalidInput(
            f"the ACSM walking equation is valid from {policy.acsm_min_speed:g} to "
            f"{policy.acsm_max_speed:g} m/min, got {speed_m_per_min:g}"
        )
    if grade < 0:
        raise InvalidInput("the ACSM walking equation is for level or uphill walking")
    vo2 = ML_O2_PER_KG_MIN_PER_MET + 0.1 * speed_m_per_min + 1.8 * speed_m_per_min * grade
    return vo2 / ML_O2_PER_KG_MIN_PER_MET


@dataclass(frozen=True, slots=True)
class MetEstimate:
    """A MET value and where it came from (ACSM equation or a Compendium code)."""

    met: float
    method: str
    compendium: CompendiumEntry | None = None


def walking_met(
    speed_m_per_min: float, grade: float = 0.0, policy: ActivityPolicy = DEFAULT_ACTIVITY_POLICY
) -> MetEstimate:
    """METs of walking at a speed: the ACSM equation inside its valid range, otherwise
    the Compendium 2011 code for that speed (stored with code and version).

    Source: clinical-reference.md §8.
    """
    if policy.acsm_min_speed <= speed_m_per_min <= policy.acsm_max_speed and grade >= 0:
        return MetEstimate(
            acsm_walking_met(speed_m_per_min, grade, policy), "ACSM walking equation"
        )
    entry = compendium_walking_entry(speed_m_per_min / METERS_PER_MINUTE_PER_MPH, grade * 100)
    return MetEstimate(entry.met, f"Compendium {entry.version} code {entry.code}", entry)


@dataclass(frozen=True, slots=True)
class Energy:
    """Energy of an activity: net (above rest, for weight tracking) and gross."""

    net_kcal: float
    gross_kcal: float


def energy(met: float, kg: float, hours: float) -> Energy:
    """Net kcal = (MET - 1) x kg x hours; gross kcal = MET x kg x hours.

    Net is what the walk added beyond resting burn; gross is shown separately. The
    1-MET convention overestimates resting energy by about 20 % (Byrne 2005).
    Source: clinical-reference.md §10 (ACSM metabolic equations).
    """
    if met < 1:
        raise InvalidInput(f"MET must be at least 1 (rest), got {met}")
    if kg <= 0 or hours < 0:
        raise InvalidInput("weight must be positive and duration not negative")
    return Energy(net_kcal=(met - 1) * kg * hours, gross_kcal=met * kg * hours)
