"""Request -> assessment -> decision -> appeal, judged by the rules in force on each date."""

import datetime as dt

import pytest
import time_machine

from helhet.audit.models import AuditEvent
from helhet.cases import services
from helhet.cases.models import Appeal, Assessment, Decision, Request
from helhet.core.errors import Conflict, DomainError, NotFound


def _request(users, person, received_on, **asks):
    asks = asks or {"wants_ip": True, "wants_coordinator": True}
    return services.request_create(actor=users["ke"], person=person, received_on=received_on, channel="oral", requester_kind="person", **asks)


def _assess(users, req, on, coordinated=True):
    return services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=on, long_term=True,
                                      services_involved=3 if coordinated else 1, complex_needs=coordinated, reasons="Samtale med personen.")


def test_an_oral_request_is_recorded_with_date_channel_and_audit(users, person):
    req = _request(users, person, dt.date(2024, 3, 1))
    assert req.channel == "oral" and req.status == "registered" and req.organization.name == "Fjordvik kommune"
    assert AuditEvent.objects.filter(object_type="request", object_id=str(req.pk), action="create", person=person).exists()


def test_a_request_must_ask_for_something_and_nothing_is_written(users, person):
    with pytest.raises(DomainError) as exc:
        services.request_create(actor=users["ke"], person=person, received_on=dt.date(2024, 3, 1), channel="oral", requester_kind="person")
    assert exc.value.status == 400
    assert not Request.objects.exists()


def test_only_the_ke_registers_requests(users, person):
    with pytest.raises(NotFound):
        services.request_create(
            actor=users["nav"], person=person, received_on=dt.date(2024, 3, 1), channel="oral", requester_kind="person", wants_ip=True)
    assert AuditEvent.objects.filter(action="denied", actor=users["nav"], person=person).exists()


def test_a_request_during_the_2020_temporary_rule_gives_no_right_to_a_new_plan(users, person):
    with time_machine.travel(dt.datetime(2020, 4, 20, 10, 0), tick=False):
        req = _request(users, person, dt.date(2020, 4, 15))
        assessment = _assess(users, req, dt.date(2020, 4, 16))
    assert assessment.ip_right_suspended is True
    assert assessment.meets_ip is False
    assert assessment.meets_coordinator is True  # the duty to offer a coordinator was unchanged
    codes = set(assessment.rules_applied.values_list("code", flat=True))
    assert {"covid-2020.no-new-ip", "coordinator.duty", "ip.right"} <= codes
    assert "coordinator.right" not in codes


def test_the_same_request_in_2023_is_assessed_under_the_ordinary_rules(users, person):
    with time_machine.travel(dt.datetime(2023, 1, 20, 10, 0), tick=False):
        req = _request(users, person, dt.date(2023, 1, 15))
        assessment = _assess(users, req, dt.date(2023, 1, 16))
    assert assessment.meets_ip is True and assessment.ip_right_suspended is False
    codes = set(assessment.rules_applied.values_list("code", flat=True))
    assert "coordinator.right" in codes and "covid-2020.no-new-ip" not in codes


def test_child_coordinator_needs_a_child_and_the_2022_right(users, make_person):
    child = make_person(birth=dt.date(2015, 6, 1))
    req = _request(users, child, dt.date(2024, 5, 2), wants_child_coordinator=True)
    a = services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=dt.date(2024, 5, 3), long_term=True, services_involved=3,
                                   child_serious_condition=True, child_needs_complex_services=True, reasons="Alvorlig sykdom.")
    assert a.meets_child_coordinator is True
    adult = make_person(birth=dt.date(1990, 6, 1))
    req2 = _request(users, adult, dt.date(2024, 5, 2), wants_child_coordinator=True)
    a2 = services.assessment_create(actor=users["ke"], request_id=req2.pk, assessed_on=dt.date(2024, 5, 3), long_term=True, services_involved=3,
                                    child_serious_condition=True, child_needs_complex_services=True, reasons="x")
    assert a2.meets_child_coordinator is False


