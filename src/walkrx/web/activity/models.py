"""What patients walked and how their back felt: walks, check-ins, steps and weight."""

from __future__ import annotations

from django.db import models

from walkrx.web.patients.models import Patient


class WalkSource(models.TextChoices):
    TIMER = "timer", "Walk timer"
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "Imported from a device"


class Walk(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="walks")
    started_at = models.DateTimeField()
    # The patient's local calendar day of the walk (programme weeks count local days).
    local_date = models.DateField()
    minutes = models.FloatField()
    steps = models.PositiveIntegerField(null=True, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    route_distance_m = models.FloatField(null=True, blank=True)
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=WalkSource.choices)
    device = models.CharField(max_length=120, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    # An imported walk that matches one logged by hand is kept (for audit) but not counted.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["patient", "local_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_import_per_external_walk",
            )
        ]

    def __str__(self) -> str:
        return f"{self.minutes:g} min on {self.local_date}"


class CheckIn(models.Model):
    """The morning check-in: how the back feels today, and whether a flare has started."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()
    morning_pain = models.PositiveSmallIntegerField()
    flare = models.BooleanField(default=False)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_checkin_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.morning_pain}/10"


class StepSample(models.Model):
    """A raw step count from one device over one span, as imported."""

    # One index only, the unique constraint's: it leads with the patient and the start, so
    # it also serves the merge's range queries in their order. Each index less makes
    # importing hundreds of thousands of samples faster.
    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="step_samples", db_index=False
    )
    source_key = models.CharField(max_length=200)
    source_name = models.CharField(max_length=200)
    source_kind = models.CharField(max_length=12)
    start = models.DateTimeField()
    end = models.DateTimeField()
    utc_offset_minutes = models.SmallIntegerField()
    steps = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "start", "end", "source_key"], name="one_sample_per_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.steps} steps ({self.source_name})"


class DailyActivity(models.Model):
    """Per-day totals kept up to date on every write, so pages never sum raw rows."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="daily_activity")
    date = models.DateField()
    steps = models.PositiveIntegerField(null=True, blank=True)
    steps_by_source = models.JSONField(default=dict)
    walking_minutes = models.FloatField(default=0)
    walks = models.PositiveSmallIntegerField(default=0)
    distance_m = models.FloatField(default=0)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_activity_row_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.walking_minutes:g} min"


class WeightEntry(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="weights")
    measured_at = models.DateTimeField()
    kg = models.FloatField()
    source = models.CharField(max_length=120, default="entered by hand")

    class Meta:
        ordering = ["-measured_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "measured_at", "source"], name="one_weight_per_time_and_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kg:g} kg"
