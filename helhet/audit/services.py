"""Writing audit events. Every service and selector that touches a person's data calls record()."""

from __future__ import annotations

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64
# A constant key for the PostgreSQL advisory lock that serialises the hash chain.
_CHAIN_LOCK = 727_001


def event_digest(event: AuditEvent) -> str:
    """The hash of one event's content chained to the previous hash. audit_verify recomputes it."""
    payload = json.dumps(
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
    return hashlib.sha256(payload.encode()).hexdigest()


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
    detail: dict | None = None,
    role: str = "",
    organization=None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
    ctx = getattr(actor, "_helhet_ctx", None)
    if ctx is None and actor is not None and getattr(actor, "is_authenticated", False) and not (role and organization):
        # Every event names the actor's role and organisation. Usually access.check()
        # has already cached the context on the user; otherwise this is one query.
        from helhet.access.queries import actor_context

        ctx = actor_context(actor)
    if ctx is not None:
        role = role or ctx.primary_role
        organization = organization or ctx.primary_organization
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
            detail=detail or {},
            prev_hash=last or GENESIS,
        )
        event.hash = event_digest(event)
        event.save(force_insert=True)
    return event
