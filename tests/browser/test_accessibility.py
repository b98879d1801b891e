"""axe-core on walkrx's main pages: no serious or critical violations, and no page
scrolls sideways at its width."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, PHONE, Site
from tests.web.test_authorization_matrix import a_objects

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    ("login", None, "/accounts/login/", DESKTOP),
    ("clinic dashboard", "clinician", "/clinic/", DESKTOP),
    ("clinic dashboard on a phone", "clinician", "/clinic/", PHONE),
    ("staff on a phone", "clinic_admin", "/clinic/staff/", PHONE),
    ("audit log on a phone", "clinic_admin", "/clinic/audit/", PHONE),
    ("imports", "patient_a", "/imports/", PHONE),
    ("patient page", "clinician", "/clinic/patients/{patient_id}/", DESKTOP),
    ("today", "patient_a", "/me/", PHONE),
    ("check-in", "patient_a", "/me/checkin/", PHONE),
    ("weekly check", "patient_a", "/me/check/", PHONE),
    ("progress", "patient_a", "/me/progress/", PHONE),
    ("learn", "patient_a", "/me/learn/", PHONE),
    ("lesson", "patient_a", "/me/learn/why-walking-helps/", PHONE),
]
BLOCKING = ("serious", "critical")


def describe(violation: dict[str, Any]) -> str:
    targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
    return f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}"


def test_main_pages_fit_and_have_no_serious_or_critical_axe_violations(site: Site) -> None:
    from axe_playwright_python.sync_playwright import Axe

    a_objects(site.cast)
    axe = Axe()
    found = []
    for title, who, path, viewport in PAGES:
        page = site.page(viewport, who)
        response = page.goto(path.format(patient_id=site.cast.patient_a.pk))
        assert response is not None
        assert response.status == 200, f"{title}: {path}"
        if page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        ):
            found.append(f"{title} ({path}): the page scrolls sideways at {viewport['width']} px")
        results = axe.run(page)
        found += [
            f"{title} ({path}): {describe(v)}"
            for v in results.response["violations"]
            if v["impact"] in BLOCKING
        ]
        page.context.close()
    assert not found, "\n".join(found)
