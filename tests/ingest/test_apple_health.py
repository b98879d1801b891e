from __future__ import annotations

import importlib.util
import shutil
import sys
import zipfile
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from walkrx.ingest import (
    Format,
    IngestError,
    StepSampleRecord,
    WeightRecord,
    WorkoutRecord,
    apple_health,
    open_import,
)
from walkrx.ingest.limits import DEFAULT_LIMITS
from walkrx.ingest.records import ReadSummary

from .generators import PHONE_DEVICE, WATCH_DEVICE, apple_xml, step, write_zip

STEP_TYPE = apple_health.STEP_TYPE
BENCH = Path(__file__).parents[2] / "benchmarks" / "apple_health_generate.py"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("apple_health_generate", BENCH)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def read_all(path: Path, **kwargs: object) -> tuple[list[object], ReadSummary]:
    reader = open_import(path, **kwargs)  # type: ignore[arg-type]
    records = list(reader)
    return records, reader.summary


def read_reference(path: Path) -> tuple[list[object], ReadSummary]:
    """What the plain pull parser reads: the yardstick for the fast reader."""
    summary = ReadSummary(file="x")
    with path.open("rb") as fh:
        records = list(
            apple_health.read_export_reference(fh, file="x", summary=summary, limits=DEFAULT_LIMITS)
        )
    return records, summary


def read_both_ways(tmp_path: Path, body: str) -> tuple[list[object], ReadSummary]:
    """What the fast reader reads of an export of ``body``, checked against the parser."""
    path = tmp_path / "export.xml"
    path.write_text(apple_xml(body))
    fast, fast_summary = read_all(path)
    reference, reference_summary = read_reference(path)
    assert fast == reference
    assert fast_summary.skipped == reference_summary.skipped
    return fast, fast_summary


# --------------------------------------------------------------------------- real samples


def test_it_reads_old_ios8_export(testdata: Path) -> None:
    records, summary = read_all(testdata / "apple_health/apple-healthkit-csv_export.xml")
    kinds = Counter(type(r).__name__ for r in records)
    # SOURCES.md: 534 StepCount records; 76 BodyMass records.
    assert kinds == {"StepSampleRecord": 534, "WeightRecord": 76}
    first = next(r for r in records if isinstance(r, StepSampleRecord))
    assert first.steps == 389
    assert first.start.isoformat() == "2012-11-14T17:19:00+01:00"
    assert first.source.name == "Data Manager"
    weight = next(r for r in records if isinstance(r, WeightRecord))
    assert weight.kg == 71.1
    assert weight.source.kind == "manual"  # HKWasUserEntered="1" attribute in iOS 8
    assert summary.skipped_count == 0


def test_it_repairs_spaced_attribute_names_in_german_export(testdata: Path) -> None:
    path = testdata / "apple_health/apple-healthkit-csv_Exportieren.xml"
    records, summary = read_all(path)
    steps = [r for r in records if isinstance(r, StepSampleRecord)]
    weights = [r for r in records if isinstance(r, WeightRecord)]
    assert len(steps) == 362
    assert path.read_text().count('type="HKQuantityTypeIdentifierBodyMass"') == len(weights)
    assert any(w.source.name == "Withings" and w.kg == 87.5 for w in weights)
    # Fractional step values from the old export are rounded, not dropped.
    assert any(s.steps == 2742 for s in steps)
    assert all(s.source.kind == "phone" for s in steps if s.source.name == "Carl's iPhone")
    assert summary.skipped_count == 0


def test_it_skips_running_and_reads_route_folder(testdata: Path, tmp_path: Path) -> None:
    folder = testdata / "apple_health/healthkit-to-sqlite_zip_contents/apple_health_export"
    records, summary = read_all(folder / "export.xml")
    assert records == []
    assert summary.skipped_by_reason == {"not a walking or hiking workout (Running)": 1}
    # The same export with the workout relabelled as a walk picks up the GPX route.
    copy = tmp_path / "apple_health_export"
    shutil.copytree(folder, copy)
    xml = copy / "export.xml"
    xml.write_text(xml.read_text().replace("TypeRunning", "TypeWalking"))
    records, _ = read_all(xml)
    (walk,) = records
    assert isinstance(walk, WorkoutRecord)
    assert walk.distance_m == pytest.approx(0.4971749504535062 * 1609.344, rel=1e-6)
    assert walk.energy_kcal == pytest.approx(48.745, abs=1e-3)
    assert walk.minutes == pytest.approx(5.1941, abs=1e-4)
    assert walk.route_distance_m is not None
    assert 0 < walk.route_distance_m < 1  # three points a few centimetres apart
    assert walk.start.utcoffset() == timedelta(hours=-7)


