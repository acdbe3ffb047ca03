"""Browser pages of the case process: login required, outsiders get 404, bad input is a clear 4xx that writes nothing,
happy paths write the row and an audit event, and the KE overview's query count does not grow with its size."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.cases import services
from helhet.cases.models import (
    Appeal,
    AppealEvent,
    Assessment,
    CoordinatorAppointment,
    Decision,
    InformationRecord,
    Request,
)
from helhet.consent.models import Consent

TODAY = timezone.localdate  # called per use: a constant taken at import goes stale when a run passes midnight
DAY = TODAY() - dt.timedelta(days=5)


@pytest.fixture
def case(world, person, consent_for):
    """A person with: a coordinator request assessed and refused (appealable), an open appeal, a consent and a coordinator."""
    ke = world.users["ke"]
    req = services.request_create(actor=ke, person=person, received_on=DAY, channel="written", requester_kind="person", wants_coordinator=True)
    services.assessment_create(actor=ke, request_id=req.pk, assessed_on=DAY, long_term=False, services_involved=1, reasons="Ett tilbud.")
    decision = services.decision_create(actor=ke, request_id=req.pk, decided_on=DAY, reasons="Ikke oppfylt.")
    appeal = services.appeal_create(actor=ke, decision_id=decision.pk, received_on=DAY, grounds="Uenig.")
    fresh = services.request_create(actor=ke, person=person, received_on=DAY, channel="oral", requester_kind="person", wants_ip=True)
    consent = consent_for(person)
    appointment = services.coordinator_appoint(actor=ke, person=person, kind="coordinator", coordinator_id=world.users["coordinator"].pk,
                                               unit_id=world.units["fjordvik_care"].pk, start=DAY)
    return {"person": person, "req": req, "fresh": fresh, "decision": decision, "appeal": appeal, "consent": consent, "appointment": appointment}


def counts():
    return {m.__name__: m.objects.count() for m in (Request, Assessment, Decision, Appeal, AppealEvent, CoordinatorAppointment, InformationRecord, Consent)}


def _writes():
    return AuditEvent.objects.filter(action__in=["create", "update"]).count()


# name -> (url name, object key for the url, good POST data, bad POST data, expected bad status, model that gains/changes)
def endpoints(world, c):
    unit, coord2 = world.units["fjordvik_mh"].pk, world.users["coordinator2"].pk
    iso = TODAY().isoformat()
    return {
        "information_record": ("information_record", c["person"].pk,
                               {"informed_on": iso, "about_ip": "on", "wants_ip": "declines", "wants_coordinator": "wants", "note": "Takket nei til IP."},
                               {"informed_on": iso, "wants_ip": "wants", "wants_coordinator": "wants"}, 400),
        "consent_record": ("consent_record", c["person"].pk,
                           {"kind": "plan_work", "given_by": "person", "method": "oral", "given_on": iso},
                           {"kind": "plan_work", "given_by": "guardian", "method": "oral", "given_on": iso}, 400),
        "consent_withdraw": ("consent_withdraw", c["consent"].pk, {"on": iso}, {"on": "ikke-en-dato"}, 400),
        "request_create": ("request_create", c["person"].pk,
                           {"received_on": iso, "channel": "oral", "requester_kind": "relative", "requester_name": "Mor", "wants_coordinator": "on"},
                           {"received_on": iso, "channel": "oral", "requester_kind": "relative"}, 400),
        "assessment_create": ("assessment_create", c["fresh"].pk,
                              {"assessed_on": iso, "long_term": "on", "services_involved": "2", "reasons": "To tjenester over tid."},
                              {"assessed_on": (DAY - dt.timedelta(days=3)).isoformat(), "services_involved": "2", "reasons": "Før mottatt."}, 400),
        "decision_create": ("decision_create", c["fresh"].pk, None,  # needs an assessment first: a 409 conflict
                            {"decided_on": iso, "grants_ip": "on", "reasons": "Ok."}, 409),
        "appeal_create": ("appeal_create", c["req"].pk, None,  # an appeal is already open: a 409 conflict
                          {"received_on": iso, "grounds": "Igjen."}, 409),
        "appeal_advance": ("appeal_advance", c["appeal"].pk,
                           {f"appeal{c['appeal'].pk}-status": "under_review", f"appeal{c['appeal'].pk}-on": iso},
                           {f"appeal{c['appeal'].pk}-status": "forwarded", f"appeal{c['appeal'].pk}-on": iso}, 400),
        "coordinator_appoint": ("coordinator_appoint", c["person"].pk,
                                {"kind": "coordinator", "unit": unit, "coordinator": coord2, "start": iso},  # already has one: 409 below
                                {"kind": "coordinator", "unit": unit, "coordinator": coord2, "start": iso}, 409),
        "coordinator_handover": ("coordinator_handover", c["appointment"].pk,
                                 {"unit": unit, "coordinator": coord2, "on": iso, "reason": "Ny jobb."},
                                 {"unit": unit, "coordinator": coord2, "on": DAY.isoformat(), "reason": "Samme dag."}, 400),
        "coordinator_end": ("coordinator_end", c["appointment"].pk, {"on": iso, "reason": "Behovet er borte."},
                            {"on": iso, "reason": ""}, 400),
    }


NAMES = ["information_record", "consent_record", "consent_withdraw", "request_create", "assessment_create", "decision_create", "appeal_create",
         "appeal_advance", "coordinator_appoint", "coordinator_handover", "coordinator_end"]


# One test per property, looping over every endpoint: the `case` set-up is the slow part, and none of these write.


def test_login_is_required(world, case, client):
    for name in NAMES:
        url_name, pk, *_rest = endpoints(world, case)[name]
        url = reverse(url_name, args=[pk])
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302 and response["Location"].startswith("/login/"), name


def test_an_outsider_gets_404_and_nothing_is_written(world, case, client_for):
    client, before, writes = client_for("outsider"), counts(), _writes()
    for name in NAMES:
        url_name, pk, good, bad, _status = endpoints(world, case)[name]
        url = reverse(url_name, args=[pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, good or bad).status_code == 404, name
    assert counts() == before and _writes() == writes


def test_the_form_pages_show_for_the_ke_officer_with_date_inputs(world, case, client_for):
    client = client_for("ke")
    for name in NAMES:
        url_name, pk, *_rest = endpoints(world, case)[name]
        response = client.get(reverse(url_name, args=[pk]))
        assert response.status_code == 200, name
        assert b'type="date"' in response.content, name


def test_bad_input_is_a_clear_4xx_and_writes_nothing(world, case, client_for):
    client, before, writes = client_for("ke"), counts(), _writes()
    for name in NAMES:
        url_name, pk, _good, bad, status = endpoints(world, case)[name]
        response = client.post(reverse(url_name, args=[pk]), bad)
        assert response.status_code == status, name
        assert b'role="alert"' in response.content, name
        if b"ds-validation-message" in response.content:
            assert b'aria-describedby="' in response.content and b'_error"' in response.content, name
    assert counts() == before and _writes() == writes


HAPPY = {
    "information_record": ("InformationRecord", 1), "consent_record": ("Consent", 1), "consent_withdraw": ("Consent", 0),
    "request_create": ("Request", 1), "assessment_create": ("Assessment", 1), "appeal_advance": ("AppealEvent", 1),
    "coordinator_handover": ("CoordinatorAppointment", 1), "coordinator_end": ("CoordinatorAppointment", 0),
}


@pytest.mark.parametrize("name", list(HAPPY))
def test_the_happy_path_writes_the_row_and_an_audit_event_and_redirects(name, world, case, client_for):
    url_name, pk, good, _bad, _status = endpoints(world, case)[name]
    model, gained = HAPPY[name]
    before, writes = counts(), _writes()
    response = client_for("ke").post(reverse(url_name, args=[pk]), good)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert counts()[model] == before[model] + gained
    assert _writes() == writes + 1
    follow = client_for("ke").get(response["Location"])
    assert follow.status_code == 200


def test_information_record_keeps_the_decline(world, case, client_for):
    _url, pk, good, *_ = endpoints(world, case)["information_record"]
    client_for("ke").post(reverse("information_record", args=[pk]), good)
    assert InformationRecord.objects.get().wants_ip == "declines"


def test_consent_withdraw_sets_the_date(world, case, client_for):
    client_for("ke").post(reverse("consent_withdraw", args=[case["consent"].pk]), {"on": TODAY().isoformat()})
    case["consent"].refresh_from_db()
    assert case["consent"].withdrawn_on == TODAY()


def test_decision_and_appeal_through_the_browser(world, case, client_for):
    ke = client_for("ke")
    fresh = case["fresh"]
    assert ke.post(reverse("assessment_create", args=[fresh.pk]), {"assessed_on": TODAY().isoformat(), "services_involved": "1", "reasons": "Ett tilbud."}).status_code == 302
    page = ke.get(reverse("decision_create", args=[fresh.pk]))
    assert "Du kan klage på avgjørelsen" in page.content.decode()  # the appeal route a refusal will name
    assert ke.post(reverse("decision_create", args=[fresh.pk]), {"decided_on": TODAY().isoformat(), "reasons": "Ikke oppfylt."}).status_code == 302
    decision = Decision.objects.get(request=fresh)
    assert decision.outcome == "refused" and decision.appeal_route
    detail = ke.get(reverse("request_detail", args=[fresh.pk])).content.decode()
    assert decision.appeal_route in detail and "Kilde" in detail
    response = ke.post(reverse("appeal_create", args=[fresh.pk]), {"received_on": TODAY().isoformat(), "grounds": "Uenig."})
    assert response.status_code == 302
    assert Appeal.objects.filter(decision=decision).count() == 1


def test_assessment_page_shows_the_rules_and_their_sources(world, case, client_for):
    page = client_for("ke").get(reverse("assessment_create", args=[case["fresh"].pk])).content.decode()
    assert "Kilde:" in page


def test_request_detail_shows_rules_applied_with_sources_and_only_allowed_transitions(world, case, client_for):
    page = client_for("ke").get(reverse("request_detail", args=[case["req"].pk])).content.decode()
    assessment = Assessment.objects.get(request=case["req"])
    for rule in assessment.rules_applied.all():
        assert rule.title in page and rule.source in page
    assert 'value="under_review"' in page and 'value="withdrawn"' in page
    assert 'value="forwarded"' not in page


def test_request_detail_requires_login_and_hides_from_outsiders(world, case, client, client_for):
    url = reverse("request_detail", args=[case["req"].pk])
    assert client.get(url)["Location"].startswith("/login/")
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("nav").get(url).status_code == 404  # involved, but not KE or coordinator


def test_coordinator_can_read_the_request_but_not_decide(world, case, client_for):
    client = client_for("coordinator")
    page = client.get(reverse("request_detail", args=[case["fresh"].pk]))
    assert page.status_code == 200 and b"Vurder henvendelsen" not in page.content
    assert client.get(reverse("assessment_create", args=[case["fresh"].pk])).status_code == 404


def test_appointing_a_second_coordinator_of_a_kind_is_a_409_shown_next_to_the_form(world, case, client_for):
    _url, pk, good, *_ = endpoints(world, case)["coordinator_appoint"]
    response = client_for("ke").post(reverse("coordinator_appoint", args=[pk]), good)
    assert response.status_code == 409
    assert "allerede" in response.content.decode()


def test_appointing_without_consent_is_refused(world, make_person, client_for):
    other = make_person()
    response = client_for("ke").post(reverse("coordinator_appoint", args=[other.pk]), {
        "kind": "coordinator", "unit": world.units["fjordvik_care"].pk, "coordinator": world.users["coordinator"].pk, "start": TODAY().isoformat()})
    assert response.status_code == 409 and "samtykke" in response.content.decode()
    assert not CoordinatorAppointment.objects.filter(person=other).exists()


def test_appointing_through_the_browser(world, make_person, consent_for, client_for):
    other = make_person()
    consent_for(other)
    writes = _writes()
    response = client_for("ke").post(reverse("coordinator_appoint", args=[other.pk]), {
        "kind": "coordinator", "unit": world.units["fjordvik_care"].pk, "coordinator": world.users["coordinator"].pk,
        "start": TODAY().isoformat(), "person_wish": "Ola"})
    assert response.status_code == 302
    appointment = CoordinatorAppointment.objects.get(person=other)
    assert appointment.person_wish == "Ola" and _writes() == writes + 1
    page = client_for("ke").get(reverse("person_detail", args=[other.pk])).content.decode()
    assert "Ola Strand" in page


# --- KE overview -------------------------------------------------------------------------------------------------


def test_ke_overview_requires_login_and_a_ke_role(client, client_for, world):
    assert client.get(reverse("ke_overview"))["Location"].startswith("/login/")
    assert client_for("coordinator").get(reverse("ke_overview")).status_code == 404


def test_ke_overview_filters_and_counts(world, case, make_person, client_for):
    ke = client_for("ke")
    response = ke.get(reverse("ke_overview"))
    assert response.status_code == 200
    counts_by_status = {value: n for value, _label, n in response.context["status_counts"]}
    assert counts_by_status["appealed"] == 1 and counts_by_status["registered"] == 1
    assert len(ke.get(reverse("ke_overview"), {"status": "appealed"}).context["requests"]) == 1
    assert len(ke.get(reverse("ke_overview"), {"kind": "ip"}).context["requests"]) == 1
    assert len(ke.get(reverse("ke_overview"), {"q": "Fjellheim"}).context["requests"]) == 2
    assert len(ke.get(reverse("ke_overview"), {"q": "Finnesikke"}).context["requests"]) == 0
    assert ke.get(reverse("ke_overview"), {"status": "tull", "kind": "tull"}).status_code == 200
    partial = ke.get(reverse("ke_overview"), {"status": "appealed"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="requests-region")
    assert b"<html" not in partial.content and b'id="requests-region"' in partial.content


def test_outsider_sees_none_of_fjordviks_requests(world, case, client_for):
    response = client_for("outsider").get(reverse("ke_overview"))
    assert response.status_code == 200 and list(response.context["requests"]) == [] and response.context["requests"].total == 0
    assert "Fjellheim" not in response.content.decode()


def _grow(world, make_person, consent_for, n):
    ke = world.users["ke"]
    for _ in range(n):
        p = make_person()
        consent_for(p)
        r = services.request_create(actor=ke, person=p, received_on=DAY, channel="oral", requester_kind="person", wants_coordinator=True)
        services.assessment_create(actor=ke, request_id=r.pk, assessed_on=DAY, long_term=True, services_involved=2, reasons="x")
        d = services.decision_create(actor=ke, request_id=r.pk, decided_on=DAY, grants_coordinator=True, reasons="x")
        services.coordinator_appoint(actor=ke, person=p, kind="coordinator", coordinator_id=world.users["coordinator"].pk,
                                     unit_id=world.units["fjordvik_care"].pk, start=DAY, request_id=r.pk)
        assert d


def test_ke_overview_query_count_does_not_grow(world, case, make_person, consent_for, client_for, django_assert_max_num_queries):
    ke = client_for("ke")
    ke.get(reverse("ke_overview"))  # warm the session
    # 17: the blocks' first rows and one COUNT each (helhet/core/paging.py) besides the page's own reads.
    with django_assert_max_num_queries(17):
        ke.get(reverse("ke_overview"))
    _grow(world, make_person, consent_for, 4)
    with django_assert_max_num_queries(17):
        response = ke.get(reverse("ke_overview"))
    assert len(response.context["coordinators"]) >= 5


def test_choosing_a_unit_narrows_the_coordinator_list(world, person, client_for):
    url = reverse("coordinator_appoint", args=[person.pk])
    page = client_for("ke").get(url, {"unit": world.units["fjordvik_mh"].pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "Siri Berg" in page and "Ola Strand" not in page
    full = client_for("ke").get(url).content.decode()
    assert "Siri Berg" in full and "Ola Strand" in full and 'hx-select="#id_coordinator"' in full
