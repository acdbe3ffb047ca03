"""Reads for coordinators' and KE officers' lists. Lists show names and case state, scoped by access."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from helhet.access.queries import actor_context
from helhet.core.errors import NotFound

from .models import Appeal, CoordinatorAppointment, Decision, Request


def my_persons(*, actor, day: dt.date | None = None) -> QuerySet[CoordinatorAppointment]:
    """The coordinator's list: their open appointments with the person."""
    day = day or timezone.localdate()
    return (
        CoordinatorAppointment.objects.filter(coordinator=actor, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .select_related("person__home_municipality", "unit")
        .order_by("person__family_name", "person__given_name")
    )


def ke_overview(*, actor, status: str = "", search: str = "", kind: str = "", limit: int = 100) -> dict:
    """The KE's overview of its tenant: requests (filtered), open appeals, persons waiting for a coordinator, coordinators."""
    ctx = actor_context(actor)
    if not ctx.ke_org_ids:
        raise NotFound()
    orgs = list(ctx.ke_org_ids)
    today = timezone.localdate()
    requests = Request.objects.filter(organization_id__in=orgs).select_related("person", "organization", "decision")
    if status:
        requests = requests.filter(status=status)
    if kind == "ip":
        requests = requests.filter(wants_ip=True)
    elif kind == "coordinator":
        requests = requests.filter(wants_coordinator=True)
    elif kind == "child_coordinator":
        requests = requests.filter(wants_child_coordinator=True)
    search = (search or "").strip()
    if search:
        for word in search.split():
            requests = requests.filter(Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word) | Q(person__national_id__startswith=word))
    open_appointment = CoordinatorAppointment.objects.filter(person=OuterRef("request__person"), end__isnull=True)
    waiting = (
        Decision.objects.filter(request__organization_id__in=orgs)
        .filter(Q(grants_coordinator=True) | Q(grants_child_coordinator=True))
        .annotate(has_coordinator=Exists(open_appointment))
        .filter(has_coordinator=False)
        .select_related("request__person")
        .order_by("decided_on")
    )
    appeals = (
        Appeal.objects.filter(decision__request__organization_id__in=orgs, status__in=list(Appeal.TRANSITIONS))
        .select_related("decision__request__person")
        .order_by("received_on")
    )
    coordinators = (
        CoordinatorAppointment.objects.filter(Q(end__isnull=True) | Q(end__gt=today), start__lte=today)
        .filter(Q(unit__organization_id__in=orgs) | Q(person__home_municipality_id__in=orgs))
        .select_related("person", "coordinator", "unit")
        .order_by("coordinator__last_name", "person__family_name")
    )
    counts = {s: 0 for s, _label in Request.Status.choices}
    for row in Request.objects.filter(organization_id__in=orgs).values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return {
        "requests": list(requests.order_by("-received_on", "-id")[:limit]),
        "waiting": list(waiting[:limit]),
        "appeals": list(appeals[:limit]),
        "coordinators": list(coordinators[:limit]),
        "counts": counts,
    }
