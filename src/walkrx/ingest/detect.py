"""Format detection from a file's content; the file name is never trusted.

Names are translated (Apple's ``export.xml`` is ``eksport.xml`` or ``导出.xml`` on other
phones) and patients rename files, so every decision here is made from the first bytes
of the file or of the zip members.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from . import apple_health, fit, fitbit, google_fit, health_connect, simple_csv
from .archives import ZIP_MAGIC, SafeZip, open_file
from .errors import IngestError
from .limits import DEFAULT_LIMITS, Limits
from .records import Format

HEAD_BYTES = 64 * 1024
_SNIFF_MEMBERS = 200
_ROOT_NAME_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_KNOWN = (
    "Apple Health export (export.zip or export.xml), GPX, FIT, TCX, Google Takeout "
    "Fit or Fitbit files, a Health Connect export zip, or the simple CSV format"
)
UNKNOWN_REMEDY = f"upload one of: {_KNOWN}"


def root_element(head: bytes) -> str | None:
    """Name of the first element after the XML declaration, comments and DOCTYPE."""
    text = head.removeprefix(b"\xef\xbb\xbf")
    pos = 0
    while True:
        lt = text.find(b"<", pos)
        if lt == -1 or lt + 1 >= len(text):
            return None
        nxt = text[lt + 1 : lt + 2]
        if nxt == b"?":
            pos = text.find(b"?>", lt) + 2 if text.find(b"?>", lt) != -1 else len(text)
        elif text.startswith(b"<!--", lt):
            end = text.find(b"-->", lt)
            pos = end + 3 if end != -1 else len(text)
        elif nxt == b"!":
            # DOCTYPE: the root follows; its internal subset may be broken, so search on.
            m = re.compile(rb"\]\s*>|>").search(text, lt)
            if text.startswith(b"<!DOCTYPE", lt) and b"[" in text[lt : lt + 200]:
                m = re.compile(rb"\]\s*>").search(text, lt)
            pos = m.end() if m else len(text)
        else:
            m = _ROOT_NAME_RE.match(text, lt)
            return m.group(2).decode("ascii", "replace") if m else None


def classify_head(head: bytes, name: str = "") -> Format | None:
    """Format of a single (non-zip) document from its first bytes, or None."""
    if fit.sniff(head):
        return Format.FIT
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if stripped.startswith(b"<"):
        if apple_health.sniff_is_export(head):
            return Format.APPLE_HEALTH_XML
        root = root_element(head)
        if root == "gpx":
            return Format.GPX
        if root == "TrainingCenterDatabase":
            return Format.TCX
        return None
    if stripped.startswith((b"{", b"[")):
        if google_fit.sniff_session(stripped):
            return Format.GOOGLE_FIT_SESSION_JSON
        if fitbit.sniff_json(stripped):
            return Format.FITBIT_STEPS_JSON
        return None
    if b"\x00" in head:
        return None
    header = stripped.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if google_fit.sniff_day_csv(header):
        return Format.GOOGLE_FIT_DAY_CSV
    if google_fit.sniff_daily_csv(header):
        return Format.GOOGLE_FIT_DAILY_CSV
    if fitbit.sniff_csv(header):
        return Format.FITBIT_STEPS_CSV
    if simple_csv.sniff(header):
        return Format.SIMPLE_CSV
    return None


def apple_export_member(archive: SafeZip) -> str | None:
    """The main export XML in an Apple zip, whatever its (translated) name."""
    found: list[str] = []
    for name in archive.names():
        path = PurePosixPath(name)
        if path.suffix.lower() != ".xml" or path.name == "export_cda.xml":
            continue
        if any(
            part in ("workout-routes", "electrocardiograms", "clinical-records")
            for part in path.parts
        ):
            continue
        if apple_health.sniff_is_export(archive.head(name, HEAD_BYTES)):
            found.append(name)
    if len(found) > 1:
        raise IngestError(
            archive.display_name,
            None,
            "the zip holds more than one Apple Health export",
            "upload each export.zip on its own",
        )
    return found[0] if found else None


def classify_zip(archive: SafeZip) -> Format | None:
    names = archive.names()
    if health_connect.find_db(names):
        return Format.HEALTH_CONNECT_ZIP
    if apple_export_member(archive) is not None:
        return Format.APPLE_HEALTH_ZIP
    google = fitbit_found = False
    sniffed = 0
    for name in names:
        if not name.lower().endswith((".json", ".csv")) or sniffed >= _SNIFF_MEMBERS:
            continue
        sniffed += 1
        kind = classify_head(archive.head(name, 4096), name)
        if kind in (
            Format.GOOGLE_FIT_SESSION_JSON,
            Format.GOOGLE_FIT_DAILY_CSV,
            Format.GOOGLE_FIT_DAY_CSV,
        ):
            google = True
        elif kind in (Format.FITBIT_STEPS_JSON, Format.FITBIT_STEPS_CSV):
            fitbit_found = True
    if google:
        return Format.GOOGLE_TAKEOUT_ZIP
    if fitbit_found:
        return Format.FITBIT_TAKEOUT_ZIP
    return None


def detect_format(
    path: Path, *, limits: Limits = DEFAULT_LIMITS, display_name: str | None = None
) -> Format:
    """Which reader to use for ``path``; raises :class:`IngestError` when none fits."""
    file = display_name or path.name
    with open_file(path, limits=limits, display_name=file) as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise IngestError(
            file, None, "the file is empty", "export the data again and upload the new file"
        )
    if head.startswith(ZIP_MAGIC):
        with SafeZip(path, limits=limits, display_name=file) as archive:
            kind = classify_zip(archive)
        if kind is None:
            raise IngestError(
                file, None, "the zip file holds no data walkrx can read", UNKNOWN_REMEDY
            )
        return kind
    kind = classify_head(head, path.name)
    if kind is None:
        raise IngestError(file, None, "walkrx does not recognise this kind of file", UNKNOWN_REMEDY)
    return kind
