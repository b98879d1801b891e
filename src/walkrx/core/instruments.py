"""Patient-reported instruments: built-in scales and scorers for licensed ones.

walkrx ships its own wording for the 0-10 pain rating and the global impression of
change. STarT Back, Oswestry, Roland-Morris and PEG are scored here but their item text
comes from an instrument pack loaded by a licensed clinic (clinical-reference.md §6-7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from walkrx.core._policy import policy_field
from walkrx.core.errors import IncompleteInstrument, InvalidInput, PackError

PAIN_MIN = 0
PAIN_MAX = 10
"""Bounds of the 0-10 numeric pain rating scale (clinical-reference.md §7, NPRS)."""


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}, got {value}")
    return value


@dataclass(frozen=True, slots=True, order=True)
class PainRating:
    """A 0-10 numeric pain rating (0 no pain, 10 worst imaginable).

    Source: clinical-reference.md §7 (NPRS 0-10; Childs 2005).
    """

    value: int

    def __post_init__(self) -> None:
        _check_int("pain rating", self.value, PAIN_MIN, PAIN_MAX)


PAIN_QUESTION = (
    "How much does your back hurt right now, from 0 (no pain) "
    "to 10 (the worst pain you can imagine)?"
)
"""walkrx's own wording for the 0-10 pain rating."""


class GlobalImpression(StrEnum):
    """Patient's global impression of change, 7 points, in walkrx's own wording.

    Source: clinical-reference.md §7 (PGIC, NINDS CDE public domain); responder =
    much or very much better.
    """

    VERY_MUCH_BETTER = "VERY_MUCH_BETTER"
    MUCH_BETTER = "MUCH_BETTER"
    A_LITTLE_BETTER = "A_LITTLE_BETTER"
    NO_CHANGE = "NO_CHANGE"
    A_LITTLE_WORSE = "A_LITTLE_WORSE"
    MUCH_WORSE = "MUCH_WORSE"
    VERY_MUCH_WORSE = "VERY_MUCH_WORSE"

    @property
    def label(self) -> str:
        """Patient-facing wording of the option."""
        return _GIC_LABELS[self]

    @property
    def score(self) -> int:
        """+3 (very much better) down to -3 (very much worse)."""
        return 3 - list(GlobalImpression).index(self)

    @property
    def is_responder(self) -> bool:
        """Much or very much better counts as a responder (clinical-reference.md §7)."""
        return self.score >= 2


GLOBAL_IMPRESSION_QUESTION = (
    "Since you started the walking programme, how would you describe your back overall?"
)
_GIC_LABELS = {
    GlobalImpression.VERY_MUCH_BETTER: "A great deal better",
    GlobalImpression.MUCH_BETTER: "Clearly better",
    GlobalImpression.A_LITTLE_BETTER: "Slightly better",
    GlobalImpression.NO_CHANGE: "About the same",
    GlobalImpression.A_LITTLE_WORSE: "Slightly worse",
    GlobalImpression.MUCH_WORSE: "Clearly worse",
    GlobalImpression.VERY_MUCH_WORSE: "A great deal worse",
}


# STarT Back -------------------------------------------------------------------------


