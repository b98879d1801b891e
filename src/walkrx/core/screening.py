"""Safety screening: red flags in three tiers and the pre-exercise readiness check.

The wording is walkrx's own. Each question carries the rule and guideline behind it so
clinicians see why a flag fired; patients only ever see the fixed text for the tier
(clinical-reference.md §4 and §5; product.md "Boundaries").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from walkrx.core._policy import policy_field, policy_from_data
from walkrx.core.errors import InvalidInput, PolicyError


class Tier(StrEnum):
    """How soon a red flag needs a clinician, most urgent first.

    Comparisons follow clinical urgency (EMERGENCY > URGENT > REVIEW), not the
    alphabet, so `max()` and `sorted()` give the most urgent tier.
    """

    EMERGENCY = "EMERGENCY"
    URGENT = "URGENT"
    REVIEW = "REVIEW"

    @property
    def rank(self) -> int:
        """3 for EMERGENCY, 2 for URGENT, 1 for REVIEW."""
        return _TIER_RANK[self]

    def at_least(self, other: Tier) -> bool:
        """True when this tier is as urgent as `other` or more."""
        return self.rank >= other.rank

    def __lt__(self, other: str) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: str) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: str) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: str) -> bool:
        if not isinstance(other, Tier):
            return NotImplemented
        return self.rank >= other.rank


_TIER_RANK = {Tier.EMERGENCY: 3, Tier.URGENT: 2, Tier.REVIEW: 1}


def highest_tier(tiers: Iterable[Tier | None]) -> Tier | None:
    """The most urgent of `tiers`, or None when there is none (clinical-reference.md §4)."""
    present = [t for t in tiers if t is not None]
    return max(present) if present else None


def pauses_programme(tier: Tier | None) -> bool:
    """True for EMERGENCY and URGENT: the programme pauses until a clinician resumes it.

    Source: issue 3 §1 and clinical-reference.md §4 A-B (stop or pause, see a physician).
    """
    return tier is not None and tier.at_least(Tier.URGENT)


PATIENT_SAFETY_TEXT: Mapping[Tier | None, str] = {
    Tier.EMERGENCY: (
        "Stop walking and get emergency care now: call your local emergency number or go "
        "to the nearest emergency department. Tell them about your back and the answers "
        "you gave. Your walking programme is paused and your clinic has been told."
    ),
    Tier.URGENT: (
        "Please contact your doctor within the next day about these symptoms. Do not "
        "increase your walking until a clinician has reviewed you; your walking "
        "programme is paused and your clinic has been told. If things get worse quickly, "
        "get emergency care."
    ),
    Tier.REVIEW: (
        "Thank you. We will talk about this at your next review. Keep walking as planned. "
        "If new or worse symptoms appear, answer the warning-sign check again."
    ),
    None: "No warning signs reported. Keep walking as planned.",
}
"""Fixed patient-facing text per tier; patients never see the clinical rule behind a flag."""


@dataclass(frozen=True, slots=True)
class Question:
    """One yes/no screening question in walkrx's own wording.

    `tier` is the tier a "yes" raises (None for readiness questions); `rule` and `source`
    are for clinicians only.
    """

    id: str
    text: str
    help: str
    tier: Tier | None
    rule: str = ""
    source: str = ""


_CES = "clinical-reference.md §4A: cauda equina syndrome (NHS CKS-derived pathways; Finucane 2020)"
_MALIG = "clinical-reference.md §4B: possible malignancy (NHS pathways)"

RED_FLAG_QUESTIONS: tuple[Question, ...] = (
    Question(
        "ces_bladder",
        "Have you had new trouble passing urine, leaking urine, or a change in how it "
        "feels when you pass urine?",
        "Answer yes if this is new since your back pain started or got worse.",
        Tier.EMERGENCY,
        "new bladder dysfunction (retention, incontinence, altered sensation)",
        _CES,
    ),
    Question(
        "ces_bowel",
        "Have you had new trouble controlling your bowels, or can you no longer feel when "
        "your bowel is full?",
        "Answer yes if this is new.",
        Tier.EMERGENCY,
        "new bowel dysfunction",
        _CES,
    ),
    Question(
        "ces_saddle_numbness",
        "Is there new numbness or tingling between your legs, around your bottom or "
        "genitals (the area you would sit on in a saddle)?",
        "For example, toilet paper feels different when you wipe.",
        Tier.EMERGENCY,
        "saddle (perianal/perineal/genital) numbness or tingling",
        _CES,
    ),
    Question(
        "ces_sexual_dysfunction",
        "Have you noticed new problems with sexual function, such as loss of feeling?",
        "Answer yes only if this is new.",
        Tier.EMERGENCY,
        "new sexual dysfunction",
        _CES,
    ),
    Question(
        "ces_both_legs",
        "Do you have pain, numbness or tingling going down both legs?",
        "Answer yes also if it used to be one leg and is now both.",
        Tier.EMERGENCY,
        "bilateral leg symptoms (or unilateral becoming bilateral)",
        _CES,
    ),
    Question(
        "progressive_leg_weakness",
        "Are your legs getting weaker quickly, or is walking getting harder day by day?",
        "For example, tripping, a foot slapping down, or legs giving way.",
        Tier.EMERGENCY,
        "severe or rapidly progressive leg weakness or gait disturbance",
        "clinical-reference.md §4A: severe/progressive neurological deficit (NHS pathways)",
    ),
    Question(
        "major_trauma",
        "Did your back pain start after a serious accident, such as a fall from a height "
        "or a road accident?",
        "",
        Tier.EMERGENCY,
        "back pain after major trauma",
        "clinical-reference.md §4A: major trauma",
    ),
    Question(
        "fever_unwell",
        "Do you have a fever or shivers and feel generally unwell?",
        "",
        Tier.EMERGENCY,
        "fever with systemic illness: possible spinal infection",
        "clinical-reference.md §4A: spinal infection with systemic illness (NHS pathways)",
    ),
    Question(
        "cancer_history",
        "Have you ever had cancer?",
        "Include cancer that was treated and is now gone.",
        Tier.URGENT,
        "history of cancer",
        _MALIG,
    ),
    Question(
        "weight_loss",
        "Have you lost weight recently without trying?",
        "",
        Tier.URGENT,
        "unexplained weight loss",
        _MALIG,
    ),
    Question(
        "night_pain",
        "Is your back pain there all night, and not eased by changing position?",
        "",
        Tier.URGENT,
        "persistent night pain not eased by position",
        _MALIG,
    ),
    Question(
        "minor_trauma",
        "Did your back pain start after a minor fall, knock or lift?",
        "",
        Tier.URGENT,
        "minor trauma with osteoporosis or long-term steroids (both answers yes)",
        "clinical-reference.md §4B: possible fracture (NHS pathways)",
    ),
    Question(
        "osteoporosis_or_steroids",
        "Do you have osteoporosis (thin bones), or have you taken steroid tablets for months?",
        "",
        Tier.URGENT,
        "minor trauma with osteoporosis or long-term steroids (both answers yes)",
        "clinical-reference.md §4B: possible fracture (NHS pathways)",
    ),
    Question(
        "immunosuppressed_or_iv_drugs",
        "Do you take medicine that weakens your immune system, or have you injected drugs?",
        "",
        Tier.URGENT,
        "immunosuppression or IV drug use",
        "clinical-reference.md §4A-B: infection risk (NHS pathways)",
    ),
    Question(
        "new_one_sided_weakness",
        "Is one leg or foot newly weak?",
        "For example, you cannot stand on your toes or heel on one side.",
        Tier.URGENT,
        "new or progressive unilateral motor weakness",
        "clinical-reference.md §4B: unilateral weakness / radiculopathy (NHS pathway)",
    ),
    Question(
        "new_leg_symptoms",
        "Do you have new pain, numbness or tingling spreading into one leg?",
        "Weakness is asked about separately.",
        Tier.REVIEW,
        "new leg symptoms without weakness",
        "clinical-reference.md §4C: new leg symptoms without neurological loss",
    ),
)
"""The red-flag checklist, in walkrx's own wording (clinical-reference.md §4)."""

