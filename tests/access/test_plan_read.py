"""The plan read's loader (helhet.access.queries.plan_read, issue 14): the same decision as the loader, the check and
plan_access one by one, with its facts fetched together (one round trip on PostgreSQL). Tested against that
composition for every persona, after a change of role between two reads (the relationship statement is compiled for
the memberships last seen), for ids that find nothing, and for its query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from helhet.access import facts
from helhet.access.policy import Action
from helhet.access.queries import check_with_relationships, load, plan_access, plan_read
from helhet.audit.models import AuditEvent
from helhet.core.errors import NotFound
from helhet.organizations.models import Membership, User
from helhet.plans.models import IndividualPlan

PERSONAS = (
    "ke",
    "coordinator",
    "coordinator2",
    "clinician",
    "unit_leader",
    "hospital_coordinator",
    "trust_ke",
    "nav",
    "gp",
    "teacher",
    "outsider",
    "admin",
)


def _fresh(user):
    """The user as a new request sees them: no facts cached on the object."""
    return User.objects.get(pk=user.pk)


def _one_by_one(actor, plan_id):
    """The decision as it was made before plan_read: load, check PLAN_VIEW on the plan's person, plan_access."""
    plan, _why = load(
        actor,
        IndividualPlan,
        plan_id,
        None,
        person_of=None,
        queryset=IndividualPlan.objects.select_related(
            "person__home_municipality", "main_unit__organization", "consent"
        ),
    )
    why, rels = check_with_relationships(actor, Action.PLAN_VIEW, plan.person)
    return plan, why, plan_access(actor, plan, rels=rels)


def _outcome(read, actor, plan_id):
    denied = AuditEvent.objects.filter(action="denied").count()
    try:
        plan, why, access = read(actor, plan_id)
    except NotFound:
        return (
            "refused",
            AuditEvent.objects.filter(action="denied").count() - denied,
            AuditEvent.objects.filter(action="denied")
            .order_by("-id")
            .values_list("person_id", "object_type", "summary")
            .first(),
        )
    return (
        "read",
        plan.pk,
        plan.person.pk,
        plan.main_unit.organization_id,
        plan.consent_id,
        why,
        access.relationships,
        access.scopes,
        access.whole_plan,
    )


@pytest.fixture
def sharing(shared_plan, share, users, world):
    """A sharing consent naming NAV (economy/work) and one for the school unit (school)."""
    person = shared_plan.person
    share(person, ["economy_work"], to_users=["nav"])
    share(person, ["school"], units=[world.units["fjordvik_school"]])
    return shared_plan


def test_plan_read_decides_as_the_loader_the_check_and_plan_access_one_by_one(sharing, users):
    outcomes = {}
    for key in PERSONAS:
        new = _outcome(plan_read, _fresh(users[key]), sharing.pk)
        old = _outcome(_one_by_one, _fresh(users[key]), sharing.pk)
        assert new == old, key
        again = _outcome(
            plan_read, _fresh(users[key]), sharing.pk
        )  # the relationship statement as last seen
        assert again == old, key
        outcomes[key] = new
    # The table is not empty on either side: whole-plan readers, category-limited readers and refusals.
    assert outcomes["coordinator"][0] == "read" and outcomes["coordinator"][-1] is True
    assert outcomes["nav"][0] == "read" and outcomes["nav"][-1] is False and outcomes["nav"][7]
    assert outcomes["outsider"][0] == "refused" and outcomes["outsider"][1] == 1
    assert outcomes["outsider"][2] == (sharing.person_id, "person", str(Action.PLAN_VIEW))


def test_the_sharing_consent_facts_it_fetched_are_the_persons(sharing, users):
    for key in ("coordinator", "ke", "nav", "teacher"):
        _plan, _why, access = plan_read(_fresh(users[key]), sharing.pk)
        expected = facts.sharing_consent_facts(sharing.person_id, timezone.localdate())
        if connection.vendor == "postgresql":
            assert access.sharing_consents == tuple(expected) and len(expected) == 2
        else:  # one query each: fetched only when a decision needs them (scopes, the renewal list)
            assert access.sharing_consents is None


def test_a_role_taken_between_two_reads_is_decided_by_the_memberships_of_the_second(
    sharing, users, world
):
    ke = users["ke"]
    assert plan_read(_fresh(ke), sharing.pk)[
        1
    ]  # read as KE; its tenants and units are now the ones last seen
    Membership.objects.filter(user=ke, role="ke_officer").update(active=False)
    before = AuditEvent.objects.filter(action="denied", person_id=sharing.person_id).count()
    with pytest.raises(NotFound):
        plan_read(_fresh(ke), sharing.pk)
    assert (
        AuditEvent.objects.filter(action="denied", person_id=sharing.person_id).count()
        == before + 1
    )
    Membership.objects.filter(user=ke, role="ke_officer").update(active=True)
    assert plan_read(_fresh(ke), sharing.pk)[1] == "ke"


