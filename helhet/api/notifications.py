"""Deadlines and notifications: GET my deadlines, GET the KE's deadlines, GET notifications, POST mark read.

Thin: each handler calls one selector or service in helhet.notifications.
"""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema

from helhet.notifications import selectors, services
from helhet.rules.deadlines import KIND_LABELS

from .people import ERRORS

PREFIX = "/notifications"
router = Router(tags=["deadlines and notifications"])


class DeadlineOut(Schema):
    key: str
    kind: str
    kind_label: str
    due: dt.date
    overdue: bool
    days_left: int
    title: str
    rule_code: str  # the rule or local guideline behind it ("hvorfor?"): /api/v1 rules, /regler/ in the browser
    organization_id: int | None
    responsible_user_id: int | None
    person_id: int | None
    person_name: str
    object_type: str
    object_id: int
    url: str


class KindCountOut(Schema):
    kind: str
    label: str
    total: int
    overdue: int


class WaitingOut(Schema):
    decision_id: int
    person_id: int
    person_name: str
    decided_on: dt.date


class KeDeadlinesOut(Schema):
    deadlines: list[DeadlineOut]
    counts: list[KindCountOut]
    waiting: list[WaitingOut]


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class MarkReadIn(Schema):
    ids: list[int] | None = None  # None: all unread


class MarkReadOut(Schema):
    marked: int
    unread: int


class KeFilters(Schema):
    kind: str = ""
    overdue: bool = False


def _row(r) -> dict:
    d = r.deadline
    return {
        "key": d.key,
        "kind": d.kind,
        "kind_label": r.kind_label,
        "due": d.due,
        "overdue": r.overdue,
        "days_left": r.days_left,
        "title": d.title,
        "rule_code": d.rule_code,
        "organization_id": d.organization_id,
        "responsible_user_id": d.responsible_user_id,
        "person_id": d.person_id,
        "person_name": r.person_name,
        "object_type": d.object_type,
        "object_id": d.object_id,
        "url": d.url,
    }


@router.get("/deadlines/mine", response={200: list[DeadlineOut], **ERRORS})
def my_deadlines(request):
    return [_row(r) for r in selectors.my_deadlines(actor=request.user)]


@router.get("/deadlines/ke", response={200: KeDeadlinesOut, **ERRORS})
def ke_deadlines(request, filters: Query[KeFilters]):
    kind = filters.kind if filters.kind in KIND_LABELS or filters.kind == selectors.WAITING else ""
    data = selectors.ke_deadlines(actor=request.user, kind=kind, overdue_only=filters.overdue)
    return {
        "deadlines": [_row(r) for r in data["rows"]],
        "counts": data["counts"],
        "waiting": [
            {
                "decision_id": d.pk,
                "person_id": d.request.person_id,
                "person_name": d.request.person.full_name,
                "decided_on": d.decided_on,
            }
            for d in data["waiting"]
        ],
    }


@router.get("/", response={200: NotificationsOut, **ERRORS})
def notification_list(request):
    items, unread = selectors.notifications_for(actor=request.user)
    return {"unread": unread, "items": items}


@router.post("/read", response={200: MarkReadOut, **ERRORS})
def notifications_mark_read(request, payload: MarkReadIn):
    marked = services.notifications_mark_read(actor=request.user, ids=payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(actor=request.user)}
