"""Uploading files for import: by the patient, or by a clinician on the patient's behalf."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from walkrx.web.access import get_own_patient, get_patient_for_staff
from walkrx.web.accounts.models import User
from walkrx.web.imports.jobs import queue_import
from walkrx.web.imports.models import ImportJob
from walkrx.web.imports.uploads import SizeCapUploadHandler, keep_upload
from walkrx.web.patients.models import Patient

RECENT_JOBS = 20
# Several files can be chosen at once (a watch writes one file per walk); each becomes
# an import of its own, so one bad file never holds up the others.
MAX_FILES_PER_UPLOAD = 100


class SeveralFilesInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SeveralFilesField(forms.FileField):
    widget = SeveralFilesInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(
                f"Choose at most {MAX_FILES_PER_UPLOAD} files at a time, then upload the rest."
            )
        return [super(SeveralFilesField, self).clean(one, initial) for one in files]


class UploadForm(forms.Form):
    file = SeveralFilesField(label="Files from your phone or watch")


def too_large_message() -> str:
    return (
        f"That file is larger than {filesizeformat(settings.UPLOAD_MAX_BYTES)}, the most "
        "this clinic accepts. Export a shorter period, or ask the clinic to import it."
    )


@csrf_exempt
def my_imports(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # The size cap must be in place before the body is read, so the handlers are set
        # before CSRF is checked (which reads the body).
        request.upload_handlers = [
            SizeCapUploadHandler(request, cap=settings.UPLOAD_MAX_BYTES),
            TemporaryFileUploadHandler(request),
        ]
    return _my_imports(request)


@csrf_protect
def _my_imports(request: HttpRequest) -> HttpResponse:
    patient = get_own_patient(request, action="view imports")
    return upload_page(request, patient, template="imports/my_imports.html")


@csrf_exempt
def patient_imports(request: HttpRequest, patient_id: int) -> HttpResponse:
    if request.method == "POST":
        request.upload_handlers = [
            SizeCapUploadHandler(request, cap=settings.UPLOAD_MAX_BYTES),
            TemporaryFileUploadHandler(request),
        ]
    return _patient_imports(request, patient_id)


@csrf_protect
def _patient_imports(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="view imports")
    return upload_page(request, patient, template="imports/patient_imports.html")


def upload_page(request: HttpRequest, patient: Patient, *, template: str) -> HttpResponse:
    form = UploadForm()
    upload_error = ""
    if request.method == "POST":
        cap = request.upload_handlers[0]
        form = UploadForm(request.POST, request.FILES)
        if isinstance(cap, SizeCapUploadHandler) and cap.too_large:
            form = UploadForm()
            upload_error = too_large_message()
        elif form.is_valid():
            user = request.user
            assert isinstance(user, User)
            queued = []
            for upload in form.cleaned_data["file"]:
                path, sha256, size = keep_upload(upload)
                queued.append(
                    queue_import(
                        patient,
                        path=path,
                        file_name=upload.name or "upload",
                        sha256=sha256,
                        size=size,
                        by=user,
                    )
                )
            if len(queued) == 1:
                messages.success(
                    request, f"“{queued[0].file_name}” is uploaded and being imported."
                )
                return redirect(job_url(request, patient, queued[0]))
            messages.success(
                request,
                f"{len(queued)} files are uploaded and being imported; their results appear below.",
            )
            return redirect(request.path)
    jobs = list(
        ImportJob.objects.filter(patient=patient).select_related("uploaded_by")[:RECENT_JOBS]
    )
    return render(
        request,
        template,
        {
            "patient": patient,
            "form": form,
            "upload_error": upload_error,
            "jobs": jobs,
            "jobs_running": any(not job.is_finished for job in jobs),
            "max_size": settings.UPLOAD_MAX_BYTES,
            "max_files": MAX_FILES_PER_UPLOAD,
        },
    )


def job_url(request: HttpRequest, patient: Patient, job: ImportJob) -> str:
    if request.resolver_match and request.resolver_match.url_name == "patient":
        return reverse("imports:patient_job", args=[patient.pk, job.pk])
    return reverse("imports:my_job", args=[job.pk])


def my_import(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    patient = get_own_patient(request, action="view import")
    return job_page(request, patient, job_id, base="patient_base.html")


def patient_import(request: HttpRequest, patient_id: int, job_id: uuid.UUID) -> HttpResponse:
    patient = get_patient_for_staff(request, patient_id, action="view import")
    return job_page(request, patient, job_id, base="staff_base.html")


def job_page(
    request: HttpRequest, patient: Patient, job_id: uuid.UUID, *, base: str
) -> HttpResponse:
    job = ImportJob.objects.filter(patient=patient, pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return render(request, "imports/job.html", {"job": job, "patient": patient, "base": base})