def test_a_role_given_between_two_reads_is_decided_by_the_memberships_of_the_second(
    sharing, users, world
):
    outsider = users["outsider"]
    with pytest.raises(NotFound):
        plan_read(_fresh(outsider), sharing.pk)
    Membership.objects.create(user=outsider, unit=world.units["fjordvik_ke"], role="ke_officer")
    plan, why, access = plan_read(_fresh(outsider), sharing.pk)
    assert (
        why == "ke"
        and access.whole_plan
        and "plan_ke" in access.relationships
        and plan.pk == sharing.pk
    )


@pytest.mark.parametrize("plan_id", [0, -1, "abc", None, 2**63, 10**30, "12x"])
def test_an_id_that_finds_nothing_is_a_plain_404_without_a_refusal(sharing, users, plan_id):
    before = AuditEvent.objects.filter(action="denied").count()
    with pytest.raises(NotFound):
        plan_read(_fresh(users["ke"]), plan_id)
    assert AuditEvent.objects.filter(action="denied").count() == before


def test_an_unknown_plan_is_a_plain_404_without_a_refusal(sharing, users):
    before = AuditEvent.objects.filter(action="denied").count()
    missing = IndividualPlan.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(NotFound):
        plan_read(_fresh(users["ke"]), missing)
    assert AuditEvent.objects.filter(action="denied").count() == before


def test_the_plan_row_and_the_memberships_are_whole_instances_with_their_related_rows(
    sharing, users, django_assert_num_queries
):
    coordinator = _fresh(users["coordinator"])
    plan, _why, _access = plan_read(coordinator, sharing.pk)
    reference = IndividualPlan.objects.select_related(
        "person__home_municipality", "main_unit__organization", "consent"
    ).get(pk=sharing.pk)
    expected = [
        (m.pk, m.unit.name, m.unit.organization.name, True)
        for m in Membership.objects.filter(user=users["coordinator"], active=True)
        .select_related("unit__organization")
        .order_by("id")
    ]
    with django_assert_num_queries(0):
        assert plan.person.home_municipality.name == reference.person.home_municipality.name
        assert plan.main_unit.organization.pk == reference.main_unit.organization.pk
        assert (
            plan.consent.valid_on(timezone.localdate()) and plan.consent.pk == reference.consent.pk
        )
        assert (
            plan.created_at == reference.created_at and plan.period_start == reference.period_start
        )
        memberships = facts.actor_context(coordinator).memberships
        assert [
            (m.pk, m.unit.name, m.unit.organization.name, m.user is coordinator)
            for m in memberships
        ] == expected
    assert expected


def test_the_decision_is_one_round_trip_on_postgresql(sharing, users, django_assert_num_queries):
    plan_read(
        _fresh(users["coordinator"]), sharing.pk
    )  # compiles; the memberships are now last seen
    # PostgreSQL: plan row + memberships + relationships + sharing-consent facts together; SQLite: one query each,
    # the sharing-consent facts not among them (the coordinator sees the whole plan: no scopes).
    actor = _fresh(users["coordinator"])
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        plan_read(actor, sharing.pk)
    # Facts already known for the request (e.g. a token's scopes bound to them): the memberships are not read again.
    actor = _fresh(users["coordinator"])
    facts.actor_context(actor)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        plan_read(actor, sharing.pk)


def test_a_changed_membership_costs_one_more_round_trip_not_a_wrong_answer(
    sharing, users, world, django_assert_num_queries
):
    ke = users["ke"]
    plan_read(_fresh(ke), sharing.pk)
    Membership.objects.create(
        user=ke, unit=world.units["trust_ward"], role="unit_leader", active=True
    )
    actor = _fresh(ke)
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        _plan, why, _access = plan_read(actor, sharing.pk)
    assert why == "ke"


def test_an_expired_plan_consent_still_refuses_those_outside_plan_without_consent(sharing, users):
    consent = sharing.consent
    consent.withdrawn_on = timezone.localdate() - dt.timedelta(days=1)
    consent.save(update_fields=["withdrawn_on"])
    for key in ("coordinator", "ke", "nav", "teacher", "outsider"):
        assert _outcome(plan_read, _fresh(users[key]), sharing.pk) == _outcome(
            _one_by_one, _fresh(users[key]), sharing.pk
        ), key
    assert _outcome(plan_read, _fresh(users["nav"]), sharing.pk)[0] == "refused"
    assert _outcome(plan_read, _fresh(users["coordinator"]), sharing.pk)[0] == "read"