LOWER_LIMB_QUESTIONS: tuple[Question, ...] = tuple(
    Question(
        f"lower_limb_{part}",
        f"Have you had {part} pain since you started walking more?",
        "Walking more can sometimes bother the feet, knees or hips; tell us so we can adjust.",
        Tier.REVIEW,
        f"{part} pain since walking more",
        "clinical-reference.md §1: WalkBack walking group had more lower-limb adverse events",
    )
    for part in ("foot", "knee", "hip")
)
"""Weekly lower-limb pain check (clinical-reference.md §1, WalkBack adverse events)."""

_HISTORY_ONLY = frozenset(
    {"cancer_history", "osteoporosis_or_steroids", "immunosuppressed_or_iv_drugs", "major_trauma"}
)

WEEKLY_CHECK_QUESTIONS: tuple[Question, ...] = (
    *(q for q in RED_FLAG_QUESTIONS if q.id not in _HISTORY_ONLY),
    *LOWER_LIMB_QUESTIONS,
)
"""Questions for the patient's weekly warning-sign check.

History items (cancer, osteoporosis or steroids, immunosuppression, the original
injury) do not change week to week, so they are asked at intake only; merge the intake
answers into the weekly answers so combined rules (known cancer with new neurological
symptoms, minor trauma with osteoporosis) still fire.
"""

