from __future__ import annotations

import csv
import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from walkrx.web.accounts.models import normalise_email
from walkrx.web.activity.models import DailyActivity
from walkrx.web.patients.models import Patient

COLUMNS = ("date", "steps", "walking_minutes", "walks", "distance_km")


class Command(BaseCommand):
    # The system checks import every page and the API schema; a data command needs none.
    requires_system_checks: list[str] = []
    help = (
        "Print a patient's activity, one row per day: date, steps (merged across devices by "
        "source priority, never summed), walking_minutes, walks, distance_km.\n\n"
        "Example: walkrx activity --patient ann@example.org --from 2026-01-01 --format csv"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patient", required=True, help="the patient's email address")
        parser.add_argument("--from", dest="first", type=parse_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", type=parse_date, help="last day, YYYY-MM-DD")
        parser.add_argument("--format", choices=["csv", "json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        patient = Patient.objects.filter(user__email=normalise_email(options["patient"])).first()
        if patient is None:
            raise CommandError(f"No patient with the email {options['patient']!r}.")
        days = DailyActivity.objects.filter(patient=patient).order_by("date")
        if options["first"]:
            days = days.filter(date__gte=options["first"])
        if options["last"]:
            days = days.filter(date__lte=options["last"])
        rows = [
            {
                "date": day.date.isoformat(),
                "steps": day.steps,
                "walking_minutes": round(day.walking_minutes, 1),
                "walks": day.walks,
                "distance_km": round(day.distance_m / 1000, 2),
            }
            for day in days.iterator()
            if day.steps is not None or day.walks
        ]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        elif options["format"] == "csv":
            writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        else:
            self.stdout.write(
                f"{'date':<10}  {'steps':>7}  {'walking min':>11}  {'walks':>5}  {'km':>6}"
            )
            for row in rows:
                steps = "" if row["steps"] is None else f"{row['steps']:,}"
                self.stdout.write(
                    f"{row['date']:<10}  {steps:>7}  {row['walking_minutes']:>11}  "
                    f"{row['walks']:>5}  {row['distance_km']:>6}"
                )


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date; use YYYY-MM-DD.") from None