class StartBackRisk(StrEnum):
    """STarT Back risk group."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


@dataclass(frozen=True, slots=True)
class StartBackScoring:
    """STarT Back scoring rules (clinical-reference.md §6, Hill 2008)."""

    item_count: int = policy_field(9, doc="Items on the full tool", source="Hill 2008")
    psychosocial_first_item: int = policy_field(
        5, doc="First item of the psychosocial subscale (items 5-9)", source="Hill 2008"
    )
    low_risk_max_total: int = policy_field(
        3, doc="Total at or below this is low risk", source="Hill 2008"
    )
    high_risk_min_psychosocial: int = policy_field(
        4, doc="Psychosocial subscale at or above this is high risk", source="Hill 2008"
    )
    bothersome_levels: int = policy_field(
        5, doc="Answer levels of item 9 (0 not at all .. 4 extremely)", source="Hill 2008"
    )
    bothersome_positive_from: int = policy_field(
        3, doc="Item 9 counts as positive from 'very much' (level 3)", source="Hill 2008"
    )


START_BACK = StartBackScoring()


@dataclass(frozen=True, slots=True)
class StartBackResult:
    """STarT Back total (0-9), psychosocial subscale (0-5) and risk group."""

    total: int
    psychosocial: int
    risk: StartBackRisk


def score_start_back(answers: Sequence[int]) -> StartBackResult:
    """Score the 9-item STarT Back tool.

    `answers[0..7]` are items 1-8 (1 agree, 0 disagree); `answers[8]` is item 9
    (bothersomeness, 0 not at all .. 4 extremely), positive at "very much" or more.
    Total <= 3 low risk; subscale (items 5-9) >= 4 high; otherwise medium.
    Source: clinical-reference.md §6 (Hill et al. 2008, Keele University).
    """
    rules = START_BACK
    if len(answers) != rules.item_count:
        raise InvalidInput(f"STarT Back needs {rules.item_count} answers, got {len(answers)}")
    positive = [
        _check_int(f"STarT Back item {i}", a, 0, 1) == 1 for i, a in enumerate(answers[:-1], 1)
    ]
    bother = _check_int(
        f"STarT Back item {rules.item_count}", answers[-1], 0, rules.bothersome_levels - 1
    )
    positive.append(bother >= rules.bothersome_positive_from)
    total = sum(positive)
    psychosocial = sum(positive[rules.psychosocial_first_item - 1 :])
    if total <= rules.low_risk_max_total:
        risk = StartBackRisk.LOW
    elif psychosocial >= rules.high_risk_min_psychosocial:
        risk = StartBackRisk.HIGH
    else:
        risk = StartBackRisk.MEDIUM
    return StartBackResult(total, psychosocial, risk)


# Oswestry ---------------------------------------------------------------------------


class OswestryBand(StrEnum):
    """Oswestry Disability Index bands (ODI v2.1a manual)."""

    MINIMAL = "MINIMAL"
    MODERATE = "MODERATE"
    SEVERE = "SEVERE"
    CRIPPLING = "CRIPPLING"
    BED_BOUND = "BED_BOUND"


@dataclass(frozen=True, slots=True)
class OswestryScoring:
    """Oswestry scoring rules (clinical-reference.md §7, ODI v2.1a)."""

    sections: int = policy_field(10, doc="Sections on the form", source="ODI v2.1a")
    max_section_score: int = policy_field(5, doc="Highest score of a section", source="ODI v2.1a")
    min_answered: int = policy_field(
        8,
        doc="Fewest answered sections for a score; the percentage is rescaled to those "
        "answered (e.g. sex life left blank)",
        source="walkrx design choice: the ODI manual rescales for missing sections but "
        "gives no floor in clinical-reference.md; two missing sections is a common limit",
    )
    minimal_max: float = policy_field(
        20.0, doc="Upper bound of the minimal band", source="ODI v2.1a", unit="%"
    )
    moderate_max: float = policy_field(
        40.0, doc="Upper bound of the moderate band", source="ODI v2.1a", unit="%"
    )
    severe_max: float = policy_field(
        60.0, doc="Upper bound of the severe band", source="ODI v2.1a", unit="%"
    )
    crippling_max: float = policy_field(
        80.0, doc="Upper bound of the crippling band", source="ODI v2.1a", unit="%"
    )


OSWESTRY = OswestryScoring()


@dataclass(frozen=True, slots=True)
class OswestryResult:
    """Oswestry percentage (0-100), sections answered and band."""

    percent: float
    answered: int
    band: OswestryBand


def score_oswestry(section_scores: Sequence[int | None]) -> OswestryResult:
    """Score the Oswestry Disability Index.

    Ten sections scored 0-5 (None = unanswered; where two boxes are ticked, pass the
    higher). Score % = sum / (5 x sections answered) x 100. Bands: <=20 minimal, <=40
    moderate, <=60 severe, <=80 crippling, above that bed-bound or exaggerating.
    Source: clinical-reference.md §7 (ODI v2.1a, Fairbank; Mapi Research Trust).
    """
    rules = OSWESTRY
    if len(section_scores) != rules.sections:
        raise InvalidInput(f"Oswestry needs {rules.sections} sections, got {len(section_scores)}")
    answered = [
        _check_int(f"Oswestry section {i}", s, 0, rules.max_section_score)
        for i, s in enumerate(section_scores, 1)
        if s is not None
    ]
    if len(answered) < rules.min_answered:
        raise IncompleteInstrument(
            f"Oswestry needs at least {rules.min_answered} answered sections, got {len(answered)}"
        )
    percent = sum(answered) / (rules.max_section_score * len(answered)) * 100
    if percent <= rules.minimal_max:
        band = OswestryBand.MINIMAL
    elif percent <= rules.moderate_max:
        band = OswestryBand.MODERATE
    elif percent <= rules.severe_max:
        band = OswestryBand.SEVERE
    elif percent <= rules.crippling_max:
        band = OswestryBand.CRIPPLING
    else:
        band = OswestryBand.BED_BOUND
    return OswestryResult(percent, len(answered), band)


ROLAND_MORRIS_ITEMS = 24
"""Statements on the Roland-Morris questionnaire (clinical-reference.md §7)."""


def score_roland_morris(ticked: Sequence[bool]) -> int:
    """Roland-Morris score: how many of the 24 statements are ticked (0-24).

    Source: clinical-reference.md §7 (RMDQ; Roland & Fairbank 2000).
    """
    if len(ticked) != ROLAND_MORRIS_ITEMS:
        raise InvalidInput(f"Roland-Morris needs {ROLAND_MORRIS_ITEMS} answers, got {len(ticked)}")
    for i, item in enumerate(ticked, 1):
        if not isinstance(item, bool):
            raise InvalidInput(f"Roland-Morris item {i} must be true or false, got {item!r}")
    return sum(ticked)


def score_peg(pain: int, enjoyment: int, general_activity: int) -> float:
    """PEG score: mean of three 0-10 items (pain, enjoyment of life, general activity).

    Source: clinical-reference.md §7 (Krebs 2009).
    """
    items = (("pain", pain), ("enjoyment", enjoyment), ("general activity", general_activity))
    return sum(_check_int(f"PEG {name}", v, PAIN_MIN, PAIN_MAX) for name, v in items) / 3


# Instrument packs -------------------------------------------------------------------


class InstrumentId(StrEnum):
    """Licensed instruments whose wording an instrument pack may supply."""

    START_BACK = "start_back"
    OSWESTRY = "oswestry"
    ROLAND_MORRIS = "roland_morris"
    PEG = "peg"


PACK_FORMAT = "walkrx-instrument-pack"
PACK_VERSION = 1

# Options each item must list; an empty tuple means the item is a statement to tick.
_PACK_SHAPES: dict[InstrumentId, tuple[int, ...]] = {
    InstrumentId.START_BACK: (2,) * 8 + (5,),
    InstrumentId.OSWESTRY: (6,) * 10,
    InstrumentId.ROLAND_MORRIS: (0,) * 24,
    InstrumentId.PEG: (2,) * 3,
}


@dataclass(frozen=True, slots=True)
class PackItem:
    """One item's wording; `options` in score order (PEG: the 0 and 10 anchors)."""

    id: str
    text: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InstrumentText:
    """The wording of one instrument as supplied by a licensed clinic."""

    title: str
    copyright: str
    instructions: str
    items: tuple[PackItem, ...]


