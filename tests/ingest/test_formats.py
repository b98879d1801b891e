from __future__ import annotations

import json
import shutil
from datetime import UTC, date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from walkrx.ingest import (
    Format,
    IngestError,
    ReadOptions,
    StepSampleRecord,
    WeightRecord,
    WorkoutRecord,
    detect_format,
    open_import,
)
from walkrx.ingest.records import ReadSummary

from .generators import gpx_doc, health_connect_db, slow_walk_points, write_zip

OSLO = ZoneInfo("Europe/Oslo")


def read_all(path: Path, **kwargs: object) -> tuple[list[object], ReadSummary]:
    reader = open_import(path, **kwargs)  # type: ignore[arg-type]
    return list(reader), reader.summary


# --------------------------------------------------------------------------- GPX


def test_gpx_walk_round_lake_joins_converter_tracks(testdata: Path) -> None:
    records, _ = read_all(testdata / "gpx/gpxpy_cerknicko-jezero.gpx")
    (walk,) = records
    assert isinstance(walk, WorkoutRecord)
    assert walk.activity == "walking"
    assert walk.start.isoformat() == "2010-08-05T14:23:59+00:00"
    assert (walk.end - walk.start) == timedelta(minutes=119, seconds=50)  # SOURCES: 119.8 min
    assert walk.route_distance_m is not None
    assert walk.route_distance_m > 1000
    assert walk.external_id == "gpx:20100805T142359Z-20100805T162349Z"


def test_gpx_keeps_the_files_own_offset(testdata: Path) -> None:
    records, _ = read_all(testdata / "gpx/opentracks_gpx11_with_speed_no_namespace.gpx")
    (walk,) = records
    assert walk.start.utcoffset() == timedelta(0)  # type: ignore[attr-defined]


def test_gpx_refuses_1901_times_per_point(testdata: Path) -> None:
    records, summary = read_all(testdata / "gpx/gpxpy_Mojstrovka.gpx")
    assert records == []
    assert summary.skipped_count == 185  # 184 points + the track
    assert (
        "no usable times" in summary.skipped[-1].reason
        or summary.skipped_by_reason[
            "the track has no usable times, so its date and duration are unknown"
        ]
        == 1
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("gpxgo_iso8859-1encoded.gpx", "no recorded track"),
        ("gpxpy_unicode_with_bom.gpx", "no recorded track"),
        ("gpxpy_cerknicko-without-times.gpx", "no usable times"),
        ("togeojson_run.gpx", "faster than walking"),
        ("gpxpy_around-visnjan-with-car.gpx", "faster than walking"),
        ("togeojson_Friday-Evening-Run.gpx", "marked as “running”"),
    ],
)
def test_gpx_odd_files_are_read_and_skipped_with_reason(
    testdata: Path, name: str, reason: str
) -> None:
    records, summary = read_all(testdata / "gpx" / name)
    assert records == []
    assert any(reason in r for r in summary.skipped_by_reason)


def test_gpx_with_bad_numbers_is_refused_clearly(testdata: Path) -> None:
    with pytest.raises(IngestError) as err:
        read_all(testdata / "gpx/togeojson_bad.gpx")
    assert str(err.value).startswith("Could not import “togeojson_bad.gpx”: the GPX file holds")


def test_gpx_slow_walker_is_moving_not_stopped(tmp_path: Path) -> None:
    path = tmp_path / "slow.gpx"
    path.write_text(gpx_doc(slow_walk_points()))
    (walk,) = read_all(path)[0]
    assert walk.minutes == pytest.approx(13.0)  # type: ignore[attr-defined]
    # gpxpy's default 1 km/h threshold would count much of this 1.44 km/h walk as stopped.
    default, _ = read_all(path, options=ReadOptions(stopped_speed_kmh=1.5))
    assert default == []


def test_gpx_hiking_type_and_naive_times(tmp_path: Path) -> None:
    path = tmp_path / "hike.gpx"
    path.write_text(gpx_doc(slow_walk_points().replace("Z</time>", "</time>"), trk_type="Hiking"))
    (hike,) = read_all(path)[0]
    assert hike.activity == "hiking"  # type: ignore[attr-defined]
    assert hike.start.tzinfo is UTC  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- FIT


