from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from walkrx.web.imports.jobs import fail_interrupted_jobs
from walkrx.web.programmes.tasks import review_due_weeks
from walkrx.web.server.serving import prepare_database


class Command(BaseCommand):
    help = (
        "Run the background task worker: imports, weekly reviews and emails, after applying "
        "pending database migrations. Run one or more "
        "next to 'walkrx serve'; several workers on several machines share one database queue.\n\n"
        "Example: walkrx worker --interval 2"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between polls when idle"
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help="stop after this many tasks"
        )
        parser.add_argument(
            "--batch", action="store_true", help="process what is queued, then stop"
        )
        parser.add_argument(
            "--review-every",
            type=float,
            default=60.0,
            help="minutes between weekly-review runs (0 turns the schedule off)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Like `walkrx serve`: a worker started first on a new installation would otherwise
        # find no tables.
        prepare_database(self)
        fail_interrupted_jobs()
        if options["review_every"] > 0 and not options["batch"]:
            start_review_schedule(options["review_every"] * 60)
        arguments = ["--queue-name", "*", "--interval", str(options["interval"])]
        if options["max_tasks"] is not None:
            arguments += ["--max-tasks", str(options["max_tasks"])]
        if options["batch"]:
            arguments.append("--batch")
        call_command("db_worker", *arguments, "--no-startup-delay")


def start_review_schedule(every_seconds: float) -> None:
    """Queue the weekly review now and then every ``every_seconds``.

    Several workers may each queue it: a review stores at most one decision per
    patient-week, so extra runs find nothing to do.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            review_due_weeks.enqueue()
            stop.wait(every_seconds)

    threading.Thread(target=loop, name="walkrx-review-schedule", daemon=True).start()
