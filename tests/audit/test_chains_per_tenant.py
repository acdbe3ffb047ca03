"""One chain per tenant: interleaved events of two municipalities form two independent chains that each verify."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from helhet.audit.models import AuditEvent
from helhet.audit.services import GENESIS, chain_for, record

from .tampering import behind_its_back


@pytest.fixture
def two_tenants(world, users, make_person):
    fjordvik = make_person(home="fjordvik")
    havbygd = make_person(home="havbygd", involve=())
    events = []
    for i in range(4):
        events.append(record(actor=users["ke"], action="view", obj=fjordvik, person=fjordvik, reason="ke", summary=f"F{i}"))
        events.append(record(actor=users["outsider"], action="view", obj=havbygd, person=havbygd, reason="ke", summary=f"H{i}"))
    return world, events


def test_each_tenant_has_its_own_chain_with_its_own_seq(two_tenants):
    world, events = two_tenants
    f, h = events[0::2], events[1::2]
    assert {e.chain for e in f} == {world.orgs["fjordvik"].pk}
    assert {e.chain for e in h} == {world.orgs["havbygd"].pk}
    for events_of_chain in (f, h):
        first = AuditEvent.objects.filter(chain=events_of_chain[0].chain, seq__isnull=False).order_by("seq").first()
        assert first.prev_hash == GENESIS and first.seq == 1
        for before, after in zip(events_of_chain, events_of_chain[1:], strict=False):
            assert (after.seq, after.prev_hash) == (before.seq + 1, before.hash)  # the previous of the SAME chain
    call_command("audit_verify")


def test_tampering_in_one_chain_names_only_that_chain(two_tenants):
    world, events = two_tenants
    victim = events[3]  # havbygd's second
    behind_its_back("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["x", victim.pk])
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    text = str(info.value)
    assert f"chain {world.orgs['havbygd'].pk}, event id={victim.pk} " in text
    assert f"chain {world.orgs['fjordvik'].pk}" not in text


def test_the_chain_is_the_home_municipality_else_the_organisation_else_0(world, users, person):
    assert chain_for(person=person, organization=world.orgs["trust"]) == person.home_municipality_id
    assert chain_for(organization=world.orgs["trust"]) == world.orgs["trust"].pk
    assert chain_for() == 0
    login = record(actor=users["clinician"], action="login", object_type="user", object_id=users["clinician"].pk)
    assert login.chain == login.organization_id
    anonymous = record(actor=None, action="login_failed", object_type="user", object_id="")
    assert anonymous.chain == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_writers_in_different_tenants_do_not_wait_on_each_other(world, users, make_person):
    """A transaction holding tenant A's chain lock does not block tenant B's writer; a second A writer waits."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from django.db import connections, transaction

    fjordvik = make_person(home="fjordvik")
    havbygd = make_person(home="havbygd", involve=())
    holding, release = threading.Event(), threading.Event()
    results = {}

    def hold_a():
        try:
            with transaction.atomic():
                record(actor=users["ke"], action="view", obj=fjordvik, person=fjordvik, reason="ke")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def write(key, person, actor):
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET LOCAL lock_timeout = '1s'")
                record(actor=actor, action="view", obj=person, person=person, reason="ke")
            results[key] = "ok"
        except Exception as exc:  # noqa: BLE001 - the lock timeout is what this test looks for
            results[key] = type(exc).__name__
        finally:
            connections.close_all()

    a = threading.Thread(target=hold_a)
    a.start()
    assert holding.wait(10)
    for key, person, actor in (("b", havbygd, users["outsider"]), ("a2", fjordvik, users["ke"])):
        t = threading.Thread(target=write, args=(key, person, actor))
        t.start()
        t.join(15)
    release.set()
    a.join(15)
    assert results["b"] == "ok"
    assert results["a2"] != "ok"  # the same tenant's chain is serialised
    call_command("audit_verify")
