"""Instruments a clinician records with the patient: scores, tolerance test and item text.

Scores always come from walkrx.core's scorers; the item wording of licensed instruments
comes from an instrument pack (the sample pack carries placeholder text only).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from walkrx.core import instruments, prescription
from walkrx.core.errors import CoreError
from walkrx.core.outcomes import Measure
from walkrx.web.accounts.models import User
from walkrx.web.audit.actions import record_event
from walkrx.web.patients.models import Patient
from walkrx.web.programmes.models import InstrumentResponse

PAIN = "pain"
TOLERANCE_TEST = "tolerance_test"


class InstrumentError(Exception):
    """Answers that cannot be scored, with a message for the user."""


@dataclass(frozen=True)
class InstrumentInfo:
    key: str
    name: str
    licensed: bool
    measure: Measure | None
    unit: str


INSTRUMENTS: dict[str, InstrumentInfo] = {
    PAIN: InstrumentInfo(PAIN, "Pain (0 to 10)", False, Measure.PAIN, "/10"),
    "start_back": InstrumentInfo("start_back", "STarT Back", True, None, "/9"),
    "oswestry": InstrumentInfo(
        "oswestry", "Oswestry Disability Index", True, Measure.OSWESTRY, "%"
    ),
    "roland_morris": InstrumentInfo(
        "roland_morris", "Roland-Morris", True, Measure.ROLAND_MORRIS, "/24"
    ),
    "peg": InstrumentInfo("peg", "PEG", True, Measure.PEG, "/10"),
}


@cache
def instrument_pack() -> instruments.InstrumentPack | None:
    """The clinic's instrument pack (INSTRUMENT_PACK_PATH), else the sample pack."""
    configured = getattr(settings, "INSTRUMENT_PACK_PATH", "")
    try:
        if configured:
            raw = Path(configured).read_text(encoding="utf-8")
        else:
            resource = resources.files("walkrx.core").joinpath(instruments.SAMPLE_PACK_RESOURCE)
            raw = resource.read_text(encoding="utf-8")
        return instruments.parse_instrument_pack(json.loads(raw))
    except (OSError, ValueError, CoreError):
        return None


def instrument_text(key: str) -> instruments.InstrumentText | None:
    pack = instrument_pack()
    if pack is None:
        return None
    try:
        return pack.instruments.get(instruments.InstrumentId(key))
    except ValueError:
        return None


def pack_licence() -> str:
    pack = instrument_pack()
    return pack.licence if pack is not None else ""


def score(key: str, answers: Any) -> tuple[float, str]:
    """(score, band) from the core scorer for one instrument."""
    try:
        if key == PAIN:
            return float(instruments.PainRating(answers).value), ""
        if key == "start_back":
            result = instruments.score_start_back(answers)
            return float(
                result.total
            ), f"{result.risk.value} (psychosocial {result.psychosocial}/5)"
        if key == "oswestry":
            odi = instruments.score_oswestry(answers)
            return round(odi.percent, 1), odi.band.value
        if key == "roland_morris":
            return float(instruments.score_roland_morris(answers)), ""
        if key == "peg":
            return round(instruments.score_peg(*answers), 2), ""
    except CoreError as error:
        raise InstrumentError(str(error)) from None
    raise InstrumentError(f"walkrx does not score an instrument called {key!r}.")


@transaction.atomic
def record_instrument(
    patient: Patient, *, instrument: str, answers: Any, by: User, now: datetime
) -> InstrumentResponse:
    """Score the answers with walkrx.core and store them."""
    value, band = score(instrument, answers)
    response = InstrumentResponse.objects.create(
        patient=patient,
        instrument=instrument,
        answers=answers,
        score=value,
        band=band[:40],
        answered_at=now,
        answered_by=by,
    )
    record_event(actor=by, action=f"record {instrument}", patient=patient)
    return response


def tolerance_walks(response: InstrumentResponse | None) -> list[prescription.ToleranceWalk]:
    if response is None:
        return []
    return [prescription.ToleranceWalk(**walk) for walk in response.answers]


@transaction.atomic
def record_tolerance_test(
    patient: Patient,
    *,
    walks: Sequence[prescription.ToleranceWalk],
    by: User,
    now: datetime,
) -> InstrumentResponse:
    """Store a baseline walking-tolerance test; the start dose is computed from it."""
    try:
        dose = prescription.start_dose(walks)
    except CoreError as error:
        raise InstrumentError(str(error)) from None
    response = InstrumentResponse.objects.create(
        patient=patient,
        instrument=TOLERANCE_TEST,
        answers=[
            {
                "minutes": walk.minutes,
                "pain_before": walk.pain_before,
                "pain_after": walk.pain_after,
                "stopped_early": walk.stopped_early,
            }
            for walk in walks
        ],
        score=round(sum(w.minutes for w in walks) / len(walks), 1),
        band=f"start {dose.minutes_per_session} min x {dose.sessions_per_day}"[:40],
        answered_at=now,
        answered_by=by,
    )
    record_event(actor=by, action="record tolerance test", patient=patient)
    return response


def latest_tolerance_test(patient: Patient) -> InstrumentResponse | None:
    return (
        InstrumentResponse.objects.filter(patient=patient, instrument=TOLERANCE_TEST)
        .order_by("-answered_at", "-pk")
        .first()
    )
