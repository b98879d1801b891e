from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.web.conftest import Cast
from walkrx.ingest import IngestError
from walkrx.web.activity.actions import record_walk
from walkrx.web.activity.models import DailyActivity, StepSample, Walk, WalkSource, WeightEntry
from walkrx.web.imports.actions import import_file
from walkrx.web.imports.models import ImportJob, ImportStatus

TESTDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "testdata"
needs_testdata = pytest.mark.skipif(
    not TESTDATA.is_dir(), reason="the shared sample files (../shared/testdata) are not present"
)

APPLE_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Workout)*)>
]>
<HealthData locale="en_GB">
 <ExportDate value="2026-03-30 20:00:00 +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1960-01-01"/>
"""


def apple_export(records: str) -> bytes:
    return (APPLE_HEADER + records + "</HealthData>\n").encode()


def steps(source: str, device: str, start: str, end: str, value: int) -> str:
    return (
        f' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="{source}" '
        f'sourceVersion="17.0" device="&lt;&lt;HKDevice: 0x28{value:04x}&gt;, name:{device}, '
        f'model:{device}&gt;" unit="count" creationDate="{end}" startDate="{start}" '
        f'endDate="{end}" value="{value}"/>\n'
    )


# The same morning walk counted by the phone and the watch, then the phone alone.
OVERLAP = apple_export(
    steps("Ann's iPhone", "iPhone", "2026-03-29 09:00:00 +0100", "2026-03-29 09:10:00 +0100", 1000)
    + steps("Ann's Watch", "Watch", "2026-03-29 09:00:00 +0100", "2026-03-29 09:10:00 +0100", 1100)
    + steps("Ann's iPhone", "iPhone", "2026-03-29 18:00:00 +0100", "2026-03-29 18:05:00 +0100", 500)
)


def named(content: bytes, name: str) -> io.BytesIO:
    """An in-memory file as the test client uploads it, under ``name``."""
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_it_merges_phone_and_watch_steps_without_summing(cast: Cast, tmp_path: Path) -> None:
    outcome = import_file(cast.patient_a, write(tmp_path, "export.xml", OVERLAP), by=None)
    day = DailyActivity.objects.get(patient=cast.patient_a, date=date(2026, 3, 29))
    # The watch outranks the phone for 09:00-09:10; the evening phone steps fill the gap.
    assert day.steps == 1100 + 500
    assert sum(day.steps_by_source.values()) == 1000 + 1100 + 500
    assert outcome.days_with_steps == 1


def test_it_adds_nothing_when_the_same_file_is_imported_again(cast: Cast, tmp_path: Path) -> None:
    path = write(tmp_path, "export.xml", OVERLAP)
    import_file(cast.patient_a, path, by=None)
    again = import_file(cast.patient_a, path, by=None)
    assert again.new_step_samples == 0
    assert StepSample.objects.filter(patient=cast.patient_a).count() == 3
    assert DailyActivity.objects.get(patient=cast.patient_a, date=date(2026, 3, 29)).steps == 1600


def test_it_keeps_steps_on_each_samples_own_local_date(cast: Cast, tmp_path: Path) -> None:
    travel = apple_export(
        steps("P", "iPhone", "2026-03-29 23:30:00 -0500", "2026-03-29 23:40:00 -0500", 300)
        + steps("P", "iPhone", "2026-03-30 06:00:00 +0100", "2026-03-30 06:10:00 +0100", 200)
    )
    import_file(cast.patient_a, write(tmp_path, "travel.xml", travel), by=None)
    days = dict(DailyActivity.objects.filter(patient=cast.patient_a).values_list("date", "steps"))
    assert days == {date(2026, 3, 29): 300, date(2026, 3, 30): 200}


def test_a_sample_across_midnight_counts_on_both_days(cast: Cast, tmp_path: Path) -> None:
    late = apple_export(
        steps("P", "iPhone", "2026-03-29 23:50:00 +0100", "2026-03-30 00:10:00 +0100", 200)
    )
    import_file(cast.patient_a, write(tmp_path, "late.xml", late), by=None)
    days = dict(DailyActivity.objects.filter(patient=cast.patient_a).values_list("date", "steps"))
    assert days == {date(2026, 3, 29): 100, date(2026, 3, 30): 100}


def test_it_leaves_the_database_unchanged_when_a_file_is_refused(
    cast: Cast, tmp_path: Path
) -> None:
    broken = OVERLAP.replace(b"</HealthData>", b"<Record type=")
    with pytest.raises(IngestError) as refused:
        import_file(cast.patient_a, write(tmp_path, "export.xml", broken), by=None)
    assert "export.xml" in str(refused.value)
    assert not StepSample.objects.exists()
    assert not DailyActivity.objects.exists()


def test_it_refuses_a_zip_with_a_path_outside_the_archive(cast: Cast, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("apple_health_export/export.xml", OVERLAP)
        archive.writestr("../../etc/evil.xml", b"<x/>")
    with pytest.raises(IngestError):
        import_file(cast.patient_a, write(tmp_path, "export.zip", buffer.getvalue()), by=None)
    assert not StepSample.objects.exists()


@needs_testdata
def test_it_does_not_count_an_imported_walk_that_was_logged_by_hand(
    cast: Cast, tmp_path: Path
) -> None:
    fit = TESTDATA / "fit" / "fitparse_garmin-fenix-5-walk.fit"
    outcome = import_file(cast.patient_a, fit, by=None)
    imported = Walk.objects.get(patient=cast.patient_a)
    assert outcome.new_walks == 1
    record_walk(
        cast.patient_a,
        started_at=imported.started_at,
        minutes=imported.minutes,
        pain_before=3,
        pain_after=3,
        by=cast.patient_a.user,
    )
    imported.refresh_from_db()
    assert imported.duplicate_of is not None
    day = DailyActivity.objects.get(patient=cast.patient_a, date=imported.local_date)
    assert day.walks == 1
    again = import_file(cast.patient_a, fit, by=None)
    assert (again.new_walks, again.walks_already_known) == (0, 1)


@needs_testdata
def test_it_imports_weights_from_a_real_apple_export(cast: Cast) -> None:
    export = TESTDATA / "apple_health" / "apple-healthkit-csv_export.xml"
    outcome = import_file(cast.patient_a, export, by=None)
    assert outcome.new_weights == WeightEntry.objects.filter(patient=cast.patient_a).count() > 0
    assert outcome.days_with_steps > 100


class TestCommandLine:
    def test_it_adds_a_patient_and_imports_with_a_summary(
        self, db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command("patients", "add", "--email", "Ann@Example.org", "--name", "Ann Smith")
        call_command(
            "import", str(write(tmp_path, "export.xml", OVERLAP)), "--patient", "ann@example.org"
        )
        out = capsys.readouterr().out
        assert "Added Ann Smith <ann@example.org> to Personal." in out
        assert "days of steps:    1" in out
        call_command("activity", "--patient", "ann@example.org", "--format", "csv")
        assert capsys.readouterr().out.splitlines() == [
            "date,steps,walking_minutes,walks,distance_km",
            "2026-03-29,1600,0.0,0,0.0",
        ]

    def test_it_exits_non_zero_with_the_reason_when_a_file_is_refused(
        self, cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        junk = write(tmp_path, "notes.txt", b"nothing to see here\n")
        with pytest.raises(SystemExit) as exited:
            call_command("import", str(junk), "--patient", "pat.a@example.test")
        assert exited.value.code == 1
        assert "Could not import “notes.txt”" in capsys.readouterr().err


class TestUpload:
    def test_a_patient_uploads_a_file_and_sees_the_result(
        self, cast: Cast, django_capture_on_commit_callbacks: object
    ) -> None:
        client = cast.client_for("patient_a")
        upload = named(OVERLAP, "export.xml")
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            posted = client.post("/imports/", {"file": upload})
        response = client.get(posted["Location"])
        job = ImportJob.objects.get(patient=cast.patient_a)
        assert job.status == ImportStatus.DONE
        assert "Imported" in response.content.decode()
        assert not Path(job.stored_path).exists()
        assert DailyActivity.objects.get(patient=cast.patient_a).steps == 1600

    def test_several_files_are_imported_each_on_its_own(
        self, cast: Cast, django_capture_on_commit_callbacks: object
    ) -> None:
        # A watch writes one file per walk: choose them all at once; a bad one is refused
        # alone and the others are imported.
        client = cast.client_for("clinician")
        good = named(OVERLAP, "export.xml")
        bad = named(b"\x00\x01garbage", "mystery.bin")
        url = f"/imports/patients/{cast.patient_a.pk}/"
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            posted = client.post(url, {"file": [good, bad]})
        assert posted["Location"] == url
        page = client.get(url).content.decode()
        assert "2 files are uploaded" in page
        statuses = dict(
            ImportJob.objects.filter(patient=cast.patient_a).values_list("file_name", "status")
        )
        assert statuses == {"export.xml": ImportStatus.DONE, "mystery.bin": ImportStatus.FAILED}
        assert DailyActivity.objects.get(patient=cast.patient_a).steps == 1600
        assert 'http-equiv="refresh"' not in page  # nothing left running

    def test_the_patient_sees_who_uploaded_a_file_for_them(
        self, cast: Cast, django_capture_on_commit_callbacks: object
    ) -> None:
        staff_page = cast.client_for("clinician").get(f"/imports/patients/{cast.patient_a.pk}/")
        assert "Files from the patient's phone or watch" in staff_page.content.decode()
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            cast.client_for("clinician").post(
                f"/imports/patients/{cast.patient_a.pk}/", {"file": named(OVERLAP, "export.xml")}
            )
        page = cast.client_for("patient_a").get("/imports/").content.decode()
        assert f"by {cast.clinician.user.full_name}" in page
        assert "Files from your phone or watch" in page

    def test_too_many_files_at_once_are_refused_with_the_limit(
        self, cast: Cast, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from walkrx.web.imports import views

        monkeypatch.setattr(views, "MAX_FILES_PER_UPLOAD", 2)
        files = [named(OVERLAP, f"walk{number}.xml") for number in range(3)]
        response = cast.client_for("patient_a").post("/imports/", {"file": files})
        assert response.status_code == 200
        assert "Choose at most 2 files" in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_a_refused_upload_says_why_and_changes_nothing(
        self, cast: Cast, django_capture_on_commit_callbacks: object
    ) -> None:
        client = cast.client_for("clinician")
        upload = named(b"\x00\x01garbage", "mystery.bin")
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            posted = client.post(f"/imports/patients/{cast.patient_a.pk}/", {"file": upload})
        page = client.get(posted["Location"]).content.decode()
        assert "The file was not imported" in page
        assert "mystery.bin" in page
        assert not StepSample.objects.exists()

    def test_it_refuses_a_file_over_the_size_cap_while_streaming(
        self, cast: Cast, settings: object
    ) -> None:
        settings.UPLOAD_MAX_BYTES = 1024  # type: ignore[attr-defined]
        upload = named(b"x" * 300_000, "big.xml")
        response = cast.client_for("patient_a").post("/imports/", {"file": upload})
        assert response.status_code == 200
        assert "larger than" in response.content.decode()
        assert not ImportJob.objects.exists()

    def test_another_clinic_cannot_upload_for_a_patient(self, cast: Cast) -> None:
        upload = named(OVERLAP, "export.xml")
        response = cast.client_for("other_clinician").post(
            f"/imports/patients/{cast.patient_a.pk}/", {"file": upload}
        )
        assert response.status_code == 404
        assert not ImportJob.objects.exists()

    def test_a_patient_cannot_see_another_patients_import(self, cast: Cast, tmp_path: Path) -> None:
        job = ImportJob.objects.create(
            patient=cast.patient_a, file_name="a.xml", sha256="0" * 64, size_bytes=1
        )
        assert cast.client_for("patient_b").get(f"/imports/{job.pk}/").status_code == 404
        assert cast.client_for("patient_a").get(f"/imports/{job.pk}/").status_code == 200


def test_manual_walks_are_still_counted_when_no_import_matches(cast: Cast) -> None:
    from django.utils import timezone

    walk = record_walk(
        cast.patient_a, started_at=timezone.now(), minutes=12, by=cast.patient_a.user
    )
    assert walk.source == WalkSource.MANUAL
    assert DailyActivity.objects.get(patient=cast.patient_a, date=walk.local_date).walks == 1


def test_anonymous_upload_is_sent_to_login() -> None:
    assert Client().post("/imports/").status_code == 302
