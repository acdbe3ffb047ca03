"""Writing audit events. Every service and selector that touches a person's data calls record()."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from . import keys
from .keys import GENESIS
from .models import TRANSLATED_PARAMS, AuditCheckpoint, AuditEvent

__all__ = ["GENESIS", "chain_for", "checkpoint_write", "event_digest", "legacy_digest", "record"]

# The first key of PostgreSQL's two-int advisory lock pg_advisory_xact_lock(_CHAIN_LOCK, chain): one lock per
# tenant's chain, so writers in different tenants never wait on each other.
_CHAIN_LOCK = 727_001

# Every stored field the digest covers, by name (a dict, so no field can be read as another).
# audit_verify recomputes it with the same function; tests/audit/test_digest_fields.py changes each one.
DIGEST_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "actor_role",
    "organization_id",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "reason",
    "summary",
    "code",
    "params",
    "withheld",
    "detail",
    "prev_hash",
    "chain",
    "seq",
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
    return _digest({name: getattr(event, name) for name in DIGEST_FIELDS})


def _digest(content: dict) -> str:
    """event_digest over the DIGEST_FIELDS values as a dict (record() hashes its values before the row exists)."""
    content["at"] = content["at"].isoformat()
    content["object_id"] = str(content["object_id"])
    content["kind"] = "helhet.audit.event"
    return keys.mac(content["key_id"], content)


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
    on the user (`_helhet_ctx`) when it decided; otherwise the first active membership is read here, once per user
    object (one query; kept on the user as `_helhet_audit_membership`, the same lifetime as the access module's
    cache: one request). A leaf: this reads the membership, it decides nothing."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "pk", None)
    ):
        return role, organization
    ctx = getattr(actor, "_helhet_ctx", None)
    if ctx is not None:
        return role or ctx.primary_role, organization or ctx.primary_organization
    first = getattr(actor, _MEMBERSHIP, None)
    if first is None:
        found = (
            actor.memberships.filter(active=True)
            .select_related("unit__organization")
            .order_by("id")
            .first()
        )
        first = (found.role, found.unit.organization) if found is not None else ("", None)
        try:
            setattr(actor, _MEMBERSHIP, first)
        except AttributeError:  # an actor object that takes no attributes: read again next time
            pass
    return role or first[0], organization or first[1]


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
    summary = _house_rendering(code, params)
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
    if not (role and organization):
        role, organization = _role_and_organization(actor, role, organization)
    chain = chain_for(person=person, organization=organization)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    values = {
        "at": timezone.now(),
        "actor_id": actor.pk if authenticated else None,
        "actor_name": (actor.get_full_name() or actor.username) if authenticated else "",
        "actor_role": role,
        "organization_id": organization.pk if organization is not None else None,
        "action": action,
        "object_type": object_type or "",
        "object_id": "" if object_id is None else str(object_id),
        "person_id": person.pk if person is not None else None,
        "reason": reason,
        "summary": summary[:300],
        "code": code[:300],
        "params": params,
        "withheld": withheld,
        "detail": detail or {},
        "prev_hash": GENESIS,
        "hash": "",
        "chain": chain,
        "seq": 1,
        "key_id": keys.current_key_id(),
    }
    # No savepoint: inside the caller's transaction a failing event marks that whole transaction for rollback
    # (Django's needs_rollback: no further query, no commit), so a read or write never commits without its event,
    # even if the caller catches the error. Outside a transaction this block is the event's own transaction,
    # committed here: a refusal recorded outside one (helhet.access.queries._deny; inside one it is kept aside and
    # written when the request ends) survives whatever the caller does next.
    with transaction.atomic(savepoint=False):
        head = _lock_and_head(chain)
        if head is not None:
            values["seq"], values["prev_hash"] = head[0] + 1, head[1]
        values["hash"] = _digest({name: values[name] for name in DIGEST_FIELDS})
        pk = _insert(values)
    event = AuditEvent.from_db(connection.alias, None, [pk, *(values[name] for name in _COLUMNS)])
    # The related objects the caller passed, as AuditEvent(actor=..., ...) would have cached them (no query to read).
    for name, value in (
        ("actor", actor if authenticated else None),
        ("organization", organization),
        ("person", person),
    ):
        if value is not None:
            event._state.fields_cache[name] = value
    return event


# ------------------------------------------------------------------ record()'s fast path (issue 14)

# AuditEvent's columns but `id`, in the model's order: the compiled INSERT and AuditEvent.from_db take record()'s
# `values` in this order (tests/audit/test_record_fast_path.py checks that record() gives every one).
_COLUMNS = tuple(f.attname for f in AuditEvent._meta.concrete_fields if not f.primary_key)
_JSON_COLUMNS = frozenset(
    f.attname for f in AuditEvent._meta.concrete_fields if f.get_internal_type() == "JSONField"
)
_MEMBERSHIP = "_helhet_audit_membership"


@functools.lru_cache(maxsize=4096)
def _in_language(language: str, message: str) -> str:
    """gettext(message) in `language`, looked up once per (language, message id): the house language's catalogue
    does not change while the process runs. Bounded: message ids are the code's literals, a few hundred."""
    with translation.override(language):
        return translation.gettext(message)


