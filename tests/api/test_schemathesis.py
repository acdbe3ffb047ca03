"""A bounded schemathesis run against /api/v1/openapi.json (issue 9, "An API contract that holds").

What it does, per persona (a Fjordvik KE officer, and the outsider: a KE officer of another municipality):
1. Signs in as a real user through the pages, in-process through Django's WSGI handler: the login form with its CSRF
   token, then (two-factor required, as in production) the setup page's QR secret confirmed with a real TOTP code.
   The API's CSRF token is read from the page, as the browser's htmx does (`hx-headers` in base.html).
2. Loads the OpenAPI document with that session (it needs a login in production) and, for every operation, runs a
   fixed number of generated cases (derandomized, no example database): valid data with the persona world's real
   ids in the path, valid data with generated ids, and invalid data (schemathesis' negative mode).
3. Checks every response: no 5xx, the status is documented, the body matches the documented schema
   (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance).
4. Fails on any failure, and when fewer cases ran than MIN_CASES, so a run that exercises nothing cannot pass;
   prints the counts (cases, 2xx, 4xx) that docs/security.md reports.

Each request runs in a savepoint inside the test's transaction (like a request's own transaction in production), so
a failed request cannot poison the ones after it on PostgreSQL. The budget: MAX_EXAMPLES cases per operation.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
from collections import Counter

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from helhet.core.world import DEMO_PASSWORD

schemathesis = pytest.importorskip("schemathesis")  # a test dependency (pyproject.toml "test" extra)

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 6  # generated cases per operation and persona
MIN_CASES = 400  # per persona: ~100 operations; fewer means the run exercised (almost) nothing
MIN_2XX = {"ke": 40, "outsider": 3}  # the KE must reach real objects, not only 404s
MIN_OPERATIONS = 90  # the document has ~100; every one of them must be exercised
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# ---------------------------------------------------------------------------------------------- the application


class _InProcessApp:
    """Django's WSGI handler, with each request in a savepoint of the test's transaction.

    Django's test Client disconnects close_old_connections for the length of a request, as this does: the handler
    would otherwise close the test's connection (it is inside an atomic block) at the end of every request. The
    body is read inside, so request_finished (sent when the response closes) is still disconnected then."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return self._in_savepoint(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    def _in_savepoint(self, environ, start_response):
        status_seen = {}

        def capture(status, headers, exc_info=None):
            status_seen["code"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        sid = transaction.savepoint()
        try:
            response = self.handler(environ, capture)
            try:
                body = b"".join(response)
            finally:
                response.close()
        except Exception:
            self._undo(sid)
            raise
        if status_seen.get("code", 500) >= 500:
            self._undo(sid)
        else:
            try:
                transaction.savepoint_commit(sid)
            except DatabaseError:  # PostgreSQL: the request left the transaction aborted (and answered < 500)
                self._undo(sid)
                raise
        return [body]

    @staticmethod
    def _undo(sid) -> None:
        # Back to before the request, as if its own transaction had rolled back; the test's transaction goes on.
        transaction.savepoint_rollback(sid)
        connection.needs_rollback = False


def _csrf_from(html: str, *, api: bool = False) -> str:
    if api:
        match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html)
    else:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(app, user) -> dict[str, str]:
    """Password, then a TOTP device set up and confirmed with a real code: the headers of that browser session."""
    from werkzeug.test import Client

    browser = Client(app)
    form = browser.get("/login/")
    assert form.status_code == 200
    token = _csrf_from(form.get_data(as_text=True))
    r = browser.post("/login/", data={"username": user.username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    assert browser.get("/api/v1/persons/").status_code == 403  # two-factor still required
    setup = browser.get("/konto/2fa/oppsett/?next=/mine/")
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    r = browser.post("/konto/2fa/oppsett/", data={"token": _code(device), "next": "/mine/",
                                                 "csrfmiddlewaretoken": _csrf_from(setup.get_data(as_text=True))})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    page = browser.get("/mine/")
    assert page.status_code == 200
    from django.conf import settings as django_settings

    cookies = {name: browser.get_cookie(name).value for name in (django_settings.SESSION_COOKIE_NAME, django_settings.CSRF_COOKIE_NAME)}
    return cookies, {"X-CSRFToken": _csrf_from(page.get_data(as_text=True), api=True)}


class _Browser:
    """The signed-in browser: every request carries its cookies (werkzeug's client, which schemathesis makes per
    request, keeps a cookie jar of its own and drops a Cookie header passed to it)."""

    def __init__(self, app, cookies: dict[str, str]):
        self.app, self.cookie = app, "; ".join(f"{k}={v}" for k, v in cookies.items())

    def __call__(self, environ, start_response):
        environ["HTTP_COOKIE"] = "; ".join(c for c in (environ.get("HTTP_COOKIE"), self.cookie) if c)
        return self.app(environ, start_response)


# ---------------------------------------------------------------------------------------------- realistic ids


@pytest.fixture
def real_ids(world, users, case, make_person, consent_for, share):
    """The persona world's objects, one of each kind the API's paths name, made through the services."""
    from helhet.access.models import AccessGrant, HealthSharingObjection
    from helhet.coordination import services as coordination
    from helhet.documents.models import Document
    from helhet.meetings import services as meetings
    from helhet.plans import services as plans

    today = timezone.localdate()
    person = case["person"]
    consent_for(person, kind="plan_work")
    c = users["coordinator"]
    plan = plans.plan_create(actor=c, person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk)
    v = plans.participant_add(actor=c, plan_id=plan.pk, based_on_version=plan.version, kind="staff", user_id=users["nav"].pk,
                              unit_id=world.units["fjordvik_nav"].pk, role="NAV-veileder").plan.version
    need = plans.need_add(actor=c, plan_id=plan.pk, based_on_version=v, text="Trenger hjelp til innkjøp.", category="health_function")
    plan.refresh_from_db()
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    meeting = meetings.meeting_create(actor=c, plan_id=plan.pk, title="Møte i ansvarsgruppen", agenda="1. Status", start=start,
                                      end=start + dt.timedelta(hours=1), place="Rådhuset")
    thread = meetings.thread_create(actor=c, plan_id=plan.pk, subject="Emne", text="Tekst")

    patient = make_person(given_name="Per", family_name="Olsen", involve=(("trust_ward", "clinician"), ("fjordvik_care", "coordinator")))
    consent_for(patient, kind="sharing", given_on=today - dt.timedelta(days=30))
    health = share(patient, ["health_function"], units=[world.units["fjordvik_ke"], world.units["trust_ward"]])
    notification = coordination.need_notification_send(actor=users["clinician"], person=patient, direction="to_municipality", sent_on=today,
                                                       summary="Trenger oppfølging.", contact_name="Jonas Lie", needs_coordinator=True,
                                                       consent_id=health.pk)
    disagreement = coordination.disagreement_raise(actor=users["ke"], person=patient, kind="needs_or_rights", description="Uenige.",
                                                   raised_on=today, health_trust_id=world.orgs["trust"].pk)
    transfer = coordination.transfer_start(actor=users["ke"], person=person, kind="coordinator_leaves", effective_on=today)
    objection = coordination.partner_objection_record(actor=users["ke"], person=patient, objected_on=today, given_by_name="Per Olsen",
                                                      how="oral")
    ids = {
        "person_id": person.pk, "request_id": case["request"].pk, "decision_id": case["decision"].pk, "appeal_id": case["appeal"].pk,
        "appointment_id": case["appointment"].pk, "consent_id": case["consent"].pk, "plan_id": plan.pk, "item_id": need.pk,
        "meeting_id": meeting.pk, "thread_id": thread.pk, "notification_id": notification.pk, "disagreement_id": disagreement.pk,
        "transfer_id": transfer.pk, "objection_id": objection.pk, "number": 1,
    }
    health_objection = HealthSharingObjection.objects.filter(person=person).first()
    if health_objection:
        ids["objection_id"] = health_objection.pk
    for name, model in (("grant_id", AccessGrant), ("document_id", Document)):
        first = model.objects.order_by("pk").first()
        if first:
            ids[name] = first.pk
    return ids


# ---------------------------------------------------------------------------------------------- the run


def _order(operation) -> tuple:
    # Reads first, then writes, deletes last: a write that closes a plan or ends an appointment early would turn
    # every later case on it into a 409/404 and leave the reads unexercised.
    return ({"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}.get(operation.method.upper(), 1), operation.path)


_APP_SECONDS = [0.0]  # time spent inside the application, for the report (the rest is generation and checks)


def _exercise(label, ran, strategies, headers, statuses, failures, unauthenticated):
    """The hypothesis test of one operation: MAX_EXAMPLES cases, each sent and checked; failures are collected
    (not raised), so hypothesis does not shrink and the run reports every operation."""

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=st.one_of(strategies))
    def exercise(case):
        ran["n"] += 1
        started = time.monotonic()
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the application raised instead of answering: a server error
            failures.append(f"{label}: raised {exc!r}")
            return
        statuses[response.status_code] += 1
        _APP_SECONDS[0] += time.monotonic() - started
        if response.status_code == 401:
            unauthenticated.append(label)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.append(f"{label} -> {response.status_code}: {failure.title}: {failure.message[:300]}"
                                f" | body {response.text[:200]!r} | sent {case.path_parameters} {str(case.body)[:120]}")

    return exercise


def run_schemathesis(browser, headers: dict[str, str], ids: dict[str, int]):
    # The run is the signed-in browser's: schemathesis must not make up credentials of its own (a random bearer
    # token or session cookie is a 401, rightly, and would leave the case unexercised).
    _APP_SECONDS[0] = 0.0
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", browser, config=config)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    statuses: Counter = Counter()
    failures: list[str] = []
    errors: list[str] = []
    per_operation: dict[str, int] = {}
    unauthenticated: list[str] = []

    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        real = {name: ids[name] for name in names if name in ids}
        strategies = [operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real)]
        if real:
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE))
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real))
        label = operation.label
        ran = {"n": 0}
        exercise = _exercise(label, ran, strategies, headers, statuses, failures, unauthenticated)
        try:
            exercise()
        except Exception as exc:  # generation itself failed (e.g. nothing to negate): reported, not a finding
            errors.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
        per_operation[label] = ran["n"]
    # The session must hold for the whole run: a 401 means a case logged the browser out, and every later case
    # would then exercise only the login wall.
    if unauthenticated:
        failures.append(f"401 (signed out) from {unauthenticated[0]} on, {len(unauthenticated)} cases")
    return statuses, failures, errors, per_operation


