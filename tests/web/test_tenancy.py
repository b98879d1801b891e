from __future__ import annotations

import pytest

from tests.web.conftest import Cast
from walkrx.web.audit.models import AuditEvent


def test_it_shows_a_clinician_only_their_clinics_patients(cast: Cast) -> None:
    page = cast.client_for("clinician").get("/clinic/").content.decode()
    assert "Pat Able" in page
    assert "Bea Baker" in page
    assert "Zed Zimmer" not in page


def test_it_hides_another_clinics_patient_as_not_found(cast: Cast) -> None:
    response = cast.client_for("other_clinician").get(f"/clinic/patients/{cast.patient_a.pk}/")
    assert response.status_code == 404


def test_it_shows_and_audits_a_patient_page_for_their_clinician(cast: Cast) -> None:
    response = cast.client_for("clinician").get(f"/clinic/patients/{cast.patient_a.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="view patient")
    assert (event.actor_id, event.patient_id) == (cast.clinician.user_id, cast.patient_a.pk)


@pytest.mark.parametrize("who", ["patient_a", "patient_b"])
def test_it_keeps_patients_out_of_clinic_pages(cast: Cast, who: str) -> None:
    client = cast.client_for(who)
    assert client.get("/clinic/").status_code == 403
    assert client.get(f"/clinic/patients/{cast.patient_a.pk}/").status_code == 403


def test_it_keeps_staff_out_of_patient_pages(cast: Cast) -> None:
    assert cast.client_for("clinician").get("/me/").status_code == 403


def test_audit_events_cannot_be_changed_or_deleted(cast: Cast) -> None:
    cast.client_for("clinician").get(f"/clinic/patients/{cast.patient_a.pk}/")
    event = AuditEvent.objects.get(action="view patient")
    event.detail = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