def test_fit_walk_uses_session_totals(testdata: Path) -> None:
    (walk,), summary = read_all(testdata / "fit/fitparse_garmin-fenix-5-walk.fit")
    assert isinstance(walk, WorkoutRecord)
    assert walk.activity == "walking"
    assert walk.minutes == pytest.approx(45.379 / 60, abs=1e-4)
    assert walk.distance_m == 67.85
    assert walk.steps == 82  # 41 strides
    assert walk.energy_kcal == 4
    assert walk.start.utcoffset() == timedelta(hours=-7)
    assert walk.start.isoformat() == "2017-06-11T07:32:51-07:00"
    assert walk.source.key == "fit:garmin|fenix5"
    assert summary.skipped_count == 0


def test_fit_chained_triathlon_skips_every_other_sport(testdata: Path) -> None:
    records, summary = read_all(testdata / "fit/fitparse_sample_mulitple_header.fit")
    assert records == []
    assert summary.skipped_count == 5


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("fitparse_activity-filecrc.fit", "checksum"),
        ("fitparse_activity-activity-filecrc.fit", "checksum"),
        ("fitparse_activity-unexpected-eof.fit", "ends early"),
        ("fitparse_activity-settings-nodata.fit", "ends early"),
        ("fitparse_activity-settings-corruptheader.fit", "header"),
        ("fitparse_nick.fit", "ends early"),
        ("sports-lib_empty-activities.fit", "checksum"),
        ("sports-lib_empty-sessions.fit", "empty"),
        ("fitparse_strava-android-app-201.10-b1218918.fit", "cannot be decoded"),
    ],
)
def test_fit_broken_files_are_refused(testdata: Path, name: str, problem: str) -> None:
    with pytest.raises(IngestError, match=problem) as err:
        read_all(testdata / "fit" / name)
    assert name in str(err.value)


def test_fit_monitoring_file_is_skipped(testdata: Path) -> None:
    records, summary = read_all(testdata / "fit/fitparse_MonitoringFile.fit")
    assert records == []
    assert "monitoring" in summary.skipped[0].reason


# --------------------------------------------------------------------------- TCX


def test_tcx_rules_by_sport_and_pace(testdata: Path) -> None:
    assert (
        read_all(testdata / "tcx/tcxparser_test.tcx")[1]
        .skipped[0]
        .reason.startswith("average speed of 8.5 km/h")
    )
    assert read_all(testdata / "tcx/togeojson_tour_hr.tcx")[1].skipped[0].reason == (
        "a bike ride is not counted as walking"
    )
    assert "course" in read_all(testdata / "tcx/togeojson_tcx-courses.tcx")[1].skipped[0].reason
    (other,), _ = read_all(testdata / "tcx/tcxreader_sup_activity_1.tcx")
    assert other.minutes == pytest.approx(18.5389, abs=1e-3)  # type: ignore[attr-defined]


def test_tcx_slow_running_is_a_walk(testdata: Path, tmp_path: Path) -> None:
    text = (testdata / "tcx/togeojson_sample.tcx").read_text()
    slow = tmp_path / "walk.tcx"
    # Same activity with a third of the distance: 4.3 km/h.
    import re

    slow.write_text(
        re.sub(
            r"<DistanceMeters>([\d.]+)</DistanceMeters>",
            lambda m: f"<DistanceMeters>{float(m.group(1)) / 3}</DistanceMeters>",
            text,
        )
    )
    (walk,), _ = read_all(slow)
    assert walk.activity == "walking"  # type: ignore[attr-defined]
    assert walk.external_id == "tcx:20070807T024241Z"  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- Google Takeout