def test_it_reads_macos_zip_and_ignores_finder_files(testdata: Path) -> None:
    path = testdata / "apple_health/apple-health-parser_export.zip"
    reader = open_import(path)
    assert reader.format is Format.APPLE_HEALTH_ZIP
    assert list(reader) == []  # heart rate, energy and sleep only


def test_it_reads_full_dtd_export(testdata: Path) -> None:
    records, summary = read_all(testdata / "apple_health/ahcd-go_export.xml")
    assert records == []
    assert summary.skipped_count == 0


# --------------------------------------------------------------------------- generated


def test_it_keeps_phone_and_watch_apart_with_stable_keys(tmp_path: Path) -> None:
    body = (
        step(
            "Anna\u2019s iPhone",
            PHONE_DEVICE,
            "2024-03-30 10:00:00 +0100",
            "2024-03-30 10:10:00 +0100",
            "1000",
            addr="1",
        )
        + step(
            "Anna\u2019s iPhone",
            PHONE_DEVICE,
            "2024-03-30 11:00:00 +0100",
            "2024-03-30 11:10:00 +0100",
            "800",
            addr="2",
            order="reversed",
        )
        + step(
            "Anna's Apple Watch",
            WATCH_DEVICE,
            "2024-03-30 10:00:30 +0100",
            "2024-03-30 10:10:00 +0100",
            "980",
            addr="3",
            children='  <MetadataEntry key="HKMetadataKeySyncVersion" value="2"/>',
        )
        + step(
            "Health",
            None,
            "2024-03-30 12:00:00 +0100",
            "2024-03-30 12:30:00 +0100",
            "1500",
            children='  <MetadataEntry key="HKWasUserEntered" value="1"/>',
        )
    )
    path = tmp_path / "export.xml"
    path.write_text(apple_xml(body))
    records, _ = read_all(path)
    steps = [r for r in records if isinstance(r, StepSampleRecord)]
    assert [s.steps for s in steps] == [1000, 800, 980, 1500]
    keys = [s.source.key for s in steps]
    assert keys[0] == keys[1] == "apple_health:anna's iphone|iphone"
    assert keys[2] == "apple_health:anna's apple watch|watch"
    assert keys[3].endswith("|manual")
    assert [s.source.kind for s in steps] == ["phone", "phone", "watch", "manual"]
    assert not any("0x" in k for k in keys)


def test_it_keeps_each_records_own_offset_across_dst_and_travel(tmp_path: Path) -> None:
    body = (
        step(
            "iPhone", PHONE_DEVICE, "2024-03-30 23:50:00 +0100", "2024-03-31 00:05:00 +0100", "100"
        )
        + step(
            "iPhone", PHONE_DEVICE, "2024-03-31 03:10:00 +0200", "2024-03-31 03:20:00 +0200", "200"
        )
        + step(
            "iPhone", PHONE_DEVICE, "2024-04-05 09:00:00 -0400", "2024-04-05 09:30:00 -0400", "300"
        )
    )
    path = tmp_path / "export.xml"
    path.write_text(apple_xml(body))
    records, _ = read_all(path)
    offsets = [r.start.utcoffset() for r in records]  # type: ignore[attr-defined]
    assert offsets == [timedelta(hours=1), timedelta(hours=2), timedelta(hours=-4)]
    assert records[2].start.hour == 9  # type: ignore[attr-defined]


# Both workout layouts, a workout with neither duration nor totals, units to convert.
WORKOUTS = (Path(__file__).parent / "data" / "workouts_fragment.xml").read_text()

