from __future__ import annotations

import pytest

from walkrx.core import (
    LOWER_LIMB_QUESTIONS,
    PATIENT_SAFETY_TEXT,
    READINESS_QUESTIONS,
    RED_FLAG_QUESTIONS,
    WEEKLY_CHECK_QUESTIONS,
    InflammatoryPattern,
    InvalidInput,
    PolicyError,
    RedFlagContext,
    ScreeningPolicy,
    Tier,
    assess_readiness,
    assess_red_flags,
    highest_tier,
    pauses_programme,
    screening_policy_from_mapping,
)


class TestTier:
    def test_it_orders_by_urgency_not_alphabet(self) -> None:
        assert max([Tier.REVIEW, Tier.EMERGENCY, Tier.URGENT]) is Tier.EMERGENCY
        assert sorted([Tier.EMERGENCY, Tier.REVIEW, Tier.URGENT]) == [
            Tier.REVIEW,
            Tier.URGENT,
            Tier.EMERGENCY,
        ]
        assert Tier.REVIEW < Tier.URGENT <= Tier.URGENT < Tier.EMERGENCY
        assert Tier.EMERGENCY >= Tier.EMERGENCY > Tier.REVIEW
        assert Tier.URGENT.at_least(Tier.REVIEW)
        assert not Tier.REVIEW.at_least(Tier.URGENT)

    @pytest.mark.parametrize("op", ["__lt__", "__le__", "__gt__", "__ge__"])
    def test_it_does_not_compare_with_plain_strings(self, op: str) -> None:
        assert getattr(Tier.URGENT, op)("URGENT") is NotImplemented

    def test_it_finds_the_highest_tier(self) -> None:
        assert highest_tier([None, Tier.REVIEW, Tier.URGENT]) is Tier.URGENT
        assert highest_tier([None]) is None
        assert highest_tier([]) is None

    @pytest.mark.parametrize(
        ("tier", "pauses"),
        [(Tier.EMERGENCY, True), (Tier.URGENT, True), (Tier.REVIEW, False), (None, False)],
    )
    def test_it_pauses_on_emergency_and_urgent(self, tier: Tier | None, pauses: bool) -> None:
        assert pauses_programme(tier) is pauses


class TestQuestions:
    def test_it_has_unique_ids_and_wording(self) -> None:
        questions = (*RED_FLAG_QUESTIONS, *LOWER_LIMB_QUESTIONS, *READINESS_QUESTIONS)
        ids = [q.id for q in questions]
        assert len(ids) == len(set(ids))
        assert all(q.text.endswith("?") for q in questions)
        assert all(q.tier is not None and q.rule and q.source for q in RED_FLAG_QUESTIONS)

    def test_it_covers_every_tier(self) -> None:
        assert {q.tier for q in RED_FLAG_QUESTIONS} == set(Tier)

    def test_weekly_check_leaves_out_history_and_adds_lower_limb(self) -> None:
        weekly = {q.id for q in WEEKLY_CHECK_QUESTIONS}
        assert "cancer_history" not in weekly
        assert "ces_saddle_numbness" in weekly
        assert {q.id for q in LOWER_LIMB_QUESTIONS} <= weekly


