"""Staged sample times are exactly what Django would store and the merge would compute."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from walkrx.ingest.timeutil import parse_apple_date
from walkrx.web.imports.staging import SampleTimes


def _reference(moment: datetime) -> tuple[str, float, int, int]:
    offset = moment.utcoffset()
    assert offset is not None
    text = moment.astimezone(UTC).isoformat(" ")[:-6]
    return text, moment.timestamp(), int(offset.total_seconds() // 60), moment.date().toordinal()


def _moments() -> list[datetime]:
    rng = random.Random(42)
    tzs = [
        UTC,
        timezone(timedelta(hours=-7)),
        timezone(timedelta(hours=5, minutes=30)),
        timezone(timedelta(hours=5, minutes=45)),
        timezone(timedelta(hours=-9, minutes=-30)),
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-12)),
        timezone(timedelta(minutes=1)),
        timezone(timedelta(seconds=30)),  # not whole minutes: the plain way
        timezone(timedelta(hours=1, microseconds=5)),
        ZoneInfo("Europe/Berlin"),
        ZoneInfo("America/Los_Angeles"),
    ]
    base = datetime(1999, 12, 31, 23, 0)
    moments = [
        datetime(2024, 3, 31, 0, 30, tzinfo=timezone(timedelta(hours=1))),
        datetime(2024, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),
        datetime(2023, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12))),
        datetime(2024, 2, 29, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2024, 2, 29, 23, 59, 59, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(2020, 5, 5, 5, 5, 5, 123456, tzinfo=UTC),
        datetime(1, 1, 1, 5, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(999, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=-3))),
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
        parse_apple_date("2019-07-19 10:36:11 -0700"),
        parse_apple_date("20151107171924+0100"),
    ]
    for _ in range(20_000):
        naive = base + timedelta(seconds=rng.randrange(0, 30 * 366 * 86400))
        micro = rng.choice([0, 0, 0, rng.randrange(1, 1_000_000)])
        moments.append(naive.replace(microsecond=micro, tzinfo=rng.choice(tzs)))
    return moments


def test_sample_times_equal_isoformat_timestamp_and_offset() -> None:
    times = SampleTimes(as_text=True)
    moments = _moments()
    for moment in moments:
        assert times(moment) == _reference(moment), moment
    # Each moment again, now with its hours cached.
    for moment in moments:
        value, seconds, minutes, day = times(moment)
        assert (value, seconds, minutes, day) == _reference(moment), moment
        assert isinstance(seconds, int | float)


def test_sample_times_for_a_database_that_takes_datetimes() -> None:
    times = SampleTimes(as_text=False)
    for moment in _moments():
        value, seconds, minutes, day = times(moment)
        assert value is moment
        assert (seconds, minutes, day) == _reference(moment)[1:], moment


def test_sample_times_survive_full_hour_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SampleTimes, "MAX_HOURS", 5)
    times = SampleTimes(as_text=True)
    tz = timezone(timedelta(hours=2))
    for hour in range(50):
        moment = datetime(2024, 1, 1, tzinfo=tz) + timedelta(hours=hour, minutes=7, seconds=9)
        assert times(moment) == _reference(moment)
    assert len(times._utc_hours) <= 5
