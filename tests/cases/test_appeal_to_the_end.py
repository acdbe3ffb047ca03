"""Appeals carried to their end: the appeal deadline as dated rules (chosen by the law the decision is made under),
shown with the refusal and tracked as a deadline; Statsforvalteren's outcome moves the case to the right state, and
when the person is given right the KE gets a due task to decide again, on its worklist."""

import datetime as dt

import pytest
import time_machine

from helhet.cases import services
from helhet.cases.models import Appeal, Decision, Request
from helhet.core.errors import Conflict
from helhet.rules.deadlines import collect

DAY = dt.datetime(2024, 3, 25, 10, 0)


@pytest.fixture
def refused(users, person):
    """A refused request for IP and coordinator, decided 2024-03-15 under the patients' rights act."""
    with time_machine.travel(DAY, tick=False):
        req = services.request_create(actor=users["ke"], person=person, received_on=dt.date(2024, 3, 1), channel="oral",
                                      requester_kind="person", wants_ip=True, wants_coordinator=True)
        services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=dt.date(2024, 3, 10), long_term=True,
                                   services_involved=1, reasons="Bare én tjeneste.")
        decision = services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 15), reasons="Ikke koordinerte tjenester.")
    return decision


def _forward(users, decision):
    with time_machine.travel(DAY, tick=False):
        appeal = services.appeal_create(actor=users["ke"], decision_id=decision.pk, received_on=dt.date(2024, 3, 20), grounds="Uenig.")
        services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="under_review", on=dt.date(2024, 3, 21))
        services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="forwarded", on=dt.date(2024, 3, 22))
    return appeal


# ---------------------------------------------------------------- the deadline as rules


def test_the_patients_rights_act_gives_four_weeks_and_the_rule_is_applied(refused):
    from helhet.cases.rules import appeal_deadline

    due, rule = appeal_deadline(refused)
    assert due == dt.date(2024, 4, 12) and rule.code == "appeal.deadline.patients-rights" and rule.needs_check
    assert "§ 7-2" in rule.source
    assert "appeal.deadline.patients-rights" in set(refused.rules_applied.values_list("code", flat=True))


def test_the_public_administration_act_gives_three_weeks(users, person):
    from helhet.cases.rules import appeal_deadline

    with time_machine.travel(DAY, tick=False):
        req = services.request_create(actor=users["ke"], person=person, received_on=dt.date(2024, 3, 1), channel="oral",
                                      requester_kind="person", wants_coordinator=True)
        services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=dt.date(2024, 3, 10), long_term=False,
                                   services_involved=1, reasons="Kortvarig.")
        d = services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 15), reasons="Nei.",
                                     law="public_administration")
    due, rule = appeal_deadline(d)
    assert due == dt.date(2024, 4, 5) and "§ 29" in rule.source
    assert d.get_law_display() == "Forvaltningsloven"


def test_an_unknown_law_is_a_400(users, person):
    from helhet.core.errors import DomainError

    with time_machine.travel(DAY, tick=False):
        req = services.request_create(actor=users["ke"], person=person, received_on=dt.date(2024, 3, 1), channel="oral",
                                      requester_kind="person", wants_ip=True)
        services.assessment_create(actor=users["ke"], request_id=req.pk, assessed_on=dt.date(2024, 3, 10), long_term=True,
                                   services_involved=1, reasons="x")
        with pytest.raises(DomainError) as exc:
            services.decision_create(actor=users["ke"], request_id=req.pk, decided_on=dt.date(2024, 3, 15), reasons="x", law="nope")
    assert exc.value.status == 400 and "law" in exc.value.details["fields"]


def test_the_appeal_window_is_a_tracked_deadline_until_it_runs_out_or_an_appeal_comes(refused, world, users):
    org = [world.orgs["fjordvik"].pk]
    rows = [d for d in collect(organization_ids=org, today=dt.date(2024, 3, 25)) if d.kind == "appeal_window"]
    assert [(d.object_id, d.due, d.rule_code) for d in rows] == [(refused.pk, dt.date(2024, 4, 12), "appeal.deadline.patients-rights")]
    assert not [d for d in collect(organization_ids=org, today=dt.date(2024, 4, 13)) if d.kind == "appeal_window"]
    _forward(users, refused)
    assert not [d for d in collect(organization_ids=org, today=dt.date(2024, 3, 25)) if d.kind == "appeal_window"]


# ---------------------------------------------------------------- outcomes move the case


def test_upheld_decision_closes_the_case(refused, users):
    appeal = _forward(users, refused)
    with time_machine.travel(DAY, tick=False):
        services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="rejected_by_sf", on=dt.date(2024, 3, 25))
    req = Request.objects.get(pk=refused.request_id)
    assert req.status == "closed" and Decision.objects.get(pk=refused.pk).standing_label() == "Avslått"
    assert not Request.objects.filter(follows_appeal=appeal).exists()


