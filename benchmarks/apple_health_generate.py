"""Generate a realistic Apple Health ``export.xml`` of a given size.

Like real exports, most records are Apple Watch heart-rate and active-energy samples;
alongside them are step counts from an iPhone and an Apple Watch that overlap (the same
steps counted twice), walking distance, body mass in kg and lb (some typed in by hand),
walking/hiking/running workouts in both layouts (attributes before iOS 16,
``WorkoutStatistics`` after) with pauses and route references, blood-pressure
correlations, daylight-saving changes and a trip abroad (local offsets change per record),
varying attribute order, a curly apostrophe in a source name and stray control characters.

Usage::

    python benchmarks/apple_health_generate.py OUT.xml --mb 300 [--zip OUT.zip] [--seed 1]
        [--broken-dtd]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import random
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

HOME = ZoneInfo("Europe/Berlin")
TRIP = ZoneInfo("America/New_York")

PHONE = "Anna\u2019s iPhone"
WATCH = "Anna\u2019s Apple\u00a0Watch"
PHONE_DEVICE = (
    "&lt;&lt;HKDevice: 0x{addr:x}&gt;, name:iPhone, manufacturer:Apple Inc., "
    "model:iPhone, hardware:iPhone14,5, software:17.2&gt;"
)
WATCH_DEVICE = (
    "&lt;&lt;HKDevice: 0x{addr:x}&gt;, name:Apple Watch, manufacturer:Apple Inc., "
    "model:Watch, hardware:Watch6,2, software:10.2&gt;"
)

DTD_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
"""
# iOS 16 shipped this ATTLIST without its closing ">", which stops strict parsers.
BROKEN_DTD_PART = """<!ELEMENT VisionPrescription ((RightEye|LeftEye|Attachment|MetadataEntry)*)>
<!ATTLIST VisionPrescription
  type             CDATA #REQUIRED
  dateIssued       CDATA #REQUIRED
  expirationDate   CDATA #IMPLIED
  brand            CDATA #IMPLIED

<!ELEMENT RightEye EMPTY>
"""
DTD_TAIL = "]>\n"


def fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S %z")


def attrs(pairs: list[tuple[str, str]], rng: random.Random) -> str:
    # Real exports vary attribute order between iOS versions.
    if rng.random() < 0.15:
        pairs = pairs[:]
        rng.shuffle(pairs)
    return " ".join(f'{k}="{v}"' for k, v in pairs)


