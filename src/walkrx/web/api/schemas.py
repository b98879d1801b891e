"""What the API accepts and returns. Inputs forbid unknown fields (no mass assignment)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, field_validator

from walkrx.core.screening import WEEKLY_CHECK_QUESTIONS

WEEKLY_CHECK_IDS = tuple(q.id for q in WEEKLY_CHECK_QUESTIONS)

Pain = Field(default=None, ge=0, le=10, description="0 = no pain, 10 = worst imaginable")


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class Problem(Schema):
    detail: str


class Dose(Schema):
    minutes_per_session: int
    sessions_per_day: int
    days_per_week: int
    description: str = Field(description='In plain words, e.g. "14 minutes on 5 days"')


class Today(Schema):
    date: dt.date
    status: str = Field(
        description="setting_up, awaiting_clearance, starts_later, active, paused or finished"
    )
    state: str = Field(
        description="Programme state: INVITED, SCREENING, AWAITING_CLEARANCE, ACTIVE, PAUSED, ..."
    )
    state_label: str
    headline: str = Field(description='In plain words, e.g. "14 minutes today — walk 3 of 5"')
    safety_text: str = Field(description="Fixed safety text when a warning sign paused walking")
    programme_week: int | None
    dose: Dose | None
    walk_number: int | None = Field(description="Which walk of the week the next one is")
    walks_this_week: int | None = Field(description="Walks prescribed this week")
    walks_done_this_week: int
    minutes_today: float
    latest_decision: str | None = Field(description="The latest weekly review, in plain words")


class WalkIn(Input):
    started_at: dt.datetime = Field(
        description="When the walk began; without a UTC offset it is read in the clinic's time"
    )
    minutes: float = Field(gt=0, le=12 * 60)
    steps: int | None = Field(default=None, ge=0, le=200_000)
    distance_m: float | None = Field(default=None, ge=0, le=200_000)
    pain_before: int | None = Pain
    pain_after: int | None = Pain
    source: Literal["timer", "manual"] = "manual"


class Walk(Schema):
    id: int
    started_at: dt.datetime
    local_date: dt.date
    minutes: float
    steps: int | None
    distance_m: float | None
    pain_before: int | None
    pain_after: int | None
    source: str
    counted: bool = Field(description="False when the same walk was also recorded another way")


class Period(Schema):
    first: dt.date | None = Field(
        default=None, alias="from", description="First day (default: four weeks before 'to')"
    )
    last: dt.date | None = Field(default=None, alias="to", description="Last day (default: today)")


class CheckInIn(Input):
    morning_pain: int = Field(ge=0, le=10)
    flare: StrictBool = False
    note: str = Field(default="", max_length=500)
    date: dt.date | None = Field(default=None, description="Defaults to today (clinic time)")


class CheckIn(Schema):
    date: dt.date
    morning_pain: int
    flare: bool
    note: str


class Question(Schema):
    id: str
    text: str
    help: str


class WarningSignsIn(Input):
    answers: dict[str, StrictBool] = Field(
        description="Every weekly-check question id, answered true (yes) or false (no)"
    )

    @field_validator("answers")
    @classmethod
    def every_question_answered(cls, answers: dict[str, bool]) -> dict[str, bool]:
        unknown = sorted(set(answers) - set(WEEKLY_CHECK_IDS))
        if unknown:
            raise ValueError(f"Unknown question id(s): {', '.join(unknown)}")
        missing = [qid for qid in WEEKLY_CHECK_IDS if qid not in answers]
        if missing:
            raise ValueError(f"Please answer every question; missing: {', '.join(missing)}")
        return answers


class WarningSignsResult(Schema):
    message: str = Field(description="Fixed safety text to show the patient at once")
    programme_paused: bool


class WeekReview(Schema):
    week: int
    first_day: dt.date | None
    last_day: dt.date | None
    text: str
    minutes_walked: float
    minutes_prescribed: float
    next_week: str = Field(description="Next week's walking, in plain words")