def test_google_walking_session(testdata: Path) -> None:
    folder = testdata / "google_takeout/niimpy/Takeout/Fit/All Sessions"
    (walk,), _ = read_all(folder / "2024-05-22T07_57_45.601+03_00_WALKING.json")
    assert isinstance(walk, WorkoutRecord)
    assert walk.steps == 1328
    assert walk.distance_m == pytest.approx(2188.157, abs=1e-3)
    assert walk.minutes == pytest.approx(1633.255 / 60, abs=1e-4)
    assert walk.energy_kcal == 119
    assert walk.start.isoformat() == "2024-05-22T07:57:45.601000+03:00"


def test_google_fifteen_minute_file(testdata: Path) -> None:
    path = testdata / "google_takeout/niimpy/Takeout/Fit/Daily activity metrics/2023-11-20.csv"
    records, _ = read_all(path)
    assert sum(r.steps for r in records) == 5627  # type: ignore[attr-defined]
    assert len(records) == 19
    first = records[0]
    assert first.start.isoformat() == "2023-11-20T14:15:00+02:00"  # type: ignore[attr-defined]


def test_google_daily_csv_rows_that_do_not_match_the_header_are_skipped(testdata: Path) -> None:
    path = (
        testdata / "google_takeout/niimpy/Takeout/Fit/Daily activity metrics/"
        "Daily activity metrics.csv"
    )
    records, summary = read_all(path)
    assert records == []
    assert summary.skipped_count == 2


def test_google_takeout_zip_does_not_count_days_twice(testdata: Path, tmp_path: Path) -> None:
    fit = testdata / "google_takeout/niimpy/Takeout/Fit"
    daily = "Date,Move Minutes count,Step count\n2023-11-20,40,5627\n2023-11-22,10,3000\n"
    members: dict[str, bytes | str] = {
        f"Takeout/Fit/{p.relative_to(fit)}": p.read_bytes() for p in fit.rglob("*") if p.is_file()
    }
    members["Takeout/Fit/Daily activity metrics/Daily activity metrics.csv"] = daily
    path = write_zip(tmp_path / "takeout-001.zip", members)
    assert detect_format(path) is Format.GOOGLE_TAKEOUT_ZIP
    records, summary = read_all(path, options=ReadOptions(default_tz=OSLO))
    steps = [r for r in records if isinstance(r, StepSampleRecord)]
    assert sum(s.steps for s in steps) == 5627 + 3000
    whole_day = [s for s in steps if s.steps == 3000]
    assert whole_day[0].start.date() == date(2023, 11, 22)
    assert whole_day[0].start.tzinfo is OSLO
    assert len([r for r in records if isinstance(r, WorkoutRecord)]) == 1
    assert (
        summary.skipped_by_reason["the day's steps are read from its 15-minute file instead"] == 1
    )
    assert any("Europe/Oslo" in n for n in summary.notes)


# --------------------------------------------------------------------------- Fitbit


def test_fitbit_minute_json_uses_the_chosen_zone(tmp_path: Path) -> None:
    data = [
        {"dateTime": "03/31/24 01:58:00", "value": "12"},
        {"dateTime": "03/31/24 01:59:00", "value": "0"},
        {"dateTime": "03/31/24 03:00:00", "value": "30"},
        {"dateTime": "bad", "value": "1"},
    ]
    path = tmp_path / "steps-2024-03-31.json"
    path.write_text(json.dumps(data))
    records, summary = read_all(path, options=ReadOptions(default_tz=OSLO))
    assert [r.steps for r in records] == [12, 30]  # type: ignore[attr-defined]
    assert [r.start.utcoffset() for r in records] == [  # type: ignore[attr-defined]
        timedelta(hours=1),
        timedelta(hours=2),
    ]
    assert summary.skipped_count == 1
    assert summary.notes == ["Fitbit times have no time zone; they were read as Europe/Oslo."]