class Generator:
    def __init__(
        self,
        seed: int = 1,
        *,
        start: date = date(2023, 3, 20),
        broken_dtd: bool = False,
        telemetry: float = 1.0,
    ) -> None:
        self.rng = random.Random(seed)
        self.day = start
        self.start = start
        self.telemetry = telemetry
        self.broken_dtd = broken_dtd
        self.addr = 0x280000000
        self.routes: dict[str, str] = {}

    def zone(self, day: date) -> ZoneInfo:
        # A week abroad every 10 weeks: local offsets change per record.
        return TRIP if 10 <= (day - self.start).days % 70 < 17 else HOME

    def device(self, template: str) -> str:
        self.addr += self.rng.randint(16, 4096)
        return template.format(addr=self.addr)

    def record(
        self,
        kind: str,
        source: str,
        device: str | None,
        unit: str,
        value: str,
        start: datetime,
        end: datetime,
        children: str = "",
    ) -> str:
        pairs = [("type", kind), ("sourceName", source), ("sourceVersion", "17.2")]
        if device:
            pairs.append(("device", self.device(device)))
        pairs += [
            ("unit", unit),
            ("creationDate", fmt(end)),
            ("startDate", fmt(start)),
            ("endDate", fmt(end)),
            ("value", value),
        ]
        head = f" <Record {attrs(pairs, self.rng)}"
        if children:
            return f"{head}>\n{children} </Record>\n"
        return head + "/>\n"

    def header(self) -> str:
        text = DTD_HEAD
        if self.broken_dtd:
            text += BROKEN_DTD_PART
        return (
            text + DTD_TAIL + '<HealthData locale="de_DE">\n'
            ' <ExportDate value="2024-06-01 10:00:00 +0200"/>\n'
            ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1970-01-01" '
            'HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" '
            'HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" '
            'HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" '
            'HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>\n'
        )

    def days(self) -> Iterator[str]:
        while True:
            yield self.one_day(self.day)
            self.day += timedelta(days=1)

    def one_day(self, day: date) -> str:
        rng = self.rng
        tz = self.zone(day)
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        out: list[str] = []
        # Watch telemetry: heart rate every ~4 min, active energy every ~90 s.
        t = midnight.astimezone(UTC)
        end_of_day = (midnight + timedelta(days=1)).astimezone(UTC)
        n = 0
        while t < end_of_day:
            local = t.astimezone(tz)
            n += 1
            if n % 3 == 0:
                meta = '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n'
                if rng.random() < 0.002:
                    meta += '  <MetadataEntry key="HKNote" value="stray\x0bchar"/>\n'
                out.append(
                    self.record(
                        "HKQuantityTypeIdentifierHeartRate",
                        WATCH,
                        WATCH_DEVICE,
                        "count/min",
                        str(rng.randint(55, 130)),
                        local,
                        local,
                        meta,
                    )
                )
            e_end = local + timedelta(seconds=rng.randint(40, 90))
            out.append(
                self.record(
                    "HKQuantityTypeIdentifierActiveEnergyBurned",
                    WATCH,
                    WATCH_DEVICE,
                    "kcal",
                    f"{rng.uniform(0.05, 2.5):.3f}",
                    local,
                    e_end,
                )
            )
            t += timedelta(seconds=rng.randint(70, 110) / self.telemetry)
        # Steps: the phone and the watch count the same walking bouts.
        for bout in range(7 * 3, 22 * 3):
            if rng.random() < 0.3:
                continue
            start = midnight + timedelta(minutes=bout * 20 + rng.randint(0, 4))
            start = start.astimezone(UTC).astimezone(tz)  # real offset at that instant
            minutes = rng.randint(2, 14)
            end = start + timedelta(minutes=minutes)
            steps = minutes * rng.randint(60, 110)
            meters = steps * 0.68
            out.append(
                self.record(
                    "HKQuantityTypeIdentifierStepCount",
                    PHONE,
                    PHONE_DEVICE,
                    "count",
                    str(steps),
                    start,
                    end,
                )
            )
            out.append(
                self.record(
                    "HKQuantityTypeIdentifierDistanceWalkingRunning",
                    PHONE,
                    PHONE_DEVICE,
                    "km",
                    f"{meters / 1000:.5f}",
                    start,
                    end,
                )
            )
            w_start = start + timedelta(seconds=rng.randint(0, 50))
            for part in range(2):
                s = w_start + timedelta(minutes=minutes * part / 2)
                e = w_start + timedelta(minutes=minutes * (part + 1) / 2)
                out.append(
                    self.record(
                        "HKQuantityTypeIdentifierStepCount",
                        WATCH,
                        WATCH_DEVICE,
                        "count",
                        str(round(steps / 2 * rng.uniform(0.9, 1.1))),
                        s,
                        e,
                    )
                )
        if rng.random() < 0.05:
            at = (midnight + timedelta(hours=12)).astimezone(UTC).astimezone(tz)
            out.append(
                self.record(
                    "HKQuantityTypeIdentifierStepCount",
                    "Health",
                    None,
                    "count",
                    "1500",
                    at,
                    at + timedelta(minutes=20),
                    '  <MetadataEntry key="HKWasUserEntered" value="1"/>\n',
                )
            )
        if day.toordinal() % 3 == 0:
            at = (midnight + timedelta(hours=7, minutes=5)).astimezone(UTC).astimezone(tz)
            if day.toordinal() % 2:
                out.append(
                    self.record(
                        "HKQuantityTypeIdentifierBodyMass",
                        "Withings",
                        None,
                        "kg",
                        f"{rng.uniform(70, 74):.1f}",
                        at,
                        at,
                    )
                )
            else:
                out.append(
                    self.record(
                        "HKQuantityTypeIdentifierBodyMass",
                        "Health",
                        None,
                        "lb",
                        f"{rng.uniform(155, 162):.1f}",
                        at,
                        at,
                        '  <MetadataEntry key="HKWasUserEntered" value="1"/>\n',
                    )
                )
            out.append(
                self.record(
                    "HKQuantityTypeIdentifierBodyMassIndex",
                    "Withings",
                    None,
                    "count",
                    "24.1",
                    at,
                    at,
                )
            )
        if day.toordinal() % 5 == 0:
            at = (midnight + timedelta(hours=8)).astimezone(UTC).astimezone(tz)
            sys_rec = self.record(
                "HKQuantityTypeIdentifierBloodPressureSystolic",
                "Withings",
                None,
                "mmHg",
                "128",
                at,
                at,
            )
            dia_rec = self.record(
                "HKQuantityTypeIdentifierBloodPressureDiastolic",
                "Withings",
                None,
                "mmHg",
                "84",
                at,
                at,
            )
            out.append(sys_rec + dia_rec)
            out.append(
                f' <Correlation type="HKCorrelationTypeIdentifierBloodPressure" '
                f'sourceName="Withings" creationDate="{fmt(at)}" startDate="{fmt(at)}" '
                f'endDate="{fmt(at)}">\n  {sys_rec.strip()}\n  {dia_rec.strip()}\n'
                f" </Correlation>\n"
            )
        if day.toordinal() % 2 == 0:
            out.append(self.workout(day, midnight, tz))
        return "".join(out)

    def workout(self, day: date, midnight: datetime, tz: ZoneInfo) -> str:
        rng = self.rng
        kind = rng.choice(["Walking", "Walking", "Walking", "Hiking", "Running"])
        start = midnight + timedelta(hours=17, minutes=rng.randint(0, 50))
        start = start.astimezone(UTC).astimezone(tz)
        moving = rng.randint(20, 70)
        pause = rng.choice([0, 0, 4])
        end = start + timedelta(minutes=moving + pause)
        km = moving * rng.uniform(0.07, 0.09)
        kcal = moving * rng.uniform(3, 5)
        new_layout = day.toordinal() % 4 == 0
        pairs = [
            ("workoutActivityType", f"HKWorkoutActivityType{kind}"),
            ("duration", f"{moving:.6f}"),
            ("durationUnit", "min"),
        ]
        if not new_layout:
            unit = rng.choice(["km", "mi"])
            value = km if unit == "km" else km / 1.609344
            pairs += [
                ("totalDistance", f"{value:.6f}"),
                ("totalDistanceUnit", unit),
                ("totalEnergyBurned", f"{kcal:.3f}"),
                ("totalEnergyBurnedUnit", rng.choice(["kcal", "Cal"])),
            ]
        pairs += [
            ("sourceName", WATCH),
            ("sourceVersion", "10.2"),
            ("device", self.device(WATCH_DEVICE)),
            ("creationDate", fmt(end)),
            ("startDate", fmt(start)),
            ("endDate", fmt(end)),
        ]
        body = [
            f'  <MetadataEntry key="HKTimeZone" value="{tz.key}"/>\n',
            '  <MetadataEntry key="HKIndoorWorkout" value="0"/>\n',
        ]
        if pause:
            p_at = start + timedelta(minutes=moving // 2)
            body.append(f'  <WorkoutEvent type="HKWorkoutEventTypePause" date="{fmt(p_at)}"/>\n')
            body.append(
                '  <WorkoutEvent type="HKWorkoutEventTypeResume" '
                f'date="{fmt(p_at + timedelta(minutes=pause))}"/>\n'
            )
        if new_layout:
            body.append(
                '  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" '
                f'startDate="{fmt(start)}" endDate="{fmt(end)}" sum="{kcal * 4.184:.3f}" '
                'unit="kJ"/>\n'
            )
            body.append(
                '  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning"'
                f' startDate="{fmt(start)}" endDate="{fmt(end)}" sum="{km:.6f}" '
                'unit="km"/>\n'
            )
            body.append(
                '  <WorkoutStatistics type="HKQuantityTypeIdentifierStepCount" '
                f'startDate="{fmt(start)}" endDate="{fmt(end)}" '
                f'sum="{moving * 100}" unit="count"/>\n'
            )
        if rng.random() < 0.3:
            name = f"route_{start:%Y-%m-%d_%I.%M%p}.gpx"
            self.routes[name] = self.route_gpx(start, moving)
            body.append(
                f'  <WorkoutRoute sourceName="{WATCH}" sourceVersion="10.2" '
                f'creationDate="{fmt(end)}" startDate="{fmt(start)}" '
                f'endDate="{fmt(end)}">\n'
                f'   <FileReference path="/workout-routes/{name}"/>\n'
                "  </WorkoutRoute>\n"
            )
        return f" <Workout {attrs(pairs, rng)}>\n{''.join(body)} </Workout>\n"

    def route_gpx(self, start: datetime, minutes: int) -> str:
        points = []
        lat, lon = 52.52, 13.405
        t = start.astimezone(UTC)
        for _ in range(min(minutes, 30)):
            lat += 0.0006
            points.append(
                f'<trkpt lon="{lon:.6f}" lat="{lat:.6f}"><ele>40.0</ele>'
                f"<time>{t:%Y-%m-%dT%H:%M:%SZ}</time><extensions><speed>1.1</speed>"
                "<course>0</course><hAcc>5</hAcc><vAcc>4</vAcc></extensions></trkpt>"
            )
            t += timedelta(seconds=60)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" '
            'creator="Apple Health Export" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<trk><trkseg>{''.join(points)}</trkseg></trk></gpx>\n"
        )