class TestAssessRedFlags:
    @pytest.mark.parametrize(
        ("answers", "tier"),
        [
            ({}, None),
            ({"ces_bladder": False}, None),
            ({"ces_bladder": True}, Tier.EMERGENCY),
            ({"ces_saddle_numbness": True}, Tier.EMERGENCY),
            ({"major_trauma": True}, Tier.EMERGENCY),
            ({"fever_unwell": True}, Tier.EMERGENCY),
            ({"cancer_history": True}, Tier.URGENT),
            ({"cancer_history": True, "new_leg_symptoms": True}, Tier.EMERGENCY),
            ({"weight_loss": True}, Tier.URGENT),
            ({"night_pain": True}, Tier.URGENT),
            ({"minor_trauma": True}, None),
            ({"osteoporosis_or_steroids": True}, None),
            ({"minor_trauma": True, "osteoporosis_or_steroids": True}, Tier.URGENT),
            ({"immunosuppressed_or_iv_drugs": True}, Tier.URGENT),
            ({"new_one_sided_weakness": True}, Tier.URGENT),
            ({"new_leg_symptoms": True}, Tier.REVIEW),
            ({"lower_limb_knee": True}, Tier.REVIEW),
        ],
    )
    def test_it_assigns_the_tier(self, answers: dict[str, bool], tier: Tier | None) -> None:
        result = assess_red_flags(answers)
        assert result.tier is tier
        assert result.patient_message == PATIENT_SAFETY_TEXT[tier]
        assert result.pauses_programme is pauses_programme(tier)

    def test_it_lists_every_flag_with_rule_and_source_most_urgent_first(self) -> None:
        result = assess_red_flags({"ces_bowel": True, "weight_loss": True, "lower_limb_hip": True})
        assert [f.tier for f in result.triggered] == [Tier.EMERGENCY, Tier.URGENT, Tier.REVIEW]
        assert [f.question_id for f in result.triggered] == [
            "ces_bowel",
            "weight_loss",
            "lower_limb_hip",
        ]
        assert all(f.rule and f.source for f in result.triggered)

    def test_cancer_with_neurology_is_an_emergency_with_its_own_rule(self) -> None:
        result = assess_red_flags({"cancer_history": True, "new_one_sided_weakness": True})
        rules = {(f.question_id, f.tier): f.rule for f in result.triggered}
        assert "spinal cord compression" in rules["cancer_history", Tier.EMERGENCY]
        assert ("cancer_history", Tier.URGENT) in rules

    @pytest.mark.parametrize("weakness", ["new_one_sided_weakness", "progressive_leg_weakness"])
    def test_leg_symptoms_with_weakness_are_not_double_flagged(self, weakness: str) -> None:
        result = assess_red_flags({"new_leg_symptoms": True, weakness: True})
        assert "new_leg_symptoms" not in {f.question_id for f in result.triggered}

    def test_it_tells_patients_what_to_do(self) -> None:
        assert "emergency" in PATIENT_SAFETY_TEXT[Tier.EMERGENCY]
        assert "within the next day" in PATIENT_SAFETY_TEXT[Tier.URGENT]
        assert "Keep walking as planned" in PATIENT_SAFETY_TEXT[Tier.REVIEW]

    @pytest.mark.parametrize(
        ("context", "tier"),
        [
            (RedFlagContext(age_years=55, new_episode=True), Tier.URGENT),
            (RedFlagContext(age_years=18, new_episode=True), Tier.URGENT),
            (RedFlagContext(age_years=50, new_episode=True), None),
            (RedFlagContext(age_years=20, new_episode=True), None),
            (RedFlagContext(age_years=70, new_episode=False), None),
            (RedFlagContext(age_years=None, new_episode=True), None),
            (RedFlagContext(weeks_without_improvement=4), Tier.REVIEW),
            (RedFlagContext(weeks_without_improvement=3), None),
        ],
    )
    def test_it_uses_the_context(self, context: RedFlagContext, tier: Tier | None) -> None:
        assert assess_red_flags({}, context).tier is tier

    @pytest.mark.parametrize(
        ("pattern", "advice"),
        [
            (InflammatoryPattern(30, 6, True, True, True, True), "refer to rheumatology"),
            (InflammatoryPattern(30, 6, True, True, True), "consider HLA-B27 test"),
            (InflammatoryPattern(30, 6, True, True), None),
            (InflammatoryPattern(45, 6, True, True, True, True), None),
            (InflammatoryPattern(30, 3, True, True, True, True), None),
        ],
    )
    def test_it_counts_inflammatory_criteria_as_ng65(
        self, pattern: InflammatoryPattern, advice: str | None
    ) -> None:
        result = assess_red_flags({}, RedFlagContext(inflammatory=pattern))
        if advice is None:
            assert result.tier is None
        else:
            assert result.tier is Tier.REVIEW
            assert advice in result.triggered[0].rule

    def test_it_counts_all_seven_criteria(self) -> None:
        full = InflammatoryPattern(30, 6, *([True] * 7))
        assert full.criteria_met == 7

    def test_policy_thresholds_change_the_rules(self) -> None:
        policy = ScreeningPolicy(new_pain_age_over=55)
        context = RedFlagContext(age_years=53, new_episode=True)
        assert assess_red_flags({}, context, policy).tier is None

    @pytest.mark.parametrize(
        "answers", [{"not_a_question": True}, {"ces_bladder": "yes"}, {"ces_bladder": 1}]
    )
    def test_it_rejects_unknown_ids_and_non_booleans(self, answers: dict[str, object]) -> None:
        with pytest.raises(InvalidInput):
            assess_red_flags(answers)  # type: ignore[arg-type]


class TestScreeningPolicy:
    def test_it_builds_from_a_mapping(self) -> None:
        assert screening_policy_from_mapping({"no_improvement_weeks": 6}).no_improvement_weeks == 6

    @pytest.mark.parametrize(
        "data",
        [
            {"no_improvement_weeks": -1},
            {"inflammatory_consider_criteria": 5},
            {"unknown": 1},
            {"no_improvement_weeks": 2.5},
        ],
    )
    def test_it_rejects_bad_values(self, data: dict[str, object]) -> None:
        with pytest.raises(PolicyError):
            screening_policy_from_mapping(data)


class TestAssessReadiness:
    ALL_NO = {q.id: False for q in READINESS_QUESTIONS} | {"currently_active": True}

    def test_all_no_needs_no_points(self) -> None:
        result = assess_readiness(self.ALL_NO)
        assert result.all_clear
        assert result.currently_active is True
        assert result.notes == ()

    def test_each_yes_becomes_a_point(self) -> None:
        result = assess_readiness(self.ALL_NO | {"chest_pain": True, "supervised_only": True})
        assert result.needs_clearance_points == (
            "Chest pain",
            "Told to exercise only under medical supervision",
        )
        assert not result.all_clear

    def test_unanswered_is_not_assumed_safe(self) -> None:
        result = assess_readiness({})
        assert len(result.needs_clearance_points) == len(READINESS_QUESTIONS)
        assert all(p.startswith("Not answered") for p in result.needs_clearance_points)
        assert result.currently_active is None

    def test_inactive_patients_get_a_start_slowly_note(self) -> None:
        result = assess_readiness(self.ALL_NO | {"currently_active": False})
        assert result.all_clear
        assert "progress gradually" in result.notes[0]

    def test_it_rejects_unknown_ids(self) -> None:
        with pytest.raises(InvalidInput):
            assess_readiness({"ces_bladder": True})
