"""Sharing consent: recording (what, with whom, for what, for how long, given by whom), withdrawal, the forms,
the expiry lists and grants from the person page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from helhet.audit.models import AuditEvent
from helhet.consent.models import Consent
from helhet.core.errors import DomainError

TODAY = timezone.localdate


def test_recording_keeps_categories_recipients_purpose_and_period(person, users, world, share):
    c = share(person, ["medication", "health_function"], to_users=["nav"], units=[world.units["fjordvik_school"]])
    c.refresh_from_db()
    assert c.kind == "sharing" and c.categories == ["health_function", "medication"]  # fixed order
    assert list(c.recipient_users.all()) == [users["nav"]] and list(c.recipient_units.all()) == [world.units["fjordvik_school"]]
    assert c.category_labels == ["Helse og funksjon", "Legemidler"]
    assert AuditEvent.objects.filter(object_type="consent", object_id=str(c.pk), action="create").exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"categories": []}, "categories"),
    ({"categories": ["secrets"]}, "categories"),
    ({"recipient_user_ids": [], "recipient_unit_ids": []}, "recipient_users"),
    ({"purpose": " "}, "purpose"),
])
def test_it_refuses_a_sharing_consent_without_what_or_whom_or_why(person, users, change, field):
    from helhet.consent.services import sharing_consent_record

    kw = dict(actor=users["ke"], person=person, given_by="person", method="oral", given_on=TODAY(), categories=["general"], purpose="Plan",
              valid_to=TODAY() + dt.timedelta(days=30), recipient_user_ids=[users["nav"].pk])
    kw.update(change)
    with pytest.raises(DomainError) as exc:
        sharing_consent_record(**kw)
    assert exc.value.status == 400


def test_it_refuses_a_sharing_consent_from_someone_who_may_not_record_consent(person, users):
    from helhet.consent.services import sharing_consent_record

    with pytest.raises(DomainError) as exc:
        sharing_consent_record(actor=users["nav"], person=person, given_by="person", method="oral", given_on=TODAY(), categories=["general"],
                               purpose="Plan", valid_to=TODAY() + dt.timedelta(days=30), recipient_user_ids=[users["nav"].pk])
    assert exc.value.status == 404


def test_the_form_records_a_sharing_consent(person, users, client_for):
    url = reverse("sharing_consent_record", args=[person.pk])
    client = client_for("ke")
    page = client.get(url)
    assert page.status_code == 200 and "Lars Vik" in page.content.decode()  # NAV is involved: a likely recipient
    r = client.post(url, {"categories": ["health_function", "general"], "recipient_users": [users["nav"].pk], "purpose": "Oppfølging",
                          "valid_from": TODAY().isoformat(), "valid_to": (TODAY() + dt.timedelta(days=90)).isoformat(), "given_by": "person",
                          "method": "oral", "given_on": TODAY().isoformat(), "exclusions": "Ikke rusbehandling"})
    assert r.status_code == 302, r.content.decode()[:2000]
    c = Consent.objects.get(person=person, kind="sharing")
    assert c.exclusions == "Ikke rusbehandling" and c.recorded_by == users["ke"]
    detail = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Samtykke til deling av opplysninger" in detail and "Ikke rusbehandling" in detail


def test_the_form_shows_errors_with_400(person, client_for):
    r = client_for("ke").post(reverse("sharing_consent_record", args=[person.pk]), {"purpose": ""})
    assert r.status_code == 400


def test_involved_staff_do_not_see_the_consents_exclusions_on_the_person_page(person, client_for, share):
    share(person, ["general"], to_users=["nav"])
    Consent.objects.filter(kind="sharing").update(exclusions="HEMMELIG-UNNTAK")
    assert "HEMMELIG-UNNTAK" in client_for("ke").get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "HEMMELIG-UNNTAK" not in client_for("nav").get(reverse("person_detail", args=[person.pk])).content.decode()


def test_withdrawal_through_the_api_records_who_and_when(person, users, client_for, share):
    c = share(person, ["general"], to_users=["nav"])
    r = client_for("ke").post(f"/api/v1/consents/{c.pk}/withdraw", {"note": "Ringte"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["withdrawn_on"] == TODAY().isoformat()
    again = client_for("ke").post(f"/api/v1/consents/{c.pk}/withdraw", {}, content_type="application/json")
    assert again.status_code == 409
    assert client_for("outsider").post(f"/api/v1/consents/{c.pk}/withdraw", {}, content_type="application/json").status_code == 404


def test_the_api_lists_consents_to_those_who_record_them(person, client_for, share):
    share(person, ["general"], to_users=["nav"])
    rows = client_for("ke").get(f"/api/v1/consents/person/{person.pk}").json()
    assert [r["kind"] for r in rows] == ["sharing"] and rows[0]["categories"] == ["general"]
    assert client_for("nav").get(f"/api/v1/consents/person/{person.pk}").status_code == 404
    cats = client_for("nav").get("/api/v1/consents/categories").json()
    assert {"value": "school", "label": "Skole og barnehage"} in cats


def test_expiring_and_expired_consents_appear_on_the_coordinators_and_kes_lists(person, make_person, users, client_for, share):
    share(person, ["general"], to_users=["nav"], valid_to=TODAY() + dt.timedelta(days=10))
    old = share(person, ["school"], to_users=["teacher"], valid_to=TODAY() + dt.timedelta(days=1))
    Consent.objects.filter(pk=old.pk).update(given_on=TODAY() - dt.timedelta(days=40), valid_to=TODAY() - dt.timedelta(days=2))
    far = make_person(given_name="Langt", family_name="Fram")
    share(far, ["general"], to_users=["nav"], valid_to=TODAY() + dt.timedelta(days=200))
    from helhet.cases.models import CoordinatorAppointment

    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit_id=users["coordinator"].memberships.first().unit_id,
                                          appointed_by=users["ke"], start=TODAY() - dt.timedelta(days=3))
    for key, url in (("coordinator", reverse("my_persons")), ("ke", reverse("ke_overview"))):
        page = client_for(key).get(url).content.decode()
        assert "Samtykke til deling som utløper" in page
        assert page.count("Mari Fjellheim") >= 1 and "utløpt" in page and "utløper" in page
        assert "Langt Fram" not in page.split('id="h-consent-expiry"')[1]
    outsider = client_for("outsider").get(reverse("ke_overview")).content.decode()
    assert "Mari Fjellheim" not in outsider


def test_grants_from_the_person_page(person, users, client_for, share):
    from helhet.access.models import AccessGrant

    consent = share(person, ["medication", "general"], to_users=["nav"])
    client = client_for("ke")
    url = reverse("grant_create", args=[person.pk])
    assert "Jonas Lie" in client.get(url).content.decode()  # hospital staff can be chosen
    r = client.post(url, {"grantee": users["clinician"].pk, "consent": consent.pk, "categories": ["medication"], "valid_from": TODAY().isoformat(),
                          "valid_to": (TODAY() + dt.timedelta(days=14)).isoformat(), "reason": "Innleggelse"})
    assert r.status_code == 302, r.content.decode()[:3000]
    grant = AccessGrant.objects.get()
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Personlige tilganger" in page and "Jonas Lie" in page and "Aktiv" in page
    assert client.post(reverse("grant_revoke", args=[grant.pk]), {"note": ""}).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == users["ke"]
    assert client_for("nav").get(reverse("grant_revoke", args=[grant.pk])).status_code == 404


@pytest.mark.parametrize(("change", "field"), [
    ({"categories": ["school"]}, "categories"),  # not in the consent
    ({"valid_to": None}, "valid_to"),
    ({"days": 400}, "valid_to"),  # beyond the consent / a year
    ({"grantee": "ke"}, "grantee"),  # to oneself
])
def test_it_refuses_grants_beyond_the_consent(person, users, share, change, field):
    from helhet.access.services import grant_create

    consent = share(person, ["medication"], to_users=["nav"], valid_to=TODAY() + dt.timedelta(days=365))
    days = change.pop("days", 10)
    kw = dict(actor=users["ke"], person=person, grantee_id=users[change.pop("grantee", "clinician")].pk, consent_id=consent.pk, valid_from=TODAY(),
              valid_to=TODAY() + dt.timedelta(days=days), categories=["medication"], reason="Behov")
    kw.update(change)
    with pytest.raises(DomainError) as exc:
        grant_create(**kw)
    assert field in exc.value.details["fields"]
