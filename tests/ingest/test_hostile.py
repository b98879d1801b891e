"""Hostile and broken files: each is refused with a clear IngestError, quickly and safely."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from walkrx.ingest import IngestError, Limits, apple_health, open_import

from . import generators as g

MB = 1024 * 1024


def refuse(path: Path, match: str, **kwargs: object) -> IngestError:
    started = time.perf_counter()
    with pytest.raises(IngestError, match=match) as err:
        list(open_import(path, **kwargs))  # type: ignore[arg-type]
    assert time.perf_counter() - started < 10
    message = str(err.value)
    assert message.startswith(f"Could not import “{path.name}”")
    assert message.endswith(".")
    assert "Traceback" not in message
    return err.value


XML_ATTACKS: list[tuple[str, Callable[[str], str], str]] = [
    ("billion_laughs", g.billion_laughs, "entities"),
    ("quadratic", g.quadratic_blowup, "entities"),
    ("xxe_file", g.xxe_file, "entities"),
    ("xxe_http", g.xxe_http, "entities"),
    ("external_dtd", g.external_dtd, "outside document type"),
]


@pytest.mark.parametrize(("name", "make", "match"), XML_ATTACKS)
def test_apple_xml_attacks_are_refused(
    tmp_path: Path, name: str, make: Callable[[str], str], match: str
) -> None:
    path = tmp_path / f"{name}.xml"
    path.write_text(make("HealthData"))
    err = refuse(path, match)
    assert "passwd" not in str(err)
    assert "root:" not in str(err)


@pytest.mark.parametrize(("name", "make", "match"), XML_ATTACKS)
def test_gpx_and_tcx_attacks_are_refused(
    tmp_path: Path, name: str, make: Callable[[str], str], match: str
) -> None:
    for root in ("gpx", "TrainingCenterDatabase"):
        path = tmp_path / f"{name}-{root}.xml"
        path.write_text(make(root))
        refuse(path, "document type|entities")


def test_attack_inside_a_zip_is_refused(tmp_path: Path) -> None:
    path = g.write_zip(
        tmp_path / "export.zip", {"apple_health_export/export.xml": g.billion_laughs()}
    )
    refuse(path, "entities")


def test_route_gpx_with_entities_is_ignored_not_expanded(tmp_path: Path) -> None:
    workout = (
        ' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="10" '
        'sourceName="W" startDate="2024-05-01 10:00:00 +0200" '
        'endDate="2024-05-01 10:10:00 +0200"><WorkoutRoute>'
        '<FileReference path="/workout-routes/r.gpx"/></WorkoutRoute></Workout>\n'
    )
    path = g.write_zip(
        tmp_path / "export.zip",
        {
            "apple_health_export/export.xml": g.apple_xml(workout),
            "apple_health_export/workout-routes/r.gpx": g.xxe_file("gpx"),
        },
    )
    reader = open_import(path)
    (walk,) = list(reader)
    assert walk.route_distance_m is None  # type: ignore[union-attr]
    assert any("r.gpx could not be read" in n for n in reader.summary.notes)


def test_route_reference_outside_the_routes_folder_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "secret.gpx").write_text(g.gpx_doc(g.slow_walk_points()))
    workout = (
        ' <Workout workoutActivityType="HKWorkoutActivityTypeWalking" duration="10" '
        'sourceName="W" startDate="2024-05-01 10:00:00 +0200" '
        'endDate="2024-05-01 10:10:00 +0200"><WorkoutRoute>'
        '<FileReference path="/workout-routes/../secret.gpx"/></WorkoutRoute></Workout>\n'
    )
    folder = tmp_path / "export"
    (folder / "workout-routes").mkdir(parents=True)
    (folder / "export.xml").write_text(g.apple_xml(workout))
    (walk,) = list(open_import(folder / "export.xml"))
    assert walk.route_distance_m is None  # type: ignore[union-attr]


def test_zip_bomb_by_real_size(tmp_path: Path) -> None:
    path = g.zip_bomb(tmp_path / "bomb.zip", "apple_health_export/export.xml", 40 * MB)
    assert path.stat().st_size < 200_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    refuse(path, "more than 8,388,608 bytes", limits=Limits(max_member_bytes=8 * MB))
    refuse(path, "archive unpacks to more than", limits=Limits(max_total_bytes=8 * MB))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100


def test_zip_with_lying_header_sizes(tmp_path: Path) -> None:
    data = g.apple_xml(
        g.step("iPhone", None, "2024-05-01 10:00:00 +0200", "2024-05-01 10:05:00 +0200", "5") * 2000
    ).encode()
    path = g.lying_sizes(tmp_path / "liar.zip", "apple_health_export/export.xml", data, 1000)
    refuse(path, "damaged|incomplete|ends")


@pytest.mark.parametrize(
    "member",
    [
        "../../etc/cron.d/x.xml",
        "/etc/passwd",
        "apple_health_export/../../x.xml",
        "C:\\Windows\\x.xml",
    ],
)
def test_zip_with_escaping_paths(tmp_path: Path, member: str) -> None:
    path = g.write_zip(
        tmp_path / "slip.zip",
        {member: g.apple_xml(""), "apple_health_export/export.xml": g.apple_xml("")},
    )
    refuse(path, "absolute path|outside the archive")


def test_zip_with_symlink_member(tmp_path: Path) -> None:
    refuse(g.symlink_zip(tmp_path / "link.zip"), "symbolic link")


def test_nested_archive(tmp_path: Path) -> None:
    refuse(g.nested_zip(tmp_path / "nested.zip"), "archive inside the archive")
    disguised = g.write_zip(
        tmp_path / "disguised.zip",
        {"apple_health_export/export.xml": (tmp_path / "nested.zip").read_bytes()},
    )
    refuse(disguised, "no data walkrx can read|itself an archive")


def test_too_many_entries(tmp_path: Path) -> None:
    refuse(g.many_entries(tmp_path / "many.zip", 60), "60 entries", limits=Limits(max_entries=50))


def test_file_above_upload_cap(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    path.write_text(g.apple_xml(""))
    refuse(path, "above the limit", limits=Limits(max_file_bytes=100))


def test_huge_attribute_in_apple_export(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    with path.open("w") as out:
        out.write(g.apple_xml("").replace("</HealthData>\n", ""))
        out.write(' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="')
        out.write("A" * (6 * MB))
        out.write('"/>\n</HealthData>\n')
    saved = apple_health.BLOCK_SIZE
    try:
        apple_health.BLOCK_SIZE = 256 * 1024  # type: ignore[misc]
        refuse(path, "larger than", limits=Limits(max_element_bytes=1 * MB))
    finally:
        apple_health.BLOCK_SIZE = saved  # type: ignore[misc]


def test_huge_csv_field(tmp_path: Path) -> None:
    path = tmp_path / "steps.csv"
    path.write_text("date,steps\n2024-01-01," + "9" * (2 * MB) + "\n")
    refuse(path, "longer than")


def test_huge_gpx_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.gpx"
    path.write_text(g.gpx_doc(g.slow_walk_points(20_000)))
    refuse(path, "larger than", limits=Limits(max_document_bytes=1 * MB))


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("empty.xml", b"", "empty"),
        ("blank.gpx", b"   \n\n", "empty"),
        ("garbage.fit", os.urandom(4096), "does not recognise"),
        ("photo.gpx", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 500, "does not recognise"),
        ("export.xml", b"<html><body>Not an export</body></html>", "does not recognise"),
        ("notes.csv", b"name,comment\nAnna,hello\n", "does not recognise"),
        ("empty.zip", b"PK\x05\x06" + b"\x00" * 18, "no data walkrx can read"),
        ("broken.zip", b"PK\x03\x04" + os.urandom(200), "damaged"),
    ],
)
def test_garbage_and_wrong_formats(tmp_path: Path, name: str, content: bytes, match: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    refuse(path, match)


def test_truncated_gpx_and_tcx(tmp_path: Path, testdata: Path) -> None:
    for name in ("gpx/togeojson_run.gpx", "tcx/togeojson_sample.tcx"):
        data = (testdata / name).read_bytes()
        path = tmp_path / Path(name).name
        path.write_bytes(data[: len(data) // 2])
        refuse(path, "not well-formed")


def test_fit_with_flipped_byte(tmp_path: Path, testdata: Path) -> None:
    data = bytearray((testdata / "fit/fitparse_garmin-fenix-5-walk.fit").read_bytes())
    data[2000] ^= 0xFF
    path = tmp_path / "walk.fit"
    path.write_bytes(bytes(data))
    refuse(path, "damaged|decoded")
    crc = g.fit_crc(bytes(data[:-2]))
    assert crc != int.from_bytes(data[-2:], "little")


def test_health_connect_with_hostile_view(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "health_connect_export.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.execute(
        "CREATE VIEW steps_record_table AS SELECT load_extension('/tmp/x') AS count, "
        "0 AS start_time, 1 AS end_time"
    )
    conn.commit()
    conn.close()
    archive = g.write_zip(tmp_path / "hc.zip", {"health_connect_export.db": db.read_bytes()})
    # A view is not a table: nothing is read from it and no function runs.
    assert list(open_import(archive)) == []
