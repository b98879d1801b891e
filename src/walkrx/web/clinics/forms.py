"""Forms of the clinician pages: they check and normalise input, and build core values."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.forms import DeclarativeFieldsMetaclass

from walkrx.core import prescription
from walkrx.core.errors import CoreError
from walkrx.core.instruments import InstrumentText
from walkrx.core.screening import (
    READINESS_QUESTIONS,
    RED_FLAG_QUESTIONS,
    InflammatoryPattern,
    RedFlagContext,
)
from walkrx.web.clinics.models import StaffMember, StaffRole
from walkrx.web.programmes.models import TargetKind

YES_NO = [("yes", "Yes"), ("no", "No")]
PAIN_CHOICES = [(str(n), str(n)) for n in range(11)]
MAX_SESSION_MINUTES = 180


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScaleSelect(forms.RadioSelect):
    """A horizontal row of radio buttons (0 to 10 scales, Oswestry sections)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "scale", **(attrs or {})})


def yes_no_field(label: str, help_text: str = "", *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"class": "yes-no"}),
        required=required,
    )


def pain_field(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=PAIN_CHOICES,
        coerce=int,
        widget=ScaleSelect,
        required=required,
        empty_value=None,
    )


class InviteForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address", help_text="The invitation goes here.")
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=date_input(),
        help_text="Optional. Used for the age-related warning-sign rules.",
    )
    care_team = forms.ModelMultipleChoiceField(
        label="Care team",
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They get alert emails about this patient.",
    )

    def __init__(self, *args: Any, staff: StaffMember, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["care_team"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = StaffMember.objects.filter(clinic_id=staff.clinic_id).select_related(
            "user"
        )
        field.label_from_instance = lambda member: (  # type: ignore[method-assign]
            f"{member.user.full_name}" + (f" ({member.job_title})" if member.job_title else "")
        )
        if staff.role == StaffRole.CLINICIAN:
            field.initial = [staff.pk]

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and (born > date.today() or born.year < 1900):  # noqa: DTZ011
            raise ValidationError("Enter a real date of birth.")
        return born


class RedFlagForm(forms.Form):
    """The intake warning-sign checklist plus the clinical context its rules need."""

    new_episode = yes_no_field(
        "Is this a new episode of back pain (not a recurrence of a familiar problem)?",
        "The age rule (new pain under 20 or over 50) only applies to new pain.",
    )
    age_at_onset = forms.IntegerField(
        label="Age when the back pain started",
        min_value=0,
        max_value=120,
        required=False,
        help_text="Fill in with months of pain to check the NICE NG65 inflammatory pattern.",
    )
    months_of_pain = forms.IntegerField(
        label="Months of back pain", min_value=0, max_value=1200, required=False
    )
    onset_before_35 = forms.BooleanField(label="Onset before 35 years", required=False)
    wakes_second_half_of_night = forms.BooleanField(
        label="Wakes in the second half of the night with pain", required=False
    )
    buttock_pain = forms.BooleanField(label="Buttock pain", required=False)
    improves_with_movement = forms.BooleanField(label="Improves with movement", required=False)
    improves_within_48h_of_nsaids = forms.BooleanField(
        label="Improves within 48 hours of NSAIDs", required=False
    )
    first_degree_relative_with_spa = forms.BooleanField(
        label="First-degree relative with spondyloarthritis", required=False
    )
    arthritis_enthesitis_or_psoriasis = forms.BooleanField(
        label="Current or past arthritis, enthesitis or psoriasis", required=False
    )

    INFLAMMATORY = (
        "onset_before_35",
        "wakes_second_half_of_night",
        "buttock_pain",
        "improves_with_movement",
        "improves_within_48h_of_nsaids",
        "first_degree_relative_with_spa",
        "arthritis_enthesitis_or_psoriasis",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in RED_FLAG_QUESTIONS:
            self.fields[f"q_{question.id}"] = yes_no_field(question.text, question.help)

    def question_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(q, self[f"q_{q.id}"]) for q in RED_FLAG_QUESTIONS]

    def inflammatory_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.INFLAMMATORY]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        onset, months = data.get("age_at_onset"), data.get("months_of_pain")
        ticked = any(data.get(name) for name in self.INFLAMMATORY)
        if (onset is None) != (months is None) or (ticked and onset is None):
            raise ValidationError(
                "For the inflammatory-pattern check, give both the age at onset and the "
                "months of pain (or leave that section empty)."
            )
        return data

    def answers(self) -> dict[str, bool]:
        return {q.id: self.cleaned_data[f"q_{q.id}"] == "yes" for q in RED_FLAG_QUESTIONS}

    def context(self, age: int | None) -> RedFlagContext:
        data = self.cleaned_data
        pattern = None
        if data.get("age_at_onset") is not None:
            pattern = InflammatoryPattern(
                age_at_onset=data["age_at_onset"],
                months_of_pain=data["months_of_pain"],
                **{name: bool(data.get(name)) for name in self.INFLAMMATORY},
            )
        return RedFlagContext(
            age_years=age, new_episode=data["new_episode"] == "yes", inflammatory=pattern
        )


class ReadinessForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in READINESS_QUESTIONS:
            self.fields[f"q_{question.id}"] = yes_no_field(
                question.text, question.help, required=False
            )

    def question_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(q, self[f"q_{q.id}"]) for q in READINESS_QUESTIONS]

    def answers(self) -> dict[str, bool]:
        answers = {}
        for question in READINESS_QUESTIONS:
            value = self.cleaned_data.get(f"q_{question.id}")
            if value:
                answers[question.id] = value == "yes"
        return answers


