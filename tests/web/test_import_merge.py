"""Daily step totals merged by the parts of a file equal a full merge from the database."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Cast
from walkrx.ingest import IngestError, reader
from walkrx.web.activity.models import DailyActivity, StepSample
from walkrx.web.imports import actions
from walkrx.web.imports.actions import import_file, refresh_daily_steps
from walkrx.web.patients.models import Patient

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="parallel parts need the fork start method",
)

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_GB">
 <ExportDate value="2026-03-30 20:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1960-01-01"/>
"""


def steps(source: str, device: str, start: datetime, minutes: int, value: int) -> str:
    end = start + timedelta(minutes=minutes)
    fmt = "%Y-%m-%d %H:%M:%S %z"
    return (
        f' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="{source}" '
        f'sourceVersion="17.0" device="&lt;&lt;HKDevice: 0x1&gt;, name:{device}, '
        f'model:{device}&gt;" unit="count" creationDate="{end.strftime(fmt)}" '
        f'startDate="{start.strftime(fmt)}" endDate="{end.strftime(fmt)}" value="{value}"/>\n'
    )


def export(first: date, days: int, *, shift: int = 0, by_source: bool = False) -> bytes:
    """Phone and watch samples overlapping each other, day by day (or, ``by_source``, all
    the phone's then all the watch's, so every part of the file shares its days with
    another), with a trip abroad, samples across midnight and repeats."""
    records: dict[tuple[int, int], list[str]] = {}
    sources = (("Ann's iPhone", "iPhone", 7), ("Ann's Watch", "Watch", 5))
    for index, (source, device, step_minutes) in enumerate(sources):
        for number in range(days):
            day = first + timedelta(days=number)
            offset = timezone(timedelta(hours=-5 if 20 <= number < 26 else 1))
            out = records.setdefault((index, number) if by_source else (number, index), [])
            for hour in (0, 7, 12, 18, 23):
                start = datetime(day.year, day.month, day.day, hour, 41 + shift, tzinfo=offset)
                for k in range(3):
                    value = 40 + (number * 7 + hour * 3 + k) % 90 + len(device)
                    record = steps(source, device, start, step_minutes, value)
                    out.append(record)
                    if (number + k) % 17 == 0:
                        out.append(record)  # the same sample twice: counted once
                    start += timedelta(minutes=step_minutes + 2)
    body = "".join("".join(records[key]) for key in sorted(records))
    return (HEADER + body + "</HealthData>\n").encode()


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Read small files in four parts and merge their days in four processes; records how
    many groups of days each file's merge used."""
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 20_000)
    monkeypatch.setattr(reader, "cpu_count", lambda: 4)
    monkeypatch.setattr(actions, "cpu_count", lambda: 4)
    monkeypatch.setattr(actions, "PARALLEL_MERGE_MIN_SAMPLES", 0)
    assert threading.active_count() == 1
    groups: list[int] = []
    original = actions.map_forked

    def spy(function: Any, items: list[Any]) -> list[Any]:
        groups.append(len(items))
        return original(function, items)

    monkeypatch.setattr(actions, "map_forked", spy)
    return groups


def daily(patient: Patient) -> dict[date, tuple[int | None, dict[str, int]]]:
    return {
        row.date: (row.steps, row.steps_by_source)
        for row in DailyActivity.objects.filter(patient=patient)
    }


def assert_same_as_full_merge(patient: Patient, days: set[date] | None = None) -> None:
    """The stored totals of ``days`` (all) are what merging them from the database gives."""
    imported = daily(patient)
    refresh_daily_steps(patient, set(imported) if days is None else days)
    assert daily(patient) == imported


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_days_merged_in_several_processes_equal_a_full_merge(
    cast: Cast, tmp_path: Path, parallel: list[int]
) -> None:
    path = write(tmp_path, "export.xml", export(date(2026, 1, 1), 60))
    assert reader.ImportReader(path).max_parts() > 1
    outcome = import_file(cast.patient_a, path, by=None)
    assert parallel == [4]
    assert outcome.days_with_steps == 61  # the last evening's samples run past midnight
    assert_same_as_full_merge(cast.patient_a)


