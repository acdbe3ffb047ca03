"""Reads for plan-group meetings and messages. Every function takes the actor, checks Action.PLAN_VIEW on the
plan's person (404 otherwise, with a 'denied' audit event), filters content by consent scope
(helhet.meetings.scopes) and writes a 'view' audit event; what the actor may not see does not exist for them.

Interface:
    meetings_of_plan(*, actor, plan_id) -> PlanMeetings(plan, meetings, may_manage)
    meeting_detail(*, actor, meeting_id) -> MeetingView(meeting, plan, invitees, minutes, may_read_minutes,
                                                       action_items, may_manage)
    threads_of_plan(*, actor, plan_id) -> PlanThreads(plan, threads (each with .unread), may_post, categories)
    thread_detail(*, actor, thread_id) -> ThreadView(thread, plan, posts, may_post, unread_before)
    unread_count(*, actor, plan) -> int      # no audit: a number on the plan page link, no content
    group_summary(*, actor, plan_id) -> dict(unread, upcoming)   # for the plan page link (3 queries)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import check_with_relationships, deny, load, may, relationships_to
from helhet.audit.services import record
from helhet.plans.models import IndividualPlan

from . import scopes
from .models import Meeting, Minutes, Post, ReadMarker, Thread


@dataclass
class PlanMeetings:
    plan: IndividualPlan
    meetings: list
    may_manage: bool


@dataclass
class MeetingView:
    meeting: Meeting
    plan: IndividualPlan
    invitees: list
    minutes: Minutes | None
    may_read_minutes: bool
    may_manage: bool
    action_items: list = field(default_factory=list)


@dataclass
class PlanThreads:
    plan: IndividualPlan
    threads: list
    may_post: bool
    categories: list


@dataclass
class ThreadView:
    thread: Thread
    plan: IndividualPlan
    posts: list
    may_post: bool
    unread_before: int  # the id of the last post read before this visit (posts after it are marked "ny")


_PLAN_RELATED = ("person__home_municipality", "main_unit__organization", "consent")


def _plan(actor, plan_id) -> tuple[IndividualPlan, str, frozenset]:
    plan, _why = load(actor, IndividualPlan, plan_id, None, person_of=None,
                      queryset=IndividualPlan.objects.select_related(*_PLAN_RELATED))
    return (plan, *_readable(actor, plan))


def _readable(actor, plan) -> tuple[str, frozenset]:
    """plan.view on the person and the plan's consent state (a withdrawn plan-work consent closes the group's reads)."""
    why, rels = check_with_relationships(actor, Action.PLAN_VIEW, plan.person)
    access = scopes.access_for(actor, plan, rels=rels) or deny(actor, Action.PLAN_VIEW, obj=plan, person=plan.person)
    return why, access.relationships  # with plan_ke: meeting management is the responsible KE's


def _may(actor, rels, action: Action) -> bool:
    return may(actor, action, None, rels=rels)


def meetings_of_plan(*, actor, plan_id, upcoming: bool = False) -> PlanMeetings:
    """upcoming: only the planned meetings not yet over, soonest first, as a queryset for the caller to page (portal)."""
    plan, why, rels = _plan(actor, plan_id)
    if upcoming:
        meetings = plan.meetings.filter(status=Meeting.Status.PLANNED, end__gte=timezone.now()).select_related("minutes").order_by("start", "-id")
    else:
        meetings = list(plan.meetings.select_related("minutes").annotate(n_invitees=Count("invitees")).order_by("-start", "-id"))
    record(actor=actor, action="view", obj=plan, person=plan.person, reason=why, summary=gettext_noop("Møter i plangruppen"), detail={"plan": plan.pk})
    return PlanMeetings(plan=plan, meetings=meetings, may_manage=_may(actor, rels, Action.MEETING_MANAGE))


def meeting_detail(*, actor, meeting_id) -> MeetingView:
    meeting, _why = load(actor, Meeting, meeting_id, None, person_of=None,
                         queryset=Meeting.objects.select_related(*(f"plan__{r}" for r in _PLAN_RELATED), "organizer"))
    plan = meeting.plan
    why, rels = _readable(actor, plan)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("written_by", "sent_by").first()
    may_read = bool(minutes) and scopes.may_see_category(actor, plan, minutes.category, rels=rels)
    items = list(minutes.action_items.select_related("responsible_unit", "responsible_person", "measure")) if may_read else []
    record(actor=actor, action="view", obj=meeting, person=plan.person, reason=why, summary=gettext_noop("Møte i plangruppen"),
           detail={"plan": plan.pk, "minutes": bool(may_read)})
    return MeetingView(meeting=meeting, plan=plan, invitees=list(meeting.invitees.all()), minutes=minutes, may_read_minutes=may_read,
                       may_manage=_may(actor, rels, Action.MEETING_MANAGE), action_items=items)


def _read_upto(actor):
    return Coalesce(Subquery(ReadMarker.objects.filter(thread=OuterRef("pk"), user=actor).values("last_read_post_id")[:1]), Value(0))


def _visible_threads(actor, plan, categories):
    return (Thread.objects.filter(plan=plan, category__in=categories)
            .annotate(read_upto=_read_upto(actor))
            .annotate(unread=Count("posts", filter=Q(posts__id__gt=F("read_upto")) & ~Q(posts__author=actor)),
                      n_posts=Count("posts")))


def threads_of_plan(*, actor, plan_id) -> PlanThreads:
    plan, why, rels = _plan(actor, plan_id)
    categories = scopes.visible_categories(actor, plan, rels=rels)
    threads = list(_visible_threads(actor, plan, categories).select_related("created_by").order_by("-last_post_at", "-id"))
    record(actor=actor, action="view", obj=plan, person=plan.person, reason=why, summary=gettext_noop("Meldinger i plangruppen"), detail={"plan": plan.pk})
    return PlanThreads(plan=plan, threads=threads, may_post=_may(actor, rels, Action.MESSAGE_POST), categories=categories)


def thread_detail(*, actor, thread_id) -> ThreadView:
    thread, _why = load(actor, Thread, thread_id, None, person_of=None,
                        queryset=Thread.objects.select_related(*(f"plan__{r}" for r in _PLAN_RELATED), "created_by"))
    plan = thread.plan
    why, rels = _readable(actor, plan)
    if not scopes.may_see_category(actor, plan, thread.category, rels=rels):
        deny(actor, Action.PLAN_VIEW, obj=thread, person=plan.person)
    posts = list(thread.posts.select_related("author"))
    before = ReadMarker.objects.filter(thread=thread, user=actor).values_list("last_read_post_id", flat=True).first() or 0
    record(actor=actor, action="view", obj=thread, person=plan.person, reason=why, summary=gettext_noop("Meldingstråd"), detail={"plan": plan.pk})
    return ThreadView(thread=thread, plan=plan, posts=posts, may_post=_may(actor, rels, Action.MESSAGE_POST), unread_before=before)


def unread_count(*, actor, plan, rels=None) -> int:
    """Unread posts by others in the threads of this plan the actor may read. The caller has checked PLAN_VIEW."""
    categories = scopes.visible_categories(actor, plan, rels=rels)
    read_upto = Coalesce(Subquery(ReadMarker.objects.filter(thread=OuterRef("thread"), user=actor).values("last_read_post_id")[:1]), Value(0))
    return (Post.objects.filter(thread__plan=plan, thread__category__in=categories).exclude(author=actor)
            .annotate(read_upto=read_upto).filter(id__gt=F("read_upto")).count())


def group_summary(*, actor, plan_id) -> dict:
    """Unread messages and upcoming meetings, for the link on the plan page (the plan page has checked access)."""
    plan = IndividualPlan.objects.select_related(*_PLAN_RELATED).filter(pk=plan_id).first()
    if plan is None:
        return {"unread": 0, "upcoming": 0}
    rels = relationships_to(actor, plan.person)
    if scopes.access_for(actor, plan, rels=rels) is None:
        return {"unread": 0, "upcoming": 0}
    upcoming = Meeting.objects.filter(plan=plan, status=Meeting.Status.PLANNED, end__gte=timezone.now()).count()
    return {"unread": unread_count(actor=actor, plan=plan, rels=rels), "upcoming": upcoming}
