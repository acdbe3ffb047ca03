"""Demo data for `make run`: the shared world plus about 30 synthetic persons in every case state.

Idempotent: running it again changes nothing. Demo users exist only when
HELHET_DEMO is on (seed_demo refuses otherwise).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from helhet.cases import services as cases
from helhet.consent.services import consent_record
from helhet.people.models import Involvement, Person, Relative
from helhet.people.services import person_create, relative_add
from helhet.plans.demo import seed_plans

from .world import World, build_world, synthetic_national_id

GIVEN = ["Emma", "Noah", "Nora", "Jakob", "Sofie", "Emil", "Ella", "Lukas", "Maja", "Filip", "Ingrid", "Aksel", "Leah", "Henrik",
         "Olivia", "Mathias", "Frida", "Isak", "Selma", "Oskar", "Tiril", "Magnus", "Hedda", "Elias", "Astrid", "Sander", "Vilde",
         "Jonas", "Mina", "Tobias", "Live", "Even"]
FAMILY = ["Fjellheim", "Solbakken", "Nyland", "Bergsvik", "Haugland", "Lindeberg", "Østrem", "Våge", "Kvamme", "Rustad",
          "Tangen", "Myklebust", "Sæther", "Hovland", "Eide", "Brekke"]

STATES = ["registered", "informed", "assessed", "granted", "coordinator", "refused", "appealed", "forwarded", "child", "hospital"]


def seed_demo(n_persons: int = 30) -> World:
    w = build_world()
    if Person.objects.exists():
        return w
    rng = random.Random(2026)
    ke = w.users["ke"]
    today = timezone.localdate()
    with transaction.atomic():
        for i in range(n_persons):
            state = STATES[i % len(STATES)]
            child = state == "child" or i % 7 == 3
            birth = dt.date(today.year - (rng.randint(3, 15) if child else rng.randint(19, 88)), rng.randint(1, 12), rng.randint(1, 28))
            person = person_create(actor=ke, national_id=synthetic_national_id(birth, 100 + i * 7, d_number=(i == 5)),
                                   given_name=GIVEN[i % len(GIVEN)], family_name=FAMILY[(i * 5) % len(FAMILY)],
                                   home_municipality_id=w.orgs["fjordvik"].pk, phone=f"400{i:05d}",
                                   needs_interpreter=(i % 9 == 4), preferred_language="arabisk" if i % 9 == 4 else "norsk")
            _seed_person(w, person, state, i, child, today)
        seed_plans(w)
    return w


def _seed_person(w: World, person: Person, state: str, i: int, child: bool, today: dt.date):
    ke, coord = w.users["ke"], w.users["coordinator"]
    start = today - dt.timedelta(days=60 + i)
    Involvement.objects.create(person=person, unit=w.units["fjordvik_care"], staff=coord, start=start, description="Hjemmesykepleie")
    Involvement.objects.create(person=person, unit=w.units["fjordvik_nav"], staff=w.users["nav"], start=start, description="Arbeidsavklaring")
    if child:
        relative = relative_add(actor=ke, person=person, name=f"Forelder {person.family_name}", relationship=Relative.Relationship.PARENT,
                                may_take_part=True, may_consent=True, is_closest_relative=True, phone="41000000")
        Involvement.objects.create(person=person, unit=w.units["fjordvik_school"], staff=w.users["teacher"], start=start, description="Spesialundervisning")
    if state == "registered":
        cases.request_create(actor=ke, person=person, received_on=today - dt.timedelta(days=3), channel="oral", requester_kind="person", wants_ip=True, wants_coordinator=True)
        return
    cases.information_record(actor=ke, person=person, informed_on=start, wants_ip="wants", wants_coordinator="wants")
    if state == "informed":
        return
    req = cases.request_create(actor=ke, person=person, received_on=start + dt.timedelta(days=2), channel="written" if i % 2 else "oral",
                               requester_kind="relative" if child else "person", wants_ip=True, wants_coordinator=True,
                               wants_child_coordinator=child and state == "child", description="Trenger hjelp til å samordne tjenestene.")
    refused = state in ("refused", "appealed", "forwarded")
    cases.assessment_create(actor=ke, request_id=req.pk, assessed_on=start + dt.timedelta(days=5), long_term=True,
                            services_involved=1 if refused else 3, complex_needs=not refused,
                            child_serious_condition=child, child_needs_complex_services=child,
                            reasons="Vurdert i samtale med personen og tjenestene.")
    if state == "assessed":
        return
    decision = cases.decision_create(actor=ke, request_id=req.pk, decided_on=start + dt.timedelta(days=10), grants_ip=not refused,
                                     grants_coordinator=not refused, grants_child_coordinator=child and state == "child",
                                     reasons="Behovet er kortvarig og gjelder én tjeneste." if refused else "Vilkårene er oppfylt.")
    if refused:
        if state in ("appealed", "forwarded"):
            appeal = cases.appeal_create(actor=ke, decision_id=decision.pk, received_on=start + dt.timedelta(days=20), grounds="Jeg mener behovet er langvarig.")
            if state == "forwarded":
                cases.appeal_advance(actor=ke, appeal_id=appeal.pk, status="under_review", on=start + dt.timedelta(days=21))
                cases.appeal_advance(actor=ke, appeal_id=appeal.pk, status="forwarded", on=start + dt.timedelta(days=30), note="Avgjørelsen opprettholdes.")
        return
    if state == "granted":
        return  # waiting for a coordinator: shows on the KE overview
    relative = person.relatives.filter(may_consent=True).first()
    consent_record(actor=ke, person=person, kind="coordinator", given_by="parents" if relative else "person",
                   given_by_relative_id=relative.pk if relative else None, method="signed_in_app", given_on=start + dt.timedelta(days=11))
    kind = "child_coordinator" if state == "child" else "coordinator"
    unit = w.units["fjordvik_care"] if i % 2 == 0 else w.units["fjordvik_mh"]
    user = coord if i % 2 == 0 else w.users["coordinator2"]
    cases.coordinator_appoint(actor=ke, person=person, kind=kind, coordinator_id=user.pk, unit_id=unit.pk,
                              start=start + dt.timedelta(days=12), person_wish="Ønsker en fra hjemmetjenesten.", request_id=req.pk)
    if state == "hospital":
        Involvement.objects.create(person=person, unit=w.units["trust_ward"], staff=w.users["clinician"], start=start, description="Innlagt nevrologisk avdeling")
        cases.coordinator_appoint(actor=w.users["unit_leader"], person=person, kind="hospital_coordinator",
                                  coordinator_id=w.users["hospital_coordinator"].pk, unit_id=w.units["trust_ward"].pk, start=start + dt.timedelta(days=13))
