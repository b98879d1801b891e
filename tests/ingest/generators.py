"""Builders for tricky and hostile inputs, written into a test's temporary folder."""

from __future__ import annotations

import sqlite3
import struct
import zipfile
from pathlib import Path

APPLE_DTD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT VisionPrescription ((RightEye|LeftEye|Attachment|MetadataEntry)*)>
<!ATTLIST VisionPrescription
  type             CDATA #REQUIRED
  dateIssued       CDATA #REQUIRED

<!ELEMENT RightEye EMPTY>
]>
"""
PHONE_DEVICE = (
    "&lt;&lt;HKDevice: 0x{addr}&gt;, name:iPhone, manufacturer:Apple Inc., "
    "model:iPhone, hardware:iPhone14,5, software:17.2&gt;"
)
WATCH_DEVICE = (
    "&lt;&lt;HKDevice: 0x{addr}&gt;, name:Apple Watch, manufacturer:Apple Inc., "
    "model:Watch, hardware:Watch6,2, software:10.2&gt;"
)


def apple_xml(body: str, *, dtd: str = APPLE_DTD) -> str:
    return (
        dtd
        + '<HealthData locale="en_GB">\n <ExportDate value="2024-06-01 10:00:00 +0100"/>\n'
        + body
        + "</HealthData>\n"
    )


def step(
    source: str,
    device: str | None,
    start: str,
    end: str,
    value: str,
    *,
    addr: str = "282a45810",
    children: str = "",
    order: str = "normal",
) -> str:
    pairs = [("type", "HKQuantityTypeIdentifierStepCount"), ("sourceName", source)]
    if device:
        pairs.append(("device", device.format(addr=addr)))
    pairs += [("unit", "count"), ("startDate", start), ("endDate", end), ("value", value)]
    if order == "reversed":
        pairs.reverse()
    text = " ".join(f'{k}="{v}"' for k, v in pairs)
    if children:
        return f" <Record {text}>\n{children}\n </Record>\n"
    return f" <Record {text}/>\n"


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# ----------------------------------------------------------------------------- hostile XML

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE {root} [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<{root}>&lol9;{body}</{root}>
"""


def billion_laughs(root: str = "HealthData", body: str = "") -> str:
    return BILLION_LAUGHS.format(root=root, body=body)


def quadratic_blowup(root: str = "HealthData") -> str:
    big = "A" * 50_000
    refs = "&a;" * 50_000
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY a "{big}">]>\n'
        f'<{root}><Record type="HKQuantityTypeIdentifierStepCount" sourceName="{refs}" '
        'startDate="2024-01-01 10:00:00 +0000" endDate="2024-01-01 10:01:00 +0000" '
        f'value="1"/></{root}>\n'
    )


def xxe_file(root: str = "HealthData") -> str:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        f'<{root}><Record type="HKQuantityTypeIdentifierStepCount" sourceName="&x;" '
        'startDate="2024-01-01 10:00:00 +0000" endDate="2024-01-01 10:01:00 +0000" '
        f'value="1"/></{root}>\n'
    )


def xxe_http(root: str = "HealthData") -> str:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY x SYSTEM '
        f'"http://127.0.0.1:9/evil">]>\n<{root}>&x;</{root}>\n'
    )


def external_dtd(root: str = "HealthData") -> str:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        f"<{root}></{root}>\n"
    )


def gpx_doc(points: str, *, creator: str = "walkrx tests", trk_type: str = "") -> str:
    kind = f"<type>{trk_type}</type>" if trk_type else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx version="1.1" creator="{creator}" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<trk>{kind}<trkseg>{points}</trkseg></trk></gpx>\n"
    )


def slow_walk_points(
    n: int = 40, *, step_m: float = 8.0, seconds: int = 20, start: str = "2024-05-01T08:00:00"
) -> str:
    """A walk at ``step_m`` metres per ``seconds`` (8 m / 20 s = 1.44 km/h: a slow walker)."""
    from datetime import datetime, timedelta

    t0 = datetime.fromisoformat(start)
    lat = 52.0
    out = []
    for i in range(n):
        out.append(
            f'<trkpt lat="{lat + i * step_m / 111_195:.7f}" lon="13.0">'
            f"<time>{(t0 + timedelta(seconds=i * seconds)).isoformat()}Z</time></trkpt>"
        )
    return "".join(out)


# ----------------------------------------------------------------------------- archives


def zip_bomb(path: Path, member: str, size: int) -> Path:
    """A small zip whose member really unpacks to ``size`` bytes of one repeated byte."""
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open(member, "w", force_zip64=True) as out,
    ):
        out.write(b'<?xml version="1.0"?>\n<HealthData locale="en">\n')
        chunk = b" " * (1 << 20)
        written = 0
        while written < size:
            out.write(chunk)
            written += len(chunk)
        out.write(b"</HealthData>\n")
    return path


