"""Personal access grants as an access fact: Rel.GRANT.

Registered with helhet.access.queries.register_branch_provider in AccessConfig.ready(). A user holding an
AccessGrant for a person that is active today (inside its window, not revoked, its consent valid) stands
to that person as GRANT, whatever organisation they belong to: cross-tenant access is exactly this, and
nothing else crosses tenants. What GRANT allows is decided in policy.py alone. Uses grant_grantee_valid_to.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .policy import Rel


def grant_branch(ctx, day: dt.date) -> dict:
    from .models import AccessGrant, active_grants_q

    user = ctx.user
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    persons = AccessGrant.objects.filter(active_grants_q(day), grantee=user).values("person_id")
    return {Rel.GRANT: Q(pk__in=persons)}