def item_label(text: InstrumentText | None, index: int) -> str:
    if text is None:
        return f"Item {index + 1}"
    return f"{index + 1}. {text.items[index].text}"


def item_options(text: InstrumentText | None, index: int, count: int) -> list[tuple[str, str]]:
    if text is None:
        return [(str(n), str(n)) for n in range(count)]
    return [(str(n), f"{n}: {option}") for n, option in enumerate(text.items[index].options)]


class InstrumentFormMeta(DeclarativeFieldsMetaclass, ABCMeta):
    pass


class InstrumentForm(forms.Form, metaclass=InstrumentFormMeta):
    """Base of the instrument forms; ``answers()`` returns what the core scorer takes."""

    def __init__(self, *args: Any, text: InstrumentText | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text = text
        self.add_items()

    @abstractmethod
    def add_items(self) -> None:
        """Add one field per item of the instrument."""

    @abstractmethod
    def answers(self) -> Any:
        """The cleaned answers in the shape the core scorer takes."""


class PainForm(InstrumentForm):
    def add_items(self) -> None:
        self.fields["pain"] = pain_field(
            "How much does your back hurt right now, from 0 (no pain) to 10 (the worst "
            "pain you can imagine)?"
        )

    def answers(self) -> int:
        return int(self.cleaned_data["pain"])


class StartBackForm(InstrumentForm):
    def add_items(self) -> None:
        for i in range(9):
            self.fields[f"item_{i}"] = forms.TypedChoiceField(
                label=item_label(self.text, i),
                choices=item_options(self.text, i, 5 if i == 8 else 2),
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale" if i == 8 else "yes-no"}),
            )

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{i}"] for i in range(9)]


class OswestryForm(InstrumentForm):
    def add_items(self) -> None:
        for i in range(10):
            self.fields[f"section_{i}"] = forms.TypedChoiceField(
                label=item_label(self.text, i),
                choices=item_options(self.text, i, 6),
                coerce=int,
                widget=forms.RadioSelect,
                required=False,
                empty_value=None,
            )

    def answers(self) -> list[int | None]:
        return [self.cleaned_data.get(f"section_{i}") for i in range(10)]


class RolandMorrisForm(InstrumentForm):
    def add_items(self) -> None:
        for i in range(24):
            self.fields[f"item_{i}"] = forms.BooleanField(
                label=item_label(self.text, i), required=False
            )

    def answers(self) -> list[bool]:
        return [bool(self.cleaned_data.get(f"item_{i}")) for i in range(24)]


class PegForm(InstrumentForm):
    def add_items(self) -> None:
        for i in range(3):
            label = item_label(self.text, i)
            if self.text is not None:
                low, high = self.text.items[i].options
                label = f"{label} (0 = {low}, 10 = {high})"
            self.fields[f"item_{i}"] = pain_field(label)

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{i}"] for i in range(3)]


INSTRUMENT_FORMS: dict[str, type[InstrumentForm]] = {
    "pain": PainForm,
    "start_back": StartBackForm,
    "oswestry": OswestryForm,
    "roland_morris": RolandMorrisForm,
    "peg": PegForm,
}

TOLERANCE_ROWS = 4


class ToleranceForm(forms.Form):
    """A baseline walking-tolerance test: 2 to 4 walks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(TOLERANCE_ROWS):
            self.fields[f"minutes_{i}"] = forms.FloatField(
                label=f"Walk {i + 1}: minutes", min_value=0.5, max_value=240, required=False
            )
            self.fields[f"before_{i}"] = forms.TypedChoiceField(
                label=f"Walk {i + 1}: pain before",
                choices=[("", "—"), *PAIN_CHOICES],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"after_{i}"] = forms.TypedChoiceField(
                label=f"Walk {i + 1}: pain after",
                choices=[("", "—"), *PAIN_CHOICES],
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"stopped_{i}"] = forms.BooleanField(
                label=f"Walk {i + 1}: stopped early", required=False
            )

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}_{i}"] for name in ("minutes", "before", "after", "stopped")]
            for i in range(TOLERANCE_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        walks = []
        for i in range(TOLERANCE_ROWS):
            minutes = data.get(f"minutes_{i}")
            if minutes is None:
                if data.get(f"before_{i}") is not None or data.get(f"after_{i}") is not None:
                    raise ValidationError(f"Walk {i + 1} has pain ratings but no minutes.")
                continue
            try:
                walks.append(
                    prescription.ToleranceWalk(
                        minutes=minutes,
                        pain_before=data.get(f"before_{i}"),
                        pain_after=data.get(f"after_{i}"),
                        stopped_early=bool(data.get(f"stopped_{i}")),
                    )
                )
            except CoreError as error:
                raise ValidationError(str(error)) from None
        if not 2 <= len(walks) <= TOLERANCE_ROWS:
            raise ValidationError("A tolerance test has 2 to 4 walks: enter at least two.")
        data["walks"] = walks
        return data


class CompleteIntakeForm(forms.Form):
    baseline_pain = pain_field("Baseline pain (0 to 10)", required=False)


class ClearanceForm(forms.Form):
    physician_name = forms.CharField(
        label="Physician who gave the clearance", max_length=200, help_text="Name and role."
    )
    cleared_on = forms.DateField(label="Date of the clearance", widget=date_input())
    limits = forms.CharField(
        label="Limits set by the physician",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: avoid steep hills for a month. Leave empty if none.",
    )


class StartForm(forms.Form):
    target_kind = forms.ChoiceField(
        label="Target", choices=TargetKind.choices, widget=forms.RadioSelect
    )
    session_minutes = forms.IntegerField(
        label="Minutes per session", min_value=1, max_value=MAX_SESSION_MINUTES, required=False
    )
    session_days = forms.IntegerField(label="Days a week", min_value=1, max_value=7, required=False)
    weekly_minutes = forms.IntegerField(
        label="Minutes per week", min_value=1, max_value=7 * MAX_SESSION_MINUTES, required=False
    )
    daily_steps = forms.IntegerField(
        label="Steps per day", min_value=500, max_value=30000, required=False
    )
    start_date = forms.DateField(label="First day of the programme", widget=date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("target_kind")
        needed = {
            TargetKind.SESSION_DAYS: ("session_minutes", "session_days"),
            TargetKind.WEEKLY_MINUTES: ("weekly_minutes",),
            TargetKind.DAILY_STEPS: ("daily_steps",),
        }.get(kind or "", ())
        for name in needed:
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, "Needed for this target.")
        if self.errors or not kind:
            return data
        try:
            if kind == TargetKind.SESSION_DAYS:
                target = prescription.Target.session_days(
                    data["session_minutes"], data["session_days"]
                )
            elif kind == TargetKind.WEEKLY_MINUTES:
                target = prescription.Target.weekly(data["weekly_minutes"])
            else:
                target = prescription.Target.steps(data["daily_steps"])
        except CoreError as error:
            raise ValidationError(str(error)) from None
        data["target"] = target
        return data


class DoseForm(forms.Form):
    minutes_per_session = forms.IntegerField(
        label="Minutes per walk", min_value=1, max_value=MAX_SESSION_MINUTES
    )
    sessions_per_day = forms.IntegerField(label="Walks a day", min_value=1, max_value=4)
    days_per_week = forms.IntegerField(label="Days a week", min_value=1, max_value=7)
    note = forms.CharField(
        label="Why (shown to colleagues)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["dose"] = prescription.Dose(
                data["minutes_per_session"], data["sessions_per_day"], data["days_per_week"]
            )
        except CoreError as error:
            raise ValidationError(str(error)) from None
        return data


class NoteForm(forms.Form):
    text = forms.CharField(label="New note", widget=forms.Textarea(attrs={"rows": 3}))


class HandleAlertForm(forms.Form):
    note = forms.CharField(label="What was done", max_length=500, required=False)


class PauseForm(forms.Form):
    reason = forms.CharField(label="Reason for pausing", max_length=300, required=False)


class FinishForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How does the programme end?",
        choices=[
            ("completed", "Completed: the patient finished the programme"),
            ("discharged", "Discharged early"),
        ],
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label="Yes, end this programme now. This cannot be undone.", required=True
    )


class StaffForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=StaffRole.choices, widget=forms.RadioSelect)
    job_title = forms.CharField(
        label="Job title", max_length=100, required=False, help_text="For example Physiotherapist."
    )


class AuditFilterForm(forms.Form):
    patient = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    name = forms.CharField(label="Patient name", max_length=200, required=False)
