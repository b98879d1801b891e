from __future__ import annotations

from django.utils import timezone

from walkrx.web.programmes.reviews import review_due_programmes
from walkrx.web.taskqueue import task


@task()
def review_due_weeks() -> int:
    """Review every programme week that has ended; returns how many decisions were stored."""
    return len(review_due_programmes(timezone.now()))