@dataclass(frozen=True, slots=True)
class InstrumentPack:
    """A validated instrument pack: the clinic's licensed wording per instrument."""

    name: str
    licence: str
    instruments: Mapping[InstrumentId, InstrumentText]


def _str(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
    if key not in data:
        if required:
            raise PackError(f"{path}.{key}", "is required")
        return ""
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise PackError(f"{path}.{key}", "must be a non-empty string")
    return value


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PackError(path, "must be an object")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise PackError(path, "must be a list")
    return value


def _unknown_keys(data: Mapping[str, Any], allowed: set[str], path: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise PackError(f"{path}.{extra[0]}", "is not a known field")


def _parse_instrument(key: InstrumentId, raw: Any, path: str) -> InstrumentText:
    data = _mapping(raw, path)
    _unknown_keys(data, {"title", "copyright", "instructions", "items"}, path)
    shape = _PACK_SHAPES[key]
    items = _list(data.get("items"), f"{path}.items")
    if len(items) != len(shape):
        raise PackError(f"{path}.items", f"expected {len(shape)} items, got {len(items)}")
    parsed: list[PackItem] = []
    for i, (raw_item, n_options) in enumerate(zip(items, shape, strict=True)):
        item_path = f"{path}.items[{i}]"
        item = _mapping(raw_item, item_path)
        _unknown_keys(item, {"id", "text", "options"}, item_path)
        options = _list(item.get("options", []), f"{item_path}.options")
        if len(options) != n_options:
            raise PackError(
                f"{item_path}.options", f"expected {n_options} options, got {len(options)}"
            )
        for j, option in enumerate(options):
            if not isinstance(option, str) or not option.strip():
                raise PackError(f"{item_path}.options[{j}]", "must be a non-empty string")
        parsed.append(
            PackItem(_str(item, "id", item_path), _str(item, "text", item_path), tuple(options))
        )
    return InstrumentText(
        title=_str(data, "title", path),
        copyright=_str(data, "copyright", path),
        instructions=_str(data, "instructions", path, required=False),
        items=tuple(parsed),
    )


def parse_instrument_pack(data: Mapping[str, Any]) -> InstrumentPack:
    """Validate decoded instrument-pack JSON and return the pack.

    Format: {"format": "walkrx-instrument-pack", "version": 1, "name", "licence",
    "instruments": {<start_back|oswestry|roland_morris|peg>: {"title", "copyright",
    "instructions"?, "items": [{"id", "text", "options"?}]}}}. Item and option counts
    follow each instrument's scoring (STarT Back 9 items, 2 options each and 5 for item
    9; Oswestry 10 sections of 6; Roland-Morris 24 statements; PEG 3 items with their 0
    and 10 anchors). Errors name the path of the bad field, e.g.
    `instruments.oswestry.items[3].options`. A clinic supplies only the instruments it
    is licensed for. Source: clinical-reference.md §6-7 licence notes.
    """
    root = _mapping(data, "$")
    _unknown_keys(root, {"format", "version", "name", "licence", "instruments"}, "$")
    if root.get("format") != PACK_FORMAT:
        raise PackError("$.format", f"must be {PACK_FORMAT!r}")
    if root.get("version") != PACK_VERSION:
        raise PackError("$.version", f"must be {PACK_VERSION}")
    raw = _mapping(root.get("instruments"), "$.instruments")
    instruments: dict[InstrumentId, InstrumentText] = {}
    for key, value in raw.items():
        try:
            instrument = InstrumentId(key)
        except ValueError:
            raise PackError(f"$.instruments.{key}", "is not a known instrument") from None
        instruments[instrument] = _parse_instrument(instrument, value, f"$.instruments.{key}")
    return InstrumentPack(
        name=_str(root, "name", "$"),
        licence=_str(root, "licence", "$"),
        instruments=instruments,
    )


SAMPLE_PACK_RESOURCE = "data/sample_instrument_pack.json"
"""Resource path (inside walkrx.core) of the sample pack with placeholder wording.

Read it with `importlib.resources.files("walkrx.core").joinpath(SAMPLE_PACK_RESOURCE)`.
"""