def _report(persona, statuses, failures, errors, per_operation, seconds) -> str:
    total = sum(statuses.values())
    ok = sum(n for s, n in statuses.items() if 200 <= s < 300)
    lines = [f"schemathesis [{persona}]: {total} cases on {len(per_operation)} operations in {seconds:.0f} s; "
             f"2xx {ok}, 4xx {sum(n for s, n in statuses.items() if 400 <= s < 500)}, "
             f"5xx {sum(n for s, n in statuses.items() if s >= 500)}; statuses {dict(sorted(statuses.items()))}; "
             f"failures {len(failures)}; generation errors {len(errors)}; {_APP_SECONDS[0]:.0f} s in the application"]
    seen = set()
    for failure in failures:
        key = failure.split(" | ")[0]
        if key not in seen:
            seen.add(key)
            lines.append("  " + failure)
    lines.extend("  generation: " + e for e in errors)
    return "\n".join(lines)


@pytest.fixture
def app(settings):
    settings.HELHET_REQUIRE_2FA = True  # as in production: the session below verifies a real device
    settings.HELHET_API_DOCS_PUBLIC = False  # and the OpenAPI document needs that login
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # werkzeug's test client's host
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return _InProcessApp()


def assert_contract_held(persona: str, statuses: Counter, failures: list[str], per_operation: dict[str, int], report: str) -> None:
    """0 failures (5xx, undocumented status, schema violation), and enough cases: a run that exercised (almost)
    nothing fails here too."""
    assert not failures, report
    assert sum(statuses.values()) >= MIN_CASES, report
    assert sum(n for s, n in statuses.items() if 200 <= s < 300) >= MIN_2XX[persona], report
    assert sum(1 for n in per_operation.values() if n) >= MIN_OPERATIONS, report