def lying_sizes(path: Path, member: str, data: bytes, claimed: int) -> Path:
    """A zip whose headers claim ``claimed`` bytes for a member that holds more."""
    write_zip(path, {member: data})
    raw = bytearray(path.read_bytes())
    # Patch the uncompressed size in the local header (offset 22) and central directory.
    real = len(data)
    needle = struct.pack("<I", real)
    local = raw.find(b"PK\x03\x04")
    raw[local + 22 : local + 26] = struct.pack("<I", claimed)
    central = raw.find(b"PK\x01\x02")
    assert raw[central + 24 : central + 28] == needle
    raw[central + 24 : central + 28] = struct.pack("<I", claimed)
    path.write_bytes(bytes(raw))
    return path


def symlink_zip(path: Path) -> Path:
    info = zipfile.ZipInfo("apple_health_export/export.xml")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    return path


def nested_zip(path: Path, inner_name: str = "apple_health_export/inner.zip") -> Path:
    inner = path.with_suffix(".inner.zip")
    write_zip(inner, {"export.xml": apple_xml("")})
    return write_zip(
        path, {inner_name: inner.read_bytes(), "apple_health_export/export.xml": apple_xml("")}
    )


def many_entries(path: Path, n: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"f{i}.txt", b"")
    return path


# ----------------------------------------------------------------------------- FIT


def fit_crc(data: bytes) -> int:
    table = [
        0x0000,
        0xCC01,
        0xD801,
        0x1400,
        0xF001,
        0x3C00,
        0x2800,
        0xE401,
        0xA001,
        0x6C00,
        0x7800,
        0xB401,
        0x5000,
        0x9C01,
        0x8801,
        0x4400,
    ]
    crc = 0
    for byte in data:
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[byte & 0xF]
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[(byte >> 4) & 0xF]
    return crc


# ----------------------------------------------------------------------------- Health Connect


def health_connect_db(path: Path) -> Path:
    """A database with the table layout seen in Health Connect exports."""
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE application_info_table (row_id INTEGER PRIMARY KEY, package_name TEXT,
                                             app_name TEXT);
        CREATE TABLE steps_record_table (row_id INTEGER PRIMARY KEY, uuid BLOB, count INTEGER,
            start_time INTEGER, end_time INTEGER, start_zone_offset INTEGER,
            end_zone_offset INTEGER, app_info_id INTEGER);
        CREATE TABLE distance_record_table (row_id INTEGER PRIMARY KEY, uuid BLOB,
            distance REAL, start_time INTEGER, end_time INTEGER, start_zone_offset INTEGER,
            app_info_id INTEGER);
        CREATE TABLE exercise_session_record_table (row_id INTEGER PRIMARY KEY, uuid BLOB,
            exercise_type INTEGER, title TEXT, start_time INTEGER, end_time INTEGER,
            start_zone_offset INTEGER, app_info_id INTEGER);
        CREATE TABLE weight_record_table (row_id INTEGER PRIMARY KEY, uuid BLOB,
            weight REAL, time INTEGER, zone_offset INTEGER, app_info_id INTEGER);
        PRAGMA user_version = 10;
    """)
    conn.execute(
        "INSERT INTO application_info_table VALUES (1, 'com.google.android.apps.fitness', 'Fit')"
    )
    conn.execute(
        "INSERT INTO application_info_table VALUES (2, 'com.sec.android.app.shealth',"
        " 'Samsung Health')"
    )
    base = 1_714_550_400_000  # 2024-05-01T08:00:00Z
    # Two apps counting the same 30 minutes; a third row outside the walk.
    conn.execute(
        "INSERT INTO steps_record_table VALUES (1, x'01', 3000, ?, ?, 7200, 7200, 1)",
        (base, base + 30 * 60_000),
    )
    conn.execute(
        "INSERT INTO steps_record_table VALUES (2, x'02', 2900, ?, ?, 7200, 7200, 2)",
        (base, base + 30 * 60_000),
    )
    conn.execute(
        "INSERT INTO steps_record_table VALUES (3, x'03', 500, ?, ?, 7200, 7200, 1)",
        (base + 3_600_000, base + 3_900_000),
    )
    conn.execute(
        "INSERT INTO distance_record_table VALUES (1, x'11', 2200.0, ?, ?, 7200, 1)",
        (base, base + 30 * 60_000),
    )
    conn.execute(
        "INSERT INTO exercise_session_record_table VALUES (1, x'a1b2', 79, 'Walk', ?, ?, 7200, 1)",
        (base + 5 * 60_000, base + 25 * 60_000),
    )
    conn.execute(
        "INSERT INTO exercise_session_record_table VALUES (2, x'a1b3', 56, 'Run', ?, ?, 7200, 1)",
        (base + 7_200_000, base + 9_000_000),
    )
    conn.execute(
        "INSERT INTO exercise_session_record_table VALUES (3, x'a1b4', 37, 'Hike', ?, ?, 7200, 1)",
        (base + 86_400_000, base + 86_400_000 + 7_200_000),
    )
    conn.execute("INSERT INTO weight_record_table VALUES (1, x'c1', 72500.0, ?, 7200, 2)", (base,))
    conn.commit()
    conn.close()
    return path