# Real exports list records by type (in HealthKit's order, heart rate before steps
# before energy), then by source, then by date; correlations and workouts follow.
TYPE_ORDER = (
    "HKQuantityTypeIdentifierBodyMass",
    "HKQuantityTypeIdentifierHeartRate",
    "HKQuantityTypeIdentifierStepCount",
    "HKQuantityTypeIdentifierDistanceWalkingRunning",
    "HKQuantityTypeIdentifierActiveEnergyBurned",
)
_ELEMENT_START = re.compile(r"^ <(?=[A-Za-z])", re.MULTILINE)
_TAG_NAME = re.compile(r"<(\w+)")
_TYPE = re.compile(r'\stype="([^"]+)"')
_SOURCE = re.compile(r'\ssourceName="([^"]+)"')


def element_group(element: str) -> tuple[int, str, str]:
    """Where an element goes in a real export's order: (rank, type, source)."""
    name = _TAG_NAME.search(element)
    assert name is not None
    if name.group(1) != "Record":
        return (len(TYPE_ORDER) + 1 + ("Correlation", "Workout").index(name.group(1)), "", "")
    head = element[: element.index(">")]
    kind, source = _TYPE.search(head), _SOURCE.search(head)
    assert kind is not None
    assert source is not None
    rank = TYPE_ORDER.index(kind[1]) if kind[1] in TYPE_ORDER else len(TYPE_ORDER)
    return (rank, kind[1], source[1])


