from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from walkrx.core import (
    SAMPLE_PACK_RESOURCE,
    GlobalImpression,
    IncompleteInstrument,
    InstrumentId,
    InvalidInput,
    OswestryBand,
    PackError,
    PainRating,
    StartBackRisk,
    parse_instrument_pack,
    score_oswestry,
    score_peg,
    score_roland_morris,
    score_start_back,
)


def sample_pack() -> dict[str, Any]:
    text = resources.files("walkrx.core").joinpath(SAMPLE_PACK_RESOURCE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class TestPainRating:
    @pytest.mark.parametrize("value", [0, 5, 10])
    def test_it_accepts_0_to_10(self, value: int) -> None:
        assert PainRating(value).value == value

    @pytest.mark.parametrize("value", [-1, 11, 2.5, True, "3"])
    def test_it_rejects_anything_else(self, value: object) -> None:
        with pytest.raises(InvalidInput):
            PainRating(value)  # type: ignore[arg-type]

    def test_it_orders(self) -> None:
        assert PainRating(2) < PainRating(3)


class TestGlobalImpression:
    def test_it_has_seven_points_from_plus_3_to_minus_3(self) -> None:
        assert [g.score for g in GlobalImpression] == [3, 2, 1, 0, -1, -2, -3]
        assert len({g.label for g in GlobalImpression}) == 7

    def test_responders_are_much_or_very_much_better(self) -> None:
        assert [g for g in GlobalImpression if g.is_responder] == [
            GlobalImpression.VERY_MUCH_BETTER,
            GlobalImpression.MUCH_BETTER,
        ]


class TestStartBack:
    @pytest.mark.parametrize(
        ("answers", "total", "psychosocial", "risk"),
        [
            ([0] * 8 + [0], 0, 0, StartBackRisk.LOW),
            ([1, 1, 1, 0, 0, 0, 0, 0, 2], 3, 0, StartBackRisk.LOW),
            ([1, 1, 1, 1, 0, 0, 0, 0, 2], 4, 0, StartBackRisk.MEDIUM),
            ([1, 1, 0, 0, 1, 1, 1, 0, 2], 5, 3, StartBackRisk.MEDIUM),
            ([0, 0, 0, 0, 1, 1, 1, 0, 3], 4, 4, StartBackRisk.HIGH),
            ([1] * 8 + [4], 9, 5, StartBackRisk.HIGH),
        ],
    )
    def test_it_scores_as_hill_2008(
        self, answers: list[int], total: int, psychosocial: int, risk: StartBackRisk
    ) -> None:
        result = score_start_back(answers)
        assert (result.total, result.psychosocial, result.risk) == (total, psychosocial, risk)

    @pytest.mark.parametrize("answers", [[0] * 8, [2] + [0] * 8, [0] * 8 + [5], [True] * 9])
    def test_it_rejects_bad_answers(self, answers: list[int]) -> None:
        with pytest.raises(InvalidInput):
            score_start_back(answers)


class TestOswestry:
    @pytest.mark.parametrize(
        ("sections", "percent", "answered", "band"),
        [
            ([0] * 10, 0.0, 10, OswestryBand.MINIMAL),
            ([1] * 10, 20.0, 10, OswestryBand.MINIMAL),
            ([2] * 10, 40.0, 10, OswestryBand.MODERATE),
            ([3] * 10, 60.0, 10, OswestryBand.SEVERE),
            ([4] * 10, 80.0, 10, OswestryBand.CRIPPLING),
            ([5] * 10, 100.0, 10, OswestryBand.BED_BOUND),
            ([3] * 9 + [None], 60.0, 9, OswestryBand.SEVERE),
            ([2] * 8 + [None, None], 40.0, 8, OswestryBand.MODERATE),
            ([1] * 8 + [3, None], 1100 / 45, 9, OswestryBand.MODERATE),
        ],
    )
    def test_it_scores_the_percentage_of_answered_sections(
        self, sections: list[int | None], percent: float, answered: int, band: OswestryBand
    ) -> None:
        result = score_oswestry(sections)
        assert result.percent == pytest.approx(percent)
        assert (result.answered, result.band) == (answered, band)

    def test_it_refuses_too_many_unanswered(self) -> None:
        with pytest.raises(IncompleteInstrument):
            score_oswestry([1] * 7 + [None] * 3)

    @pytest.mark.parametrize("sections", [[0] * 9, [6] + [0] * 9, [-1] + [0] * 9])
    def test_it_rejects_bad_sections(self, sections: list[int | None]) -> None:
        with pytest.raises(InvalidInput):
            score_oswestry(sections)


class TestRolandMorris:
    def test_it_counts_ticked_statements(self) -> None:
        assert score_roland_morris([True] * 5 + [False] * 19) == 5
        assert score_roland_morris([True] * 24) == 24

    @pytest.mark.parametrize("ticked", [[True] * 23, [1] * 24])
    def test_it_rejects_bad_input(self, ticked: list[bool]) -> None:
        with pytest.raises(InvalidInput):
            score_roland_morris(ticked)


class TestPeg:
    def test_it_is_the_mean_of_three_items(self) -> None:
        assert score_peg(6, 4, 5) == 5.0
        assert score_peg(7, 7, 8) == pytest.approx(22 / 3)

    def test_it_rejects_out_of_range(self) -> None:
        with pytest.raises(InvalidInput, match="PEG enjoyment"):
            score_peg(5, 11, 5)


class TestInstrumentPack:
    def test_the_sample_pack_parses(self) -> None:
        pack = parse_instrument_pack(sample_pack())
        assert set(pack.instruments) == set(InstrumentId)
        assert len(pack.instruments[InstrumentId.OSWESTRY].items) == 10
        assert pack.instruments[InstrumentId.ROLAND_MORRIS].items[0].options == ()
        assert "Placeholder" in pack.instruments[InstrumentId.START_BACK].items[0].text
        assert pack.instruments[InstrumentId.PEG].instructions == ""

    def test_a_pack_may_hold_only_licensed_instruments(self) -> None:
        data = sample_pack()
        data["instruments"] = {"peg": data["instruments"]["peg"]}
        assert set(parse_instrument_pack(data).instruments) == {InstrumentId.PEG}

    @pytest.mark.parametrize(
        ("change", "path"),
        [
            (lambda d: d.update(format="other"), "$.format"),
            (lambda d: d.update(version=2), "$.version"),
            (lambda d: d.update(extra=1), "$.extra"),
            (lambda d: d.pop("name"), "$.name"),
            (lambda d: d.update(licence=""), "$.licence"),
            (lambda d: d.update(instruments=[]), "$.instruments"),
            (lambda d: d["instruments"].update(sf36={}), "$.instruments.sf36"),
            (lambda d: d["instruments"].update(peg=[]), "$.instruments.peg"),
            (lambda d: d["instruments"]["peg"].update(foo=1), "$.instruments.peg.foo"),
            (lambda d: d["instruments"]["peg"].update(items={}), "$.instruments.peg.items"),
            (lambda d: d["instruments"]["peg"]["items"].pop(), "$.instruments.peg.items"),
            (
                lambda d: d["instruments"]["oswestry"]["items"].__setitem__(3, "x"),
                "$.instruments.oswestry.items[3]",
            ),
            (
                lambda d: d["instruments"]["oswestry"]["items"][3]["options"].pop(),
                "$.instruments.oswestry.items[3].options",
            ),
            (
                lambda d: d["instruments"]["oswestry"]["items"][3].update(options="abc"),
                "$.instruments.oswestry.items[3].options",
            ),
            (
                lambda d: d["instruments"]["oswestry"]["items"][3]["options"].__setitem__(2, 7),
                "$.instruments.oswestry.items[3].options[2]",
            ),
            (
                lambda d: d["instruments"]["oswestry"]["items"][3].update(note="x"),
                "$.instruments.oswestry.items[3].note",
            ),
            (
                lambda d: d["instruments"]["start_back"]["items"][0].update(text=" "),
                "$.instruments.start_back.items[0].text",
            ),
            (lambda d: d["instruments"]["peg"].pop("copyright"), "$.instruments.peg.copyright"),
        ],
    )
    def test_errors_name_the_bad_field(self, change: Any, path: str) -> None:
        data = copy.deepcopy(sample_pack())
        change(data)
        with pytest.raises(PackError) as info:
            parse_instrument_pack(data)
        assert info.value.path == path
        assert str(info.value).startswith(path)

    def test_it_rejects_a_non_object(self) -> None:
        with pytest.raises(PackError):
            parse_instrument_pack([])  # type: ignore[arg-type]
