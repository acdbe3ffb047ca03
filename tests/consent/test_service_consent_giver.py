"""Consent is recorded only from whoever may give it (helhet.consent.services.consent_giver_check), with the same verdict
through the service, the browser form and both APIs; relatives who may not take part stay out of the plan group and its
meetings; a withdrawn plan-work consent puts a notice and the open appointments on the plan page (selectors.plan_consent_state)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from helhet.consent.models import Consent
from helhet.core.errors import DomainError
from helhet.people.models import Relative

TODAY = timezone.localdate


def years_ago(n: int, days: int = 0) -> dt.date:
    t = TODAY()
    return t.replace(year=t.year - n) - dt.timedelta(days=days)


@pytest.fixture
def child(make_person):
    """A four-year-old with a mother (may consent) and an aunt (closest relative? no: just a relative)."""
    c = make_person(given_name="Lille", birth=years_ago(4, days=10))
    Relative.objects.create(person=c, name="Eva Mor", relationship="parent", may_consent=True, is_closest_relative=True, may_take_part=True)
    Relative.objects.create(person=c, name="Tante Tone", relationship="other")
    return c


@pytest.fixture
def youth(make_person):
    y = make_person(given_name="Ung", birth=years_ago(16, days=10))
    Relative.objects.create(person=y, name="Far Ung", relationship="parent", may_consent=True)
    return y


@pytest.fixture
def adult_lacking(make_person):
    a = make_person(given_name="Voksen", birth=dt.date(1950, 3, 3), capacity_to_consent="lacking")
    Relative.objects.create(person=a, name="Kari Datter", relationship="child", is_closest_relative=True)
    Relative.objects.create(person=a, name="Verge Vegard", relationship="guardian", may_consent=True)
    Relative.objects.create(person=a, name="Bror Bjørn", relationship="sibling")
    return a


def rel(person, name):
    return person.relatives.get(name=name)


def record(users, person, given_by, relative=None, kind="plan_work", **kw):
    from helhet.consent.services import consent_record

    return consent_record(actor=users["ke"], person=person, kind=kind, given_by=given_by, method="oral", given_on=kw.pop("given_on", TODAY()),
                          given_by_relative_id=relative.pk if relative else None, **kw)


def refused(fn, *args, **kw) -> DomainError:
    before = Consent.objects.count()
    with pytest.raises(DomainError) as exc:
        fn(*args, **kw)
    assert exc.value.status == 400
    assert Consent.objects.count() == before
    return exc.value


# ---------------------------------------------------------------- the service


def test_a_four_year_old_cannot_be_recorded_as_consenting_for_themself(users, child):
    err = refused(record, users, child, "person")
    assert err.details["fields"]["given_by"]
    assert "4 år" in err.message and "foreldre" in err.message
    assert err.details["reason"] == "too_young"


def test_a_parent_registered_with_the_right_to_consent_consents_for_a_child(users, child):
    c = record(users, child, "parents", rel(child, "Eva Mor"))
    assert c.given_by_relative == rel(child, "Eva Mor") and c.given_by_name == "Eva Mor"


def test_parents_consent_needs_a_registered_relative_never_a_free_text_name(users, child):
    err = refused(record, users, child, "parents", given_by_name="Noen som sier de er mor")
    assert "given_by_relative" in err.details["fields"]


def test_a_relative_without_the_right_to_consent_cannot_consent_as_parent(users, child):
    err = refused(record, users, child, "parents", rel(child, "Tante Tone"))
    assert "given_by_relative" in err.details["fields"]


def test_a_relative_of_another_person_is_refused(users, child, youth):
    err = refused(record, users, child, "parents", rel(youth, "Far Ung"))
    assert "given_by_relative" in err.details["fields"]


def test_from_16_a_young_person_consents_in_health_matters_themself_and_the_parents_do_not(users, youth):
    assert record(users, youth, "person").given_by_name == youth.full_name
    err = refused(record, users, youth, "parents", rel(youth, "Far Ung"), kind="coordinator")
    assert "given_by" in err.details["fields"] and "personen selv" in err.message


def test_a_sixteen_year_old_cannot_alone_consent_to_sharing_school_information(users, youth, share):
    from helhet.consent.services import sharing_consent_record

    assert share(youth, ["health_function"], to_users=["nav"]).given_by == "person"
    err = refused(sharing_consent_record, actor=users["ke"], person=youth, given_by="person", method="oral", given_on=TODAY(),
                  categories=["school"], purpose="Skole", valid_to=TODAY() + dt.timedelta(days=30), recipient_user_ids=[users["teacher"].pk])
    assert "given_by" in err.details["fields"]


def test_the_closest_relative_consents_only_when_registered_as_such_and_the_person_lacks_capacity(users, adult_lacking, person):
    c = record(users, adult_lacking, "closest_relative", rel(adult_lacking, "Kari Datter"))
    assert c.given_by_name == "Kari Datter"
    err = refused(record, users, adult_lacking, "closest_relative", rel(adult_lacking, "Bror Bjørn"))
    assert "given_by_relative" in err.details["fields"] and "nærmeste pårørende" in err.message
    err = refused(record, users, adult_lacking, "closest_relative")
    assert "given_by_relative" in err.details["fields"]
    # Mari has capacity: her closest relative cannot consent for her
    closest = Relative.objects.create(person=person, name="Per Fjellheim", relationship="spouse", is_closest_relative=True)
    err = refused(record, users, person, "closest_relative", closest)
    assert "given_by" in err.details["fields"] and "personen selv" in err.message


def test_an_adult_who_lacks_capacity_cannot_consent_but_their_guardian_can(users, adult_lacking):
    err = refused(record, users, adult_lacking, "person")
    assert err.details["reason"] == "lacks_capacity"
    assert record(users, adult_lacking, "guardian", rel(adult_lacking, "Verge Vegard")).given_by_name == "Verge Vegard"


def test_age_is_taken_on_the_date_of_the_consent(users, make_person):
    turned_16_last_week = make_person(birth=years_ago(16) + dt.timedelta(days=-7))
    refused(record, users, turned_16_last_week, "person", given_on=TODAY() - dt.timedelta(days=14))
    assert record(users, turned_16_last_week, "person", given_on=TODAY() - dt.timedelta(days=3))


def test_the_rules_are_read_from_the_database_so_a_correction_is_data(users, make_person):
    from helhet.rules.models import Rule

    thirteen = make_person(birth=years_ago(13, days=5))
    refused(record, users, thirteen, "person")
    rule = Rule.objects.get(code="consent.capacity-12", organization__isnull=True)
    rule.parameters = {"consent": {"self_from_age": 12, "matters": ["plan_work"]}}
    rule.save()
    assert record(users, thirteen, "person").given_by == "person"


def test_who_may_consent_for_reads_the_rules_in_force(child, youth, adult_lacking):
    from helhet.consent.selectors import who_may_consent_for

    assert set(who_may_consent_for(child, kind="plan_work")) == {"parents", "guardian"}
    assert set(who_may_consent_for(youth, kind="plan_work")) == {"person"}
    assert set(who_may_consent_for(adult_lacking, kind="coordinator")) == {"guardian", "closest_relative"}


# ---------------------------------------------------------------- the APIs give the same verdict


def post(client, path, body):
    return client.post("/api/v1" + path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("path", ["consents", "persons"])
def test_the_apis_refuse_a_child_consenting_for_themself(client_for, child, path):
    client = client_for("ke")
    body = {"kind": "plan_work", "given_by": "person", "method": "oral", "given_on": TODAY().isoformat()}
    url = "/consents" if path == "consents" else f"/persons/{child.pk}/consents"
    if path == "consents":
        body["person_id"] = child.pk
    r = post(client, url, body)
    assert r.status_code == 400, r.content
    assert "given_by" in r.json()["details"]["fields"]
    assert not Consent.objects.filter(person=child).exists()
    body.update(given_by="parents", given_by_relative_id=rel(child, "Eva Mor").pk)
    r = post(client, url, body)
    assert r.status_code == 201, r.content
    assert r.json()["given_by_name"] == "Eva Mor"


def test_the_sharing_api_refuses_a_closest_relative_of_a_person_with_capacity(client_for, person, users):
    closest = Relative.objects.create(person=person, name="Per Fjellheim", relationship="spouse", is_closest_relative=True)
    r = post(client_for("ke"), "/consents/sharing", {
        "person_id": person.pk, "given_by": "closest_relative", "given_by_relative_id": closest.pk, "method": "oral",
        "given_on": TODAY().isoformat(), "categories": ["general"], "purpose": "Plan", "valid_to": (TODAY() + dt.timedelta(days=30)).isoformat(),
        "recipient_user_ids": [users["nav"].pk]})
    assert r.status_code == 400, r.content
    assert "given_by" in r.json()["details"]["fields"]


def test_the_who_may_consent_api(client_for, child, youth):
    client = client_for("ke")
    r = client.get(f"/api/v1/consents/person/{youth.pk}/who-may-consent", {"kind": "sharing", "categories": "health_function,school"})
    assert r.status_code == 200, r.content
    assert r.json() == []  # nobody alone covers both at 16
    r = client.get(f"/api/v1/consents/person/{child.pk}/who-may-consent", {"kind": "plan_work"})
    assert {row["role"] for row in r.json()} == {"parents", "guardian"}
    assert all("consent.parents" in row["rule_codes"] for row in r.json())
    assert client_for("outsider").get(f"/api/v1/consents/person/{child.pk}/who-may-consent", {"kind": "plan_work"}).status_code == 404


# ---------------------------------------------------------------- the form: the relative by choice


def test_the_consent_form_offers_the_persons_consenting_relatives_and_gives_the_services_verdict(client_for, child):
    client = client_for("ke")
    url = reverse("consent_record", args=[child.pk])
    page = client.get(url + "?kind=plan_work").content.decode()
    assert "Eva Mor" in page and "Tante Tone" not in page
    data = {"kind": "plan_work", "given_by": "person", "method": "oral", "given_on": TODAY().isoformat()}
    r = client.post(url, data)
    assert r.status_code == 400 and "4 år" in r.content.decode()
    r = client.post(url, {**data, "given_by": "parents", "given_by_relative": rel(child, "Eva Mor").pk})
    assert r.status_code == 302
    assert Consent.objects.get(person=child).given_by_relative == rel(child, "Eva Mor")


def test_the_sharing_form_offers_the_closest_relative(client_for, adult_lacking):
    page = client_for("ke").get(reverse("sharing_consent_record", args=[adult_lacking.pk])).content.decode()
    assert "Kari Datter" in page and "Verge Vegard" in page and "Bror Bjørn" not in page


# ---------------------------------------------------------------- a relative who may not take part


def _add_relative(users, plan, relative):
    from helhet.plans import services

    return services.participant_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, kind="relative", relative_id=relative.pk)


def test_a_relative_who_may_not_take_part_cannot_join_the_plan_group(users, shared_plan):
    from helhet.plans.models import Participant

    no = Relative.objects.create(person=shared_plan.person, name="Onkel Olav", relationship="other", may_take_part=False)
    with pytest.raises(DomainError) as exc:
        _add_relative(users, shared_plan, no)
    assert "relative_id" in exc.value.details["fields"]
    assert not Participant.objects.filter(plan=shared_plan, relative=no).exists()
    yes = Relative.objects.create(person=shared_plan.person, name="Søster Siri", relationship="sibling", may_take_part=True)
    assert _add_relative(users, shared_plan, yes).relative == yes


def test_the_plan_api_refuses_a_relative_who_may_not_take_part(client_for, shared_plan):
    no = Relative.objects.create(person=shared_plan.person, name="Onkel Olav", relationship="other")
    r = post(client_for("coordinator"), f"/plans/{shared_plan.pk}/participants",
             {"based_on_version": shared_plan.version, "kind": "relative", "relative_id": no.pk})
    assert r.status_code == 400, r.content


def test_a_relative_who_no_longer_may_take_part_is_not_invited_to_meetings(users, shared_plan, settings):
    from helhet.meetings import services

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    siri = Relative.objects.create(person=shared_plan.person, name="Søster Siri", relationship="sibling", may_take_part=True,
                                   email="siri@example.invalid")
    participant = _add_relative(users, shared_plan, siri)
    Relative.objects.filter(pk=siri.pk).update(may_take_part=False)
    start = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0)
    kw = dict(actor=users["coordinator"], plan_id=shared_plan.pk, title="Møte", agenda="Status", place="Rådhuset", start=start, end=start + dt.timedelta(hours=1))
    meeting = services.meeting_create(**kw)
    names = {i.name for i in meeting.invitees.all()}
    assert "Søster Siri" not in names and names
    with pytest.raises(DomainError) as exc:
        services.meeting_create(**kw, participant_ids=[participant.pk])
    assert "participant_ids" in exc.value.details["fields"]


# ---------------------------------------------------------------- plan-work consent withdrawn: the notice and the list


@pytest.fixture
def withdrawn_plan(users, shared_plan):
    from helhet.consent.services import consent_withdraw

    consent_withdraw(actor=users["ke"], consent_id=shared_plan.consent_id, note="Ønsker ikke plan lenger.")
    return shared_plan


def test_plan_consent_state_is_valid_while_the_consent_holds(shared_plan, django_assert_num_queries):
    from helhet.consent.selectors import plan_consent_state
    from helhet.plans.selectors import build_document

    doc = build_document(shared_plan.pk)
    with django_assert_num_queries(0):
        state = plan_consent_state(shared_plan, document=doc)
    assert state["state"] == "valid" and not state["needs_decision"] and state["appointments"] == []


def test_a_withdrawn_plan_work_consent_needs_a_decision_and_lists_the_open_appointments(withdrawn_plan, users, django_assert_num_queries):
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.selectors import plan_consent_state
    from helhet.plans.selectors import build_document

    doc = build_document(withdrawn_plan.pk)
    with django_assert_num_queries(1):
        state = plan_consent_state(withdrawn_plan, document=doc)
    assert state["state"] == "withdrawn" and state["needs_decision"] and state["withdrawn_on"] == TODAY().isoformat()
    assert [a["name"] for a in state["appointments"]] == [users["coordinator"].get_full_name() or users["coordinator"].username]
    assert not state["coordinator_consent"]
    # nothing is deleted
    assert CoordinatorAppointment.objects.filter(person=withdrawn_plan.person, end__isnull=True).count() == 1
    assert Consent.objects.filter(pk=withdrawn_plan.consent_id).exists()


def test_a_new_plan_work_consent_ends_the_notice(withdrawn_plan, users):
    from helhet.consent.selectors import plan_consent_state
    from helhet.plans.selectors import build_document

    record(users, withdrawn_plan.person, "person")
    state = plan_consent_state(withdrawn_plan, document=build_document(withdrawn_plan.pk))
    assert state["renewed"] and not state["needs_decision"] and state["appointments"] == []


def test_a_separate_coordinator_consent_carries_the_appointments(withdrawn_plan, users):
    from helhet.consent.selectors import plan_consent_state
    from helhet.plans.selectors import build_document

    record(users, withdrawn_plan.person, "person", kind="coordinator")
    state = plan_consent_state(withdrawn_plan, document=build_document(withdrawn_plan.pk))
    assert state["needs_decision"] and state["coordinator_consent"]


def test_the_notice_renders_from_the_context_alone(withdrawn_plan, django_assert_num_queries):
    from helhet.consent.selectors import plan_consent_state
    from helhet.plans.selectors import build_document

    doc = build_document(withdrawn_plan.pk)
    doc["consent_state"] = plan_consent_state(withdrawn_plan, document=doc)
    doc["may_close"] = True
    with django_assert_num_queries(0):
        html = render_to_string("consent/_plan_notices.html", {"plan": doc})
    assert "Samtykket til planarbeidet er trukket tilbake" in html
    assert "avslutte planen eller registrere et nytt samtykke" in html
    assert reverse("plan_close", args=[withdrawn_plan.pk]) in html
    assert "må avgjøres" in html
    doc["consent_state"] = {"needs_decision": False}
    assert "trukket tilbake" not in render_to_string("consent/_plan_notices.html", {"plan": doc})