_ALL_FLAG_QUESTIONS = {q.id: q for q in (*RED_FLAG_QUESTIONS, *LOWER_LIMB_QUESTIONS)}
_NEURO_IDS = (
    "ces_bladder",
    "ces_bowel",
    "ces_saddle_numbness",
    "ces_sexual_dysfunction",
    "ces_both_legs",
    "progressive_leg_weakness",
    "new_one_sided_weakness",
    "new_leg_symptoms",
)
_PAIRED = {"minor_trauma", "osteoporosis_or_steroids"}


@dataclass(frozen=True, slots=True)
class InflammatoryPattern:
    """NICE NG65 entry conditions and criteria for suspected axial spondyloarthritis.

    Recorded by the clinician; the seven booleans are the NG65 criteria
    (clinical-reference.md §4C).
    """

    age_at_onset: int
    months_of_pain: int
    onset_before_35: bool = False
    wakes_second_half_of_night: bool = False
    buttock_pain: bool = False
    improves_with_movement: bool = False
    improves_within_48h_of_nsaids: bool = False
    first_degree_relative_with_spa: bool = False
    arthritis_enthesitis_or_psoriasis: bool = False

    @property
    def criteria_met(self) -> int:
        """How many of the seven NG65 criteria are present."""
        return sum(
            (
                self.onset_before_35,
                self.wakes_second_half_of_night,
                self.buttock_pain,
                self.improves_with_movement,
                self.improves_within_48h_of_nsaids,
                self.first_degree_relative_with_spa,
                self.arthritis_enthesitis_or_psoriasis,
            )
        )


