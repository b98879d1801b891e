from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from walkrx.web.programmes.reviews import review_due_programmes


class Command(BaseCommand):
    help = (
        "Run the weekly review for every patient whose programme week has ended: the engine "
        "proposes next week's dose once per patient-week (safe to run again), and patients "
        "are told their plan is ready. The worker also runs this every hour.\n\n"
        "Example: walkrx review"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        decisions = review_due_programmes(timezone.now())
        for decision in decisions:
            self.stdout.write(
                f"{decision.programme.patient.name}: week {decision.week} -> {decision.kind}"
            )
        self.stdout.write(f"{len(decisions)} weekly decision(s) stored.")
