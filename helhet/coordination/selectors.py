"""Reads for the coordination loop: the KE inbox, the sender's outbox, one item, a person's coordination page,
and children whose child coordinator ends when they turn 18. Every read of one person's data is audited."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.access.policy import Action
from helhet.access.queries import actor_context, allowed_actions, check
from helhet.audit.services import record
from helhet.cases.models import CoordinatorAppointment
from helhet.core.errors import NotFound

from .models import (
    Disagreement,
    NeedNotification,
    PartnerInformation,
    PartnerInformationObjection,
    Transfer,
)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, month=3, day=1)


def _require_receiver(actor):
    ctx = actor_context(actor)
    if not ctx.ke_org_ids and not ctx.leader_unit_ids:
        raise NotFound()
    return ctx


def inbox(*, actor, limit: int = 200) -> dict:
    """The KE's (or a hospital unit leader's) inbox: incoming need notifications, transfers, disagreements, children turning 18."""
    ctx = _require_receiver(actor)
    orgs, units = list(ctx.ke_org_ids), list(ctx.leader_unit_ids)
    notifications = (NeedNotification.objects.filter(Q(to_organization_id__in=orgs) | Q(to_unit_id__in=units))
                     .select_related("person", "from_organization", "from_unit", "to_unit", "request")
                     .order_by("status", "-sent_on", "-id"))
    transfers = (Transfer.objects.filter(to_organization_id__in=orgs, status=Transfer.Status.OPEN)
                 .select_related("person", "from_organization", "from_appointment__coordinator").order_by("effective_on", "id"))
    disagreements = (Disagreement.objects.filter(Q(municipality_id__in=orgs) | Q(health_trust_id__in=orgs))
                     .select_related("person", "municipality", "health_trust").order_by("status", "-raised_on", "-id"))
    return {
        "notifications": list(notifications[:limit]),
        "unacknowledged": sum(1 for n in notifications[:limit] if n.status == NeedNotification.Status.SENT),
        "transfers": list(transfers[:limit]),
        "disagreements": list(disagreements[:limit]),
        "turning_18": turning_18(actor=actor) if orgs else [],
        "is_ke": bool(orgs),
    }


def outbox(*, actor, limit: int = 200) -> list[NeedNotification]:
    """Notifications the actor sent (and, for a KE officer, those their tenant sent), with their status."""
    ctx = actor_context(actor)
    return list(NeedNotification.objects.filter(Q(sent_by=actor) | Q(from_organization_id__in=list(ctx.ke_org_ids)))
                .select_related("person", "to_organization", "to_unit", "acknowledged_by").order_by("-sent_on", "-id")[:limit])


def notification_detail(*, actor, notification_id) -> tuple[NeedNotification, dict]:
    """One notification: for its sender (status of what they sent) or its receiver (who sees and acts on the person)."""
    try:
        n = (NeedNotification.objects.select_related("person__home_municipality", "from_organization", "from_unit", "to_organization",
                                                     "to_unit", "sent_by", "acknowledged_by", "handled_by", "request", "appointment__coordinator", "consent")
             .get(pk=notification_id))
    except (NeedNotification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    ctx = actor_context(actor)
    receiver = n.to_organization_id in ctx.ke_org_ids or n.to_unit_id in ctx.leader_unit_ids
    sender = n.sent_by_id == actor.pk or n.from_organization_id in ctx.ke_org_ids
    if receiver:
        why = check(actor, Action.PERSON_VIEW, n.person)
    elif sender:
        why = "sender"
    else:
        record(actor=actor, action="denied", obj=n.person, person=n.person, summary="need_notification.view")
        raise NotFound()
    allowed = set(allowed_actions(actor, n.person)) if receiver else set()
    record(actor=actor, action="view", obj=n, person=n.person, reason=why, summary=_("Så melding om behov"))
    return n, {"receiver": receiver and Action.NEED_NOTIFICATION_RECEIVE.value in allowed, "sender": sender, "allowed": allowed}


def notification_for_receiver(*, actor, notification_id) -> NeedNotification:
    n, data = notification_detail(actor=actor, notification_id=notification_id)
    if not data["receiver"]:
        raise NotFound()
    return n


def transfer_detail(*, actor, transfer_id) -> tuple[Transfer, dict]:
    try:
        t = (Transfer.objects.select_related("person__home_municipality", "from_organization", "to_organization", "created_by", "completed_by",
                                             "from_appointment__coordinator", "from_appointment__unit", "to_appointment__coordinator", "to_appointment__unit")
             .get(pk=transfer_id))
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    why = check(actor, Action.TRANSFER_MANAGE, t.person)
    items = list(t.items.select_related("done_by"))
    record(actor=actor, action="view", obj=t, person=t.person, reason=why, summary=_("Så overføring"))
    ctx = actor_context(actor)
    return t, {"items": items, "is_receiver": t.to_organization_id in ctx.ke_org_ids or bool(ctx.leader_unit_ids and t.kind == Transfer.Kind.MUNICIPALITY_TO_HOSPITAL),
               "checklist_done": all(i.settled for i in items)}


def disagreement_detail(*, actor, disagreement_id) -> Disagreement:
    d = (Disagreement.objects.select_related("person__home_municipality", "municipality", "health_trust", "raised_by", "resolved_by", "decided_unit")
         .filter(pk=disagreement_id).first())
    if d is None:
        raise NotFound()
    why = check(actor, Action.DISAGREEMENT_MANAGE, d.person)
    ctx = actor_context(actor)
    if d.municipality_id not in ctx.ke_org_ids and d.health_trust_id not in ctx.ke_org_ids:
        record(actor=actor, action="denied", obj=d.person, person=d.person, summary=str(Action.DISAGREEMENT_MANAGE))
        raise NotFound()
    record(actor=actor, action="view", obj=d, person=d.person, reason=why, summary=_("Så uenighet"))
    return d


def person_coordination(*, actor, person) -> dict:
    """A person's coordination page: notifications, transfers, information to partners, objection, disagreements."""
    why = check(actor, Action.PERSON_VIEW, person)
    data = {
        "notifications": list(person.need_notifications.select_related("from_organization", "to_organization", "to_unit", "sent_by")),
        "transfers": list(person.transfers.select_related("from_organization", "to_organization", "from_appointment__coordinator",
                                                          "to_appointment__coordinator")),
        "information": list(PartnerInformation.objects.filter(person=person).select_related("recipient_unit", "sent_by")),
        "objections": list(PartnerInformationObjection.objects.filter(person=person).select_related("recorded_by")),
        "disagreements": list(person.disagreements.select_related("municipality", "health_trust")),
        "appointments": list(CoordinatorAppointment.objects.filter(person=person).select_related("coordinator", "unit__organization")),
        "allowed": set(allowed_actions(actor, person)),
    }
    data["active_objection"] = next((o for o in data["objections"] if o.withdrawn_on is None or o.withdrawn_on > timezone.localdate()), None)
    record(actor=actor, action="view", obj=person, person=person, reason=why, summary=_("Så samhandling for personen"))
    return data


