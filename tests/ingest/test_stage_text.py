"""The SQLite text of staged step-sample times is exactly what Django would write."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from walkrx.ingest.timeutil import parse_apple_date
from walkrx.web.imports.actions import _sqlite_text, _SqliteText


def _reference(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(" ")[:-6]


def test_sqlite_text_is_byte_identical_to_isoformat() -> None:
    rng = random.Random(42)
    to_text = _SqliteText()
    tzs = [
        UTC,
        timezone(timedelta(hours=-7)),
        timezone(timedelta(hours=5, minutes=30)),
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
        datetime(2020, 5, 5, 5, 5, 5, 123456, tzinfo=UTC),
        datetime(1, 1, 1, 5, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(999, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=-3))),
        parse_apple_date("2019-07-19 10:36:11 -0700"),
        parse_apple_date("20151107171924+0100"),
    ]
    for _ in range(20_000):
        naive = base + timedelta(seconds=rng.randrange(0, 30 * 366 * 86400))
        micro = rng.choice([0, 0, 0, rng.randrange(1, 1_000_000)])
        moments.append(naive.replace(microsecond=micro, tzinfo=rng.choice(tzs)))
    for moment in moments:
        assert to_text(moment) == _reference(moment) == _sqlite_text(moment), moment
    # Each moment again, now with its hour cached.
    for moment in moments:
        assert to_text(moment) == _reference(moment), moment


def test_sqlite_text_survives_a_full_hour_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_SqliteText, "_MAX_HOURS", 5)
    to_text = _SqliteText()
    tz = timezone(timedelta(hours=2))
    for hour in range(50):
        moment = datetime(2024, 1, 1, tzinfo=tz) + timedelta(hours=hour, minutes=7, seconds=9)
        assert to_text(moment) == _reference(moment)
    assert len(to_text._hours) <= 5
