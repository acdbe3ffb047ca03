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
from django.utils.translation import gettext_noop

from helhet.access.policy import (
    Action,
    access_log_hidden_object_types,
    action_label,
    withheld_label,
)
from helhet.access.queries import check_role, get_person, organizations_for

from .models import AuditEvent
from .services import record

# The columns the person's access log shows. `detail` (free-text internals,
# e.g. which fields changed and why) is never loaded for it. `code`, `params` and
# `withheld` are what event_text() renders in the reader's language; `summary` is
# the fallback for events from before `code` existed.
ACCESS_LOG_FIELDS = (
    "at", "actor_name", "actor_role", "action", "summary", "code", "params", "withheld", "organization__name",
)

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


def _loaded(event: AuditEvent, field: str) -> bool:
    """Whether `field` came with the row: reading a deferred one would query, and `detail` must stay unread
    where the caller left it out (ACCESS_LOG_FIELDS)."""
    return field not in event.get_deferred_fields()


def refused_action(event: AuditEvent) -> str:
    """The action code a 'denied' event names.

    helhet.access writes refusals as record(action="denied", summary=<action code>, detail={"action": code});
    the code is taken from params["action"], then detail["action"] (only when the row has `detail` loaded),
    then the message id / summary, which hold the same code.
    """
    params = event.params if _loaded(event, "params") else {}
    code = (params or {}).get("action")
    if not code and _loaded(event, "detail"):
        code = (event.detail or {}).get("action")
    if not code:
        code = (event.code if _loaded(event, "code") else "") or event.summary
    return str(code or "")


def event_withheld(event: AuditEvent) -> list[str]:
    """The information categories a partly withheld read left out ([] for a whole read or an older row)."""
    return list(event.withheld or []) if _loaded(event, "withheld") else []


def event_text(event: AuditEvent) -> str:
    """The log's "Hva" column, in the current (reader's) language.

    - A refusal says so and names, in words, what was refused ("Nektet tilgang: se planen"), never the
      raw action code (access.policy.action_label; an unknown code reads "en handling").
    - A read that left information categories out names them ("Så individuell plan, uten: Helse og
      funksjon, Legemidler"), labels from helhet.consent.categories.
    - Otherwise AuditEvent.text: the message id rendered with its parameters.
    Used by the access log and the unusual-access report (templatetags/audit_log.py).
    """
    if event.action == AuditEvent.Action.DENIED:
        return _("Nektet tilgang: %(action)s") % {"action": action_label(refused_action(event))}
    text = event.text if _loaded(event, "code") else event.summary
    withheld = event_withheld(event)
    if withheld:
        return _("%(what)s, uten: %(categories)s") % {
            "what": text, "categories": ", ".join(withheld_label(c) for c in withheld),
        }
    return text


def event_action_label(event: AuditEvent) -> str:
    """The log's "Handling" column: the action's label, marked when a read left information out."""
    if event_withheld(event):
        if event.action == AuditEvent.Action.VIEW:
            return _("lest (delvis skjult)")
        if event.action == AuditEvent.Action.EXPORT:
            return _("eksportert (delvis skjult)")
    return str(event.get_action_display())


def access_log_for_person(*, actor, person_id) -> tuple[object, QuerySet[AuditEvent]]:
    """Who has read or changed this person's data: time, name, role, organisation, action, what. Newest first.

    Allowed for the person themselves, their representative, and the KE
    (policy: Action.AUDIT_VIEW_PERSON); anyone else gets NotFound (and a
    'denied' event). Viewing writes its own 'view' event, which the log then shows.
    Uses the (person, at) index.
    """
    person, why = get_person(actor, person_id, action=Action.AUDIT_VIEW_PERSON)
    record(actor=actor, action=AuditEvent.Action.VIEW, object_type="access_log", object_id=person.pk, person=person,
           reason=why, summary=gettext_noop("Så tilgangsloggen"))
    events = AuditEvent.objects.filter(person=person)
    hidden = access_log_hidden_object_types(why)
    if hidden:
        events = events.exclude(object_type__in=hidden)
    events = (
        events
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


def unusual_access(*, actor, now: dt.datetime | None = None, days: int = REPORT_DAYS, params=None) -> dict:
    """The KE's report of unusual access to persons whose home municipality is the officer's tenant.

    Sections, each over the last `days` days:
    - no_relationship: reads where the reader had no relationship at read time.
      Approximation: every read through access.queries.check() stores the
      relationship that allowed it in `reason`, so a read event with an empty
      reason was not made on the strength of a relationship.
    - bursts: actors who read BURST_PERSONS distinct persons within BURST_MINUTES.
    - off_hours: staff reads outside WORKDAY_START_HOUR-WORKDAY_END_HOUR Europe/Oslo, or at the weekend.
    - denied: refused attempts on the tenant's persons.
    Each section is a page of REPORT_ROWS (helhet.core.paging; `params` the page's query string, one pager per section).
    """
    from helhet.core.paging import keyset_page, offset_page

    check_role(actor, Action.KE_WORKLIST)
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    tenants = list(organizations_for(actor, Action.KE_WORKLIST))
    scoped = AuditEvent.objects.filter(at__gte=since, at__lte=now, person__home_municipality_id__in=tenants)
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
           summary=gettext_noop("Så rapporten om uvanlig tilgang"))
    return {
        "since": since,
        "now": now,
        "days": days,
        "burst_persons": burst_persons,
        "burst_minutes": burst_minutes,
        "workday_start": WORKDAY_START_HOUR,
        "workday_end": WORKDAY_END_HOUR,
        "row_limit": REPORT_ROWS,
        "no_relationship": keyset_page(no_relationship, params, per_page=REPORT_ROWS, prefix="utenfor_"),
        "bursts": offset_page(bursts, params, per_page=REPORT_ROWS, prefix="mange_"),
        "off_hours": keyset_page(off_hours, params, per_page=REPORT_ROWS, prefix="tid_"),
        "denied": keyset_page(denied, params, per_page=REPORT_ROWS, prefix="nektet_"),
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
