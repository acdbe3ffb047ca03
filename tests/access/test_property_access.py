"""Property: no read of a plan ever returns content of a category the policy forbids — through the API document
and the plan page alike.

Hypothesis generates a plan group (which staff join, in what order), sharing consents (categories, named
recipients and units, periods), personal grants (windows, categories) and withdrawals/revocations, then reads
the plan as every persona on a generated day. Each plan item's text is a unique token for its category; the
test computes what each reader should see from the generated history alone (an oracle written independently of
helhet.access) and compares it with the tokens found in the responses.

Fixed seed (derandomize) and a small budget by default (12 examples); HELHET_HYPOTHESIS_EXAMPLES=500 runs longer.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helhet.consent.categories import CATEGORY_VALUES
from helhet.core.errors import DomainError

from .conftest import token, visible_tokens

# About 3-4 s an example (nine readers, API and page each): 12 keep the default run under a minute.
EXAMPLES = int(os.environ.get("HELHET_HYPOTHESIS_EXAMPLES", "12"))

# Staff who may join the plan group, and the unit they take part for.
STAFF = {"nav": "fjordvik_nav", "teacher": "fjordvik_school", "gp": "fjordvik_gp", "clinician": "trust_ward", "coordinator2": "fjordvik_mh"}
READERS = [*STAFF, "coordinator", "ke", "outsider", "trust_ke"]
WHOLE = {"coordinator", "ke"}  # the person's coordinator, the responsible KE
# Health personnel in the plan group get health information for the care they give together without a sharing
# consent (helsepersonelloven § 25; the rule "health-personnel.cooperation" and its categories); NAV and school never.
HEALTH_STAFF = {"gp", "clinician", "coordinator2"}
HEALTH_RULE = {"health_function", "medication"}

categories = st.sets(st.sampled_from(CATEGORY_VALUES), min_size=1, max_size=4)
op = st.one_of(
    st.tuples(st.just("join"), st.sampled_from(sorted(STAFF))),
    st.tuples(st.just("consent"), categories, st.sets(st.sampled_from(sorted(STAFF)), max_size=2),
              st.sets(st.sampled_from(sorted(set(STAFF.values()))), max_size=2), st.integers(0, 10), st.integers(0, 40)),
    st.tuples(st.just("withdraw"), st.integers(0, 5)),
    st.tuples(st.just("grant"), st.sampled_from(sorted(STAFF)), st.integers(0, 5), categories, st.integers(0, 10), st.integers(0, 30)),
    st.tuples(st.just("revoke"), st.integers(0, 5)),
)
scenario = st.tuples(st.lists(op, min_size=1, max_size=8), st.integers(0, 45))


class Oracle:
    """What each reader should see, from the history alone."""

    def __init__(self, today):
        self.today = today
        self.joined: list[str] = []  # in order
        self.consents: list[dict] = []
        self.grants: list[dict] = []

    def consent_valid(self, c, day) -> bool:
        return c["from"] <= day <= c["to"] and not (c["withdrawn"] and day >= self.today)

    def covers(self, c, reader) -> bool:
        return reader in c["users"] or (STAFF.get(reader) in c["units"] and reader in c["joined_before"])

    def grant_active(self, g, day) -> bool:
        return not g["revoked"] and g["from"] <= day <= g["to"] and self.consent_valid(g["consent"], day)

    def expected(self, reader, day) -> set[str] | None:
        """None: no access at all (404)."""
        if reader in WHOLE:
            return set(CATEGORY_VALUES)
        grants = [g for g in self.grants if g["who"] == reader and self.grant_active(g, day)]
        if reader not in self.joined and not grants:
            return None
        seen: set[str] = set(HEALTH_RULE) if reader in HEALTH_STAFF and reader in self.joined else set()
        for c in self.consents:
            if self.consent_valid(c, day) and self.covers(c, reader):
                seen |= c["categories"]
        for g in grants:
            seen |= g["categories"]
        return seen


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=False)
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario=scenario)
def test_no_read_returns_a_category_the_policy_forbids(world, users, make_person, scenario):
    from helhet.access.services import grant_create, grant_revoke
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent
    from helhet.consent.services import consent_withdraw, sharing_consent_record
    from helhet.plans import services

    ops, day_offset = scenario
    today = timezone.localdate()
    with transaction.atomic():
        person = make_person(involve=())
        CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                              appointed_by=users["ke"], start=today - dt.timedelta(days=5))
        Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                               given_on=today - dt.timedelta(days=10), recorded_by=users["ke"])
        c = users["coordinator"]
        plan = services.plan_create(actor=c, person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk)
        v = plan.version
        for category in CATEGORY_VALUES:
            services.need_add(actor=c, plan_id=plan.pk, based_on_version=v, text=token(category), category=category)
            v += 1
        oracle = Oracle(today)
        for step in ops:
            kind = step[0]
            if kind == "join" and step[1] not in oracle.joined:
                services.participant_add(actor=c, plan_id=plan.pk, based_on_version=v, kind="staff", user_id=users[step[1]].pk,
                                         unit_id=world.units[STAFF[step[1]]].pk, role="Deltaker")
                v += 1
                oracle.joined.append(step[1])
            elif kind == "consent":
                _, cats, to_users, units, start, length = step
                if not to_users and not units:
                    continue
                record = sharing_consent_record(
                    actor=users["ke"], person=person, given_by="person", method="oral", given_on=today, categories=sorted(cats), purpose="Plan",
                    valid_from=today + dt.timedelta(days=start), valid_to=today + dt.timedelta(days=start + length),
                    recipient_user_ids=[users[k].pk for k in to_users], recipient_unit_ids=[world.units[u].pk for u in units])
                oracle.consents.append({"obj": record, "categories": set(cats), "users": set(to_users), "units": set(units),
                                        "joined_before": set(oracle.joined), "from": today + dt.timedelta(days=start),
                                        "to": today + dt.timedelta(days=start + length), "withdrawn": False})
            elif kind == "withdraw" and oracle.consents:
                entry = oracle.consents[step[1] % len(oracle.consents)]
                if not entry["withdrawn"]:
                    consent_withdraw(actor=c, consent_id=entry["obj"].pk)
                    entry["withdrawn"] = True
            elif kind == "grant" and oracle.consents:
                _, who, idx, cats, start, length = step
                entry = oracle.consents[idx % len(oracle.consents)]
                cats = set(cats) & entry["categories"]
                start_day = today + dt.timedelta(days=start)
                end_day = min(start_day + dt.timedelta(days=length), entry["to"])
                try:
                    g = grant_create(actor=users["ke"], person=person, grantee_id=users[who].pk, consent_id=entry["obj"].pk, valid_from=start_day,
                                     valid_to=end_day, categories=sorted(cats), reason="Behov")
                except DomainError:
                    continue  # e.g. the consent is withdrawn, or no category left: refused, and the oracle records nothing
                oracle.grants.append({"obj": g, "who": who, "categories": cats, "from": start_day, "to": end_day, "consent": entry,
                                      "revoked": False})
            elif kind == "revoke" and oracle.grants:
                entry = oracle.grants[step[1] % len(oracle.grants)]
                if not entry["revoked"]:
                    grant_revoke(actor=users["ke"], grant_id=entry["obj"].pk)
                    entry["revoked"] = True

        day = today + dt.timedelta(days=day_offset)
        with time_machine.travel(timezone.now() + dt.timedelta(days=day_offset)):
            for reader in READERS:
                client = _client(users[reader])
                api = client.get(f"/api/v1/plans/{plan.pk}")
                page = client.get(reverse("plan_detail", args=[plan.pk]))
                expected = oracle.expected(reader, day)
                if expected is None:
                    assert (api.status_code, page.status_code) == (404, 404), (reader, ops, day_offset)
                    continue
                assert api.status_code == 200 and page.status_code == 200, (reader, api.status_code, page.status_code)
                assert visible_tokens(api.content.decode()) == expected, (reader, ops, day_offset)
                assert visible_tokens(page.content.decode()) == expected, (reader, ops, day_offset)
        transaction.set_rollback(True)