def test_an_overlapping_second_file_is_merged_with_stored_samples(
    cast: Cast, tmp_path: Path, parallel: list[int]
) -> None:
    import_file(cast.patient_a, write(tmp_path, "a.xml", export(date(2026, 1, 1), 40)), by=None)
    second = write(tmp_path, "b.xml", export(date(2026, 1, 25), 40, shift=3))
    outcome = import_file(cast.patient_a, second, by=None)
    assert parallel == [4, 4]
    assert outcome.days_with_steps == 41  # the last evening's samples run past midnight
    # Only the file's own days are merged again (as always: samples of a stored day next
    # to the file's days, in another time zone, can overlap the file's samples).
    assert_same_as_full_merge(cast.patient_a, outcome.affected_days)


def test_the_same_file_again_changes_no_total(
    cast: Cast, tmp_path: Path, parallel: list[int]
) -> None:
    path = write(tmp_path, "export.xml", export(date(2026, 1, 1), 30))
    import_file(cast.patient_a, path, by=None)
    before = daily(cast.patient_a)
    again = import_file(cast.patient_a, path, by=None)
    assert again.new_step_samples == 0
    assert daily(cast.patient_a) == before


def test_each_source_listed_apart_gives_the_same_totals(
    cast: Cast, tmp_path: Path, parallel: list[int]
) -> None:
    # As real exports list them: every day's samples are split between distant parts.
    path = write(tmp_path, "export.xml", export(date(2026, 1, 1), 60, by_source=True))
    outcome = import_file(cast.patient_a, path, by=None)
    assert outcome.days_with_steps == 61  # the last evening's samples run past midnight
    assert_same_as_full_merge(cast.patient_a)


def test_too_many_samples_are_merged_from_the_database(
    cast: Cast, tmp_path: Path, parallel: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "MEMORY_MERGE_MAX_SAMPLES", 10)
    import_file(
        cast.patient_a, write(tmp_path, "export.xml", export(date(2026, 1, 1), 30)), by=None
    )
    assert parallel == []
    assert_same_as_full_merge(cast.patient_a)


def test_a_serial_read_uses_its_own_totals(cast: Cast, tmp_path: Path) -> None:
    outcome = import_file(
        cast.patient_a, write(tmp_path, "export.xml", export(date(2026, 1, 1), 10)), by=None
    )
    assert outcome.days_with_steps == 11  # the last evening's samples run past midnight
    assert_same_as_full_merge(cast.patient_a)


def test_an_error_in_a_later_part_undoes_the_parts_already_written(
    cast: Cast, tmp_path: Path, parallel: list[int]
) -> None:
    # The first part is written while the others are read; the last one is truncated.
    content = export(date(2026, 1, 1), 60)
    path = write(tmp_path, "export.xml", content[: content.rindex(b"<Record") + 40])
    with pytest.raises(IngestError, match="ends in the middle"):
        import_file(cast.patient_a, path, by=None)
    assert not StepSample.objects.filter(patient=cast.patient_a).exists()
    assert not DailyActivity.objects.filter(patient=cast.patient_a).exists()
    # Nothing is left half-done: the same file, complete, then imports in full.
    outcome = import_file(cast.patient_a, write(tmp_path, "whole.xml", content), by=None)
    assert outcome.days_with_steps == 61


@pytest.mark.parametrize("limit", [0, 1 << 40])
def test_files_written_while_read_or_after_give_the_same_result(
    cast: Cast,
    tmp_path: Path,
    parallel: list[int],
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
) -> None:
    # Small files are written while they are read, large ones once every part is read.
    monkeypatch.setattr(reader, "WRITE_WHILE_READING_MAX_BYTES", limit)
    content = export(date(2026, 1, 1), 60)
    broken = write(tmp_path, "broken.xml", content[: content.rindex(b"<Record") + 40])
    with pytest.raises(IngestError):
        import_file(cast.patient_a, broken, by=None)
    assert not StepSample.objects.filter(patient=cast.patient_a).exists()
    outcome = import_file(cast.patient_a, write(tmp_path, "export.xml", content), by=None)
    assert outcome.days_with_steps == 61
    assert_same_as_full_merge(cast.patient_a)
