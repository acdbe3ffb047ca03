"""Plan-group membership as an access fact: Rel.PLAN_PARTICIPANT.

Registered with helhet.access.queries.register_branch_provider in PlansConfig.ready(). A staff user who is
an active participant (Participant.kind='staff', active=True) in a plan of the person stands to that person
as PLAN_PARTICIPANT; what that relationship allows is decided in helhet/access/policy.py alone. Closed
plans count too, so the plan group can still read a closed plan (it stays readable, DOMAIN "Plan content").
Uses the index participant_user_active.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from helhet.access.policy import Rel


def plan_participant_branch(ctx, day: dt.date) -> dict:
    from .models import Participant

    user = ctx.user
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    persons = Participant.objects.filter(user=user, active=True, kind=Participant.Kind.STAFF).values("plan__person_id")
    return {Rel.PLAN_PARTICIPANT: Q(pk__in=persons)}
