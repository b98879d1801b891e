"""Every URL of walkrx x every kind of user: who may see what, and nothing leaks.

The routes are read from the URL resolver when the test runs, so a new page is in the
matrix as soon as it exists. Its path parameters are filled from PARAMETERS with objects
that belong to patient A; a route with a parameter the table does not know fails the test,
so no route escapes the matrix. For every denied or foreign combination the response must
not contain patient A's name or email address (OWASP Authorization Regression Testing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import (
    URLPattern,
    URLResolver,
    clear_url_caches,
    get_resolver,
    include,
    path,
    reverse,
)
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.web.conftest import Cast
from walkrx.core.prescription import DEFAULT_TARGET
from walkrx.core.screening import WEEKLY_CHECK_QUESTIONS
from walkrx.web.activity.actions import record_checkin, record_walk
from walkrx.web.activity.models import Walk
from walkrx.web.alerts.actions import request_call
from walkrx.web.alerts.models import Alert
from walkrx.web.api.actions import issue_token
from walkrx.web.imports.models import ImportJob, ImportStatus
from walkrx.web.patients.calendar import make_calendar_feed
from walkrx.web.patients.models import CalendarFeed, Patient
from walkrx.web.programmes.actions import (
    complete_intake,
    current_programme,
    record_clearance,
    record_warning_signs,
    start_programme,
)
from walkrx.web.programmes.models import Questionnaire, ScreeningAnswer, WeeklyDecision
from walkrx.web.programmes.reviews import review_week

ROLES = ("anonymous", "patient_a", "patient_b", "clinician", "other_clinician", "clinic_admin")
# Roles that must never see patient A's name or email (outside capability links).
FOREIGN = ("anonymous", "patient_b", "other_clinician")
SKIPPED_PREFIXES = ("admin/", "static/")
ROOT_URLCONF = django_settings.ROOT_URLCONF

# Routes anyone may open without signing in. A page made login_not_required that is not
# listed here fails the test: opening a page to the world is a decision to make on purpose.
PUBLIC = {
    "about",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:welcome",
    "accounts:welcome_done",
    "patient_feeds:calendar",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",
}
# Public routes whose secret parameter is itself the permission (whoever holds patient A's
# link is treated as patient A), so patient A's data there is not a leak.
CAPABILITY = {"accounts:password_reset_confirm", "accounts:welcome", "patient_feeds:calendar"}
STAFF_PREFIXES = ("clinic/", "imports/patients/")
PATIENT_PREFIXES = ("me/", "imports/")
ACCOUNT_PATHS = ("", "accounts/password/change/", "accounts/password/change/done/")
ACCOUNT_PREFIXES = ("accounts/",)

# Parameters that point at one of patient A's records (the rest name a chart, a lesson...).
OBJECT_PARAMETERS = {
    "patient_id",
    "decision_id",
    "alert_id",
    "walk_id",
    "answer_id",
    "job_id",
    "uidb64",
    "token",
}
FORM_ANSWERS = {200, 302, 303, 400, 405, 422}
OPEN = ("public", "capability", "api-public")


@dataclass
class World:
    cast: Cast
    values: dict[str, Any]
    tokens: dict[str, str]


def a_objects(cast: Cast) -> World:
    """Patient A with something of every kind a URL can point at."""
    patient = cast.patient_a
    by = cast.clinician.user
    programme = current_programme(patient)
    assert programme is not None
    complete_intake(programme, by=by, baseline_pain=5)
    record_clearance(
        programme, physician_name="Dr Ray", cleared_on=timezone.localdate(), limits="", by=by
    )
    start = timezone.localdate() - timedelta(days=9)
    start_programme(programme, start_date=start, target=DEFAULT_TARGET, by=by)
    now = timezone.localtime()
    walk = record_walk(
        patient, started_at=now - timedelta(days=8), minutes=10, pain_before=3, by=patient.user
    )
    record_walk(patient, started_at=now - timedelta(hours=2), minutes=11, by=patient.user)
    record_checkin(patient, day=timezone.localdate(), morning_pain=4, flare=False, by=patient.user)
    decision = review_week(programme, 1)
    assert isinstance(decision, WeeklyDecision)
    answer, _ = record_warning_signs(
        patient,
        questionnaire=Questionnaire.WEEKLY_CHECK,
        answers={q.id: False for q in WEEKLY_CHECK_QUESTIONS},
        by=patient.user,
        now=timezone.now(),
    )
    alert = request_call(patient, message="Please ring me")
    feed = make_calendar_feed(patient, by=patient.user)
    job = ImportJob.objects.create(
        patient=patient,
        uploaded_by=patient.user,
        file_name="walks.gpx",
        sha256="0" * 64,
        size_bytes=100,
        bytes_done=100,
        format="gpx",
        status=ImportStatus.DONE,
        finished_at=timezone.now(),
    )
    assert isinstance(walk, Walk)
    assert isinstance(answer, ScreeningAnswer)
    assert isinstance(alert, Alert)
    assert isinstance(feed, CalendarFeed)
    values = {
        "patient_id": patient.pk,
        "decision_id": decision.pk,
        "alert_id": alert.pk,
        "walk_id": walk.pk,
        "answer_id": answer.pk,
        "job_id": job.pk,
        "key": "start_back",
        "slug": "why-walking-helps",
        "name": "minutes",
        "uidb64": urlsafe_base64_encode(force_bytes(patient.user.pk)),
        "token": default_token_generator.make_token(patient.user),
        "patient_feeds:calendar.token": feed.token,
    }
    tokens = {
        role: issue_token(getattr(cast, role).user)[1] for role in ROLES if role != "anonymous"
    }
    return World(cast, values, tokens)


@dataclass(frozen=True)
class Route:
    path: str  # as written in the URLconf, e.g. clinic/patients/<int:patient_id>/
    name: str  # namespaced, e.g. clinics:patient
    parameters: tuple[str, ...]
    public: bool

    @property
    def kind(self) -> str:
        if self.path.startswith("api/"):
            return "api-public" if self.public else "api"
        if self.name in PUBLIC:
            return "capability" if self.name in CAPABILITY else "public"
        if self.path.startswith(STAFF_PREFIXES):
            return "staff"
        if self.path.startswith(PATIENT_PREFIXES):
            return "patient"
        if self.path in ACCOUNT_PATHS or self.path.startswith(ACCOUNT_PREFIXES):
            return "account"
        return "unclassified"

    @property
    def names_an_object(self) -> bool:
        return bool(OBJECT_PARAMETERS.intersection(self.parameters))


def parameters_of(pattern: URLPattern | URLResolver) -> list[str]:
    converters = getattr(pattern.pattern, "converters", {})
    regex_groups = list(pattern.pattern.regex.groupindex)
    return list(dict.fromkeys([*converters, *regex_groups]))


def walk_patterns(
    patterns: list[Any], prefix: str = "", namespace: str = "", inherited: tuple[str, ...] = ()
) -> Iterator[Route]:
    for pattern in patterns:
        here = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        params = (*inherited, *parameters_of(pattern))
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk_patterns(pattern.url_patterns, here, inner, params)
        else:
            public = getattr(pattern.callback, "login_required", True) is False
            yield Route(here, namespace + (pattern.name or ""), params, public)


def all_routes() -> list[Route]:
    seen: dict[str, Route] = {}
    for route in walk_patterns(get_resolver().url_patterns):
        if route.path.startswith(SKIPPED_PREFIXES):
            continue
        seen.setdefault(route.path, route)  # one path may carry several methods (the API)
    return list(seen.values())


def value_for(world: World, route: Route, parameter: str) -> Any:
    return world.values.get(f"{route.name}.{parameter}", world.values.get(parameter))


def url_for(world: World, route: Route) -> str:
    kwargs = {p: value_for(world, route, p) for p in route.parameters}
    if route.name and not route.name.endswith(":"):
        return reverse(route.name, kwargs=kwargs)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route.path)


@dataclass
class Outcome:
    route: Route
    role: str
    method: str
    url: str
    status: int
    body: bytes
    location: str
    error: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def fail(self, outcome: Outcome, why: str) -> None:
        self.problems.append(
            f"{outcome.method} {outcome.url} as {outcome.role}: {outcome.status} ({why})"
            + (f" [{outcome.error}]" if outcome.error else "")
        )


def request(client: Client, method: str, url: str, headers: dict[str, str]) -> Any:
    cookies = SimpleCookie(client.cookies.output(header="", sep="\n"))
    try:
        with transaction.atomic():
            # Each request runs on the same data: writes (pause, discharge...) are undone.
            if method == "GET":
                response = client.get(url, **headers)
            elif url.startswith("/api/"):
                response = client.post(url, "{}", content_type="application/json", **headers)
            else:
                response = client.post(url, {}, **headers)
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies  # a POST to logout must not sign the role out
    return response


def run_matrix(world: World, routes: list[Route]) -> Report:
    report = Report()
    clients = {role: world.cast.client_for(role) for role in ROLES}
    for client in clients.values():
        client.raise_request_exception = False
    for route in routes:
        url = url_for(world, route)
        for role in ROLES:
            headers = {}
            if route.kind == "api" and role != "anonymous":
                headers["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[role]}"
            for method in ("GET", "POST"):
                response = request(clients[role], method, url, headers)
                error = ""
                if response.status_code >= 500 and getattr(response, "exc_info", None):
                    error = repr(response.exc_info[1])
                report.outcomes.append(
                    Outcome(
                        route,
                        role,
                        method,
                        url,
                        response.status_code,
                        getattr(response, "content", b""),
                        response.get("Location", ""),
                        error,
                    )
                )
    return report


def admin_only(report: Report, route: Route, method: str) -> bool:
    """A staff page the clinic admin may use and a clinician may not."""
    by_role = {o.role: o.status for o in report.outcomes if o.route == route and o.method == method}
    return by_role.get("clinician") == 403 and by_role.get("clinic_admin") in FORM_ANSWERS


def allowed(report: Report, o: Outcome) -> tuple[set[int], str]:
    """The statuses this role may get here, and why."""
    kind, role = o.route.kind, o.role
    if kind == "api":
        if role == "anonymous":
            return {401, 405}, "the API answers 401 without a token"
        if role in ("clinician", "other_clinician", "clinic_admin"):
            return {403, 405}, "staff tokens are refused by patient endpoints"
        return {200, 201, 405, 422}, "a patient's token reaches their own data"
    if kind in OPEN:
        return set(range(200, 500)), "public"
    if role == "anonymous":
        return {302}, "sign-in required"
    if kind == "account":
        return {200, 302, 405}, "any signed-in user"
    if kind == "patient":
        if role == "patient_a":
            return FORM_ANSWERS, "patient A's own pages"
        if role == "patient_b":
            if o.route.names_an_object:
                return {403, 404}, "patient B on patient A's object"
            return FORM_ANSWERS, "patient B's own pages"
        return {403}, "patient pages are for patients"
    if kind == "staff":
        if role in ("patient_a", "patient_b"):
            return {403, 404}, "clinic pages are for staff"
        if role == "other_clinician" and o.route.names_an_object:
            return {404}, "another clinic's patient does not exist for this clinician"
        staff_ok = FORM_ANSWERS | ({403} if admin_only(report, o.route, o.method) else set())
        if role == "other_clinician":
            return staff_ok, "the other clinic's own staff pages"
        if role == "clinic_admin":
            return FORM_ANSWERS, "the clinic admin may do what a clinician may, and more"
        return staff_ok, "the clinician's own clinic"
    return set(), "unclassified route: add it to the matrix's classification"


def check(report: Report, name: str, email: str) -> None:
    for o in report.outcomes:
        if o.status >= 500 or o.error:
            report.fail(o, "server error")
            continue
        statuses, why = allowed(report, o)
        # The method is refused before any object is fetched: it tells nothing about A.
        wrong_method = o.status == 405 and o.role != "anonymous"
        if o.status not in statuses and not wrong_method:
            shown = sorted(statuses) if len(statuses) < 10 else "any status below 500"
            report.fail(o, f"expected {shown}: {why}")
        to_sign_in = o.location.startswith("/accounts/login/")
        if (
            o.role == "anonymous"
            and o.status == 302
            and o.route.kind not in OPEN
            and not to_sign_in
        ):
            report.fail(o, f"anonymous redirected to {o.location}, not to sign-in")
        if o.role in FOREIGN and o.route.kind != "capability":
            text = o.body + o.location.encode()
            for secret in (name, email):
                if secret.lower().encode() in text.lower():
                    report.fail(o, f"LEAK: body shows patient A's {secret!r}")


@pytest.fixture
def world(cast: Cast) -> World:
    return a_objects(cast)


def test_every_route_parameter_is_in_the_table(world: World) -> None:
    unknown = {
        f"{route.path} ({route.name}): {parameter}"
        for route in all_routes()
        for parameter in route.parameters
        if value_for(world, route, parameter) is None
    }
    assert not unknown, "add these parameters to the matrix's table: " + ", ".join(unknown)


def test_every_public_route_is_meant_to_be_public(world: World) -> None:
    public = {r.name for r in all_routes() if r.public and not r.path.startswith("api/")}
    assert public <= PUBLIC, f"routes open without sign-in: {sorted(public - PUBLIC)}"


def test_every_route_is_classified(world: World) -> None:
    unclassified = [r.path for r in all_routes() if r.kind == "unclassified"]
    assert not unclassified


def test_the_api_ignores_signed_in_sessions(world: World) -> None:
    for route in all_routes():
        if route.kind != "api":
            continue
        for role in ROLES[1:]:
            client = world.cast.client_for(role)
            response = client.get(url_for(world, route))
            assert response.status_code in (401, 405), (route.path, role)


def test_no_role_reaches_what_it_should_not_and_nothing_leaks(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    routes = all_routes()
    report = run_matrix(world, routes)
    user = world.cast.patient_a.user
    check(report, user.full_name, user.email)
    with capsys.disabled():
        print(
            f"\nauthorization matrix: {len(routes)} routes x {len(ROLES)} roles x 2 methods "
            f"= {len(report.outcomes)} requests, {len(report.problems)} problem(s)"
        )
    assert not report.problems, "\n".join(report.problems)


def leaky_view(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Deliberately wrong: fetches any patient by id, bypassing walkrx.web.access."""
    return HttpResponse(Patient.objects.get(pk=patient_id).user.full_name)


urlpatterns = [
    path("clinic/leaky/<int:patient_id>/", leaky_view, name="leaky"),
    path("", include(ROOT_URLCONF)),
]


def test_the_matrix_catches_a_page_that_skips_the_access_helpers(
    world: World, settings: Any
) -> None:
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    try:
        routes = [r for r in all_routes() if r.name == "leaky"]
        report = run_matrix(world, routes)
        check(report, world.cast.patient_a.user.full_name, world.cast.patient_a.user.email)
    finally:
        clear_url_caches()
    assert any("other_clinician" in p and "LEAK" in p for p in report.problems)
    assert any("patient_b" in p and "LEAK" in p for p in report.problems)
