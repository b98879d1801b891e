"""Forms for the patient's pages. Templates draw the fields by hand (large targets); the
forms only validate, so bad input comes back as a message next to the field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from walkrx.core.screening import Question

PAIN_CHOICES = [(str(value), str(value)) for value in range(11)]
YES_NO = [("yes", "Yes"), ("no", "No")]
# How far back a walk or weight can be logged from the day picker.
LOG_DAYS_BACK = 7
# A running timer older than this is treated as forgotten, not as a walk.
TIMER_MAX_HOURS = 12


def day_choices(today: date, days: int = LOG_DAYS_BACK) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for back in range(days):
        day = today - timedelta(days=back)
        if back == 0:
            label = f"Today ({day:%A})"
        elif back == 1:
            label = f"Yesterday ({day:%A})"
        else:
            label = f"{day:%A} {day.day} {day:%B}"
        choices.append((day.isoformat(), label))
    return choices


def pain_field(label: str, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=PAIN_CHOICES,
        coerce=int,
        required=required,
        empty_value=None,
        error_messages={
            "required": "Please choose a number from 0 to 10.",
            "invalid_choice": "Please choose a number from 0 to 10.",
        },
    )


class WalkForm(forms.Form):
    """A walk: from the timer (start time known) or entered by hand."""

    minutes = forms.IntegerField(
        label="How many minutes did you walk?",
        min_value=1,
        max_value=12 * 60,
        error_messages={
            "required": "Please enter how many minutes you walked.",
            "invalid": "Please enter the minutes as a whole number, for example 12.",
            "min_value": "A walk must be at least 1 minute.",
            "max_value": "A walk can be at most 12 hours (720 minutes).",
        },
    )
    pain_before = pain_field("Pain before the walk", required=False)
    pain_after = pain_field("Pain after the walk", required=False)
    day = forms.ChoiceField(label="Which day?", choices=())
    start_time = forms.TimeField(
        label="About what time did you start?",
        required=False,
        error_messages={"invalid": "Please enter a time like 09:30."},
    )
    steps = forms.IntegerField(
        label="Steps (if you know them)",
        required=False,
        min_value=0,
        max_value=100_000,
        error_messages={"invalid": "Please enter the steps as a whole number."},
    )
    distance_km = forms.DecimalField(
        label="Distance in kilometres (if you know it)",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=6,
        decimal_places=2,
        error_messages={"invalid": "Please enter the distance as a number, for example 1.5."},
    )
    source = forms.ChoiceField(choices=[("manual", "manual"), ("timer", "timer")], required=False)
    # Set by the timer script; anything unreadable is ignored rather than blocking the walk.
    started_ms = forms.CharField(required=False, max_length=20)

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.fields["day"].choices = day_choices(now.date())
        self.fields["day"].initial = now.date().isoformat()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        data["started_at"] = self.started_at(data)
        if data["started_at"] > self.now:
            self.add_error("start_time", "That time has not come yet today. Please check it.")
        return data

    def timer_start(self, data: dict[str, Any]) -> datetime | None:
        raw = data.get("started_ms") or ""
        if data.get("source") != "timer" or not raw.isdigit():
            return None
        try:
            started = datetime.fromtimestamp(int(raw) / 1000, tz=self.now.tzinfo)
        except (OverflowError, OSError, ValueError):
            return None
        if not self.now - timedelta(hours=TIMER_MAX_HOURS) <= started <= self.now:
            return None
        return started.replace(microsecond=0)

    def started_at(self, data: dict[str, Any]) -> datetime:
        from_timer = self.timer_start(data)
        if from_timer is not None:
            return from_timer
        zone = self.now.tzinfo
        assert isinstance(zone, ZoneInfo)
        day = date.fromisoformat(data["day"])
        at: time | None = data.get("start_time")
        if at is not None:
            return datetime.combine(day, at, tzinfo=zone)
        if day == self.now.date():
            # Just finished: it started about `minutes` ago, but not before midnight.
            guess = self.now - timedelta(minutes=data["minutes"])
            return max(guess, datetime.combine(day, time(0, 0), tzinfo=zone)).replace(
                second=0, microsecond=0
            )
        return datetime.combine(day, time(12, 0), tzinfo=zone)

    @property
    def is_timer(self) -> bool:
        return self.cleaned_data.get("source") == "timer" and (
            self.timer_start(self.cleaned_data) is not None
        )


class CheckInForm(forms.Form):
    morning_pain = pain_field("How bad is your back pain this morning?", required=True)
    flare = forms.ChoiceField(
        label="Is your back having a flare-up?",
        choices=YES_NO,
        error_messages={"required": "Please answer yes or no."},
    )


class WeeklyCheckForm(forms.Form):
    """One required yes/no per question; an unanswered question is never taken as "no"."""

    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[question.id] = forms.ChoiceField(
                label=question.text,
                help_text=question.help,
                choices=YES_NO,
                error_messages={
                    "required": "Please answer yes or no.",
                    "invalid_choice": "Please answer yes or no.",
                },
            )

    def answers(self) -> dict[str, bool]:
        return {q.id: self.cleaned_data[q.id] == "yes" for q in self.questions}


class WeightForm(forms.Form):
    kg = forms.DecimalField(
        label="Your weight in kilograms",
        max_digits=5,
        decimal_places=1,
        error_messages={
            "required": "Please enter your weight.",
            "invalid": "Please enter your weight as a number, for example 72.5.",
            "max_decimal_places": "Please use at most one decimal place, for example 72.5.",
            "max_digits": "Please check your weight.",
        },
    )
    day = forms.ChoiceField(label="Which day?", choices=())

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = day_choices(today)
        self.fields["day"].initial = today.isoformat()


class CallForm(forms.Form):
    message = forms.CharField(
        label="What would you like to talk about? (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Please keep your message under 300 characters."},
    )
