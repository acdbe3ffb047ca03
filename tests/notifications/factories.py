"""Small ORM factories for the deadline tests (the services that create these are tested in their own apps)."""

from __future__ import annotations

import datetime as dt


def make_plan(world, users, person, *, start: dt.date, status: str = "active", **kw):
    from helhet.consent.models import Consent
    from helhet.plans.models import IndividualPlan

    consent = Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                                     given_on=start, recorded_by=users["ke"])
    return IndividualPlan.objects.create(person=person, status=status, main_sector="health_care", main_unit=kw.pop("main_unit", world.units["fjordvik_care"]),
                                         period_start=start, consent=consent, created_by=users["coordinator"], **kw)


def make_appeal(world, users, person, *, received_on: dt.date, org_key: str = "fjordvik"):
    from helhet.cases.models import Appeal, Decision, Request

    req = Request.objects.create(person=person, organization=world.orgs[org_key], received_on=received_on - dt.timedelta(days=30), channel="written",
                                 requester_kind="person", wants_coordinator=True, registered_by=users["ke"], status="appealed")
    decision = Decision.objects.create(request=req, decided_on=received_on - dt.timedelta(days=10), decided_by=users["ke"], outcome="refused", reasons="r")
    return Appeal.objects.create(decision=decision, received_on=received_on, grounds="g", registered_by=users["ke"])
