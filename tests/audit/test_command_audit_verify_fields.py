"""audit_verify covers the fields added in 0004 exactly as written: message id, parameters, withheld categories.

Events from before 0005 (seq NULL) are checked with the legacy digest, which hashes as it always did.
"""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils.translation import gettext_noop

from helhet.audit.db import allow_test_flush
from helhet.audit.models import AuditEvent
from helhet.audit.services import event_digest, record
from helhet.audit.testing import owner_execute  # the owner's SQL: tests run as the app role on PG


@pytest.fixture
def chain(world, users, person):
    events = []
    for i in range(3):
        events.append(
            record(
                actor=users["ke"],
                action="view",
                obj=person,
                person=person,
                reason="ke",
                summary=f"les {i}",
            )
        )
        events.append(
            record(
                actor=users["nav"],
                action="view",
                obj=person,
                person=person,
                reason="plan_participant",
                summary=gettext_noop("Så versjon %(n)s av planen"),
                params={"n": i},
                withheld=["health_function", "medication"],
            )
        )
        events.append(
            record(
                actor=users["ke"],
                action="create",
                obj=person,
                person=person,
                reason="ke",
                summary=gettext_noop("Registrerte henvendelse (%(channel)s)"),
                params={"channel": "brev"},
            )
        )
    return events


def _behind_its_back(sql: str, params: list) -> None:
    """Change the table as an attacker with SQL access would: past the append-only trigger
    (as in test_command_audit_verify.py)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            owner_execute(cur, "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
            owner_execute(cur, sql, params)
            owner_execute(cur, "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
        else:
            cur.execute(
                "DROP TRIGGER audit_auditevent_no_update"
            )  # rolled back with the test's transaction
            with allow_test_flush(connection):
                cur.execute(sql, params)


def _set_json(column: str, value, pk: int) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    _behind_its_back(
        f"UPDATE audit_auditevent SET {column} = {cast} WHERE id = %s", [json.dumps(value), pk]
    )


def _broken_at(pk: int) -> None:
    with pytest.raises(CommandError) as info:
        call_command("audit_verify", batch_size=2)
    assert f"id={pk} " in str(info.value)
    assert "altered" in str(info.value)


def test_it_verifies_a_chain_with_params_and_withheld_events(chain, capsys):
    call_command("audit_verify", batch_size=4)
    assert f"OK: {AuditEvent.objects.count()} audit events" in capsys.readouterr().out


def test_the_stored_row_hashes_as_written(chain):
    for event in AuditEvent.objects.filter(pk__in=[e.pk for e in chain]):
        assert event_digest(event) == event.hash


def test_it_notices_a_withheld_category_removed(chain):
    victim = chain[4]
    _set_json("withheld", ["medication"], victim.pk)
    assert AuditEvent.objects.get(pk=victim.pk).withheld == ["medication"]
    _broken_at(victim.pk)


def test_it_notices_withheld_emptied(chain):
    victim = chain[1]
    _set_json("withheld", [], victim.pk)
    _broken_at(victim.pk)


def test_it_notices_withheld_added_to_a_whole_read(chain):
    victim = chain[0]
    _set_json("withheld", ["school"], victim.pk)
    _broken_at(victim.pk)


def test_it_notices_a_parameter_altered(chain):
    victim = chain[5]
    _set_json("params", {"channel": "telefon"}, victim.pk)
    assert AuditEvent.objects.get(pk=victim.pk).params == {"channel": "telefon"}
    _broken_at(victim.pk)


def test_it_notices_the_message_id_altered(chain):
    victim = chain[2]
    _behind_its_back(
        "UPDATE audit_auditevent SET code = %s WHERE id = %s", ["Så ingenting", victim.pk]
    )
    _broken_at(victim.pk)


def test_a_legacy_event_without_the_new_fields_hashes_as_before(users, person):
    """An event written before 0005 (seq NULL) is checked with the legacy digest: the original twelve fields."""
    event = record(
        actor=users["ke"], action="view", obj=person, person=person, reason="ke", summary=""
    )
    assert (event.code, event.params, event.withheld) == ("", {}, [])
    event.seq = None  # as a pre-0005 row is stored
    before_0004 = json.dumps(
        [
            event.prev_hash,
            event.at.isoformat(),
            event.actor_id,
            event.actor_role,
            event.organization_id,
            event.action,
            event.object_type,
            str(event.object_id),
            event.person_id,
            event.reason,
            event.summary,
            event.detail,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    assert event_digest(event) == hashlib.sha256(before_0004.encode()).hexdigest()
    call_command("audit_verify")


def test_withheld_enters_the_digest_empty_or_not(users, person):
    """The keyed digest covers `withheld` whatever it holds: emptying it is as visible as adding to it."""
    whole = record(
        actor=users["ke"], action="view", obj=person, person=person, reason="ke", summary="les"
    )
    partial = AuditEvent.objects.get(pk=whole.pk)
    assert event_digest(partial) == whole.hash
    partial.withheld = ["medication"]
    assert event_digest(partial) != whole.hash