@dataclass(frozen=True, slots=True)
class ScreeningPolicy:
    """Thresholds used by the red-flag rules, each with its source."""

    new_pain_age_under: int = policy_field(
        20,
        doc="New back pain below this age is an URGENT flag",
        source="clinical-reference.md §4B (NHS pathway: onset <20 y)",
        unit="years",
    )
    new_pain_age_over: int = policy_field(
        50,
        doc="New back pain above this age is an URGENT flag (some guidelines use 55)",
        source="clinical-reference.md §4B (NHS pathway: onset >50 y)",
        unit="years",
    )
    inflammatory_onset_age_below: int = policy_field(
        45,
        doc="Inflammatory-pattern check applies when back pain started below this age",
        source="clinical-reference.md §4C, NICE NG65",
        unit="years",
    )
    inflammatory_min_months: int = policy_field(
        3,
        doc="Inflammatory-pattern check applies when back pain has lasted more than this",
        source="clinical-reference.md §4C, NICE NG65",
        unit="months",
    )
    inflammatory_refer_criteria: int = policy_field(
        4,
        doc="Criteria count at which NG65 advises rheumatology referral",
        source="clinical-reference.md §4C, NICE NG65",
        unit="criteria",
    )
    inflammatory_consider_criteria: int = policy_field(
        3,
        doc="Criteria count at which NG65 advises considering an HLA-B27 test",
        source="clinical-reference.md §4C, NICE NG65",
        unit="criteria",
    )
    no_improvement_weeks: int = policy_field(
        4,
        doc="Weeks on the programme without improvement that flag a review",
        source="clinical-reference.md §4B-C (failure to improve after about a month)",
        unit="weeks",
    )

    def __post_init__(self) -> None:
        for name in (
            "new_pain_age_under",
            "new_pain_age_over",
            "inflammatory_onset_age_below",
            "inflammatory_min_months",
            "inflammatory_refer_criteria",
            "inflammatory_consider_criteria",
            "no_improvement_weeks",
        ):
            if getattr(self, name) < 0:
                raise PolicyError(f"screening policy {name} must not be negative")
        if self.inflammatory_consider_criteria > self.inflammatory_refer_criteria:
            raise PolicyError(
                "screening policy inflammatory_consider_criteria must not exceed "
                "inflammatory_refer_criteria"
            )


def screening_policy_from_mapping(data: Mapping[str, Any]) -> ScreeningPolicy:
    """Build a ScreeningPolicy from a partial mapping; unknown keys are an error."""
    return policy_from_data(ScreeningPolicy, data)


@dataclass(frozen=True, slots=True)
class RedFlagContext:
    """Facts the red-flag rules need beyond yes/no answers, recorded by the clinic.

    `new_episode` means this back pain is a new problem rather than a recurrence of a
    familiar one; the age rule only applies to new pain (clinical-reference.md §4B).
    """

    age_years: int | None = None
    new_episode: bool = False
    inflammatory: InflammatoryPattern | None = None
    weeks_without_improvement: int = 0


@dataclass(frozen=True, slots=True)
class TriggeredFlag:
    """One red flag that fired, with the rule and guideline behind it (for clinicians)."""

    question_id: str
    tier: Tier
    rule: str
    source: str


@dataclass(frozen=True, slots=True)
class RedFlagResult:
    """Highest tier (None if nothing fired), each flag, and the fixed patient text."""

    tier: Tier | None
    triggered: tuple[TriggeredFlag, ...]
    patient_message: str

    @property
    def pauses_programme(self) -> bool:
        """True when the result must pause an active programme (EMERGENCY or URGENT)."""
        return pauses_programme(self.tier)


def _check_answers(answers: Mapping[str, bool], known: Iterable[str]) -> None:
    known_ids = set(known)
    for key, value in answers.items():
        if key not in known_ids:
            raise InvalidInput(f"unknown question id {key!r}")
        if not isinstance(value, bool):
            raise InvalidInput(f"answer to {key!r} must be true or false, got {value!r}")


def _flag(q: Question, *, tier: Tier | None = None, rule: str = "") -> TriggeredFlag:
    return TriggeredFlag(q.id, tier or _tier_of(q), rule or q.rule, q.source)


def _tier_of(q: Question) -> Tier:
    assert q.tier is not None  # every red-flag and lower-limb question has a tier
    return q.tier


