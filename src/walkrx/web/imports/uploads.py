"""Receiving an uploaded file: streamed to disk with a size cap, never held in memory."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class UploadTooLarge(Exception):
    pass


class SizeCapUploadHandler(FileUploadHandler):
    """Stops an upload as soon as it passes the configured cap, while it streams in."""

    def __init__(self, request: Any = None, *, cap: int) -> None:
        super().__init__(request)
        self.cap = cap
        self.received = 0
        self.too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 (Django's name)
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        # Refuse at the first chunk when the declared length already exceeds the cap
        # (a multipart body adds a few hundred bytes of headers around the file).
        if content_length > self.cap + 64 * 1024:
            self.too_large = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.too_large or self.received > self.cap:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        return None


def upload_directory() -> Path:
    directory = Path(settings.WALKRX_UPLOAD_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def keep_upload(upload: UploadedFile) -> tuple[Path, str, int]:
    """Move the upload to walkrx's upload folder under a server-chosen name; return its
    path, SHA-256 and size."""
    target = upload_directory() / f"{uuid.uuid4().hex}.upload"
    digest = hashlib.sha256()
    size = 0
    with target.open("xb") as out:
        target.chmod(0o600)
        for chunk in upload.chunks(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return target, digest.hexdigest(), size


def discard(path: str | Path) -> None:
    if str(path):
        Path(path).unlink(missing_ok=True)