def _house_rendering(code: str, params: dict) -> str:
    """models.render(code, params) in settings.LANGUAGE_CODE -- the `summary` the chain keeps -- without activating
    the language on every event: the message id and each label parameter are translated once (_in_language)."""
    language = settings.LANGUAGE_CODE
    args = dict(params)
    for key in filter(None, args.pop(TRANSLATED_PARAMS, "").split(",")):
        if key in args:
            args[key] = _in_language(language, args[key])
    template = _in_language(language, code)
    try:
        return template % args if args else template
    except (
        KeyError,
        TypeError,
        ValueError,
    ):  # a text with a stray "%": shown as written, as render() does
        return code


def _lock_and_head(chain: int) -> tuple[int, str] | None:
    """Take the chain's lock (PostgreSQL) and read the chain's head (seq, hash), or None for an empty chain.

    PostgreSQL: pg_advisory_xact_lock(_CHAIN_LOCK, chain) and the head SELECT are two statements sent in ONE round
    trip (client-side binding, Django's default for psycopg 3). They must stay two statements: under READ COMMITTED
    each statement takes its own snapshot, so the SELECT, which starts once the lock is held, sees the event the lock's
    previous holder committed; one statement would read with the snapshot taken before it waited. The head is one
    backward index scan of (chain, seq) per month partition, merged (tests/audit/test_partitions_postgres.py).
    With server_side_binding (extended protocol: one statement a message) it is two round trips, the same SQL.
    SQLite: no lock (its writers are serialised by the IMMEDIATE transaction), only the head.
    The insert's trigger (migration 0006) takes the same lock again -- re-entrant within the transaction, so free
    here; it is what keeps an INSERT that does not come through record() from forking a chain.
    """
    qn = connection.ops.quote_name
    head = (
        f"SELECT {qn('seq')}, {qn('hash')} FROM {qn(AuditEvent._meta.db_table)}"
        f" WHERE {qn('chain')} = %s AND {qn('seq')} IS NOT NULL ORDER BY {qn('seq')} DESC LIMIT 1"
    )
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute(head, [chain])
            return cur.fetchone()
        # The two-int form: one lock per chain (the int4 range is enough to spread tenants; a collision only means
        # two tenants share a lock).
        lock = "SELECT pg_advisory_xact_lock(%s, %s)"
        lock_params = [_CHAIN_LOCK, chain % 2_147_483_647]
        if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            cur.execute(lock, lock_params)
            cur.execute(head, [chain])
            return cur.fetchone()
        cur.execute(f"{lock}; {head}", [*lock_params, chain])
        if not cur.nextset():  # pragma: no cover - psycopg 3 returns one result per statement
            raise RuntimeError("the audit chain's head was not returned")
        return cur.fetchone()


@functools.cache
def _insert_sql(vendor: str) -> str:
    """The INSERT of one event, compiled once per database vendor (the ORM's save() builds it on every call)."""
    qn = connection.ops.quote_name
    return (
        f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(qn(c) for c in _COLUMNS)})"
        f" VALUES ({', '.join(['%s'] * len(_COLUMNS))}) RETURNING {qn('id')}"
    )


def _insert(values: dict) -> int:
    """Insert the event's row (every column of _COLUMNS) and return its id. Values adapted as the model's fields
    would: the timestamp by the backend (SQLite stores naive UTC text), JSON by the backend's JSON adapter."""
    ops = connection.ops
    row = [
        ops.adapt_datetimefield_value(values[name])
        if name == "at"
        else ops.adapt_json_value(values[name], None)
        if name in _JSON_COLUMNS
        else values[name]
        for name in _COLUMNS
    ]
    with connection.cursor() as cur:
        cur.execute(_insert_sql(connection.vendor), row)
        return cur.fetchone()[0]


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
            AuditEvent.objects.filter(chain=chain, seq__isnull=False)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if head is None:
            continue
        latest = (
            AuditCheckpoint.objects.filter(chain=chain)
            .order_by("-seq")
            .values_list("seq", flat=True)
            .first()
        )
        if latest is not None and latest >= head[0]:
            continue
        written.append(
            AuditCheckpoint(
                chain=chain,
                seq=head[0],
                head_hash=head[1],
                at=now,
                key_id=key_id,
                mac=keys.checkpoint_mac(
                    chain=chain, seq=head[0], head_hash=head[1], at=now, key_id=key_id
                ),
            )
        )
    if written:
        # PostgreSQL: a concurrent worker's identical checkpoint is skipped (ON CONFLICT DO NOTHING). SQLite
        # serialises the two (the caller's IMMEDIATE transaction), and its no-replace trigger (0005) would
        # abort an INSERT OR IGNORE anyway.
        AuditCheckpoint.objects.bulk_create(
            written, ignore_conflicts=connection.vendor == "postgresql"
        )
        if path:
            transaction.on_commit(lambda: _append_to_file(Path(path), written))
    return written


def _append_to_file(path: Path, checkpoints: list[AuditCheckpoint]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = "".join(
        json.dumps(
            {
                "chain": c.chain,
                "seq": c.seq,
                "head_hash": c.head_hash,
                "at": c.at.isoformat(),
                "key_id": c.key_id,
                "mac": c.mac,
            },
            separators=(",", ":"),
        )
        + "\n"
        for c in checkpoints
    )
    with open(path, "a", encoding="utf-8") as f:  # append only: earlier lines are never rewritten
        f.write(lines)
        f.flush()