@pytest.mark.parametrize("persona", ["ke", "outsider"])
def test_schemathesis_finds_no_server_error_no_undocumented_status_and_no_schema_violation(app, users, real_ids, persona, capsys):
    cookies, headers = sign_in(app, users[persona])
    started = time.monotonic()
    statuses, failures, errors, per_operation = run_schemathesis(_Browser(app, cookies), headers, real_ids)
    report = _report(persona, statuses, failures, errors, per_operation, time.monotonic() - started)
    with capsys.disabled():
        print("\n" + report)
    if os.environ.get("HELHET_SCHEMATHESIS_REPORT"):  # the whole report, for fixing what it found
        with open(os.environ["HELHET_SCHEMATHESIS_REPORT"], "a", encoding="utf-8") as out:
            out.write(report + "\n" + "\n".join(failures) + "\n")
    assert_contract_held(persona, statuses, failures, per_operation, report)


def test_a_run_that_exercises_nothing_cannot_pass():
    # An operation filter that matches nothing, or a document without paths, runs 0 cases.
    with pytest.raises(AssertionError):
        assert_contract_held("ke", Counter(), [], {}, "empty")
    with pytest.raises(AssertionError):  # every case a 404: the run never reached a real object
        assert_contract_held("ke", Counter({404: 10_000}), [], {f"op{i}": 100 for i in range(100)}, "only 404")
    with pytest.raises(AssertionError):
        assert_contract_held("ke", Counter({200: 10_000}), ["GET /x -> 500"], {f"op{i}": 100 for i in range(100)}, "a 500")


def test_the_openapi_document_loads_only_with_a_session(app, users):
    from werkzeug.test import Client

    assert Client(app).get("/api/v1/openapi.json").status_code == 401
    cookies, _headers = sign_in(app, users["ke"])
    r = Client(_Browser(app, cookies)).get("/api/v1/openapi.json")
    assert r.status_code == 200 and json.loads(r.get_data())["openapi"].startswith("3.")