def assess_red_flags(
    answers: Mapping[str, bool],
    context: RedFlagContext | None = None,
    policy: ScreeningPolicy | None = None,
) -> RedFlagResult:
    """Apply the three-tier red-flag rules to yes/no answers and the clinical context.

    Answers are keyed by the ids of RED_FLAG_QUESTIONS and LOWER_LIMB_QUESTIONS; a
    missing id counts as "no" (the weekly check asks a subset). Rules:
    EMERGENCY: cauda equina signs, major trauma, fever with feeling unwell, and known
    cancer with any new neurological symptom (suspected metastatic cord compression,
    NICE NG234); URGENT: cancer history, weight loss, night pain, new pain under 20 or
    over 50, minor trauma with osteoporosis or steroids, immunosuppression or IV drug
    use, new one-sided weakness; REVIEW: NICE NG65 inflammatory pattern, no improvement
    after 4 weeks, new leg symptoms without weakness, lower-limb pain since walking more.
    Source: clinical-reference.md §4 (NHS CKS-derived pathways, BMJ Best Practice,
    IFOMPT/Finucane 2020, NICE NG65, NICE NG234) and §1 (WalkBack lower-limb events).
    """
    context = context or RedFlagContext()
    policy = policy or ScreeningPolicy()
    _check_answers(answers, _ALL_FLAG_QUESTIONS)
    yes = {key for key, value in answers.items() if value}
    flags: list[TriggeredFlag] = []

    for qid in yes:
        q = _ALL_FLAG_QUESTIONS[qid]
        if qid in _PAIRED:
            continue
        if (
            qid == "new_leg_symptoms"
            and {
                "new_one_sided_weakness",
                "progressive_leg_weakness",
            }
            & yes
        ):
            # Leg symptoms with weakness are already covered by the weakness flag.
            continue
        flags.append(_flag(q))

    if yes >= _PAIRED:
        flags.append(_flag(_ALL_FLAG_QUESTIONS["minor_trauma"]))

    if "cancer_history" in yes and yes.intersection(_NEURO_IDS):
        flags.append(
            _flag(
                _ALL_FLAG_QUESTIONS["cancer_history"],
                tier=Tier.EMERGENCY,
                rule="known cancer with new neurological symptoms: suspected metastatic "
                "spinal cord compression",
            )
        )

    flags.extend(_context_flags(context, policy))
    flags.sort(key=lambda f: (-f.tier.rank, f.question_id, f.rule))
    tier = highest_tier(f.tier for f in flags)
    return RedFlagResult(tier, tuple(flags), PATIENT_SAFETY_TEXT[tier])


def _context_flags(context: RedFlagContext, policy: ScreeningPolicy) -> list[TriggeredFlag]:
    flags: list[TriggeredFlag] = []
    age = context.age_years
    if (
        context.new_episode
        and age is not None
        and (age < policy.new_pain_age_under or age > policy.new_pain_age_over)
    ):
        flags.append(
            TriggeredFlag(
                "age_at_new_onset",
                Tier.URGENT,
                f"new back pain at age {age} (under {policy.new_pain_age_under} or over "
                f"{policy.new_pain_age_over})",
                _MALIG,
            )
        )
    pattern = context.inflammatory
    if (
        pattern is not None
        and pattern.age_at_onset < policy.inflammatory_onset_age_below
        and pattern.months_of_pain > policy.inflammatory_min_months
        and pattern.criteria_met >= policy.inflammatory_consider_criteria
    ):
        if pattern.criteria_met >= policy.inflammatory_refer_criteria:
            advice = "refer to rheumatology"
        else:
            advice = "consider HLA-B27 test"
        flags.append(
            TriggeredFlag(
                "inflammatory_pattern",
                Tier.REVIEW,
                f"inflammatory back pain pattern: {pattern.criteria_met} of 7 NG65 "
                f"criteria ({advice})",
                "clinical-reference.md §4C, NICE NG65 axial spondyloarthritis",
            )
        )
    if context.weeks_without_improvement >= policy.no_improvement_weeks:
        flags.append(
            TriggeredFlag(
                "no_improvement",
                Tier.REVIEW,
                f"no improvement after {context.weeks_without_improvement} weeks",
                "clinical-reference.md §4B-C: failure to improve after about a month",
            )
        )
    return flags


