from __future__ import annotations

from tests.web.conftest import Cast
from walkrx.core.screening import WEEKLY_CHECK_QUESTIONS
from walkrx.web.programmes.models import ScreeningAnswer


def weekly_emergency(cast: Cast) -> str:
    client = cast.client_for("patient_a")
    answers = {question.id: "no" for question in WEEKLY_CHECK_QUESTIONS}
    answers["ces_bladder"] = "yes"
    response = client.post("/me/check/save/", answers, follow=True)
    assert ScreeningAnswer.objects.filter(patient=cast.patient_a, tier="EMERGENCY").exists()
    return response.content.decode()


def test_the_emergency_text_offers_the_clinics_own_number(cast: Cast) -> None:
    cast.clinic.emergency_number = "999"
    cast.clinic.save(update_fields=["emergency_number"])
    page = weekly_emergency(cast)
    assert 'href="tel:999"' in page


def test_without_a_clinic_number_it_gives_common_examples(cast: Cast) -> None:
    page = weekly_emergency(cast)
    assert "Call your local emergency number now" in page