def write_export(out: TextIO, target_bytes: int, gen: Generator, *, grouped: bool) -> None:
    written = out.write(gen.header())
    groups: dict[tuple[int, str, str], TextIO] = {}
    with contextlib.ExitStack() as spools:
        for text in gen.days():
            written += len(text.encode())  # close enough for ASCII-heavy text
            if not grouped:
                out.write(text)
            else:
                # Each group is spooled to its own temporary file, so memory stays flat.
                starts = [m.start() for m in _ELEMENT_START.finditer(text)] + [len(text)]
                for begin, end in itertools.pairwise(starts):
                    element = text[begin:end]
                    key = element_group(element)
                    if key not in groups:
                        groups[key] = spools.enter_context(
                            tempfile.TemporaryFile("w+", encoding="utf-8")
                        )
                    groups[key].write(element)
            if written >= target_bytes:
                break
        for key in sorted(groups):
            spool = groups[key]
            spool.seek(0)
            shutil.copyfileobj(spool, out)
    out.write("</HealthData>\n")


def generate(
    path: Path,
    megabytes: float,
    *,
    seed: int = 1,
    broken_dtd: bool = False,
    zip_path: Path | None = None,
    xml_name: str = "export.xml",
    telemetry: float = 1.0,
    grouped: bool = True,
) -> Generator:
    """Write the export; ``telemetry`` scales the heart-rate/energy density (1 = real).

    ``grouped``: records in a real export's order (by type, then source, then date);
    otherwise in order of time.
    """
    gen = Generator(seed, broken_dtd=broken_dtd, telemetry=telemetry)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        write_export(out, int(megabytes * 1024 * 1024), gen, grouped=grouped)
    if zip_path is not None:
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            zf.write(path, f"apple_health_export/{xml_name}")
            for name, text in gen.routes.items():
                zf.writestr(f"apple_health_export/workout-routes/{name}", text)
    return gen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--mb", type=float, default=300.0)
    parser.add_argument("--zip", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--broken-dtd", action="store_true")
    parser.add_argument(
        "--in-time-order", action="store_true", help="records by time, not grouped by type"
    )
    args = parser.parse_args()
    generate(
        args.out,
        args.mb,
        seed=args.seed,
        broken_dtd=args.broken_dtd,
        zip_path=args.zip,
        grouped=not args.in_time_order,
    )


if __name__ == "__main__":
    main()