# Readiness ---------------------------------------------------------------------------

_PARQ = "clinical-reference.md §5: PAR-Q+ topics (paraphrased, not the licensed text)"

READINESS_QUESTIONS: tuple[Question, ...] = (
    Question(
        "heart_or_blood_pressure",
        "Has a doctor ever said you have a heart condition or high blood pressure?",
        "",
        None,
        "heart condition or high blood pressure",
        _PARQ,
    ),
    Question(
        "chest_pain",
        "Do you get chest pain when resting, during daily activities or when active?",
        "",
        None,
        "chest pain",
        _PARQ,
    ),
    Question(
        "dizziness_or_fainting",
        "In the past year, have you lost your balance because of dizziness, or fainted?",
        "Answer no if it only happened from breathing hard during very hard exercise.",
        None,
        "dizziness or loss of consciousness",
        _PARQ,
    ),
    Question(
        "other_chronic_condition",
        "Do you have another long-term medical condition (not heart or blood pressure)?",
        "For example diabetes, lung disease, arthritis or osteoporosis.",
        None,
        "other chronic medical condition",
        _PARQ,
    ),
    Question(
        "chronic_medication",
        "Do you take prescribed medicine for a long-term condition?",
        "",
        None,
        "prescribed medication for a chronic condition",
        _PARQ,
    ),
    Question(
        "joint_problem",
        "Do you have (or have had in the past year) a bone, joint or muscle problem that "
        "being more active could make worse?",
        "Answer no if it no longer limits you. Include back problems such as fractures.",
        None,
        "bone, joint or soft-tissue problem that more activity could worsen",
        _PARQ,
    ),
    Question(
        "supervised_only",
        "Has a doctor ever said you should only be active under medical supervision?",
        "",
        None,
        "told to exercise only under medical supervision",
        _PARQ,
    ),
    Question(
        "currently_active",
        "Over the last 3 months, have you done at least 30 minutes of moderate activity "
        "(such as brisk walking) on 3 or more days a week?",
        "",
        None,
        "currently inactive",
        "clinical-reference.md §5: ACSM pre-participation algorithm (Riebe 2015)",
    ),
)
"""Pre-exercise readiness check in walkrx's own wording (clinical-reference.md §5)."""

_READINESS = {q.id: q for q in READINESS_QUESTIONS}


@dataclass(frozen=True, slots=True)
class ReadinessResult:
    """Points the physician's clearance must address, plus activity status.

    `currently_active` is None when that question was not answered.
    """

    needs_clearance_points: tuple[str, ...]
    currently_active: bool | None
    notes: tuple[str, ...] = field(default=())

    @property
    def all_clear(self) -> bool:
        """True when no point needs the physician's attention."""
        return not self.needs_clearance_points


def assess_readiness(answers: Mapping[str, bool]) -> ReadinessResult:
    """List what the physician's clearance must address from the readiness answers.

    Every "yes" to a health question and every unanswered question becomes a point
    (unanswered is not assumed safe). An inactive patient gets a note to start light and
    progress gradually, the ACSM advice for inactive people (Riebe 2015). walkrx asks
    for a recorded clearance before any programme starts, whatever the answers.
    Source: clinical-reference.md §5 (PAR-Q+ topics; ACSM algorithm, Riebe 2015).
    """
    _check_answers(answers, _READINESS)
    points: list[str] = []
    for q in READINESS_QUESTIONS:
        if q.id == "currently_active":
            continue
        if q.id not in answers:
            points.append(f"Not answered: {q.rule}")
        elif answers[q.id]:
            points.append(q.rule[0].upper() + q.rule[1:])
    active = answers.get("currently_active")
    notes: list[str] = []
    if active is None:
        points.append("Not answered: current activity level")
    elif not active:
        notes.append(
            "Currently inactive: start with light to moderate walking and progress "
            "gradually (ACSM, Riebe 2015)."
        )
    return ReadinessResult(tuple(points), active, tuple(notes))
