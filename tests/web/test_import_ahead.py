"""A big export read while ``walkrx import`` starts is imported exactly as without it."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.web.conftest import Cast
from tests.web.test_import_merge import export
from walkrx.ingest import reader
from walkrx.web.activity.models import DailyActivity, StepSample
from walkrx.web.imports import ahead
from walkrx.web.patients.models import Patient

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="parallel parts need the fork start method",
)


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Read small files in parallel parts, whatever the machine's CPUs."""
    monkeypatch.setattr(reader, "PARALLEL_MIN_BYTES", 20_000)
    monkeypatch.setattr(reader, "cpu_count", lambda: 4)
    assert threading.active_count() == 1
    yield
    ahead.stop_read_ahead()


def recorded(patient: Patient) -> tuple[object, ...]:
    days = DailyActivity.objects.filter(patient=patient).order_by("date")
    samples = StepSample.objects.filter(patient=patient).order_by("start", "source_key")
    return (
        [(d.date, d.steps, d.steps_by_source) for d in days],
        [(s.source_key, s.start, s.end, s.utc_offset_minutes, s.steps) for s in samples],
    )


def import_command(path: Path, patient: Patient, capsys: pytest.CaptureFixture[str]) -> str:
    call_command("import", str(path), "--patient", patient.user.email, "--quiet")
    return capsys.readouterr().out


def test_a_reading_started_before_the_command_is_carried_on(
    cast: Cast, tmp_path: Path, parallel: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(export(date(2026, 1, 1), 40, by_source=True))
    expected = import_command(path, cast.patient_b, capsys)

    ahead.read_ahead(["--verbosity", "1", str(path), "--patient", cast.patient_a.user.email])
    started = ahead._started
    assert started is not None
    assert import_command(path, cast.patient_a, capsys) == expected
    assert len(started.reading.results) == len(started.reading.bounds) >= 2
    assert ahead._started is None
    assert recorded(cast.patient_a) == recorded(cast.patient_b)
    assert recorded(cast.patient_a)[0]


def test_a_reading_of_a_file_changed_since_is_not_used(
    cast: Cast, tmp_path: Path, parallel: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "export.xml"
    path.write_bytes(export(date(2026, 1, 1), 40))
    ahead.read_ahead([str(path), "--patient", cast.patient_a.user.email])
    started = ahead._started
    assert started is not None
    path.write_bytes(export(date(2026, 3, 1), 30))
    changed = tmp_path / "changed.xml"
    changed.write_bytes(path.read_bytes())
    assert import_command(path, cast.patient_a, capsys)
    assert not started.reading.results  # stopped, never carried on
    import_command(changed, cast.patient_b, capsys)
    assert recorded(cast.patient_a) == recorded(cast.patient_b)
    assert min(day for day, _, _ in recorded(cast.patient_a)[0]) >= date(2026, 2, 28)


def test_nothing_is_read_ahead_unless_a_big_export_comes_first(
    tmp_path: Path, parallel: None
) -> None:
    small = tmp_path / "small.xml"
    small.write_bytes(export(date(2026, 1, 1), 2))
    big = tmp_path / "big.xml"
    big.write_bytes(export(date(2026, 1, 1), 40))
    gpx = tmp_path / "walk.gpx"
    gpx.write_text('<?xml version="1.0"?><gpx version="1.1" creator="x"></gpx>')
    for arguments in (
        [str(small), str(big), "--patient", "a@example.org"],
        [str(gpx), "--patient", "a@example.org"],
        [str(tmp_path / "missing.xml"), "--patient", "a@example.org"],
        ["--patient", str(big)],
        ["--help"],
    ):
        ahead.read_ahead(arguments)
        assert ahead._started is None, arguments
    ahead.read_ahead([str(tmp_path / "missing.xml"), str(big)])
    assert ahead._started is not None
    ahead.stop_read_ahead()
    assert ahead._started is None


def test_the_command_reads_ahead_in_a_process_of_its_own(tmp_path: Path) -> None:
    """``walkrx import`` started afresh, big exports being those over 20 kB: what it
    imports equals what the serial reading of the same file imports."""
    path = tmp_path / "export.xml"
    path.write_bytes(export(date(2026, 1, 1), 40, by_source=True))

    def walkrx(home: Path, smallest: int, *arguments: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WALKRX_")}
        env.update(WALKRX_HOME=str(home), DATABASE_URL="")
        script = (
            "import sys\n"
            "from walkrx.ingest import reader\n"
            f"reader.PARALLEL_MIN_BYTES = {smallest}\n"
            "from walkrx.cli import main\n"
            "main(sys.argv[1:])\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", script, *arguments],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    template = tmp_path / "template"
    walkrx(template, 0, "migrate", "-v0")
    walkrx(template, 0, "patients", "add", "--email", "ann@example.org", "--name", "Ann Lee")
    results = []
    for smallest in (20_000, 1 << 60):
        home = tmp_path / f"home-{smallest}"
        shutil.copytree(template, home)
        summary = walkrx(home, smallest, "import", str(path), "--patient", "ann@example.org")
        table = DailyActivity._meta.db_table
        with closing(sqlite3.connect(home / "walkrx.sqlite3")) as database:
            days = database.execute(
                f"SELECT date, steps, steps_by_source FROM {table} ORDER BY date"  # noqa: S608
            ).fetchall()
        results.append((summary, days))
    assert results[0] == results[1]
    assert "new step samples" in results[0][0]
    assert len(results[0][1]) > 40
