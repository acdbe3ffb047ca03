"""Open coordination items as access facts (registered in CoordinationConfig.ready()).

Careful and minimal: only while an item is OPEN does it make the receiving side stand to the person.

- A need notification that is sent or acknowledged: KE officers of the receiving tenant stand as Rel.KE
  (the KE "of a tenant that handles them"); unit leaders of the receiving hospital unit as Rel.UNIT_LEADER,
  so they can appoint a hospital coordinator (reverse direction).
- An open transfer: KE officers of the receiving tenant (the new home municipality on a move) stand as Rel.KE,
  so they can appoint the new coordinator.
- An open disagreement between hospital and municipality: KE officers of both tenants stand as Rel.KE.

Once handled / completed / resolved, the fact is gone; what remains is the ordinary facts (home
municipality, involvement, appointment, request).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from helhet.access.policy import Rel


def coordination_branch(ctx, day: dt.date) -> dict:
    from .models import Disagreement, NeedNotification, Transfer

    out: dict = {}
    if ctx.ke_org_ids:
        orgs = list(ctx.ke_org_ids)
        notified = NeedNotification.objects.filter(to_organization_id__in=orgs, status__in=NeedNotification.OPEN).values("person_id")
        transferred = Transfer.objects.filter(to_organization_id__in=orgs, status=Transfer.Status.OPEN).values("person_id")
        disputed = Disagreement.objects.filter(Q(municipality_id__in=orgs) | Q(health_trust_id__in=orgs),
                                               status=Disagreement.Status.OPEN).values("person_id")
        out[Rel.KE] = Q(pk__in=notified) | Q(pk__in=transferred) | Q(pk__in=disputed)
    if ctx.leader_unit_ids:
        to_unit = NeedNotification.objects.filter(to_unit_id__in=list(ctx.leader_unit_ids), status__in=NeedNotification.OPEN).values("person_id")
        out[Rel.UNIT_LEADER] = Q(pk__in=to_unit)
    return out
