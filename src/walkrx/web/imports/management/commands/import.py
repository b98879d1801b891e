from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from walkrx.ingest import IngestError
from walkrx.web.accounts.models import normalise_email
from walkrx.web.imports.actions import import_file
from walkrx.web.patients.models import Patient


class Command(BaseCommand):
    # The system checks import every page and the API schema; a data command needs none.
    requires_system_checks: list[str] = []
    help = (
        "Import walking data from phone and wearable files into a patient's record. The "
        "format is recognised from the content: Apple Health export.zip or export.xml, GPX, "
        "FIT, TCX, Google Takeout Fit, Fitbit Takeout, Health Connect export, or the simple "
        "CSV described in the README. Each file is imported whole or not at all; a file "
        "imported again adds nothing twice. Exits with status 1 when a file is refused.\n\n"
        "Example: walkrx import export.zip walk.fit --patient ann@example.org"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--patient", required=True, help="the patient's email address")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        # The loaded project stays for the whole command: keep the collector from walking
        # it again and again while records stream through (and from touching its pages in
        # the forked readers of a big export).
        gc.freeze()
        patient = (
            Patient.objects.select_related("user", "clinic")
            .filter(user__email=normalise_email(options["patient"]))
            .first()
        )
        if patient is None:
            raise CommandError(
                f"No patient with the email {options['patient']!r}; add one with "
                "'walkrx patients add --email E --name N'."
            )
        failures = 0
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file.")
                failures += 1
                continue
            bar = ProgressBar(path.name, enabled=not options["quiet"] and sys.stderr.isatty())
            try:
                outcome = import_file(patient, path, by=None, progress=bar.update)
            except IngestError as error:
                bar.finish()
                self.stderr.write(str(error))
                failures += 1
                continue
            bar.finish()
            self.stdout.write(render_summary(outcome.as_dict()))
        if failures:
            raise SystemExit(1)


def render_summary(data: dict[str, Any]) -> str:
    lines = [
        f"{data['file']} ({data['format']})",
        f"  records read:     {data['records_read']:,}",
        f"  walks:            {data['walks_read']:,} read, {data['new_walks']:,} new, "
        f"{data['walks_already_known']:,} already imported, "
        f"{data['walks_counted_elsewhere']:,} the same as a walk already recorded",
        f"  days of steps:    {data['days_with_steps']:,} "
        f"({data['new_step_samples']:,} new step samples of {data['step_samples_read']:,})",
        f"  weight entries:   {data['weights_read']:,} read, {data['new_weights']:,} new",
        f"  skipped records:  {data['skipped']:,}",
    ]
    for reason, count in data["skipped_by_reason"].items():
        lines.append(f"    {count:,} × {reason}")
    for note in data["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


class ProgressBar:
    """A one-line progress bar on the terminal's standard error."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        self.label, self.enabled = label[:30], enabled
        self.last = 0.0

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.2 and done < total):
            return
        self.last = now
        fraction = done / total if total else 1.0
        filled = int(30 * fraction)
        sys.stderr.write(f"\r{self.label:<30} [{'#' * filled:<30}] {fraction:6.1%}")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
