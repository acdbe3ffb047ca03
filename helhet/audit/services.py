"""Writing audit events. Every service and selector that touches a person's data calls record()."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from . import keys
from .keys import GENESIS
from .models import TRANSLATED_PARAMS, AuditCheckpoint, AuditEvent, render

__all__ = ["GENESIS", "chain_for", "checkpoint_write", "event_digest", "legacy_digest", "record"]

# The first key of PostgreSQL's two-int advisory lock pg_advisory_xact_lock(_CHAIN_LOCK, chain): one lock per
# tenant's chain, so writers in different tenants never wait on each other.
_CHAIN_LOCK = 727_001

# Every stored field the digest covers, by name (a dict, so no field can be read as another).
# audit_verify recomputes it with the same function; tests/audit/test_digest_fields.py changes each one.
DIGEST_FIELDS = (
    "at", "actor_id", "actor_name", "actor_role", "organization_id", "action", "object_type", "object_id",
    "person_id", "reason", "summary", "code", "params", "withheld", "detail", "prev_hash", "chain", "seq",
    "key_id",
)


def event_digest(event: AuditEvent) -> str:
    """HMAC-SHA256 (key `event.key_id`, helhet.audit.keys) over every stored field but `hash` and `id`.

    The one digest record() writes and audit_verify checks. `prev_hash` links the event to the previous
    one of the same chain, `chain` and `seq` fix its place, `key_id` which key signed it. Values are hashed
    as stored: record() stringifies params' values and withheld's items, so a JSON round trip is exact.
    A legacy event (seq NULL, before migration 0005) is checked with legacy_digest instead.
    Raises keys.UnknownKey when the key id is not in the keyring.
    """
    if event.seq is None:
        return legacy_digest(event)
    content = {name: getattr(event, name) for name in DIGEST_FIELDS}
    content["at"] = event.at.isoformat()
    content["object_id"] = str(event.object_id)
    content["kind"] = "helhet.audit.event"
    return keys.mac(event.key_id, content)


def legacy_digest(event: AuditEvent) -> str:
    """The unkeyed SHA-256 of events written before migration 0005, exactly as it was (it left out actor_name).

    Only audit_verify uses it, for the legacy chain; record() never writes a legacy event.
    """
    content = [
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
    ]
    if event.code or event.params:
        content += [event.code, event.params]
    if event.withheld:
        content.append({"withheld": event.withheld})
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def chain_for(*, person=None, organization=None) -> int:
    """The tenant's chain: the person's home municipality when the event names a person, else the actor's
    organisation, else 0 (logins of users without a membership, system events)."""
    home = getattr(person, "home_municipality_id", None) if person is not None else None
    if home:
        return int(home)
    if organization is not None and getattr(organization, "pk", None):
        return int(organization.pk)
    return 0


def _role_and_organization(actor, role, organization):
    """Every event names the actor's role and organisation as shown. The access module caches the actor's memberships
    on the user (`_helhet_ctx`) when it decided; otherwise the first active membership is read here (one query).
    A leaf: this reads the membership, it decides nothing."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "pk", None):
        return role, organization
    ctx = getattr(actor, "_helhet_ctx", None)
    if ctx is not None:
        return role or ctx.primary_role, organization or ctx.primary_organization
    first = actor.memberships.filter(active=True).select_related("unit__organization").order_by("id").first()
    if first is None:
        return role, organization
    return role or first.role, organization or first.unit.organization


def label(obj, field: str):
    """A choice field's label as a lazy text, for `params`: the event stores its message id and shows it in the
    reader's language (get_<field>_display() would freeze the writer's language into the log)."""
    value = getattr(obj, field)
    return dict(obj._meta.get_field(field).flatchoices).get(value, value)