def test_a_decision_needs_an_assessment_and_reasons(users, person):
    req = _request(users, person, dt.date(2024, 3, 1))
    with pytest.raises(Conflict):
        services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 5), grants_ip=True, reasons="ok")
    _assess(users, req, dt.date(2024, 3, 2))
    with pytest.raises(DomainError):
        services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 5), grants_ip=True, reasons="  ")
    assert not Decision.objects.exists()


def test_a_granted_decision_names_its_rules_and_no_appeal_route(users, person):
    req = _request(users, person, dt.date(2024, 3, 1))
    _assess(users, req, dt.date(2024, 3, 2))
    d = services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 5), grants_ip=True, grants_coordinator=True, reasons="Vilkårene er oppfylt.")
    assert d.outcome == "granted" and d.appeal_route == ""
    assert {"ip.right", "coordinator.right"} <= set(d.rules_applied.values_list("code", flat=True))
    req.refresh_from_db()
    assert req.status == "decided"


def test_a_refusal_names_the_appeal_route_to_the_body_then_statsforvalteren(users, person):
    req = _request(users, person, dt.date(2024, 3, 1))
    _assess(users, req, dt.date(2024, 3, 2), coordinated=False)
    d = services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 5), reasons="Kortvarig behov.")
    assert d.outcome == "refused"
    assert "Fjordvik kommune" in d.appeal_route and "Statsforvalteren" in d.appeal_route


def test_a_partial_decision(users, person):
    req = _request(users, person, dt.date(2024, 3, 1))
    _assess(users, req, dt.date(2024, 3, 2))
    d = services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 5), grants_coordinator=True, reasons="Koordinator, ikke IP nå.")
    assert d.outcome == "partly" and d.appeal_route


def test_a_decision_cannot_grant_what_was_not_asked(users, person):
    req = _request(users, person, dt.date(2024, 3, 1), wants_coordinator=True)
    _assess(users, req, dt.date(2024, 3, 2))
    with pytest.raises(DomainError):
        services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 5), grants_ip=True, reasons="x")


def test_before_2022_a_refused_coordinator_was_not_appealable(users, person):
    with time_machine.travel(dt.datetime(2021, 6, 1, 10, 0), tick=False):
        req = _request(users, person, dt.date(2021, 5, 1), wants_coordinator=True)
        _assess(users, req, dt.date(2021, 5, 2), coordinated=False)
        d = services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2021, 5, 5), reasons="Ikke behov.")
        assert d.appeal_route == ""
        with pytest.raises(Conflict):
            services.appeal_create(actor=users["ke"], decision_id=d.pk, received_on=dt.date(2021, 5, 20), grounds="Uenig.")


def test_an_appeal_moves_through_its_states_and_refuses_wrong_steps(users, person):
    req = _request(users, person, dt.date(2024, 3, 1))
    _assess(users, req, dt.date(2024, 3, 2), coordinated=False)
    d = services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 5), reasons="Kortvarig behov.")
    appeal = services.appeal_create(actor=users["ke"], decision_id=d.pk, received_on=dt.date(2024, 3, 20), grounds="Behovet er langvarig.")
    with pytest.raises(Conflict):
        services.appeal_create(actor=users["ke"], decision_id=d.pk, received_on=dt.date(2024, 3, 21), grounds="Igjen.")
    with pytest.raises(Conflict):
        services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="forwarded", on=dt.date(2024, 3, 22))
    services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="under_review", on=dt.date(2024, 3, 22))
    services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="forwarded", on=dt.date(2024, 4, 1), note="Opprettholdt.")
    final = services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="rejected_by_sf", on=dt.date(2024, 5, 1))
    assert final.status == "rejected_by_sf" and not final.is_open
    assert list(Appeal.objects.get(pk=appeal.pk).events.values_list("status", flat=True)) == ["received", "under_review", "forwarded", "rejected_by_sf"]
    req.refresh_from_db()
    assert req.status == "closed"


def test_another_municipalitys_ke_cannot_touch_the_case(users, person):
    req = _request(users, person, dt.date(2024, 3, 1))
    with pytest.raises(NotFound):
        services.assessment_create(actor=users["outsider"], request_id=req.pk, assessed_on=dt.date(2024, 3, 2), long_term=True, services_involved=2, reasons="x")
    assert not Assessment.objects.exists()
