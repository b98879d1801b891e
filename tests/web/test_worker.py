from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.web.conftest import Cast
from walkrx.web.imports.jobs import queue_import
from walkrx.web.imports.models import ImportJob, ImportStatus
from walkrx.web.imports.uploads import upload_directory

CSV = b"date,steps\n2026-03-01,4200\n2026-03-02,5100\n"


@pytest.fixture
def database_queue(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_import(cast: Cast, database_queue: None) -> None:
    path = upload_directory() / "steps.upload"
    path.write_bytes(CSV)
    with transaction.atomic():
        job = queue_import(
            cast.patient_a,
            path=path,
            file_name="steps.csv",
            sha256="0" * 64,
            size=len(CSV),
            by=cast.patient_a.user,
        )
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.QUEUED
    call_command("worker", "--batch")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.summary["days_with_steps"] == 2
    assert not Path(job.stored_path).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_fails_imports_left_running_by_a_dead_worker(
    cast: Cast, database_queue: None
) -> None:
    stale = ImportJob.objects.create(
        patient=cast.patient_a,
        file_name="old.xml",
        sha256="0" * 64,
        size_bytes=10,
        status=ImportStatus.RUNNING,
        started_at=timezone.now() - timedelta(days=1),
    )
    call_command("worker", "--batch")
    stale.refresh_from_db()
    assert stale.status == ImportStatus.FAILED
    assert "upload the file again" in stale.error