def test_reversed_by_statsforvalteren_asks_the_ke_to_decide_again(refused, users, world):
    appeal = _forward(users, refused)
    with time_machine.travel(DAY, tick=False):
        result = services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="upheld_by_sf", on=dt.date(2024, 3, 25))
    original = Request.objects.get(pk=refused.request_id)
    assert original.status == "new_decision"  # not "Avsluttet"
    assert Decision.objects.get(pk=refused.pk).standing_label() == "Avslått – omgjort etter klage"  # not just "Avslått"
    follow_up = result.follow_up_request
    assert follow_up.follows_appeal_id == appeal.pk and follow_up.wants_ip and follow_up.wants_coordinator
    assert follow_up.status == "registered" and follow_up.channel == "appeal_outcome"
    task = [d for d in collect(organization_ids=[world.orgs["fjordvik"].pk], today=dt.date(2024, 3, 25)) if d.kind == "new_decision"]
    assert [(t.object_id, t.due, t.rule_code) for t in task] == [(follow_up.pk, dt.date(2024, 4, 8), "appeal.new-decision")]
    # The KE decides again (no new assessment needed: the appeal found the right); the old case is then closed.
    with time_machine.travel(DAY, tick=False):
        services.decision_create(actor=users["ke"], request_id=follow_up.pk, decided_on=dt.date(2024, 3, 25), grants_ip=True,
                                 grants_coordinator=True, reasons="Etter Statsforvalterens vedtak.")
    assert Request.objects.get(pk=original.pk).status == "closed"
    assert not [d for d in collect(organization_ids=[world.orgs["fjordvik"].pk], today=dt.date(2024, 3, 25)) if d.kind == "new_decision"]


def test_sent_back_needs_a_new_assessment_and_decision(refused, users):
    appeal = _forward(users, refused)
    with time_machine.travel(DAY, tick=False):
        result = services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="sent_back_by_sf", on=dt.date(2024, 3, 25))
        with pytest.raises(Conflict) as exc:
            services.decision_create(actor=users["ke"], request_id=result.follow_up_request.pk, decided_on=dt.date(2024, 3, 25), reasons="x")
    assert exc.value.code == "not_assessed"
    assert Decision.objects.get(pk=refused.pk).standing_label() == "Avslått – opphevet av Statsforvalteren"


def test_reversed_by_the_deciding_body_itself_also_asks_for_a_new_decision(refused, users):
    with time_machine.travel(DAY, tick=False):
        appeal = services.appeal_create(actor=users["ke"], decision_id=refused.pk, received_on=dt.date(2024, 3, 20), grounds="Uenig.")
        services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="under_review", on=dt.date(2024, 3, 21))
        services.appeal_advance(actor=users["ke"], appeal_id=appeal.pk, status="reversed", on=dt.date(2024, 3, 22))
        with pytest.raises(Conflict):
            services.appeal_create(actor=users["ke"], decision_id=refused.pk, received_on=dt.date(2024, 3, 23), grounds="Igjen.")
    assert Request.objects.filter(follows_appeal=appeal).exists()
    assert Appeal.objects.get(pk=appeal.pk).status == "reversed"


# ---------------------------------------------------------------- API and pages


def test_api_shows_the_deadline_and_the_follow_up(refused, users, client_for):
    appeal = _forward(users, refused)
    client = client_for("ke")
    with time_machine.travel(DAY, tick=False):
        r = client.post(f"/api/v1/cases/appeals/{appeal.pk}/advance", {"status": "upheld_by_sf", "on": "2024-03-25"},
                        content_type="application/json")
        assert r.status_code == 200, r.content
        assert r.json()["follow_up_request_id"]
        detail = client.get(f"/api/v1/cases/requests/{refused.request_id}").json()
    assert detail["status"] == "new_decision"
    assert detail["decision"]["appeal_deadline"] == "2024-04-12"


def test_api_bad_outcome_is_a_409_and_outsider_404(refused, users, client_for):
    appeal = _forward(users, refused)
    with time_machine.travel(DAY, tick=False):
        r = client_for("ke").post(f"/api/v1/cases/appeals/{appeal.pk}/advance", {"status": "reversed", "on": "2024-03-25"},
                                  content_type="application/json")
        assert r.status_code == 409 and r.json()["code"] == "bad_transition"
        r = client_for("outsider").post(f"/api/v1/cases/appeals/{appeal.pk}/advance", {"status": "upheld_by_sf", "on": "2024-03-25"},
                                        content_type="application/json")
        assert r.status_code == 404


def test_page_shows_deadline_with_the_refusal_and_the_new_decision_on_the_worklist(refused, users, client_for):
    client = client_for("ke")
    with time_machine.travel(DAY, tick=False):
        page = client.get(f"/henvendelser/{refused.request_id}/").content.decode()
        assert 'id="appeal-deadline"' in page and "12.04.2024" in page and "Pasient- og brukerrettighetsloven § 7-2" in page
        appeal = _forward(users, refused)
        r = client.post(f"/klager/{appeal.pk}/status/", {f"appeal{appeal.pk}-status": "upheld_by_sf", f"appeal{appeal.pk}-on": "2024-03-25",
                                                         f"appeal{appeal.pk}-note": ""})
        assert r.status_code == 302, r.content.decode()[:3000]
        page = client.get(f"/henvendelser/{refused.request_id}/").content.decode()
        assert "omgjort etter klage" in page and "Til ny avgjørelse etter klage" in page and "Gå til ny behandling" in page
        worklist = client.get("/ke/frister/").content.decode()
    assert "Ny avgjørelse etter klage" in worklist
