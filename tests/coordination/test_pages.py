"""Browser pages of the coordination loop: login required, outsiders get 404, bad input is a 4xx that writes nothing,
and the happy path writes and redirects."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from helhet.coordination.models import NeedNotification, PartnerInformation

from .conftest import TODAY, snapshot

CONSENT = {"consent_given_by": "person", "consent_given_by_name": "Mari Fjellheim", "consent_method": "oral", "consent_given_on": TODAY().isoformat()}


# name -> (url name, url args from the loop, actor, good POST (None: only the bad path), bad POST, bad status)
def pages(world, c):
    trust, care = world.orgs["trust"].pk, world.units["fjordvik_care"].pk
    item = "gp_informed"
    return {
        "need_notification_create": ("need_notification_create", [c["patient"].pk], "clinician",
                                     {"sent_on": TODAY().isoformat(), "needs_ip": "on", "summary": "Hjerneslag.", "contact_name": "Jonas Lie", **CONSENT},
                                     {"sent_on": TODAY().isoformat(), "needs_ip": "on", "contact_name": "Jonas Lie", **CONSENT}, 400),
        "hospital_coordinator_request": ("hospital_coordinator_request", [c["patient"].pk], "ke",
                                         {"sent_on": TODAY().isoformat(), "to_organization": trust, "summary": "Innlagt.", "contact_name": "Kari", "consent": c["health"].pk},
                                         {"sent_on": TODAY().isoformat(), "summary": "Innlagt.", "contact_name": "Kari"}, 400),
        "need_notification_acknowledge": ("need_notification_acknowledge", [c["n"].pk], "ke", {"on": TODAY().isoformat()}, {"on": "ikke-dato"}, 400),
        "need_notification_register": ("need_notification_register", [c["n"].pk], "ke", {"on": TODAY().isoformat()}, {"on": (TODAY() + dt.timedelta(days=5)).isoformat()}, 400),
        "need_notification_respond": ("need_notification_respond", [c["rev"].pk], "unit_leader", {"on": TODAY().isoformat(), "note": "Ikke behov."}, {"on": TODAY().isoformat()}, 400),
        "transfer_start": ("transfer_start", [c["patient"].pk], "ke", {"kind": "coordinator_leaves", "effective_on": TODAY().isoformat()},
                           {"kind": "move", "effective_on": TODAY().isoformat()}, 400),
        "transfer_item": ("transfer_item", [c["t"].pk, item], "ke", {f"item-{item}-key": item, f"item-{item}-state": "done"},
                          {f"item-{item}-key": item, f"item-{item}-state": "kanskje"}, 400),
        "transfer_complete": ("transfer_complete", [c["t"].pk], "ke", None,
                              {"unit": world.units["fjordvik_mh"].pk, "coordinator": world.users["coordinator2"].pk, "on": TODAY().isoformat()}, 409),
        "transfer_cancel": ("transfer_cancel", [c["t"].pk], "ke", {"reason": "Koordinatoren blir likevel."}, {"reason": ""}, 400),
        "partners_inform": ("partners_inform", [c["patient"].pk], "ke", {"event": "coordinator_appointed", "units": [care], "method": "auto"},
                            {"event": "noe", "units": [care], "method": "auto"}, 400),
        "partner_objection_record": ("partner_objection_record", [c["patient"].pk], "coordinator",
                                     {"objected_on": TODAY().isoformat(), "given_by_name": "Mari", "how": "oral"}, {"objected_on": TODAY().isoformat(), "given_by_name": "Mari", "how": "sms"}, 400),
        "partner_objection_withdraw": ("partner_objection_withdraw", [c["o"].pk], "ke", {"on": TODAY().isoformat()}, {"on": (TODAY() + dt.timedelta(days=5)).isoformat()}, 400),
        "disagreement_create": ("disagreement_create", [c["patient"].pk], "ke",
                                {"kind": "main_responsibility", "raised_on": TODAY().isoformat(), "parties": "NAV og helse", "description": "Hovedansvar."},
                                {"kind": "needs_or_rights", "raised_on": TODAY().isoformat(), "description": "Uten helseforetak."}, 400),
        "disagreement_resolve": ("disagreement_resolve", [c["d"].pk], "trust_ke", {"resolved_on": TODAY().isoformat(), "outcome": "Enige."}, {"resolved_on": TODAY().isoformat()}, 400),
    }


NAMES = [
    "need_notification_create", "hospital_coordinator_request", "need_notification_acknowledge", "need_notification_register",
    "need_notification_respond", "transfer_start", "transfer_item", "transfer_complete", "transfer_cancel", "partners_inform",
    "partner_objection_record", "partner_objection_withdraw", "disagreement_create", "disagreement_resolve",
]


@pytest.mark.parametrize("name", NAMES)
def test_login_required(client, world, loop, name):
    url_name, args, *_rest = pages(world, loop)[name]
    url = reverse(url_name, args=args)
    for r in (client.get(url), client.post(url, {})):
        assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("name", NAMES)
def test_outsider_gets_404_and_nothing_is_written(client_for, world, loop, name):
    url_name, args, _actor, good, bad, _status = pages(world, loop)[name]
    url = reverse(url_name, args=args)
    client = client_for("outsider")
    before = snapshot()
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, good or bad).status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(client_for, world, loop, name):
    url_name, args, actor, _good, bad, status = pages(world, loop)[name]
    client = client_for(actor)
    url = reverse(url_name, args=args)
    if name != "transfer_item":
        assert client.get(url).status_code == 200
    before = snapshot()
    r = client.post(url, bad)
    assert r.status_code == status, r.content.decode()[:2000]
    assert 'role="alert"' in r.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("name", [n for n in NAMES if n != "transfer_complete"])
def test_good_input_writes_and_redirects(client_for, world, loop, name):
    url_name, args, actor, good, _bad, _status = pages(world, loop)[name]
    before = snapshot()
    r = client_for(actor).post(reverse(url_name, args=args), good)
    assert r.status_code == 302, r.content.decode()[:3000]
    assert snapshot()[0] > before[0], "an audit event was written"


@pytest.mark.parametrize("url_name,args,actor", [
    ("coordination_inbox", [], "ke"), ("coordination_outbox", [], "clinician"), ("coordination_turning_18", [], "ke"),
    ("person_coordination", ["patient"], "ke"), ("need_notification_detail", ["n"], "ke"), ("need_notification_detail", ["n"], "clinician"),
    ("transfer_detail", ["t"], "ke"), ("disagreement_detail", ["d"], "trust_ke"),
])
def test_read_pages(client, client_for, world, loop, url_name, args, actor):
    url = reverse(url_name, args=[loop[a].pk for a in args])
    r = client.get(url)
    assert r.status_code == 302 and "/login/" in r["Location"]
    assert client_for(actor).get(url).status_code == 200
    if args:
        assert client_for("outsider").get(url).status_code == 404


def test_inbox_shows_the_notification_to_the_home_ke_only(client_for, loop):
    n = loop["n"]
    assert f'data-notification="{n.pk}"' in client_for("ke").get(reverse("coordination_inbox")).content.decode()
    assert f'data-notification="{n.pk}"' not in client_for("outsider").get(reverse("coordination_inbox")).content.decode()
    assert client_for("clinician").get(reverse("coordination_inbox")).status_code == 404  # no inbox for a clinician
    page = client_for("clinician").get(reverse("coordination_outbox")).content.decode()
    assert f'data-notification="{n.pk}"' in page and "Sendt" in page


def test_partners_page_refuses_when_the_person_objected(client_for, world, loop):
    other = loop["other"]
    r = client_for("ke").post(reverse("partners_inform", args=[other.pk]),
                              {"event": "coordinator_appointed", "units": [world.units["fjordvik_care"].pk], "method": "auto"})
    assert r.status_code == 409 and "reservert" in r.content.decode()
    assert not PartnerInformation.objects.filter(person=other).exists()


def test_person_page_links_to_coordination(client_for, loop):
    page = client_for("ke").get(reverse("person_detail", args=[loop["patient"].pk])).content.decode()
    assert reverse("person_coordination", args=[loop["patient"].pk]) in page
    assert NeedNotification.objects.filter(person=loop["patient"]).count() == 2


def test_the_send_form_offers_the_covering_consents_and_requires_one_way(client_for, world, make_person, share):
    patient = make_person(given_name="Mari", family_name="Fjellheim", involve=(("trust_ward", "clinician"),))
    school = share(patient, ["school"], units=[world.units["fjordvik_school"]])
    ke = share(patient, ["health_function"], units=[world.units["fjordvik_ke"]])
    url = reverse("need_notification_create", args=[patient.pk])
    client = client_for("clinician")
    page = client.get(url).content.decode()
    assert f'<option value="{ke.pk}">' in page and f'<option value="{school.pk}">' not in page
    assert "Samtykke til å sende meldingen" in page and "påkrevd" in page
    consent_part = page[page.index('id="consent-to-send"'):page.index("</fieldset>", page.index('id="consent-to-send"'))]
    assert "valgfritt" not in consent_part
    base = {"sent_on": TODAY().isoformat(), "needs_ip": "on", "summary": "Hjerneslag.", "contact_name": "Jonas Lie"}
    # No consent chosen and none recorded: 400, the field error on the consent select, nothing written.
    r = client.post(url, base)
    assert r.status_code == 400 and "Velg samtykket som dekker å sende meldingen til" in r.content.decode()
    assert 'id="id_consent_error"' in r.content.decode()
    # A school-only consent (posted by hand: it is not offered) gets the service's reason, not a form error.
    r = client.post(url, {**base, "consent": school.pk})
    assert r.status_code == 400 and "helse og funksjon" in r.content.decode()
    assert not NeedNotification.objects.filter(person=patient).exists()
    r = client.post(url, {**base, "consent": ke.pk})
    assert r.status_code == 302
    assert NeedNotification.objects.get(person=patient).consent == ke


def test_the_send_form_records_the_consent_given_for_this_notification(client_for, world, make_person):
    patient = make_person(given_name="Mari", family_name="Fjellheim", involve=(("trust_ward", "clinician"),))
    url = reverse("need_notification_create", args=[patient.pk])
    page = client_for("clinician").get(url).content.decode()
    assert "Ingen registrerte samtykker dekker mottakeren" in page
    r = client_for("clinician").post(url, {"sent_on": TODAY().isoformat(), "needs_ip": "on", "summary": "Hjerneslag.", "contact_name": "Jonas Lie", **CONSENT})
    assert r.status_code == 302
    n = NeedNotification.objects.get(person=patient)
    assert n.consent is None and n.consent_given_by == "person" and n.consent_given_by_name == "Mari Fjellheim"


def test_the_hospital_request_form_offers_consents_naming_a_hospital_unit(client_for, world, loop, share):
    patient = loop["patient"]
    municipal = share(patient, ["health_function"], units=[world.units["fjordvik_care"]])
    page = client_for("ke").get(reverse("hospital_coordinator_request", args=[patient.pk])).content.decode()
    assert f'<option value="{loop["health"].pk}">' in page  # names the ward
    assert f'<option value="{municipal.pk}">' not in page