def _stored_params(params: dict | None) -> dict:
    """Parameters as stored: text as written; a lazy translation (a label) by its message id, its key listed under
    TRANSLATED_PARAMS so that AuditEvent.text translates it when read."""
    out, translated = {}, []
    for key, value in (params or {}).items():
        if isinstance(value, Promise) and getattr(value, "_args", None):
            out[str(key)] = str(value._args[0])
            translated.append(str(key))
        else:
            out[str(key)] = str(value)
    if translated:
        out[TRANSLATED_PARAMS] = ",".join(translated)
    return out


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    person=None,
    reason: str = "",
    summary: str = "",
    params: dict | None = None,
    detail: dict | None = None,
    role: str = "",
    organization=None,
    withheld: list[str] | None = None,
) -> AuditEvent:
    """Append one event to its tenant's chain (chain_for), inside the caller's transaction.

    `summary` is the message id (a bokmål text marked with gettext_noop) and `params` its %-parameters: the
    event stores both (`code`, `params`) and is rendered in the reader's language when read
    (AuditEvent.text); `summary` keeps the bokmål rendering for the chain and for plain SQL readers.

    `withheld` names the information categories (helhet.consent.categories codes) a read left out because
    consent did not cover them; the log then says the read was partial and what was not shown. The caller
    passes the codes; this module does not check them against the category list (it is a leaf).
    """
    code = str(summary or "")
    params = _stored_params(params)
    if isinstance(withheld, str):
        withheld = [withheld]
    withheld = list(dict.fromkeys(str(c) for c in (withheld or []) if c))
    with translation.override(settings.LANGUAGE_CODE):
        summary = render(code, params, fallback=code)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
    if not (role and organization):
        role, organization = _role_and_organization(actor, role, organization)
    chain = chain_for(person=person, organization=organization)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The two-int form: one lock per chain (the int4 range is enough to spread tenants; a collision
            # only means two tenants share a lock). SQLite serialises writers itself (IMMEDIATE transactions).
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK, chain % 2_147_483_647])
        # The head of the chain: on PostgreSQL one backward index scan of (chain, seq) per month partition,
        # merged (tests/audit/test_partitions_postgres.py shows the plan).
        last = (
            AuditEvent.objects.filter(chain=chain, seq__isnull=False)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        authenticated = actor is not None and getattr(actor, "is_authenticated", False)
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if authenticated else None,
            actor_name=(actor.get_full_name() or actor.username) if authenticated else "",
            actor_role=role,
            organization=organization,
            action=action,
            object_type=object_type or "",
            object_id="" if object_id is None else str(object_id),
            person=person,
            reason=reason,
            summary=summary[:300],
            code=code[:300],
            params=params,
            withheld=withheld,
            detail=detail or {},
            prev_hash=last[1] if last else GENESIS,
            chain=chain,
            seq=last[0] + 1 if last else 1,
            key_id=keys.current_key_id(),
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
    return event


@transaction.atomic
def checkpoint_write(*, now=None, path: str | None = None) -> list[AuditCheckpoint]:
    """Sign the head of every chain that grew since its latest checkpoint; return the new checkpoints.

    1. The candidate chains are 0 and every organisation's id (chain_for only ever yields these), so each
       head is one index lookup on (chain, seq), not a scan of the log.
    2. A chain whose head is already checkpointed is skipped; a concurrent worker's identical checkpoint
       is ignored by the unique (chain, seq) constraint.
    3. Each new checkpoint is also appended as one JSON line to `path` (settings.HELHET_AUDIT_CHECKPOINT_FILE
       by default, "" for none): a copy outside the database that audit_verify reads too.
    """
    from helhet.organizations.models import (
        Organization,  # the tenants; a read only (audit stays a leaf)
    )

    now = now or timezone.now()
    path = settings.HELHET_AUDIT_CHECKPOINT_FILE if path is None else path
    key_id = keys.current_key_id()
    written = []
    for chain in [0, *Organization.objects.order_by("id").values_list("id", flat=True)]:
        head = (
            AuditEvent.objects.filter(chain=chain, seq__isnull=False).order_by("-seq").values_list("seq", "hash").first()
        )
        if head is None:
            continue
        latest = AuditCheckpoint.objects.filter(chain=chain).order_by("-seq").values_list("seq", flat=True).first()
        if latest is not None and latest >= head[0]:
            continue
        written.append(
            AuditCheckpoint(
                chain=chain, seq=head[0], head_hash=head[1], at=now, key_id=key_id,
                mac=keys.checkpoint_mac(chain=chain, seq=head[0], head_hash=head[1], at=now, key_id=key_id),
            )
        )
    if written:
        # PostgreSQL: a concurrent worker's identical checkpoint is skipped (ON CONFLICT DO NOTHING). SQLite
        # serialises the two (the caller's IMMEDIATE transaction), and its no-replace trigger (0005) would
        # abort an INSERT OR IGNORE anyway.
        AuditCheckpoint.objects.bulk_create(written, ignore_conflicts=connection.vendor == "postgresql")
        if path:
            transaction.on_commit(lambda: _append_to_file(Path(path), written))
    return written


def _append_to_file(path: Path, checkpoints: list[AuditCheckpoint]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(
        json.dumps(
            {"chain": c.chain, "seq": c.seq, "head_hash": c.head_hash, "at": c.at.isoformat(), "key_id": c.key_id, "mac": c.mac},
            separators=(",", ":"),
        )
        + "\n"
        for c in checkpoints
    )
    with open(path, "a", encoding="utf-8") as f:  # append only: earlier lines are never rewritten
        f.write(lines)
        f.flush()