def turning_18(*, actor, within_days: int = 90, today: dt.date | None = None) -> list[CoordinatorAppointment]:
    """Open child-coordinator appointments in the actor's KE tenants whose child turns 18 within `within_days`
    (or already has: the right has ended), soonest first. Each row has .turns_18_on and .has_open_transfer."""
    ctx = actor_context(actor)
    if not ctx.ke_org_ids:
        raise NotFound()
    today = today or timezone.localdate()
    orgs = list(ctx.ke_org_ids)
    latest_birth = _add_years(today + dt.timedelta(days=within_days), -18)
    rows = (CoordinatorAppointment.objects.filter(kind=CoordinatorAppointment.Kind.CHILD_COORDINATOR, end__isnull=True,
                                                  person__birth_date__lte=latest_birth)
            .filter(Q(unit__organization_id__in=orgs) | Q(person__home_municipality_id__in=orgs))
            .annotate(has_open_transfer=Exists(Transfer.objects.filter(person=OuterRef("person"), status=Transfer.Status.OPEN)))
            .select_related("person", "coordinator", "unit").order_by("person__birth_date", "id"))
    out = []
    for a in rows:
        a.turns_18_on = _add_years(a.person.birth_date, 18)
        a.overdue = a.turns_18_on <= today
        out.append(a)
    return out
