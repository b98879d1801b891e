"""Date parsing and unit conversion used by several readers."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone, tzinfo

_OFFSETS: dict[int, timezone] = {}

EARLIEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)


def fixed_offset(seconds: int) -> timezone:
    tz = _OFFSETS.get(seconds)
    if tz is None:
        tz = UTC if seconds == 0 else timezone(timedelta(seconds=seconds))
        _OFFSETS[seconds] = tz
    return tz


def parse_apple_date(text: str) -> datetime:
    """Parse ``2019-07-19 10:36:11 -0700`` or the iOS 8/9 form ``20151107171924+0100``.

    The common form goes through ``datetime.fromisoformat`` (C code) because an export
    holds millions of dates; anything else is checked field by field.
    """
    if len(text) == 25 and text[10] == " " and text[19] == " " and text[20] in "+-":
        try:
            return datetime.fromisoformat(text[:19] + text[20:])
        except ValueError:
            pass
    s = text.strip()
    try:
        if len(s) == 19 and s[14] in "+-" and s.isascii():
            year, month, day = int(s[0:4]), int(s[4:6]), int(s[6:8])
            hour, minute, second = int(s[8:10]), int(s[10:12]), int(s[12:14])
            sign, off = s[14], s[15:19]
        else:
            raise ValueError(s)
        seconds = int(off[0:2]) * 3600 + int(off[2:4]) * 60
        if sign == "-":
            seconds = -seconds
        return datetime(year, month, day, hour, minute, second, tzinfo=fixed_offset(seconds))
    except (ValueError, IndexError):
        raise ValueError(f"“{text[:40]}” is not a date with a time and an offset") from None


def parse_apple_date_bytes(raw: bytes) -> datetime:
    """:func:`parse_apple_date` of the raw (UTF-8) bytes of an attribute value."""
    if len(raw) == 25 and raw[10] == 0x20 and raw[19] == 0x20 and raw[20] in b"+-":
        try:
            return datetime.fromisoformat((raw[:19] + raw[20:]).decode())
        except ValueError:
            pass
    return parse_apple_date(raw.decode())


def parse_iso(text: str, default_tz: tzinfo | None = None) -> datetime:
    """ISO 8601 with ``Z`` or an offset; naive values get ``default_tz`` when given."""
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        if default_tz is None:
            raise ValueError(f"“{text[:40]}” has no time-zone offset")
        dt = dt.replace(tzinfo=default_tz)
    return dt


def plausible(dt: datetime, *, now: datetime | None = None) -> bool:
    """Reject clock errors such as 1901 (32-bit underflow) or dates in the future."""
    latest = (now or datetime.now(UTC)) + timedelta(days=2)
    return EARLIEST_PLAUSIBLE <= dt <= latest


def utc_stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


_DISTANCE_TO_M = {
    "m": 1.0,
    "km": 1000.0,
    "mi": 1609.344,
    "ft": 0.3048,
    "yd": 0.9144,
    "cm": 0.01,
}
_ENERGY_TO_KCAL = {"kcal": 1.0, "Cal": 1.0, "cal": 0.001, "kJ": 1 / 4.184, "J": 1 / 4184.0}
_MASS_TO_KG = {"kg": 1.0, "g": 0.001, "lb": 0.45359237, "st": 6.35029318, "oz": 0.028349523125}
_DURATION_TO_MIN = {"min": 1.0, "s": 1 / 60, "sec": 1 / 60, "h": 60.0, "hr": 60.0, "ms": 1 / 60000}


def _convert(value: float, unit: str | None, table: dict[str, float], default: str) -> float:
    factor = table.get((unit or default).strip())
    if factor is None:
        raise ValueError(f"unknown unit “{unit}”")
    result = value * factor
    if not math.isfinite(result):
        raise ValueError("value is not a finite number")
    return result


def to_metres(value: float, unit: str | None) -> float:
    return _convert(value, unit, _DISTANCE_TO_M, "m")


def to_kcal(value: float, unit: str | None) -> float:
    return _convert(value, unit, _ENERGY_TO_KCAL, "kcal")


def to_kg(value: float, unit: str | None) -> float:
    return _convert(value, unit, _MASS_TO_KG, "kg")


def to_minutes(value: float, unit: str | None) -> float:
    return _convert(value, unit, _DURATION_TO_MIN, "min")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def finite_float(text: str | None) -> float | None:
    if text is None or not str(text).strip():
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"“{text}” is not a finite number")
    return value
