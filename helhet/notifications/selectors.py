"""Reads: the coordinator's deadlines, the KE's deadlines across its tenant, a user's notifications.

Every list reads deadlines only through helhet.rules.deadlines.collect(); the
query count depends on the number of providers and distinct (rule, tenant)
pairs, never on the number of deadlines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.access.policy import Action
from helhet.access.queries import check_role, organizations_for
from helhet.rules.deadlines import KIND_LABELS, Deadline, collect, kind_label

from .models import Notification

# The KE overview's extra kind: persons granted a coordinator who have none yet (from cases.selectors.ke_overview).
WAITING = "waiting_for_coordinator"


@dataclass
class DeadlineRow:
    deadline: Deadline
    person_name: str
    overdue: bool
    days_left: int
    why: str = ""  # the "Hvorfor?" link, set by the view (views._attach_why)

    @property
    def kind_label(self) -> str:
        return kind_label(self.deadline.kind)

    @property
    def rule_code(self) -> str:
        return self.deadline.rule_code


def _rows(deadlines: list[Deadline], today: dt.date) -> list[DeadlineRow]:
    from helhet.people.models import Person

    names = {p.pk: p.full_name for p in Person.objects.filter(pk__in={d.person_id for d in deadlines if d.person_id}).only("given_name", "family_name")}
    rows = [DeadlineRow(d, names.get(d.person_id, ""), d.overdue(today), (d.due - today).days) for d in deadlines]
    # Overdue first (oldest first), then the soonest.
    rows.sort(key=lambda r: (not r.overdue, r.deadline.due, r.deadline.kind, r.deadline.object_id))
    return rows


def my_deadlines(*, actor, today: dt.date | None = None) -> list[DeadlineRow]:
    """The open deadlines where the actor is the one who must act, overdue first."""
    today = today or timezone.localdate()
    return _rows(collect(user_id=actor.pk, today=today), today)


def ke_deadlines(*, actor, kind: str = "", overdue_only: bool = False, today: dt.date | None = None) -> dict:
    """The KE's deadlines across its tenant(s), with counts per kind (before filtering) and persons waiting for a coordinator."""
    check_role(actor, Action.KE_WORKLIST)
    today = today or timezone.localdate()
    from helhet.cases.selectors import ke_lists

    deadlines = collect(organization_ids=sorted(organizations_for(actor, Action.KE_WORKLIST)), today=today)
    waiting = ke_lists(actor=actor)["waiting"]  # a queryset: the page pages it, the count is one COUNT
    waiting_count = waiting.count()
    counts = {k: {"kind": k, "label": kind_label(k), "total": 0, "overdue": 0} for k in KIND_LABELS}
    for d in deadlines:
        c = counts.setdefault(d.kind, {"kind": d.kind, "label": kind_label(d.kind), "total": 0, "overdue": 0})
        c["total"] += 1
        c["overdue"] += d.overdue(today)
    counts[WAITING] = {"kind": WAITING, "label": _("Venter på koordinator"), "total": waiting_count, "overdue": waiting_count}
    if kind:
        deadlines = [d for d in deadlines if d.kind == kind]
    if overdue_only:
        deadlines = [d for d in deadlines if d.overdue(today)]
    show_waiting = kind in ("", WAITING)
    return {
        "rows": _rows(deadlines, today) if kind != WAITING else [],
        "waiting": waiting if show_waiting else waiting.none(),
        "counts": list(counts.values()),
        "total": sum(c["total"] for k, c in counts.items() if k != WAITING),
        "overdue_total": sum(c["overdue"] for k, c in counts.items() if k != WAITING),
    }


def notifications_for(*, actor, limit: int = 100) -> tuple[list[Notification], int]:
    """The actor's own notifications (newest first) and how many are unread."""
    return list(notification_list(actor=actor)[:limit]), unread_count(actor=actor)


def notification_list(*, actor):
    """The actor's own notifications, newest first (id breaks ties): the page keyset-pages it."""
    return Notification.objects.filter(user=actor).order_by("-created_at", "-id")


def unread_count(*, actor) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).count()
