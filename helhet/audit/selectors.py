"""Reads of the audit log: the person's own access log, and the KE's report of unusual access.

Both take the actor, show only what the actor may see, and are themselves
audited (reading who read a person is a read of that person's data).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext as _

from helhet.access.policy import Action
from helhet.access.queries import actor_context, get_person
from helhet.core.errors import NotFound

from .models import AuditEvent
from .services import record

# The columns the person's access log shows. `detail` (free-text internals,
# e.g. which fields changed and why) is never loaded for it.
ACCESS_LOG_FIELDS = ("at", "actor_name", "actor_role", "action", "summary", "organization__name")

# (b) "many persons in a short time": one actor reading at least BURST_PERSONS
# distinct persons within any BURST_MINUTES window is flagged. 20 in 10 minutes
# is far above a caseworker's normal pace (a few persons an hour) yet below a
# scripted or curious sweep through a list. Override in settings with
# HELHET_AUDIT_BURST_PERSONS / HELHET_AUDIT_BURST_MINUTES.
BURST_PERSONS = 20
BURST_MINUTES = 10
# (c) Working hours in Norwegian local time, Monday to Friday: reads before
# 07:00, from 18:00, or on Saturday/Sunday are flagged. Holidays are not known here.
WORKDAY_START_HOUR = 7
WORKDAY_END_HOUR = 18
OSLO = ZoneInfo("Europe/Oslo")
# How far back the report looks, and how many rows each section shows.
REPORT_DAYS = 30
REPORT_ROWS = 200

READ_ACTIONS = (AuditEvent.Action.VIEW, AuditEvent.Action.EXPORT)
# The person reading their own data (or their representative) is not a staff
# access pattern to report in (b) and (c).
_CITIZEN_REASONS = ("self", "representative")


def access_log_for_person(*, actor, person_id) -> tuple[object, QuerySet[AuditEvent]]:
    """Who has read or changed this person's data: time, name, role, organisation, action, what. Newest first.

    Allowed for the person themselves, their representative, and the KE
    (policy: Action.AUDIT_VIEW_PERSON); anyone else gets NotFound (and a
    'denied' event). Viewing writes its own 'view' event, which the log then shows.
    Uses the (person, at) index.
    """
    person, why = get_person(actor, person_id, action=Action.AUDIT_VIEW_PERSON)
    record(actor=actor, action=AuditEvent.Action.VIEW, object_type="access_log", object_id=person.pk, person=person,
           reason=why, summary=_("Så tilgangsloggen"))
    events = (
        AuditEvent.objects.filter(person=person)
        .select_related("organization")
        .only(*ACCESS_LOG_FIELDS)
        .order_by("-at", "-id")
    )
    return person, events


@dataclass(frozen=True)
class Burst:
    actor_id: int
    actor_name: str
    actor_role: str
    start: dt.datetime
    end: dt.datetime
    persons: int

    @property
    def actor_role_label(self) -> str:
        return AuditEvent(actor_role=self.actor_role).actor_role_label


def unusual_access(*, actor, now: dt.datetime | None = None, days: int = REPORT_DAYS) -> dict:
    """The KE's report of unusual access to persons whose home municipality is the officer's tenant.

    Sections, each over the last `days` days:
    - no_relationship: reads where the reader had no relationship at read time.
      Approximation: every read through access.queries.check() stores the
      relationship that allowed it in `reason`, so a read event with an empty
      reason was not made on the strength of a relationship.
    - bursts: actors who read BURST_PERSONS distinct persons within BURST_MINUTES.
    - off_hours: staff reads outside WORKDAY_START_HOUR-WORKDAY_END_HOUR Europe/Oslo, or at the weekend.
    - denied: refused attempts on the tenant's persons.
    """
    ctx = actor_context(actor)
    if not ctx.ke_org_ids:
        raise NotFound()
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    scoped = AuditEvent.objects.filter(at__gte=since, at__lte=now, person__home_municipality_id__in=list(ctx.ke_org_ids))
    shown = scoped.select_related("person", "organization").defer("detail").order_by("-at", "-id")
    staff_reads = shown.filter(action__in=READ_ACTIONS).exclude(reason__in=_CITIZEN_REASONS)

    no_relationship = shown.filter(action=AuditEvent.Action.VIEW, reason="")
    off_hours = staff_reads.annotate(
        local_hour=ExtractHour("at", tzinfo=OSLO), local_weekday=ExtractIsoWeekDay("at", tzinfo=OSLO)
    ).filter(Q(local_hour__lt=WORKDAY_START_HOUR) | Q(local_hour__gte=WORKDAY_END_HOUR) | Q(local_weekday__gte=6))
    denied = shown.filter(action=AuditEvent.Action.DENIED)

    burst_persons = getattr(settings, "HELHET_AUDIT_BURST_PERSONS", BURST_PERSONS)
    burst_minutes = getattr(settings, "HELHET_AUDIT_BURST_MINUTES", BURST_MINUTES)
    bursts = _bursts(
        scoped.filter(action__in=READ_ACTIONS, actor__isnull=False).exclude(reason__in=_CITIZEN_REASONS),
        persons=burst_persons, window=dt.timedelta(minutes=burst_minutes),
    )
    record(actor=actor, action=AuditEvent.Action.VIEW, object_type="report", object_id="unusual_access",
           summary=_("Så rapporten om uvanlig tilgang"))
    return {
        "since": since,
        "now": now,
        "days": days,
        "burst_persons": burst_persons,
        "burst_minutes": burst_minutes,
        "workday_start": WORKDAY_START_HOUR,
        "workday_end": WORKDAY_END_HOUR,
        "row_limit": REPORT_ROWS,
        "no_relationship": list(no_relationship[:REPORT_ROWS]),
        "bursts": bursts[:REPORT_ROWS],
        "off_hours": list(off_hours[:REPORT_ROWS]),
        "denied": list(denied[:REPORT_ROWS]),
    }


def _bursts(reads: QuerySet[AuditEvent], *, persons: int, window: dt.timedelta) -> list[Burst]:
    """Per actor, the busiest `window` (most distinct persons), when it reaches `persons`. One pass, streamed.

    Sliding window over each actor's reads in time order; holds at most one
    window's reads in memory. Uses the (actor, at) index.
    """
    rows = reads.order_by("actor_id", "at", "id").values_list("actor_id", "actor_name", "actor_role", "at", "person_id")
    found: list[Burst] = []
    current_actor = None
    win: deque = deque()
    counts: Counter = Counter()
    best: Burst | None = None

    def flush() -> None:
        if best is not None:
            found.append(best)

    for actor_id, name, role, at, person_id in rows.iterator(chunk_size=5000):
        if actor_id != current_actor:
            flush()
            current_actor, best = actor_id, None
            win.clear()
            counts.clear()
        win.append((at, person_id))
        counts[person_id] += 1
        while win[0][0] < at - window:
            _, old = win.popleft()
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
        if len(counts) >= persons and (best is None or len(counts) > best.persons):
            best = Burst(actor_id, name, role, win[0][0], at, len(counts))
    flush()
    found.sort(key=lambda b: (-b.persons, b.start))
    return found