ROUTE = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Apple Health Export" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>
<trkpt lat="47.0" lon="11.0"><time>2024-05-02T07:00:00Z</time></trkpt>
<trkpt lat="47.01" lon="11.0"><time>2024-05-02T07:20:00Z</time></trkpt>
</trkseg></trk></gpx>
"""


@pytest.mark.parametrize("xml_name", ["export.xml", "eksport.xml", "导出.xml", "Exportieren.xml"])
def test_it_reads_both_workout_layouts_from_a_localised_zip(tmp_path: Path, xml_name: str) -> None:
    xml = apple_xml(WORKOUTS.format(watch=WATCH_DEVICE.format(addr="abc")))
    path = write_zip(
        tmp_path / "vienti.zip",
        {
            f"apple_health_export/{xml_name}": xml,
            "apple_health_export/export_cda.xml": "<ClinicalDocument/><ClinicalDocument/>",
            "apple_health_export/workout-routes/route_2024-05-02_9.00am.gpx": ROUTE,
            "apple_health_export/electrocardiograms/ecg_2024-05-01.csv": "Name,Anna\n",
        },
    )
    records, summary = read_all(path)
    walk, hike, third, *weights = records
    assert isinstance(walk, WorkoutRecord)
    assert isinstance(hike, WorkoutRecord)
    assert isinstance(third, WorkoutRecord)
    # Attributes layout: miles and kJ converted; duration excludes the 4-minute pause.
    assert walk.activity == "walking"
    assert walk.minutes == 30
    assert walk.distance_m == pytest.approx(1.5 * 1609.344)
    assert walk.energy_kcal == pytest.approx(120.0, abs=0.01)
    assert walk.route_distance_m is None
    # Statistics layout: distance, energy and steps only in WorkoutStatistics.
    assert hike.activity == "hiking"
    assert hike.minutes == 110
    assert hike.distance_m == 7400
    assert hike.energy_kcal == 612
    assert hike.steps == 10250
    assert hike.route_distance_m == pytest.approx(1113.2, abs=1.0)  # 0.01° of latitude
    # No duration attribute: elapsed time minus the pause.
    assert third.minutes == 30
    assert third.distance_m is None
    assert [type(w) for w in weights] == [WeightRecord, WeightRecord]
    assert weights[0].kg == pytest.approx(72.575, abs=0.001)  # type: ignore[attr-defined]
    assert weights[0].source.kind == "manual"  # type: ignore[attr-defined]
    assert weights[1].kg == 72.4  # type: ignore[attr-defined]
    assert summary.skipped_by_reason == {"not a walking or hiking workout (Running)": 1}


def test_it_gives_the_same_external_ids_on_every_read(tmp_path: Path) -> None:
    xml = tmp_path / "export.xml"
    xml.write_text(apple_xml(WORKOUTS.format(watch=WATCH_DEVICE.format(addr="abc"))))
    first = [r.external_id for r in read_all(xml)[0] if isinstance(r, WorkoutRecord)]
    # A newer export: same workouts, a different device address, more data around them.
    xml.write_text(
        apple_xml(
            step(
                "iPhone",
                PHONE_DEVICE,
                "2024-05-05 10:00:00 +0200",
                "2024-05-05 10:05:00 +0200",
                "10",
            )
            + WORKOUTS.format(watch=WATCH_DEVICE.format(addr="fff"))
        )
    )
    second = [r.external_id for r in read_all(xml)[0] if isinstance(r, WorkoutRecord)]
    assert first == second
    assert len(set(first)) == 3


def test_it_strips_control_characters_and_skips_broken_records(tmp_path: Path) -> None:
    body = (
        step(
            "iPhone\x0b",
            PHONE_DEVICE,
            "2024-05-01 10:00:00 +0200",
            "2024-05-01 10:05:00 +0200",
            "50",
        )
        + ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="x" '
        'startDate="yesterday" endDate="2024-05-01 10:05:00 +0200" value="5"/>\n'
        + ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="x&bogus;" '
        'startDate="2024-05-01 10:00:00 +0200" endDate="2024-05-01 10:05:00 +0200" '
        'value="5"/>\n' + ' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="x" '
        'startDate="2024-05-01 10:00:00 +0200" endDate="2024-05-01 10:05:00 +0200" '
        'value="-5"/>\n'
    )
    path = tmp_path / "export.xml"
    path.write_bytes(apple_xml(body).encode())
    records, summary = read_all(path)
    assert [r.steps for r in records] == [50]  # type: ignore[attr-defined]
    assert records[0].source.name == "iPhone"  # type: ignore[attr-defined]
    assert summary.skipped_count == 3
    assert all(s.locator.startswith("line ") for s in summary.skipped)
    assert summary.skipped[0].locator == "line 18"


def test_it_ignores_records_nested_in_correlations(tmp_path: Path) -> None:
    inner = step("Scale", None, "2024-05-01 10:00:00 +0200", "2024-05-01 10:00:00 +0200", "7")
    body = (
        f' <Correlation type="HKCorrelationTypeIdentifierFood" sourceName="x" '
        f'startDate="2024-05-01 10:00:00 +0200" endDate="2024-05-01 10:00:00 +0200">\n'
        f"{inner} </Correlation>\n{inner}"
    )
    path = tmp_path / "export.xml"
    path.write_text(apple_xml(body))
    records, _ = read_all(path)
    assert len(records) == 1


@pytest.mark.parametrize("block", [64, 8 << 20])
def test_type_names_in_other_places_do_not_fool_the_fast_reader(tmp_path: Path, block: int) -> None:
    inner = step("Scale", None, "2024-05-01 10:00:00 +0200", "2024-05-01 10:00:00 +0200", "7")
    dates = 'startDate="2024-05-01 09:00:00 +0200" endDate="2024-05-01 09:30:00 +0200"'
    body = (
        # The needles in source names, before and after the real type attribute.
        f' <Workout sourceName="HKWorkoutActivityTypeWalking" {dates} '
        'workoutActivityType="HKWorkoutActivityTypeRunning"/>\n'
        f' <Workout workoutActivityType="HKWorkoutActivityTypeHiking" {dates} '
        'sourceName="HKWorkoutActivityTypeWalking" duration="30" durationUnit="min">\n'
        '  <WorkoutActivity workoutActivityType="HKWorkoutActivityTypeWalking" '
        f"{dates}/>\n"
        f"{inner} </Workout>\n"
        f' <Correlation sourceName="HKCorrelationTypeIdentifierFood" {dates} '
        'type="HKCorrelationTypeIdentifierBloodPressure">\n'
        f"{inner} </Correlation >\n"
        f' <Correlation type="HKCorrelationTypeIdentifierFood" {dates}/>\n'
        f"{inner}"
        ' <Record type="HKQuantityTypeIdentifierHeartRate" '
        'sourceName="HKCorrelationTypeIdentifierFood" value="60" '
        f"{dates}/>\n"
        f"{inner}"
    )
    path = tmp_path / "export.xml"
    path.write_text(apple_xml(body))
    saved = apple_health.BLOCK_SIZE
    try:
        apple_health.BLOCK_SIZE = block  # type: ignore[misc]
        records, summary = read_all(path)
    finally:
        apple_health.BLOCK_SIZE = saved  # type: ignore[misc]
    reference, _ = read_reference(path)
    assert records == reference
    assert Counter(type(r).__name__ for r in records) == {
        "WorkoutRecord": 1,
        "StepSampleRecord": 2,
    }
    assert summary.skipped_by_reason == {"not a walking or hiking workout (Running)": 1}


def test_records_read_without_the_parser_equal_what_the_parser_reads(tmp_path: Path) -> None:
    """Records in the Health app's own layout skip lxml; every odd value must still read
    exactly as the parser reads it (or fall back to the parser)."""
    at = ("2024-05-01 10:00:00 +0200", "2024-05-01 10:05:00 +0200")
    device = "&lt;&lt;HKDevice: 0x1&gt;, name:Watch, manufacturer:Apple Inc., model:{model}"
    body = "".join(
        [
            step("Anna’s Apple Watch", WATCH_DEVICE, *at, "50"),
            # The model last in the description, or holding entities the parser decodes.
            step("W", device.format(model="Watch&gt;"), *at, "51"),
            step("W", device.format(model="A&amp;B, hardware:x&gt;"), *at, "52"),
            step("W", device.format(model="A&#44;B&gt;"), *at, "53"),
            step("W", device.format(model="A&quot;B&gt;"), *at, "54"),
            step("W", "name:Watch, model: Spaced , x", *at, "55"),
            step("W", "no model here", *at, "56"),
            # Names: empty, with a tab (the parser makes it a space), with '>' and an entity.
            step("", None, *at, "57"),
            step("Tab\tName", None, *at, "58"),
            step("a>b", None, *at, "59"),
            step("a&amp;b", None, *at, "60"),
            # Values: empty, padded, not a number, a fraction, missing fields.
            step("V", None, *at, ""),
            step("V", None, *at, " 61 "),
            step("V", None, *at, "sixty"),
            step("V", None, *at, "62.5"),
            step("V", None, at[0], "", "63"),
            step("V", None, at[1], at[0], "64"),
            step("V", None, *at, "nan"),
            step("V", None, *at, "0061"),
            step("V", None, *at, "+62"),
            step("V", None, *at, "1e3"),
            step("V", None, *at, "٣"),
            step("V", None, *at, "9" * 5000),
            # Devices alike but for their start: a character reference there, the model there.
            step("D", "&lt;&lt;HKDevice: 0x2&gt;, name:W, model:M&gt;", *at, "68"),
            step("D", "&lt;&#60;HKDevice: 0x3&gt;, name:W, model:M&gt;", *at, "69"),
            step("D", "model:Head, name:W, model:M&gt;", *at, "70"),
            # Weights in the app's layout: kilograms, pounds, an impossible value.
            ' <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" '
            f'sourceVersion="2" unit="kg" creationDate="{at[0]}" startDate="{at[0]}" '
            f'endDate="{at[0]}" value="71.5"/>\n',
            ' <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" '
            f'unit="lb" startDate="{at[0]}" endDate="{at[0]}" value="158"/>\n',
            ' <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Scale" '
            f'unit="kg" startDate="{at[0]}" endDate="{at[0]}" value="0.5"/>\n',
            # Not the app's layout: single quotes, another attribute, self-closing with space.
            step("Q", None, *at, "65").replace('"', "'"),
            step("Q", None, *at, "66").replace("/>", ' HKWasUserEntered="1"/>'),
            step("Q", None, *at, "67").replace("/>", " />"),
        ]
    )
    fast, fast_summary = read_both_ways(tmp_path, body)
    names = {r.source.name for r in fast}  # type: ignore[attr-defined]
    assert {"Unknown source", "Tab Name", "a>b", "a&b"} <= names
    models = {r.source.key.rsplit("|", 1)[-1] for r in fast if r.source.name == "W"}  # type: ignore[attr-defined]
    assert models == {"watch", "a&b", "a", 'a"b', "spaced", ""}
    reasons = set(fast_summary.skipped_by_reason)
    assert "the record has no value" in reasons
    assert any("sixty" in reason for reason in reasons)
    assert len(fast) + fast_summary.skipped_count == body.count("<Record")


def test_records_in_another_attribute_order_read_as_the_parser_reads_them(
    tmp_path: Path,
) -> None:
    at = ("2024-05-01 10:00:00 +0200", "2024-05-01 10:05:00 +0200")
    mass = apple_health.MASS_TYPE

    def record(*pairs: tuple[str, str], sep: str = " ", end: str = "/>") -> str:
        return " <Record " + sep.join(f'{k}="{v}"' for k, v in pairs) + f"{end}\n"

    dates = (("startDate", at[0]), ("endDate", at[1]))
    body = "".join(
        [
            step("Anna’s Apple Watch", WATCH_DEVICE, *at, "70", order="reversed"),
            step("iPhone", PHONE_DEVICE, *at, "71", order="reversed"),
            # The type's name first in another attribute; a heart rate named like steps.
            record(("sourceName", STEP_TYPE), ("value", "72"), ("type", STEP_TYPE), *dates),
            record(
                ("sourceName", STEP_TYPE),
                ("type", "HKQuantityTypeIdentifierHeartRate"),
                ("value", "73"),
                *dates,
            ),
            record(("value", "74"), ("type", STEP_TYPE + "Extra"), *dates),
            # Entered by hand (the iOS 8 attribute), an older source attribute, no name.
            record(("HKWasUserEntered", "1"), ("type", STEP_TYPE), ("value", "75"), *dates),
            record(("source", "Old App"), ("type", STEP_TYPE), ("value", "76"), *dates),
            record(("type", STEP_TYPE), ("value", "77"), *dates, ("sourceName", "")),
            # Tabs and line breaks between attributes; ">" inside a value.
            record(("value", "78"), ("type", STEP_TYPE), *dates, sep="\t"),
            record(("value", "79"), ("type", STEP_TYPE), *dates, sep="\n   ", end=" />"),
            record(("value", "80"), ("type", STEP_TYPE), ("sourceName", "a/>b"), *dates),
            # Values the parser reads differently, or refuses.
            record(("value", "81"), ("type", STEP_TYPE), ("sourceName", "a&amp;b"), *dates),
            record(("value", "84"), ("type", STEP_TYPE), ("sourceName", "a\tb"), *dates),
            record(("value", "85"), ("type", STEP_TYPE), ("startDate", at[0])),
            record(("value", "x"), ("type", STEP_TYPE), *dates),
            record(("endDate", at[0]), ("type", STEP_TYPE), ("value", "86"), ("startDate", at[1])),
            record(("value", "87"), ("type", STEP_TYPE), ("note", "&#10;"), *dates),
            # Devices: the model with entities, then a character reference.
            record(
                ("device", "&lt;&lt;HKDevice: 0x1&gt;, name:W, model:Watch&gt;"),
                ("value", "89"),
                ("type", STEP_TYPE),
                *dates,
            ),
            record(("device", "model:A&#44;B"), ("value", "90"), ("type", STEP_TYPE), *dates),
            # Weights: pounds, kilograms entered by hand, an impossible one.
            record(("value", "158"), ("unit", "lb"), ("type", mass), *dates),
            record(
                ("HKWasUserEntered", "1"), ("value", "70"), ("unit", "kg"), ("type", mass), *dates
            ),
            record(("value", "900"), ("unit", "kg"), ("type", mass), *dates),
        ]
    )
    fast, fast_summary = read_both_ways(tmp_path, body)
    steps = sorted(r.steps for r in fast if isinstance(r, StepSampleRecord))
    assert steps == [70, 71, 72, 75, 76, 77, 78, 79, 80, 81, 84, 87, 89, 90]
    kinds = {r.source.kind for r in fast if isinstance(r, StepSampleRecord | WeightRecord)}
    assert "manual" in kinds
    assert fast_summary.skipped_count == 4


def test_a_record_with_an_attribute_given_twice_is_skipped(tmp_path: Path) -> None:
    at = ("2024-05-01 10:00:00 +0200", "2024-05-01 10:05:00 +0200")
    twice = step("W", None, *at, "5", order="reversed").replace("/>", ' value="6"/>')
    text = apple_xml(step("W", None, *at, "4") + twice)
    path = tmp_path / "export.xml"
    path.write_text(text)
    records, summary = read_all(path)
    assert [r.steps for r in records] == [4]  # type: ignore[attr-defined]
    assert summary.skipped[0].locator == f"line {text.splitlines().index(twice.rstrip()) + 1}"
    assert "not well-formed" in summary.skipped[0].reason


def test_a_record_that_is_not_utf8_is_skipped_with_its_line(tmp_path: Path) -> None:
    at = ("2024-05-01 10:00:00 +0200", "2024-05-01 10:05:00 +0200")
    body = step("Good", None, *at, "5") + step("Bad\udcff", None, *at, "6")
    path = tmp_path / "export.xml"
    path.write_bytes(apple_xml(body).encode("utf-8", "surrogateescape"))
    records, summary = read_all(path)
    assert [r.steps for r in records] == [5]  # type: ignore[attr-defined]
    assert summary.skipped_count == 1
    assert summary.skipped[0].locator.startswith("line ")
    assert "not well-formed" in summary.skipped[0].reason


def test_it_refuses_a_truncated_export(tmp_path: Path) -> None:
    text = apple_xml(
        step("iPhone", None, "2024-05-01 10:00:00 +0200", "2024-05-01 10:05:00 +0200", "50") * 3
    )
    path = tmp_path / "export.xml"
    path.write_text(text[: text.rindex("<Record") + 40])
    with pytest.raises(IngestError, match="ends in the middle"):
        read_all(path)
    path.write_text(text.replace("</HealthData>\n", ""))
    with pytest.raises(IngestError, match="incomplete"):
        read_all(path)


def test_it_refuses_a_record_larger_than_the_limit(tmp_path: Path) -> None:
    from walkrx.ingest import Limits

    huge = step(
        "iPhone",
        None,
        "2024-05-01 10:00:00 +0200",
        "2024-05-01 10:05:00 +0200",
        "5",
        children="  <MetadataEntry key='x' value='" + "y" * 300_000 + "'/>",
    )
    path = tmp_path / "export.xml"
    path.write_text(apple_xml(huge))
    apple_block = apple_health.BLOCK_SIZE
    try:
        apple_health.BLOCK_SIZE = 64 * 1024  # type: ignore[misc]
        with pytest.raises(IngestError, match="larger than"):
            read_all(path, limits=Limits(max_element_bytes=100_000))
    finally:
        apple_health.BLOCK_SIZE = apple_block  # type: ignore[misc]


# --------------------------------------------------------------------------- fast vs reference


@pytest.mark.parametrize(
    ("seed", "broken", "block"), [(1, True, 64 * 1024), (7, False, 8 << 20), (11, True, 4096)]
)
def test_fast_reader_matches_reference_parser(
    tmp_path: Path, seed: int, broken: bool, block: int
) -> None:
    gen = _generator()
    xml = tmp_path / "export.xml"
    gen.generate(xml, 3 if block > 4096 else 0.6, seed=seed, broken_dtd=broken, telemetry=0.05)
    saved = apple_health.BLOCK_SIZE
    try:
        # Small blocks put element boundaries on every kind of block edge.
        apple_health.BLOCK_SIZE = block  # type: ignore[misc]
        fast_summary = ReadSummary(file="x")
        with xml.open("rb") as fh:
            fast = list(
                apple_health.read_export(fh, file="x", summary=fast_summary, limits=DEFAULT_LIMITS)
            )
    finally:
        apple_health.BLOCK_SIZE = saved  # type: ignore[misc]
    reference, ref_summary = read_reference(xml)
    assert fast == reference
    assert fast_summary.skipped_by_reason == ref_summary.skipped_by_reason
    kinds = Counter(type(r).__name__ for r in fast)
    assert kinds["StepSampleRecord"] > 100
    assert kinds["WorkoutRecord"] > 0
    assert kinds["WeightRecord"] > 0
    watch = {r.source.key for r in fast if isinstance(r, StepSampleRecord)}
    assert {"apple_health:anna's iphone|iphone", "apple_health:anna's apple watch|watch"} <= watch
    offsets = {r.start.utcoffset() for r in fast if isinstance(r, StepSampleRecord)}
    assert len(offsets) >= 2  # DST and travel


def test_generated_zip_reads_routes(tmp_path: Path) -> None:
    gen = _generator()
    xml, archive = tmp_path / "export.xml", tmp_path / "export.zip"
    generator = gen.generate(xml, 1, seed=5, zip_path=archive, broken_dtd=True, telemetry=0.05)
    assert generator.routes
    records, summary = read_all(archive)
    walks = [r for r in records if isinstance(r, WorkoutRecord)]
    assert any(w.route_distance_m for w in walks)
    assert summary.notes == []
    with zipfile.ZipFile(archive) as zf:
        assert any("workout-routes" in n for n in zf.namelist())
