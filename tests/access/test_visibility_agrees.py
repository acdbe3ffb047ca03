"""The list query (visible_persons_q) and the single-person check (relationships + permits) must agree.

Random worlds from a fixed seed: persons in two municipalities with random
involvements, coordinator appointments and requests; for every persona, the
set of persons in their list equals the set they may open.
"""

import datetime as dt
import random

from django.utils import timezone

from helhet.access.policy import Action
from helhet.access.queries import may, visible_persons_q
from helhet.cases.models import CoordinatorAppointment, Request
from helhet.people.models import Involvement, Person

PERSONAS = ["ke", "coordinator", "coordinator2", "clinician", "unit_leader", "nav", "gp", "teacher", "outsider", "trust_ke", "hospital_coordinator"]


def test_list_and_check_agree_on_random_worlds(world, make_person):
    rng = random.Random(20261122)
    today = timezone.localdate()
    unit_keys = ["fjordvik_care", "fjordvik_nav", "fjordvik_school", "trust_ward", "havbygd_care", "fjordvik_mh"]
    staff_keys = [None, "coordinator", "nav", "teacher", "clinician", "coordinator2"]
    persons = []
    for _i in range(24):
        involve = [(rng.choice(unit_keys), rng.choice(staff_keys)) for _ in range(rng.randint(0, 2))]
        p = make_person(home=rng.choice(["fjordvik", "havbygd"]), involve=involve)
        for inv in Involvement.objects.filter(person=p):
            if rng.random() < 0.3:  # some involvements have ended
                inv.end = today - dt.timedelta(days=1)
                inv.save()
        if rng.random() < 0.3:
            CoordinatorAppointment.objects.create(
                person=p, kind="coordinator", coordinator=world.users[rng.choice(["coordinator", "coordinator2"])],
                unit=world.units["fjordvik_care"], appointed_by=world.users["ke"], start=today - dt.timedelta(days=5),
                end=None if rng.random() < 0.7 else today,
            )
        if rng.random() < 0.2:
            Request.objects.create(person=p, organization=world.orgs[rng.choice(["fjordvik", "trust"])], received_on=today,
                                   channel="oral", requester_kind="person", wants_ip=True, registered_by=world.users["ke"])
        persons.append(p)

    for key in PERSONAS:
        user = world.users[key]
        listed = set(Person.objects.filter(visible_persons_q(user)).values_list("pk", flat=True))
        checked = {p.pk for p in persons if may(user, Action.PERSON_VIEW, p)}
        assert listed == checked, key

    # Tenancy: the other municipality's KE never sees a Fjordvik resident it has no case or service for.
    outsider = world.users["outsider"]
    fjordvik_only = Person.objects.filter(home_municipality=world.orgs["fjordvik"]).exclude(involvements__unit__organization=world.orgs["havbygd"])
    assert not Person.objects.filter(visible_persons_q(outsider)).filter(pk__in=fjordvik_only).exists()
