from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.web.conftest import Cast
from tests.web.test_clinic_patient import reviewed_week
from walkrx.web.alerts.actions import request_call
from walkrx.web.programmes.models import State


def clinic_patterns() -> list[URLPattern]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "clinics":
            return [p for p in entry.url_patterns if isinstance(p, URLPattern)]
    raise AssertionError("the clinics URLs are not installed")


def patient_urls(cast: Cast, patient_id: int) -> list[str]:
    """Every clinic URL that takes a patient, with real ids of another clinic's objects."""
    decision = reviewed_week(cast.other_patient, cast.other_clinician.user)
    alert = request_call(cast.other_patient)
    values = {
        "patient_id": patient_id,
        "decision_id": decision.pk,
        "alert_id": alert.pk,
        "key": "oswestry",
        "name": "pain",
    }
    urls = []
    for pattern in clinic_patterns():
        keys = list(pattern.pattern.regex.groupindex)
        if "patient_id" in keys:
            urls.append(reverse(f"clinics:{pattern.name}", kwargs={k: values[k] for k in keys}))
    return urls


def test_it_hides_every_patient_url_of_another_clinic(cast: Cast) -> None:
    urls = patient_urls(cast, cast.other_patient.pk)
    assert len(urls) >= 20
    client = cast.client_for("clinician")
    for url in urls:
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (404, 405), (method, url, status)
    cast.other_patient.programmes.get()  # still one programme, untouched
    assert cast.other_patient.programmes.get().state == State.ACTIVE


@pytest.mark.parametrize("who", ["patient_a", "other_patient"])
def test_it_keeps_patients_out_of_every_clinic_url(cast: Cast, who: str) -> None:
    urls = [
        *patient_urls(cast, cast.patient_a.pk),
        "/clinic/",
        "/clinic/patients/new/",
        "/clinic/patients/new/send/",
        "/clinic/staff/",
        "/clinic/staff/add/",
        "/clinic/audit/",
    ]
    client = cast.client_for(who)
    for url in urls:
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            assert status in (403, 405), (method, url, status)


def test_it_keeps_clinicians_out_of_the_admin_pages(cast: Cast) -> None:
    client = cast.client_for("clinician")
    assert client.get("/clinic/staff/").status_code == 403
    assert client.post("/clinic/staff/add/", {"email": "x@y.test"}).status_code == 403
    assert client.get("/clinic/audit/").status_code == 403
    assert cast.client_for("other_clinician").get("/clinic/audit/").status_code == 403


def test_it_sends_anonymous_visitors_to_the_login_page(cast: Cast) -> None:
    client = cast.client_for("anonymous")
    for url in ["/clinic/", f"/clinic/patients/{cast.patient_a.pk}/", "/clinic/audit/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
