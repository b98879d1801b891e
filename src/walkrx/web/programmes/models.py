"""A patient's walking programme: screening, clearance, prescription and weekly decisions."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models

from walkrx.core import prescription
from walkrx.core.programmes import ProgrammeState
from walkrx.web.patients.models import Patient


class State(models.TextChoices):
    INVITED = ProgrammeState.INVITED.value, "Invited"
    SCREENING = ProgrammeState.SCREENING.value, "Screening"
    AWAITING_CLEARANCE = ProgrammeState.AWAITING_CLEARANCE.value, "Awaiting clearance"
    ACTIVE = ProgrammeState.ACTIVE.value, "Active"
    PAUSED = ProgrammeState.PAUSED.value, "Paused"
    COMPLETED = ProgrammeState.COMPLETED.value, "Completed"
    DISCHARGED = ProgrammeState.DISCHARGED.value, "Discharged"


class TargetKind(models.TextChoices):
    SESSION_DAYS = prescription.TargetKind.SESSION_DAYS.value, "Minutes per session on days a week"
    WEEKLY_MINUTES = prescription.TargetKind.WEEKLY_MINUTES.value, "Minutes per week"
    DAILY_STEPS = prescription.TargetKind.DAILY_STEPS.value, "Steps per day"


class PauseReason(models.TextChoices):
    WARNING_SIGN = "warning_sign", "A warning sign was reported"
    CLINICIAN = "clinician", "Paused by the clinic"


class Programme(models.Model):
    """One episode of care. A patient has at most one programme that is not finished."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="programmes")
    state = models.CharField(max_length=24, choices=State.choices, default=State.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    # Week 1 starts on start_date; week N covers start_date + 7(N-1) .. + 7N - 1.
    start_date = models.DateField(null=True, blank=True)
    baseline_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    target_kind = models.CharField(
        max_length=20, choices=TargetKind.choices, default=TargetKind.SESSION_DAYS
    )
    target_amount = models.PositiveIntegerField(default=30)
    target_days_per_week = models.PositiveSmallIntegerField(null=True, blank=True, default=5)
    minutes_per_session = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_per_day = models.PositiveSmallIntegerField(default=1)
    days_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    policy_overrides = models.JSONField(default=dict, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    pause_reason = models.CharField(max_length=20, choices=PauseReason.choices, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patient", "state"]), models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.patient} ({self.get_state_display()})"

    @property
    def core_state(self) -> ProgrammeState:
        return ProgrammeState(self.state)

    @property
    def dose(self) -> prescription.Dose | None:
        if self.minutes_per_session is None or self.days_per_week is None:
            return None
        return prescription.Dose(
            minutes_per_session=self.minutes_per_session,
            sessions_per_day=self.sessions_per_day,
            days_per_week=self.days_per_week,
        )

    @property
    def target(self) -> prescription.Target:
        return prescription.Target(
            kind=prescription.TargetKind(self.target_kind),
            amount=self.target_amount,
            days_per_week=self.target_days_per_week,
        )

    def week_number(self, day: date) -> int | None:
        if self.start_date is None or day < self.start_date:
            return None
        return (day - self.start_date).days // 7 + 1

    def week_bounds(self, week: int) -> tuple[date, date]:
        assert self.start_date is not None
        first = self.start_date + timedelta(days=7 * (week - 1))
        return first, first + timedelta(days=6)


class Questionnaire(models.TextChoices):
    RED_FLAGS = "red_flags", "Warning signs (intake)"
    WEEKLY_CHECK = "weekly_check", "Weekly warning-sign check"
    LOWER_LIMB = "lower_limb", "Lower-limb check"
    READINESS = "readiness", "Readiness for activity"


class ScreeningAnswer(models.Model):
    """One completed checklist, with the result walkrx computed from it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    programme = models.ForeignKey(
        Programme, null=True, on_delete=models.CASCADE, related_name="screenings"
    )
    questionnaire = models.CharField(max_length=20, choices=Questionnaire.choices)
    answers = models.JSONField()
    tier = models.CharField(max_length=12, blank=True)
    triggered = models.JSONField(default=list)
    clearance_points = models.JSONField(default=list)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["-answered_at"]
        indexes = [models.Index(fields=["patient", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.get_questionnaire_display()} {self.answered_at:%Y-%m-%d}"


class Clearance(models.Model):
    """The physician's clearance to start walking: walkrx's "ask your doctor first"."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="clearance")
    physician_name = models.CharField(max_length=200)
    cleared_on = models.DateField()
    limits = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Cleared by {self.physician_name} on {self.cleared_on}"


class InstrumentResponse(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="instruments")
    instrument = models.CharField(max_length=30)
    answers = models.JSONField()
    score = models.FloatField()
    band = models.CharField(max_length=40, blank=True)
    answered_at = models.DateTimeField()
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-answered_at"]
        indexes = [models.Index(fields=["patient", "instrument", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score:g}"


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Changed by clinician"


class WeeklyDecision(models.Model):
    """The engine's proposal at the end of a programme week, and what the clinician made of it."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="decisions")
    week = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24)
    reasons = models.JSONField(default=list)
    prompts = models.JSONField(default=list)
    patient_explanation = models.TextField()
    clinician_explanation = models.TextField()
    minutes_walked = models.FloatField(default=0)
    minutes_prescribed = models.FloatField(default=0)
    adherence = models.FloatField(default=0)
    well_tolerated = models.BooleanField(default=False)
    prescribed_minutes_per_session = models.PositiveSmallIntegerField()
    prescribed_sessions_per_day = models.PositiveSmallIntegerField(default=1)
    prescribed_days_per_week = models.PositiveSmallIntegerField()
    proposed_minutes_per_session = models.PositiveSmallIntegerField()
    proposed_sessions_per_day = models.PositiveSmallIntegerField(default=1)
    proposed_days_per_week = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    final_minutes_per_session = models.PositiveSmallIntegerField()
    final_sessions_per_day = models.PositiveSmallIntegerField(default=1)
    final_days_per_week = models.PositiveSmallIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    clinician_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    patient_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "week"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "week"], name="one_decision_per_week")
        ]

    def __str__(self) -> str:
        return f"Week {self.week}: {self.kind}"

    @property
    def prescribed_dose(self) -> prescription.Dose:
        return prescription.Dose(
            self.prescribed_minutes_per_session,
            self.prescribed_sessions_per_day,
            self.prescribed_days_per_week,
        )

    @property
    def proposed_dose(self) -> prescription.Dose:
        return prescription.Dose(
            self.proposed_minutes_per_session,
            self.proposed_sessions_per_day,
            self.proposed_days_per_week,
        )

    @property
    def final_dose(self) -> prescription.Dose:
        return prescription.Dose(
            self.final_minutes_per_session, self.final_sessions_per_day, self.final_days_per_week
        )


class Note(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:40]
