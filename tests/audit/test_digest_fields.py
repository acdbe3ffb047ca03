"""The keyed digest covers every stored field, the actor's name too; a rewrite re-hashed without the key fails."""

import datetime as dt
import hashlib
import json

import pytest
from django.core.management import CommandError, call_command

from helhet.audit import keys
from helhet.audit.models import AuditEvent
from helhet.audit.services import DIGEST_FIELDS, event_digest, record

from .tampering import behind_its_back


@pytest.fixture
def chain(world, users, person):
    return [
        record(actor=users["ke"], action="view", obj=person, person=person, reason="ke", summary=f"les {i}",
               params={"n": i}, withheld=["medication"] if i % 2 else None, detail={"i": i})
        for i in range(6)
    ]


def _broken(*needles: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("audit_verify", batch_size=2)
    text = str(info.value)
    for needle in needles:
        assert needle in text, text
    assert info.value.returncode == 1
    return text


def _changed(value):
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(seconds=1)
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if value is None:
        return 1
    if isinstance(value, dict):
        return {**value, "x": "y"}
    if isinstance(value, list):
        return [*value, "x"]
    return str(value) + "x"


@pytest.mark.parametrize("field", [*DIGEST_FIELDS, "organization_id", "person_id", "actor_id"])
def test_every_stored_field_is_in_the_digest(chain, field):
    event = AuditEvent.objects.get(pk=chain[3].pk)
    assert event_digest(event) == event.hash
    setattr(event, field, _changed(getattr(event, field)))
    if field == "key_id":
        with pytest.raises(keys.UnknownKey):
            event_digest(event)
    else:
        assert event_digest(event) != event.hash


def test_the_digest_lists_every_model_field_but_id_and_hash():
    stored = {f.attname for f in AuditEvent._meta.concrete_fields} - {"id", "hash"}
    assert stored == set(DIGEST_FIELDS)


def test_it_notices_the_actor_name_altered(chain):
    victim = chain[2]
    behind_its_back("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["Noen Andre", victim.pk])
    assert AuditEvent.objects.get(pk=victim.pk).actor_name == "Noen Andre"
    _broken(f"id={victim.pk} ", "altered")


def test_it_notices_a_tail_rewritten_and_re_hashed_with_plain_sha256(chain):
    """The attacker rewrites the last three events and chains them again with unkeyed SHA-256: the links hold,
    the HMAC does not."""
    previous = chain[2].hash
    for event in chain[3:]:
        row = AuditEvent.objects.get(pk=event.pk)
        row.summary = "ingenting å se her"
        row.prev_hash = previous
        content = {name: getattr(row, name) for name in DIGEST_FIELDS}
        forged = hashlib.sha256(keys.canonical(content)).hexdigest()
        behind_its_back(
            "UPDATE audit_auditevent SET summary = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row.summary, previous, forged, row.pk],
        )
        previous = forged
    _broken(f"id={chain[3].pk} ", "HMAC")


def test_a_tail_re_hashed_with_another_key_fails_too(chain, settings):
    settings.HELHET_AUDIT_KEY = "the attacker's guess"
    forged = AuditEvent.objects.get(pk=chain[-1].pk)
    forged.summary = "ingenting"
    new_hash = event_digest(forged)
    settings.HELHET_AUDIT_KEY = "dev-only-audit-key-never-use-in-production"
    behind_its_back("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE id = %s", ["ingenting", new_hash, forged.pk])
    _broken(f"id={forged.pk} ", "HMAC")


def test_after_a_rotation_old_events_verify_with_the_old_key(chain, settings, capsys):
    old_id, old_key = settings.HELHET_AUDIT_KEY_ID, settings.HELHET_AUDIT_KEY
    settings.HELHET_AUDIT_KEY_ID, settings.HELHET_AUDIT_KEY = "2", "a-new-key-" + "x" * 40
    settings.HELHET_AUDIT_OLD_KEYS = {old_id: old_key}
    newer = record(actor=chain[0].actor, action="view", obj=chain[0].person, person=chain[0].person, reason="ke")
    assert newer.key_id == "2" and newer.prev_hash == chain[-1].hash
    call_command("audit_verify")
    assert "OK:" in capsys.readouterr().out
    settings.HELHET_AUDIT_OLD_KEYS = {}
    _broken(f"id={chain[0].pk} ", f"key id {old_id!r} is not in the keyring")


def test_the_key_is_never_stored_in_the_database(chain, settings):
    rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert settings.HELHET_AUDIT_KEY not in rows
