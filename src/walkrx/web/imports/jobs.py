"""Queueing an uploaded file for import and running it in the worker with progress."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from walkrx.ingest import IngestError
from walkrx.web.accounts.models import User
from walkrx.web.imports.actions import import_file
from walkrx.web.imports.models import ImportJob, ImportStatus
from walkrx.web.imports.uploads import discard
from walkrx.web.patients.models import Patient
from walkrx.web.taskqueue import task

PROGRESS_EVERY_SECONDS = 0.5
INTERRUPTED_MESSAGE = (
    "The import stopped before it finished (the server restarted); nothing from the file "
    "was saved. Please upload the file again."
)


@transaction.atomic
def queue_import(
    patient: Patient, *, path: Path, file_name: str, sha256: str, size: int, by: User
) -> ImportJob:
    job = ImportJob.objects.create(
        patient=patient,
        uploaded_by=by,
        file_name=file_name[:255],
        stored_path=str(path),
        sha256=sha256,
        size_bytes=size,
    )
    transaction.on_commit(lambda: run_import_job.enqueue(str(job.pk)))
    return job


@task()
def run_import_job(job_id: str) -> str:
    """Import one uploaded file; the job row reports progress and the outcome."""
    job = ImportJob.objects.select_related("patient__clinic", "uploaded_by").get(pk=job_id)
    if job.status != ImportStatus.QUEUED:
        return job.status
    job.status = ImportStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    last_write = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last_write
        now = time.monotonic()
        if now - last_write >= PROGRESS_EVERY_SECONDS:
            last_write = now
            ImportJob.objects.filter(pk=job.pk).update(bytes_done=done, size_bytes=total or 1)

    try:
        outcome = import_file(
            job.patient,
            Path(job.stored_path),
            by=job.uploaded_by,
            display_name=job.file_name,
            progress=progress,
        )
    except IngestError as error:
        finish(job, ImportStatus.FAILED, error=str(error))
    except Exception:
        finish(
            job,
            ImportStatus.FAILED,
            error=f"Could not import “{job.file_name}”: an unexpected error stopped the import; "
            "nothing from the file was saved. Please tell the clinic so it can be looked at.",
        )
        raise
    else:
        job.format = outcome.summary.format.value if outcome.summary.format else ""
        job.summary = outcome.as_dict()
        finish(job, ImportStatus.DONE)
    return job.status


def finish(job: ImportJob, status: ImportStatus, *, error: str = "") -> None:
    job.status = status
    job.error = error
    job.finished_at = timezone.now()
    job.bytes_done = job.size_bytes
    job.save(update_fields=["status", "error", "finished_at", "bytes_done", "format", "summary"])
    discard(job.stored_path)


def fail_interrupted_jobs(older_than_minutes: int = 6 * 60) -> int:
    """Jobs left running by a worker that died: their transaction never committed."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    stale = ImportJob.objects.filter(status=ImportStatus.RUNNING, started_at__lt=cutoff)
    count = 0
    for job in stale:
        finish(job, ImportStatus.FAILED, error=INTERRUPTED_MESSAGE)
        count += 1
    return count
