"""record()'s fast path (issue 14): the same chained, keyed event in fewer round trips and less Python.

Inside a transaction an event is two statements on both databases: the chain's head (on PostgreSQL sent in one round
trip with the chain's advisory lock, as two statements) and one compiled INSERT; no savepoint. What that must not
change: every stored field and the digest (audit_verify), the house-language summary, and that a failed event takes
the caller's transaction with it.
"""

import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext_noop

from helhet.audit import keys, services
from helhet.audit.models import TRANSLATED_PARAMS, AuditEvent, render
from helhet.audit.services import event_digest, label, record

MESSAGE = gettext_noop("Planstatus: %(status)s")


def _event(users, person, **extra):
    return record(
        actor=users["ke"],
        action="view",
        obj=person,
        person=person,
        reason="ke",
        summary=MESSAGE,
        params={"status": "x"},
        detail={"n": 1},
        withheld=["health_function"],
        **extra,
    )


def test_the_returned_event_is_the_stored_row_field_for_field_and_its_digest_verifies(
    users, person
):
    first = _event(users, person)
    second = _event(users, person)
    stored = AuditEvent.objects.get(pk=second.pk)
    # record() gives every column the compiled INSERT writes (a field added to the model must be added there too).
    assert set(services._COLUMNS) == {f.attname for f in AuditEvent._meta.concrete_fields} - {"id"}
    for field in AuditEvent._meta.concrete_fields:
        assert getattr(second, field.attname) == getattr(stored, field.attname), field.attname
    assert not second._state.adding and second._state.db == connection.alias
    assert (second.seq, second.prev_hash) == (first.seq + 1, first.hash)
    assert stored.hash == event_digest(stored)
    assert stored.key_id == keys.current_key_id()
    assert (
        stored.detail == {"n": 1}
        and stored.withheld == ["health_function"]
        and stored.params == {"status": "x"}
    )
    call_command("audit_verify")


def test_the_related_objects_are_the_callers_without_a_query(
    users, person, world, django_assert_num_queries
):
    event = record(
        actor=users["ke"],
        action="view",
        obj=person,
        person=person,
        role="ke_officer",
        organization=world.orgs["fjordvik"],
    )
    with django_assert_num_queries(0):
        assert (
            event.actor is users["ke"]
            and event.person is person
            and event.organization is world.orgs["fjordvik"]
        )
    anonymous = record(actor=None, action="login_failed", object_type="user")
    with django_assert_num_queries(0):
        assert (
            anonymous.actor is None and anonymous.person is None and anonymous.organization is None
        )


def test_an_event_is_two_statements_and_no_savepoint(
    users, person, world, django_assert_num_queries
):
    # Two: the chain's head (PostgreSQL: with the advisory lock, two statements in one round trip) and the INSERT.
    # Before issue 14: savepoint, head, insert, release, and on PostgreSQL the lock (4, PostgreSQL 5).
    with CaptureQueriesContext(connection) as ctx:
        record(
            actor=users["ke"],
            action="view",
            obj=person,
            person=person,
            role="ke_officer",
            organization=world.orgs["fjordvik"],
        )
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert len(sqls) == 2, sqls
    assert not any("SAVEPOINT" in sql.upper() for sql in sqls)
    head, insert = sqls
    assert "ORDER BY" in head and insert.lstrip().upper().startswith("INSERT")
    if connection.vendor == "postgresql":
        # The lock and then the head: two statements (each its own snapshot under READ COMMITTED), one round trip.
        assert head.index("pg_advisory_xact_lock") < head.index("ORDER BY") and head.count(";") == 1
    else:
        assert "pg_advisory_xact_lock" not in head


