"""Reads for the staff's landing pages: the persons the actor is involved with and what is new for them, a cross-plan
inbox of messages and notifications, a calendar of their meetings, and overdue counts.

    landing(*, actor) -> str                                   the url name home() sends a staff member to
    involved_persons(*, actor, params) -> Page of InvolvedRow  persons the actor may see, with unread messages, next meeting
    inbox(*, actor, params) -> Page of InboxItem               message threads (readable plans, visible categories) and
                                                               notifications, newest first (one keyset list of both)
    calendar(*, actor, params) -> Page of Meeting              upcoming meetings the actor is invited to or leads, in
                                                               plans they may read (readable_plans_q; paged in the database)
(params: the request's query string; pages from helhet.core.paging)
    overdue_counts(*, actor, scope) -> OverdueCounts           "ke": the KE's tenants; "mine": deadlines the actor owns

Access: persons through visible_persons_q, plan content through plan_access (the plan-work consent and the consent
categories, as the plan group's own pages); nothing here decides. Lists of names and counts leave one audit event per
page; a page that shows message subjects or meeting titles leaves a 'view' event per person shown.
The query count depends on the page size (PAGE_SIZE), never on how many persons, plans or messages there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from helhet.access.policy import Action, reason
from helhet.access.queries import (
    check_role,
    organizations_for,
    plan_access,
    readable_plans_q,
    visible_persons_q,
)
from helhet.audit.services import record
from helhet.core.paging import Page, keyset_page, offset_page

PAGE_SIZE = 20


@dataclass
class InvolvedRow:
    person: object
    plan: object | None = None
    unread: int = 0
    next_meeting: dt.datetime | None = None


@dataclass
class InboxItem:
    kind: str  # "thread" | "notification"
    at: dt.datetime
    title: str
    url: str
    unread: int
    person: object | None = None


@dataclass
class OverdueCounts:
    scope: str
    total: int = 0
    by_kind: list = field(default_factory=list)  # [(label, n)]


def landing(*, actor) -> str:
    """Coordinators (an open appointment) start on "Mine personer"; anyone else who stands to a person on
    "Personer jeg er involvert i"; a staff member with nobody yet on "Mine personer" (as before)."""
    from helhet.cases.selectors import my_persons
    from helhet.people.models import Person

    if my_persons(actor=actor).exists():
        return "my_persons"
    if Person.objects.filter(visible_persons_q(actor)).exists():
        return "workspace_involved"
    return "my_persons"


def _readable_plans(actor, plans) -> dict[int, tuple[object, object]]:
    """plan id -> (plan, PlanAccess) for the plans the actor may read today (a fixed number of queries per plan)."""
    out = {}
    for plan in plans:
        access = plan_access(actor, plan, refuse=False)
        if access is not None:
            out[plan.pk] = (plan, access)
    return out


def _categories(access) -> list[str]:
    from helhet.meetings.scopes import CATEGORIES

    return [c for c in CATEGORIES if access.may_see(c)]


def _plans_q():
    from helhet.plans.models import IndividualPlan

    return IndividualPlan.objects.select_related("person__home_municipality", "main_unit__organization", "consent")


def _unread_threads(actor, readable: dict) -> Q:
    q = Q(pk__in=[])
    for plan_id, (_plan, access) in readable.items():
        q |= Q(plan_id=plan_id, category__in=_categories(access))
    return q


def _annotated_threads(actor, q):
    from helhet.meetings.models import ReadMarker, Thread

    read_upto = Coalesce(Subquery(ReadMarker.objects.filter(thread=OuterRef("pk"), user=actor).values("last_read_post_id")[:1]), Value(0))
    return (Thread.objects.filter(q).annotate(read_upto=read_upto)
            .annotate(unread=Count("posts", filter=Q(posts__id__gt=F("read_upto")) & ~Q(posts__author=actor))))


def involved_persons(*, actor, params=None) -> Page:
    from helhet.meetings.models import Meeting
    from helhet.people.models import Person
    from helhet.plans.models import IndividualPlan

    persons = Person.objects.filter(visible_persons_q(actor)).select_related("home_municipality").order_by("family_name", "given_name", "pk")
    result = keyset_page(persons, params, per_page=PAGE_SIZE)
    rows = [InvolvedRow(person=p) for p in result.object_list]
    by_person = {r.person.pk: r for r in rows}
    plans = list(_plans_q().filter(person_id__in=list(by_person)).exclude(status=IndividualPlan.Status.CLOSED))
    readable = _readable_plans(actor, plans)
    for plan, _access in readable.values():
        by_person[plan.person_id].plan = plan
    if readable:
        for plan_id, unread in _annotated_threads(actor, _unread_threads(actor, readable)).values_list("plan_id", "unread"):
            by_person[readable[plan_id][0].person_id].unread += unread
        upcoming = (Meeting.objects.filter(plan_id__in=list(readable), status=Meeting.Status.PLANNED, end__gte=timezone.now())
                    .values("plan_id").annotate(first=Min("start")))
        for row in upcoming:
            by_person[readable[row["plan_id"]][0].person_id].next_meeting = row["first"]
    result.object_list = rows
    record(actor=actor, action="view", object_type="workspace", object_id="involved", summary=gettext_noop("Så personer jeg er involvert i"),
           detail={"first": result.start_index, "persons": len(rows)})
    return result


def _audit_persons(actor, readable_by_person: dict, summary: str) -> None:
    for _pid, (plan, access) in readable_by_person.items():
        record(actor=actor, action="view", obj=plan, person=plan.person, reason=reason(access.relationships, Action.PLAN_VIEW),
               summary=summary, detail={"plan": plan.pk})


def inbox(*, actor, params=None) -> Page:
    from django.urls import reverse

    from helhet.notifications.models import Notification
    from helhet.people.models import Person

    visible = Person.objects.filter(visible_persons_q(actor, action=Action.PLAN_VIEW)).values("pk")
    plans = list(_plans_q().filter(person_id__in=visible, threads__isnull=False).distinct())
    readable = _readable_plans(actor, plans)
    # One list, newest first: threads (by their last post) and notifications, keyset-paged on (at, id).
    threads = (_annotated_threads(actor, _unread_threads(actor, readable)).annotate(at=Coalesce("last_post_at", "created_at"))
               .order_by("-at", "-id"))
    notifications = Notification.objects.filter(user=actor).annotate(at=F("created_at")).order_by("-at", "-id")
    result = keyset_page([threads, notifications], params, per_page=PAGE_SIZE)
    items: list[InboxItem] = []
    for row in result.object_list:
        if isinstance(row, Notification):
            items.append(InboxItem("notification", row.at, row.title, row.url, 0 if row.read_at else 1))
        else:
            items.append(InboxItem("thread", row.at, row.subject, reverse("thread_detail", args=[row.pk]), row.unread, readable[row.plan_id][0].person))
    result.object_list = items
    shown = {i.person.pk for i in result.object_list if i.person is not None}
    _audit_persons(actor, {p.person_id: (p, a) for p, a in readable.values() if p.person_id in shown}, gettext_noop("Meldinger i innboksen"))
    return result


def calendar(*, actor, params=None) -> Page:
    """The upcoming meetings the actor is invited to or organises, in the plans they may read today, soonest first,
    paged in the database (issue 14): the plans' access is the policy's query fragment (readable_plans_q), so the
    count ("N av M") is of what the actor may see, and nothing is cut. The plans on the page are checked again with
    plan_access (for the audit event's reason): a fixed number of queries per plan shown, none per meeting."""
    from helhet.meetings.models import Invitee, Meeting
    from helhet.plans.models import IndividualPlan

    invited = Invitee.objects.filter(user=actor).values("meeting_id")
    meetings = (Meeting.objects.filter(status=Meeting.Status.PLANNED, end__gte=timezone.now())
                .filter(Q(pk__in=invited) | Q(organizer=actor))
                .filter(plan__in=IndividualPlan.objects.filter(readable_plans_q(actor)).values("pk"))
                .select_related("plan__person__home_municipality", "plan__main_unit__organization", "plan__consent")
                .order_by("start", "pk"))
    result = offset_page(meetings, params, per_page=PAGE_SIZE)
    readable = _readable_plans(actor, list({m.plan_id: m.plan for m in result.object_list}.values()))
    # readable_plans_q and plan_access agree (tested); should a plan's state change between the two, its row is left
    # out of the page rather than shown unchecked.
    result.object_list = [m for m in result.object_list if m.plan_id in readable]
    _audit_persons(actor, readable, gettext_noop("Møter i kalenderen"))
    return result


def overdue_counts(*, actor, scope: str, today: dt.date | None = None) -> OverdueCounts:
    """Deadlines past due: scope "ke" across the KE's tenants (KE_WORKLIST), "mine" where the actor must act."""
    from collections import Counter

    from helhet.rules.deadlines import collect, kind_label

    today = today or timezone.localdate()
    if scope == "ke":
        check_role(actor, Action.KE_WORKLIST)
        deadlines = collect(organization_ids=sorted(organizations_for(actor, Action.KE_WORKLIST)), today=today)
    else:
        scope = "mine"
        deadlines = collect(user_id=actor.pk, today=today)
    counts = Counter(d.kind for d in deadlines if d.overdue(today))
    return OverdueCounts(scope=scope, total=sum(counts.values()), by_kind=[(kind_label(k), n) for k, n in sorted(counts.items())])