def test_fitbit_csv_and_takeout_zip(tmp_path: Path) -> None:
    csv_text = "timestamp,steps\n2024-05-01T08:00:00,20\n2024-05-01T08:01:00,25\n"
    path = tmp_path / "steps_2024-05-01.csv"
    path.write_text(csv_text)
    assert detect_format(path) is Format.FITBIT_STEPS_CSV
    assert sum(r.steps for r in read_all(path)[0]) == 45  # type: ignore[attr-defined]
    archive = write_zip(
        tmp_path / "fitbit.zip",
        {
            "Takeout/Fitbit/Global Export Data/steps-2024-05-01.json": json.dumps(
                [{"dateTime": "05/01/24 08:00:00", "value": "7"}]
            ),
            "Takeout/Fitbit/Global Export Data/steps_2024-05-02.csv": csv_text.replace(
                "05-01", "05-02"
            ),
        },
    )
    assert detect_format(archive) is Format.FITBIT_TAKEOUT_ZIP
    assert sum(r.steps for r in read_all(archive)[0]) == 52  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- Health Connect


def test_health_connect_export(tmp_path: Path) -> None:
    db = health_connect_db(tmp_path / "health_connect_export.db")
    archive = write_zip(
        tmp_path / "Health Connect.zip", {"health_connect_export.db": db.read_bytes()}
    )
    assert detect_format(archive) is Format.HEALTH_CONNECT_ZIP
    records, summary = read_all(archive)
    steps = [r for r in records if isinstance(r, StepSampleRecord)]
    walks = [r for r in records if isinstance(r, WorkoutRecord)]
    weights = [r for r in records if isinstance(r, WeightRecord)]
    assert sorted(s.steps for s in steps) == [500, 2900, 3000]
    assert {s.source.key for s in steps} == {
        "health_connect:com.google.android.apps.fitness",
        "health_connect:com.sec.android.app.shealth",
    }
    assert steps[0].start.isoformat() == "2024-05-01T10:00:00+02:00"
    walk, hike = walks
    assert walk.external_id == "health_connect:a1b2"
    assert walk.minutes == 20
    assert walk.steps == 2000  # 20 of the 30 minutes of the same app's 3000 steps
    assert walk.distance_m == pytest.approx(2200 * 20 / 30, abs=0.01)
    assert hike.activity == "hiking"
    assert weights[0].kg == 72.5
    assert summary.skipped_by_reason == {"not a walking or hiking session (exercise type 56)": 1}


def test_health_connect_damaged_database_is_refused(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "hc.zip", {"health_connect_export.db": b"SQLite format 3\x00" + b"\xff" * 4000}
    )
    with pytest.raises(IngestError, match="database"):
        read_all(archive)


# --------------------------------------------------------------------------- simple CSV


def test_simple_csv_steps_and_walks(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "Date;Steps;Start;End;Minutes;Distance_km\n"
        "2024-03-01;6200;2024-03-01T09:00;2024-03-01T09:40;35;2.4\n"
        "2024-03-02;4100;;;;\n"
        "2024-03-03;many;;;;\n"
        ";;2024-03-04T09:00+02:00;2024-03-04T09:20+02:00;25;\n"
    )
    records, summary = read_all(path, options=ReadOptions(default_tz=OSLO))
    assert [type(r).__name__ for r in records] == [
        "StepSampleRecord",
        "WorkoutRecord",
        "StepSampleRecord",
    ]
    walk = records[1]
    assert walk.distance_m == 2400  # type: ignore[attr-defined]
    assert walk.start.tzinfo is OSLO  # type: ignore[attr-defined]
    assert summary.skipped_count == 2  # "many" steps; 25 minutes in a 20-minute span
    assert summary.skipped[0].locator == "line 4"


def test_copied_file_with_misleading_name_is_detected_by_content(
    testdata: Path, tmp_path: Path
) -> None:
    fake = tmp_path / "holiday.gpx"
    shutil.copy(testdata / "fit/fitparse_garmin-fenix-5-walk.fit", fake)
    assert detect_format(fake) is Format.FIT
    xml = tmp_path / "data.txt"
    shutil.copy(testdata / "apple_health/healthkit-to-sqlite_export.xml", xml)
    assert detect_format(xml) is Format.APPLE_HEALTH_XML
    tcx = tmp_path / "x.xml"
    shutil.copy(testdata / "tcx/togeojson_sample.tcx", tcx)
    assert detect_format(tcx) is Format.TCX
