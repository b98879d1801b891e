from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run the background task worker: imports, weekly reviews and emails. Run one or more "
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

    def handle(self, *args: Any, **options: Any) -> None:
        arguments = ["--queue-name", "*", "--interval", str(options["interval"])]
        if options["max_tasks"] is not None:
            arguments += ["--max-tasks", str(options["max_tasks"])]
        if options["batch"]:
            arguments.append("--batch")
        call_command("db_worker", *arguments, "--no-startup-delay")