def test_the_actors_membership_is_read_once_per_user_object(
    users, person, django_assert_num_queries
):
    from helhet.organizations.models import User

    actor = User.objects.get(pk=users["ke"].pk)  # no access decision cached on it
    with django_assert_num_queries(3):  # the first active membership, the head, the insert
        first = record(actor=actor, action="view", obj=person, person=person)
    with django_assert_num_queries(2):
        second = record(actor=actor, action="view", obj=person, person=person)
    assert first.actor_role and (second.actor_role, second.organization_id) == (
        first.actor_role,
        first.organization_id,
    )
    membership = users["ke"].memberships.filter(active=True).order_by("id").first()
    assert (first.actor_role, first.organization_id) == (
        membership.role,
        membership.unit.organization_id,
    )


@pytest.mark.parametrize(
    "code, params",
    [
        (MESSAGE, {"status": "Avsluttet", TRANSLATED_PARAMS: "status"}),
        (MESSAGE, {"status": "closed"}),
        (gettext_noop("Så individuell plan"), {}),
        ("100 % sikkert", {}),
        ("%(missing)s og %(name)s", {"name": "Kari"}),
        ("stray %", {"name": "Kari"}),
        ("", {}),
    ],
)
def test_the_house_language_summary_is_what_render_gives(code, params):
    with translation.override(settings.LANGUAGE_CODE):
        expected = render(code, params, fallback=code)
    for writer in ("en", "nb"):  # the writer's language does not matter
        with translation.override(writer):
            assert services._house_rendering(code, params) == expected


def test_a_label_parameter_is_stored_and_rendered_as_before(users, person):
    from helhet.plans.models import IndividualPlan

    plan = IndividualPlan(status=IndividualPlan.Status.CLOSED)
    with translation.override("en"):
        event = record(
            actor=users["ke"],
            action="update",
            obj=person,
            person=person,
            summary=MESSAGE,
            params={"status": label(plan, "status")},
        )
    with translation.override(settings.LANGUAGE_CODE):
        assert event.summary == translation.gettext(MESSAGE) % {
            "status": str(IndividualPlan.Status.CLOSED.label)
        }


def test_a_failed_event_takes_the_callers_transaction_with_it(users, person, monkeypatch):
    """No savepoint: a caller that catches the failure cannot go on and commit the read without its event."""
    before = AuditEvent.objects.count()
    with pytest.raises(TransactionManagementError):
        with transaction.atomic():
            _event(users, person)  # a first event, in the same transaction
            monkeypatch.setattr(
                keys, "current_key_id", lambda: "no-such-key"
            )  # the next one cannot be signed
            with pytest.raises(keys.UnknownKey):
                _event(users, person)
            AuditEvent.objects.count()  # the transaction is marked for rollback: no further query
    monkeypatch.undo()
    assert (
        AuditEvent.objects.count() == before
    )  # the first event went too: nothing of that transaction is kept


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_event_is_committed_by_record(users, person):
    assert not connection.in_atomic_block
    event = record(
        actor=users["ke"], action="denied", obj=person, person=person, summary="plan.view"
    )
    assert not connection.in_atomic_block and connection.get_autocommit()
    from django.db import connections

    # Seen from a second connection: committed, whatever the caller does next.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT seq, hash FROM audit_auditevent WHERE id = %s", [event.pk])
            assert cur.fetchone() == (event.seq, event.hash)
    finally:
        other.close()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_two_chains_leave_gap_free_chains(world, users, make_person):
    """Four writers on two tenants' chains at once: each chain 1..N without a gap or a fork, and it verifies."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from django.db import connections

    people = [make_person(home="fjordvik"), make_person(home="havbygd", involve=())]
    per_writer, errors = 15, []
    start = threading.Barrier(4)

    def write(person):
        try:
            start.wait(10)
            for _ in range(per_writer):
                record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(people[k % 2],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    for person in people:
        rows = list(
            AuditEvent.objects.filter(chain=person.home_municipality_id)
            .order_by("seq")
            .values_list("seq", "prev_hash", "hash")
        )
        assert [r[0] for r in rows] == list(range(1, 2 * per_writer + 1))
        assert all(after[1] == before[2] for before, after in zip(rows, rows[1:], strict=False))
    call_command("audit_verify")
