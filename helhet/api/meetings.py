"""The plan group: meetings (invitation .ics, attendance, minutes with action items -> measures, sending) and
message threads with unread counts. Thin over helhet.meetings.services / selectors; outsiders get 404.

Minutes carry `based_on_version` (the plan's working version): the action items become measures in the plan,
and a stale version is a 409 {"code": "stale"} with nothing written.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Router, Schema
from pydantic import Field

from helhet.core.times import AwareDateTime
from helhet.meetings import ical, selectors, services

from .schemas import file_response

PREFIX = "/plan-group"
router = Router(tags=["plan group"])


class MeetingIn(Schema):
    title: str = Field(max_length=200)
    agenda: str
    start: AwareDateTime
    end: AwareDateTime
    place: str = ""
    video_url: str = ""
    participant_ids: list[int] | None = None
    invite_person: bool = True


class MeetingUpdateIn(Schema):
    title: str = Field(max_length=200)
    agenda: str
    start: AwareDateTime
    end: AwareDateTime
    place: str = ""
    video_url: str = ""


class MeetingCancelIn(Schema):
    reason: str


class AttendanceIn(Schema):
    attendance: dict[int, str]


class ActionItemIn(Schema):
    text: str
    responsible_unit_id: int | None = None
    responsible_person_id: int | None = None
    deadline: dt.date | None = None
    goal_id: int | None = None


class MinutesIn(Schema):
    based_on_version: int
    text: str
    category: str = "general"
    action_items: list[ActionItemIn] = []


class ThreadIn(Schema):
    subject: str
    text: str
    category: str = "general"


class PostIn(Schema):
    text: str


# ---------------------------------------------------------------- answers (documented, validated by ninja)


class MeetingOut(Schema):
    id: int
    plan_id: int
    title: str
    agenda: str
    start: str | None
    end: str | None
    place: str
    video_url: str
    status: str
    uid: str
    sequence: int
    invitations_sent_at: str | None


class InviteeOut(Schema):
    id: int
    name: str
    kind: str
    attendance: str


class ActionItemOut(Schema):
    id: int
    text: str
    responsible_unit_id: int | None
    responsible_person_id: int | None
    deadline: str | None
    goal_id: int | None
    measure_id: int | None


class MinutesOut(Schema):
    """`text` and `action_items` only when the reader may read the minutes (`readable`)."""

    id: int
    category: str
    written_at: str | None
    sent_at: str | None
    readable: bool
    text: str | None = None
    action_items: list[ActionItemOut] | None = None


class MeetingDetailOut(MeetingOut):
    invitees: list[InviteeOut]
    minutes: MinutesOut | None


class MinutesWrittenOut(Schema):
    id: int
    measure_ids: list[int | None]
    plan_version: int | None


class MinutesSentOut(Schema):
    id: int
    sent_at: str | None


class ThreadSummaryOut(Schema):
    id: int
    subject: str
    category: str
    posts: int
    unread: int
    last_post_at: str | None


class ThreadCreatedOut(Schema):
    id: int
    subject: str
    category: str


class PostOut(Schema):
    id: int
    author: str
    text: str
    created_at: str | None
    new: bool


class ThreadDetailOut(Schema):
    id: int
    subject: str
    category: str
    posts: list[PostOut]


class PostCreatedOut(Schema):
    id: int
    thread_id: int


class UnreadOut(Schema):
    unread: int


def _dt(value):
    return value.isoformat() if value else None


def _meeting(m) -> dict:
    return {"id": m.pk, "plan_id": m.plan_id, "title": m.title, "agenda": m.agenda, "start": _dt(m.start), "end": _dt(m.end),
            "place": m.place, "video_url": m.video_url, "status": m.status, "uid": m.uid, "sequence": m.sequence,
            "invitations_sent_at": _dt(m.invitations_sent_at)}


def _minutes(view) -> dict | None:
    mn = view.minutes
    if mn is None:
        return None
    out = {"id": mn.pk, "category": mn.category, "written_at": _dt(mn.written_at), "sent_at": _dt(mn.sent_at), "readable": view.may_read_minutes}
    if view.may_read_minutes:
        out["text"] = mn.text
        out["action_items"] = [{"id": a.pk, "text": a.text, "responsible_unit_id": a.responsible_unit_id,
                                "responsible_person_id": a.responsible_person_id, "deadline": _dt(a.deadline), "goal_id": a.goal_id,
                                "measure_id": a.measure_id} for a in view.action_items]
    return out


@router.get("/plans/{plan_id}/meetings", response=list[MeetingOut])
def meetings_of_plan(request, plan_id: int):
    return [_meeting(m) for m in selectors.meetings_of_plan(actor=request.user, plan_id=plan_id).meetings]


@router.post("/plans/{plan_id}/meetings", response={201: MeetingOut})
def meeting_create(request, plan_id: int, body: MeetingIn):
    m = services.meeting_create(actor=request.user, plan_id=plan_id, **body.dict())
    return 201, _meeting(m)


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def meeting_detail(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    return {**_meeting(view.meeting),
            "invitees": [{"id": i.pk, "name": i.name, "kind": i.kind, "attendance": i.attendance} for i in view.invitees],
            "minutes": _minutes(view)}


@router.put("/meetings/{meeting_id}", response=MeetingOut)
def meeting_update(request, meeting_id: int, body: MeetingUpdateIn):
    return _meeting(services.meeting_update(actor=request.user, meeting_id=meeting_id, **body.dict()))


@router.post("/meetings/{meeting_id}/cancel", response=MeetingOut)
def meeting_cancel(request, meeting_id: int, body: MeetingCancelIn):
    return _meeting(services.meeting_cancel(actor=request.user, meeting_id=meeting_id, reason=body.reason))


@router.post("/meetings/{meeting_id}/attendance", response=MeetingOut)
def attendance(request, meeting_id: int, body: AttendanceIn):
    return _meeting(services.attendance_record(actor=request.user, meeting_id=meeting_id, attendance=body.attendance))


@router.post("/meetings/{meeting_id}/minutes", response={201: MinutesWrittenOut})
def minutes_write(request, meeting_id: int, body: MinutesIn):
    mn = services.minutes_write(actor=request.user, meeting_id=meeting_id, based_on_version=body.based_on_version, text=body.text,
                                category=body.category, action_items=[a.dict() for a in body.action_items])
    return 201, {"id": mn.pk, "measure_ids": list(mn.action_items.values_list("measure_id", flat=True)),
                 "plan_version": getattr(mn, "plan_version", None)}


@router.post("/meetings/{meeting_id}/minutes/send", response=MinutesSentOut)
def minutes_send(request, meeting_id: int):
    mn = services.minutes_send(actor=request.user, meeting_id=meeting_id)
    return {"id": mn.pk, "sent_at": _dt(mn.sent_at)}


@router.get("/meetings/{meeting_id}/invitation.ics", openapi_extra=file_response("The invitation (iCalendar).", "text/calendar"))
def meeting_ics(request, meeting_id: int):
    view = selectors.meeting_detail(actor=request.user, meeting_id=meeting_id)
    method = "CANCEL" if view.meeting.status == "cancelled" else "REQUEST"
    # The reader's own copy: other invitees by name only, the reader's own address only (helhet.meetings.ical).
    text = ical.invitation(view.meeting, view.invitees, method=method, recipient=ical.invitee_for(view.invitees, request.user))
    return HttpResponse(text, content_type=f"text/calendar; method={method}; charset=utf-8")


@router.get("/plans/{plan_id}/threads", response=list[ThreadSummaryOut])
def threads_of_plan(request, plan_id: int):
    view = selectors.threads_of_plan(actor=request.user, plan_id=plan_id)
    return [{"id": t.pk, "subject": t.subject, "category": t.category, "posts": t.n_posts, "unread": t.unread,
             "last_post_at": _dt(t.last_post_at)} for t in view.threads]


@router.post("/plans/{plan_id}/threads", response={201: ThreadCreatedOut})
def thread_create(request, plan_id: int, body: ThreadIn):
    t = services.thread_create(actor=request.user, plan_id=plan_id, subject=body.subject, text=body.text, category=body.category)
    return 201, {"id": t.pk, "subject": t.subject, "category": t.category}


@router.get("/threads/{thread_id}", response=ThreadDetailOut)
def thread_detail(request, thread_id: int):
    """The thread with its posts; reading it marks it read for the caller."""
    view = selectors.thread_detail(actor=request.user, thread_id=thread_id)
    if view.posts:
        services.thread_mark_read(actor=request.user, thread=view.thread, last_post_id=view.posts[-1].pk)
    return {"id": view.thread.pk, "subject": view.thread.subject, "category": view.thread.category,
            "posts": [{"id": p.pk, "author": p.author.get_full_name() or p.author.username, "text": p.text, "created_at": _dt(p.created_at),
                       "new": p.pk > view.unread_before and p.author_id != request.user.pk} for p in view.posts]}


@router.post("/threads/{thread_id}/posts", response={201: PostCreatedOut})
def post_add(request, thread_id: int, body: PostIn):
    p = services.post_add(actor=request.user, thread_id=thread_id, text=body.text)
    return 201, {"id": p.pk, "thread_id": p.thread_id}


@router.get("/plans/{plan_id}/unread", response=UnreadOut)
def unread(request, plan_id: int):
    view = selectors.threads_of_plan(actor=request.user, plan_id=plan_id)
    return {"unread": sum(t.unread for t in view.threads)}
