"""On SQLite, INSERT OR REPLACE cannot rewrite an audit row: REPLACE would delete it without the DELETE trigger."""

import json

import pytest
from django.db import DatabaseError, connection, transaction

from helhet.audit.models import AuditCheckpoint, AuditEvent
from helhet.audit.services import checkpoint_write, record

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's REPLACE conflict resolution only")


@pytest.fixture
def event(world, users, person):
    return record(actor=users["ke"], action="view", obj=person, person=person, reason="ke", summary="Så personens side")


def _refused(sql, params):
    with pytest.raises(DatabaseError) as info:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, params)
    assert "append-only" in str(info.value)


def _replace_event(event, **changes):
    columns = [f.column for f in AuditEvent._meta.concrete_fields]
    row = dict(AuditEvent.objects.filter(pk=event.pk).values(*[f.attname for f in AuditEvent._meta.concrete_fields]).get())
    row = {f.column: row[f.attname] for f in AuditEvent._meta.concrete_fields}
    row.update(changes)
    for key in ("params", "withheld", "detail"):
        row[key] = json.dumps(row[key])
    sql = f"INSERT OR REPLACE INTO audit_auditevent ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    return sql, [row[c] for c in columns]


def test_insert_or_replace_over_an_event_id_is_refused(event):
    _refused(*_replace_event(event, summary="ingenting å se her"))
    assert AuditEvent.objects.get(pk=event.pk).summary == "Så personens side"


def test_insert_or_replace_over_a_chain_place_is_refused(event):
    _refused(*_replace_event(event, id=event.pk + 1000, summary="ingenting"))
    assert AuditEvent.objects.filter(chain=event.chain, seq=event.seq).get().pk == event.pk


def test_replace_into_is_refused_too(event):
    sql, params = _replace_event(event, summary="x")
    _refused(sql.replace("INSERT OR REPLACE", "REPLACE"), params)


def test_insert_or_replace_over_a_checkpoint_is_refused(event):
    checkpoint_write()
    mark = AuditCheckpoint.objects.get(chain=event.chain)
    _refused(
        "INSERT OR REPLACE INTO audit_auditcheckpoint (id, chain, seq, head_hash, at, key_id, mac) VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [mark.pk, mark.chain, 0, "0" * 64, mark.at.isoformat(), mark.key_id, mark.mac],
    )
    assert AuditCheckpoint.objects.get(pk=mark.pk).seq == mark.seq


def test_ordinary_inserts_still_work(event, users, person):
    second = record(actor=users["ke"], action="view", obj=person, person=person, reason="ke")
    assert (second.seq, second.prev_hash) == (event.seq + 1, event.hash)
