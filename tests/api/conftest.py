"""Helpers for the JSON API tests: JSON calls and a small case history (request -> decision -> appeal, appointment)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

API = "/api/v1"


def days_ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


class Api:
    """A thin JSON wrapper over Django's test Client."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **params):
        return self.client.get(API + path, params)

    def post(self, path, body=None):
        return self.client.post(
            API + path, data=json.dumps(body or {}), content_type="application/json"
        )

    def patch(self, path, body=None):
        return self.client.patch(
            API + path, data=json.dumps(body or {}), content_type="application/json"
        )


@pytest.fixture
def api_for(client_for):
    return lambda key: Api(client_for(key))


@pytest.fixture
def anon_api(client):
    return Api(client)


@pytest.fixture
def case(world, users, person, consent_for):
    """Through the services: a request with assessment, a partly refused decision with an open appeal, a consent and an appointment."""
    from helhet.cases import services

    ke = users["ke"]
    req = services.request_create(
        actor=ke,
        person=person,
        received_on=timezone.localdate() - dt.timedelta(days=20),
        channel="written",
        requester_kind="person",
        wants_ip=True,
        wants_coordinator=True,
    )
    services.assessment_create(
        actor=ke,
        request_id=req.pk,
        assessed_on=timezone.localdate() - dt.timedelta(days=15),
        long_term=True,
        services_involved=2,
        reasons="Langvarige og koordinerte tjenester.",
    )
    decision = services.decision_create(
        actor=ke,
        request_id=req.pk,
        decided_on=timezone.localdate() - dt.timedelta(days=10),
        grants_coordinator=True,
        reasons="Koordinator innvilget, IP avslått.",
    )
    appeal = services.appeal_create(
        actor=ke,
        decision_id=decision.pk,
        received_on=timezone.localdate() - dt.timedelta(days=5),
        grounds="Ønsker individuell plan.",
    )
    consent = consent_for(person)
    appointment = services.coordinator_appoint(
        actor=ke,
        person=person,
        kind="coordinator",
        coordinator_id=users["coordinator"].pk,
        unit_id=world.units["fjordvik_care"].pk,
        start=timezone.localdate() - dt.timedelta(days=5),
    )
    return {
        "person": person,
        "request": req,
        "decision": decision,
        "appeal": appeal,
        "consent": consent,
        "appointment": appointment,
    }


def counts() -> dict:
    """Row counts of everything the API can write, to prove a refused call wrote nothing (audit 'denied' events aside)."""
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
    from helhet.people.models import CapacityFinding, Involvement, Person, Relative

    models = (
        Person,
        Relative,
        Involvement,
        CapacityFinding,
        InformationRecord,
        Consent,
        Request,
        Assessment,
        Decision,
        Appeal,
        AppealEvent,
        CoordinatorAppointment,
    )
    out = {m.__name__: m.objects.count() for m in models}
    out["open_appointments"] = CoordinatorAppointment.objects.filter(end__isnull=True).count()
    out["withdrawn_consents"] = Consent.objects.filter(withdrawn_on__isnull=False).count()
    out["person_phones"] = sorted(Person.objects.values_list("phone", flat=True))
    return out


@pytest.fixture
def snapshot():
    """snapshot() -> the row counts now (see counts())."""
    return counts


@pytest.fixture
def ago():
    """ago(n) -> the ISO date n days before today."""
    return days_ago
