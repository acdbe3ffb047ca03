"""Writing audit events. Every service and selector that touches a person's data calls record()."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from .models import AuditEvent

GENESIS = "0" * 64
# A constant key for the PostgreSQL advisory lock that serialises the hash chain.
_CHAIN_LOCK = 727_001


def event_digest(event: AuditEvent) -> str:
    """The hash of one event's content chained to the previous hash. audit_verify recomputes it.

    Fields added later are appended only when they hold something, so events written before them (empty
    defaults from migration 0004) hash exactly as they did: `code` and `params` when either is set,
    `withheld` (tagged, so it can never be read as another field) when non-empty. They are hashed as
    stored: record() stringifies params' values and withheld's items, so a JSON round trip is exact.
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
    payload = json.dumps(
        content,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


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
    """Append one event to the chain, inside the caller's transaction.

    `summary` is the message id (a bokmål text marked with gettext_noop) and `params` its %-parameters: the
    event stores both (`code`, `params`) and is rendered in the reader's language when read
    (AuditEvent.text); `summary` keeps the bokmål rendering for the chain and for plain SQL readers.

    `withheld` names the information categories (helhet.consent.categories codes) a read left out because
    consent did not cover them; the log then says the read was partial and what was not shown. The caller
    passes the codes; this module does not check them against the category list (it is a leaf).
    """
    code = str(summary or "")
    params = {str(k): str(v) for k, v in (params or {}).items()}
    if isinstance(withheld, str):
        withheld = [withheld]
    withheld = list(dict.fromkeys(str(c) for c in (withheld or []) if c))
    with translation.override(settings.LANGUAGE_CODE):
        try:
            summary = translation.gettext(code) % params if params else translation.gettext(code)
        except (KeyError, TypeError, ValueError):  # a text with a stray "%": keep it as written, never fail the write
            summary = code
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
    if not (role and organization):
        role, organization = _role_and_organization(actor, role, organization)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
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
            prev_hash=last or GENESIS,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
    return event
