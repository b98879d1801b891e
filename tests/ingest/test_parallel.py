"""Reading a big export.xml in parallel parts gives exactly what reading it in one go does."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from walkrx.ingest import IngestError, Limits, Record, apple_health, open_import, reader
from walkrx.ingest.records import ReadSummary

from .generators import apple_xml, step
from .test_apple_health import _generator

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="parallel parts need the fork start method",
)


@pytest.fixture(params=[False, True], ids=["first part here", "first part forked"])
def parallel(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> bool:
    """Split even small files, into up to four parts, whatever the machine's CPUs; the
    first part read by this process, or (True) by the forked readers from the start."""
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 2_000)
    monkeypatch.setattr(reader, "cpu_count", lambda: 4)
    assert threading.active_count() == 1
    return bool(request.param)


def summary_fields(summary: ReadSummary) -> tuple[object, ...]:
    return (
        summary.records_read,
        summary.step_samples,
        summary.workouts,
        summary.weights,
        summary.skipped_count,
        summary.skipped,
        list(summary.skipped_by_reason.items()),
        summary.notes,
    )


def serial(path: Path) -> tuple[list[Record], ReadSummary]:
    saved = reader.PARALLEL_MIN_BYTES
    reader.PARALLEL_MIN_BYTES = 1 << 60  # type: ignore[misc]
    try:
        whole = open_import(path)
        assert whole.max_parts() == 1
        return list(whole), whole.summary
    finally:
        reader.PARALLEL_MIN_BYTES = saved  # type: ignore[misc]


def in_parts(path: Path, from_the_first: bool) -> tuple[list[list[Record]], ReadSummary]:
    parts = open_import(path)

    def consume(index: int, records: Iterator[Record]) -> list[Record]:
        return list(records)

    if not from_the_first:
        return parts.map_parts(consume), parts.summary
    reading = parts.start_parts(consume, from_the_first=True)
    assert reading is not None
    return reading.finish(None), parts.summary


def assert_same(path: Path, from_the_first: bool, *, min_parts: int = 2) -> list[list[Record]]:
    expected, expected_summary = serial(path)
    results, summary = in_parts(path, from_the_first)
    assert len(results) >= min_parts
    assert [r for part in results for r in part] == expected
    assert summary_fields(summary) == summary_fields(expected_summary)
    return results


@pytest.mark.parametrize(
    ("seed", "broken", "grouped"), [(1, True, True), (7, False, False), (11, True, True)]
)
def test_parts_match_the_serial_read_of_generated_exports(
    tmp_path: Path, parallel: bool, seed: int, broken: bool, grouped: bool
) -> None:
    xml = tmp_path / "export.xml"
    _generator().generate(xml, 1.5, seed=seed, broken_dtd=broken, telemetry=0.05, grouped=grouped)
    results = assert_same(xml, parallel, min_parts=4)
    assert sum(1 for part in results if part) >= 2  # records are kept together by type
    _, summary = serial(xml)
    assert summary.skipped_count > 0  # running workouts: their line numbers must match


def test_parts_match_with_small_blocks(tmp_path: Path, parallel: bool) -> None:
    xml = tmp_path / "export.xml"
    _generator().generate(xml, 0.6, seed=3, broken_dtd=True, telemetry=0.05)
    saved = apple_health.BLOCK_SIZE
    try:
        apple_health.BLOCK_SIZE = 4096  # type: ignore[misc]
        assert_same(xml, parallel, min_parts=4)
    finally:
        apple_health.BLOCK_SIZE = saved  # type: ignore[misc]


def _body(count: int) -> str:
    lines = []
    for i in range(count):
        minute = i % 50
        start = f"2024-05-01 10:{minute:02d}:00 +0200"
        end = f"2024-05-01 10:{minute + 1:02d}:00 +0200"
        lines.append(step("iPhone", None, start, end, str(10 + i)))
        if i % 7 == 3:
            lines.append(step("iPhone", None, end, start, "5"))  # ends before it starts
    return "".join(lines)


def _every_cut(text: str) -> list[int]:
    data = text.encode()
    points, i = [], data.find(b"<", data.find(b"<HealthData") + 1)
    while i != -1:
        points.append(i)
        i = data.find(b"<", i + 1)
    return points


@pytest.mark.parametrize("where", ["correlation", "workout", "record"])
def test_cuts_inside_an_element_are_read_again(
    tmp_path: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    inner = step("Scale", None, "2024-05-01 10:00:00 +0200", "2024-05-01 10:00:00 +0200", "7")
    correlation = (
        ' <Correlation type="HKCorrelationTypeIdentifierFood" sourceName="x" '
        'startDate="2024-05-01 10:00:00 +0200" endDate="2024-05-01 10:00:00 +0200">\n'
        f"{inner}{inner}{inner} </Correlation>\n"
    )
    workout = (
        ' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="30" '
        'durationUnit="min" sourceName="Watch" startDate="2024-05-01 09:00:00 +0200" '
        'endDate="2024-05-01 09:30:00 +0200">\n'
        f"{inner}"
        '  <MetadataEntry key="HKIndoorWorkout" value="0"/>\n'
        " </Workout>\n"
    )
    record = step(
        "iPhone",
        None,
        "2024-05-01 11:00:00 +0200",
        "2024-05-01 11:05:00 +0200",
        "40",
        children=f'  <MetadataEntry key="x" value="1"/>\n{inner}',
    )
    middle = {"correlation": correlation, "workout": workout, "record": record}[where]
    text = apple_xml(_body(40) + middle + _body(40))
    path = tmp_path / "export.xml"
    path.write_text(text)
    start = text.index(middle.strip()[:12])
    inside = [p for p in _every_cut(text) if start < p < start + len(middle)]
    assert inside
    for cut in inside:
        monkeypatch.setattr(apple_health, "balanced_points", lambda *_, cut=cut, **__: [cut])
        assert_same(path, parallel)


def test_every_cut_gives_the_same_records(
    tmp_path: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = step("Scale", None, "2024-05-01 10:00:00 +0200", "2024-05-01 10:00:00 +0200", "7")
    text = apple_xml(
        _body(30)
        + ' <Correlation type="HKCorrelationTypeIdentifierFood" sourceName="x">\n'
        + f"{inner} </Correlation>\n"
        + _body(30)
    )
    path = tmp_path / "export.xml"
    path.write_text(text)
    cuts = _every_cut(text)
    assert len(cuts) > 60
    for first in cuts[:: len(cuts) // 15]:
        later = [p for p in cuts if p > first][::9][:2]
        monkeypatch.setattr(apple_health, "balanced_points", lambda *_, c=[first, *later], **__: c)
        assert_same(path, parallel)


def test_split_points_start_top_level_records(tmp_path: Path) -> None:
    xml = tmp_path / "export.xml"
    _generator().generate(xml, 1, seed=2, telemetry=0.05)
    data = xml.read_bytes()
    with xml.open("rb") as fh:
        _, base, _ = apple_health.read_prolog(fh, file="x")
        points = apple_health.split_points(fh, start=base, size=len(data), shares=[1, 1, 1, 1])
    assert len(points) == 3
    assert points == sorted(points)
    for point in points:
        assert data[point - 2 : point + 8] == b"\n <Record "


def test_an_error_in_a_later_part_is_reported_with_its_real_line(
    tmp_path: Path, parallel: bool
) -> None:
    text = apple_xml(_body(200))
    path = tmp_path / "export.xml"
    path.write_text(text[: text.rindex("<Record") + 80])  # past the type attribute
    with pytest.raises(IngestError) as serial_error:
        serial(path)
    with pytest.raises(IngestError) as parallel_error:
        in_parts(path, parallel)
    assert "ends in the middle" in str(parallel_error.value)
    assert parallel_error.value.record == serial_error.value.record
    assert parallel_error.value.record is not None


def test_the_first_part_reports_its_skips_and_errors_with_their_lines(
    tmp_path: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = ' <Record type="HKQuantityTypeIdentifierStepCount" startDate="x" value="1"/>\n'
    text = apple_xml(_body(600) + broken + _body(300))
    line = f"line {text.splitlines().index(broken.rstrip()) + 1}"
    path = tmp_path / "export.xml"
    path.write_text(text)
    after = text.index("<Record", text.index(broken) + 10)
    monkeypatch.setattr(apple_health, "balanced_points", lambda *_, **__: [after])
    results = assert_same(path, parallel)
    assert broken.strip() not in str(results[1])
    _, summary = serial(path)
    assert line in [skipped.locator for skipped in summary.skipped]
    # An element over the size limit, in the first part: the whole file is refused.
    huge = ' <Workout a="' + "x" * 20_000 + '"/>\n'
    text = text.replace(broken, huge)
    path.write_text(text)
    after = text.index("<Record", text.index(huge))
    monkeypatch.setattr(apple_health, "BLOCK_SIZE", 1024)
    limits = Limits(max_element_bytes=5_000)
    with pytest.raises(IngestError) as serial_error:
        list(open_import(path, limits=limits))
    reading = open_import(path, limits=limits).start_parts(
        lambda _, records: list(records), from_the_first=parallel
    )
    assert reading is not None
    with pytest.raises(IngestError) as parallel_error:
        reading.finish(None)
    assert str(parallel_error.value) == str(serial_error.value)
    assert parallel_error.value.record == line


def test_an_element_over_the_limit_is_refused_in_parts_too(tmp_path: Path, parallel: bool) -> None:
    text = apple_xml(_body(600) + ' <Workout a="' + "x" * 20_000 + '"/>\n' + _body(600))
    path = tmp_path / "export.xml"
    path.write_text(text)
    saved = apple_health.BLOCK_SIZE
    try:
        apple_health.BLOCK_SIZE = 1024  # type: ignore[misc]
        for read in (
            lambda: list(open_import(path, limits=Limits(max_element_bytes=5_000))),
            lambda: open_import(path, limits=Limits(max_element_bytes=5_000)).map_parts(
                lambda _, records: list(records)
            ),
        ):
            with pytest.raises(IngestError, match="larger than"):
                read()
    finally:
        apple_health.BLOCK_SIZE = saved  # type: ignore[misc]


def test_progress_reaches_the_file_size(tmp_path: Path, parallel: bool) -> None:
    xml = tmp_path / "export.xml"
    _generator().generate(xml, 0.5, seed=4, telemetry=0.05)
    seen: list[tuple[int, int]] = []
    parts = open_import(xml, progress=lambda done, total: seen.append((done, total)))
    assert len(parts.map_parts(lambda _, records: sum(1 for _ in records))) > 1
    size = xml.stat().st_size
    assert seen[-1] == (size, size)
    assert all(0 <= done <= total == size for done, total in seen)


def test_small_zipped_and_other_files_are_read_in_one_part(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(apple_xml(_body(10)))
    assert open_import(path).max_parts() == 1
    assert len(open_import(path).map_parts(lambda _, records: list(records))) == 1


def test_balanced_points_split_the_stretch_of_step_records(tmp_path: Path) -> None:
    # Exported as real exports are, the step records lie together in a small stretch of
    # the file: cuts by work put several of them inside it, so several readers share it.
    xml = tmp_path / "export.xml"
    _generator().generate(xml, 2, seed=5, telemetry=1.0, grouped=True)
    data = xml.read_bytes()
    needle = b'type="HKQuantityTypeIdentifierStepCount"'
    first, last = data.find(needle), data.rfind(b"<Record " + needle)
    assert (last - first) / len(data) < 0.15
    with xml.open("rb") as fh:
        _, base, _ = apple_health.read_prolog(fh, file="x")
        by_work = apple_health.balanced_points(fh, start=base, size=len(data), parts=6)
        by_size = apple_health.split_points(fh, start=base, size=len(data), shares=[1] * 6)
    assert sum(first < point < last for point in by_work) >= 2
    assert sum(first < point < last for point in by_size) <= 1
    assert by_work == sorted(set(by_work))
    for point in by_work:
        assert data[point - 2 : point + 8] == b"\n <Record "
