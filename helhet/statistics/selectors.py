"""The KE's statistics of its tenant: aggregates only, never a person.

    tenant_statistics(*, actor, organization_id=None, today=None, export=False) -> Statistics

Access: Action.STATISTICS_VIEW (the KE officer's role) and the tenants whose KE lists the actor sees
(organizations_for(actor, KE_WORKLIST)); another tenant's id is a 404 with a 'denied' audit event. Every read (and
every CSV export) writes one audit event on the tenant, with no person.

What each figure counts is written in docs/brukerveiledning.md ("Statistikk for koordinerende enhet"):
* requests per month: Request.received_on, decisions per month: Decision.decided_on, received/decided by the tenant,
  the last MONTHS calendar months up to and including this one;
* days from request to decision (decisions in the period) and from decision to coordinator appointed (decisions in the
  period granting a coordinator or child coordinator, to the first municipal appointment for that request, else the
  person's first municipal appointment that started on or after the decision day): median and 90th percentile
  (nearest rank), shown only when at least SMALL decisions are counted;
* persons waiting for a coordinator: as the KE overview (a decision granting one, no open appointment);
* overdue deadlines by kind: helhet.rules.deadlines.collect for the tenant (the KE deadline list's source);
* plans by status, and plans that are not closed by the sector holding main responsibility: plans whose responsible
  unit is in the tenant or whose person lives in the municipality;
* coordinators' load: open appointments in the tenant (the KE overview's list), persons per coordinator, grouped.

Small counts: every count from 1 to SMALL - 1 is shown as "< 5" (page, chart and CSV); 0 is shown as 0.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helhet.access.policy import Action
from helhet.access.queries import check_role, deny, organizations
from helhet.audit.services import record
from helhet.core.dbrouter import use_replica

SMALL = 5  # counts below this (but above 0) are shown as "< 5"
MONTHS = 12
LOAD_BUCKETS = ((1, 5), (6, 10), (11, 20), (21, None))  # persons per coordinator
MUNICIPAL_KINDS = ("coordinator", "child_coordinator")


def shown(n: int | None) -> str:
    """A count as it may be shown: 1-4 become '< 5'."""
    if n is None:
        return "–"
    return f"< {SMALL}" if 0 < n < SMALL else str(n)


def chart_value(n: int) -> int | None:
    """A count as it may be drawn: suppressed counts are not drawn at all (a bar's height would tell)."""
    return None if 0 < n < SMALL else n


def _median(values: list[int]) -> float:
    # Not the stdlib's statistics.median: a package named "statistics" (tests/statistics) can shadow it on sys.path.
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(values: list[int], p: float) -> int | None:
    """Nearest-rank percentile (the smallest value with at least p % of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


@dataclass
class Row:
    label: str
    count: int

    @property
    def shown(self) -> str:
        return shown(self.count)


@dataclass
class Duration:
    label: str
    n: int
    median: float | None
    p90: int | None

    @property
    def n_shown(self) -> str:
        return shown(self.n)

    @property
    def median_shown(self) -> str:
        if self.n < SMALL or self.median is None:
            return "–"
        return f"{self.median:g}".replace(".", ",")

    @property
    def p90_shown(self) -> str:
        return "–" if self.n < SMALL or self.p90 is None else str(self.p90)


@dataclass
class Month:
    start: dt.date
    requests: int = 0
    decisions: int = 0

    @property
    def requests_shown(self) -> str:
        return shown(self.requests)

    @property
    def decisions_shown(self) -> str:
        return shown(self.decisions)


@dataclass
class Statistics:
    organization: object
    organizations: list
    today: dt.date
    period_start: dt.date
    months: list[Month]
    durations: list[Duration]
    waiting: int
    overdue: list[Row]
    plans_by_status: list[Row]
    plans_by_sector: list[Row]
    load: list[Row]
    coordinators: int
    load_median: float | None
    extra: dict = field(default_factory=dict)

    @property
    def waiting_shown(self) -> str:
        return shown(self.waiting)

    @property
    def coordinators_shown(self) -> str:
        return shown(self.coordinators)

    @property
    def load_median_shown(self) -> str:
        if self.coordinators < SMALL or self.load_median is None:
            return "–"
        return f"{self.load_median:g}".replace(".", ",")


def _month_starts(today: dt.date, n: int) -> list[dt.date]:
    out = []
    y, m = today.year, today.month
    for _i in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def _pick(actor, organization_id) -> tuple[object, list]:
    check_role(actor, Action.STATISTICS_VIEW)
    orgs = organizations(actor, Action.KE_WORKLIST)
    if not orgs:
        deny(actor, Action.STATISTICS_VIEW)
    if organization_id in (None, ""):
        return orgs[0], orgs
    chosen = next((o for o in orgs if str(o.pk) == str(organization_id)), None)
    if chosen is None:
        deny(actor, Action.STATISTICS_VIEW)
    return chosen, orgs


def _months(org, starts: list[dt.date]) -> list[Month]:
    from helhet.cases.models import Decision, Request

    months = {s: Month(s) for s in starts}
    first = starts[0]
    for day in Request.objects.filter(organization=org, received_on__gte=first).values_list("received_on", flat=True):
        if day.replace(day=1) in months:
            months[day.replace(day=1)].requests += 1
    for day in Decision.objects.filter(request__organization=org, decided_on__gte=first).values_list("decided_on", flat=True):
        if day.replace(day=1) in months:
            months[day.replace(day=1)].decisions += 1
    return [months[s] for s in starts]


def _durations(org, first: dt.date, today: dt.date) -> list[Duration]:
    from helhet.cases.models import CoordinatorAppointment, Decision

    rows = list(Decision.objects.filter(request__organization=org, decided_on__gte=first, decided_on__lte=today)
                .values_list("request_id", "request__person_id", "request__received_on", "decided_on", "grants_coordinator",
                             "grants_child_coordinator"))
    to_decision = [(decided - received).days for _r, _p, received, decided, _c, _cc in rows]
    granted = [(req, person, decided) for req, person, _rec, decided, c, cc in rows if c or cc]
    by_request: dict[int, dt.date] = {}
    by_person: dict[int, list[dt.date]] = defaultdict(list)
    if granted:
        appointments = CoordinatorAppointment.objects.filter(person_id__in={p for _r, p, _d in granted}, kind__in=MUNICIPAL_KINDS)
        for person_id, request_id, start in appointments.values_list("person_id", "request_id", "start"):
            if request_id is not None and (request_id not in by_request or start < by_request[request_id]):
                by_request[request_id] = start
            by_person[person_id].append(start)
    to_coordinator = []
    for req, person, decided in granted:
        start = by_request.get(req) or min((s for s in by_person.get(person, []) if s >= decided), default=None)
        if start is not None and start <= today:
            to_coordinator.append(max(0, (start - decided).days))

    def duration(label, values):
        return Duration(label, len(values), _median(values) if values else None, percentile(values, 90))

    return [duration(_("Fra henvendelse til avgjørelse"), to_decision),
            duration(_("Fra avgjørelse til koordinator er oppnevnt"), to_coordinator)]


def _waiting(org) -> int:
    from helhet.cases.models import CoordinatorAppointment, Decision

    open_appointment = CoordinatorAppointment.objects.filter(person=OuterRef("request__person"), end__isnull=True)
    return (Decision.objects.filter(request__organization=org).filter(Q(grants_coordinator=True) | Q(grants_child_coordinator=True))
            .annotate(has_coordinator=Exists(open_appointment)).filter(has_coordinator=False)
            .values("request__person_id").distinct().count())


def _overdue(org, today: dt.date) -> list[Row]:
    from helhet.rules.deadlines import KIND_LABELS, collect, kind_label

    counts = Counter(d.kind for d in collect(organization_ids=[org.pk], today=today) if d.overdue(today))
    kinds = list(KIND_LABELS) + sorted(k for k in counts if k not in KIND_LABELS)
    return [Row(kind_label(k), counts.get(k, 0)) for k in kinds]


def _plans(org) -> tuple[list[Row], list[Row]]:
    from helhet.plans.models import MAIN_SECTOR_CHOICES, IndividualPlan

    rows = list(IndividualPlan.objects.filter(Q(main_unit__organization=org) | Q(person__home_municipality=org))
                .values_list("status", "main_sector"))
    by_status = Counter(s for s, _m in rows)
    by_sector = Counter(m for s, m in rows if s != IndividualPlan.Status.CLOSED)
    return ([Row(str(label), by_status.get(value, 0)) for value, label in IndividualPlan.Status.choices],
            [Row(str(label), by_sector.get(value, 0)) for value, label in MAIN_SECTOR_CHOICES])


def _load(org, today: dt.date) -> tuple[list[Row], int, float | None]:
    from helhet.cases.models import CoordinatorAppointment

    pairs = set(CoordinatorAppointment.objects.filter(Q(end__isnull=True) | Q(end__gt=today), start__lte=today)
                .filter(Q(unit__organization=org) | Q(person__home_municipality=org)).values_list("coordinator_id", "person_id"))
    per_coordinator = Counter(c for c, _p in pairs)
    rows = []
    for low, high in LOAD_BUCKETS:
        n = sum(1 for v in per_coordinator.values() if v >= low and (high is None or v <= high))
        label = _("%(low)s–%(high)s personer") % {"low": low, "high": high} if high else _("%(low)s personer eller flere") % {"low": low}
        rows.append(Row(label, n))
    values = list(per_coordinator.values())
    return rows, len(values), (_median(values) if values else None)


def tenant_statistics(*, actor, organization_id=None, today: dt.date | None = None, export: bool = False) -> Statistics:
    """Every figure of the statistics page for one of the actor's KE tenants (see the module docstring)."""
    org, orgs = _pick(actor, organization_id)
    today = today or timezone.localdate()
    starts = _month_starts(today, MONTHS)
    # Aggregates only, after the access decision above: read from the replica when there is one (helhet/core/dbrouter.py).
    with use_replica():
        load_rows, n_coordinators, load_median = _load(org, today)
        by_status, by_sector = _plans(org)
        stats = Statistics(
            organization=org, organizations=orgs, today=today, period_start=starts[0], months=_months(org, starts),
            durations=_durations(org, starts[0], today), waiting=_waiting(org), overdue=_overdue(org, today),
            plans_by_status=by_status, plans_by_sector=by_sector, load=load_rows, coordinators=n_coordinators, load_median=load_median,
        )
    record(actor=actor, action="export" if export else "view", object_type="statistics", object_id=org.pk, organization=org,
           summary=gettext_noop("Lastet ned statistikk for koordinerende enhet") if export else gettext_noop("Så statistikk for koordinerende enhet"),
           detail={"organization": org.pk, "from": starts[0].isoformat(), "to": today.isoformat()})
    return stats


def csv_rows(stats: Statistics) -> list[list[str]]:
    """The same figures as the page, as rows (section, what, value ...), with the same small-count rule."""
    rows = [[_("Del"), _("Hva"), _("Verdi"), _("Verdi 2"), _("Verdi 3")]]
    for m in stats.months:
        rows.append([_("Henvendelser og avgjørelser per måned"), m.start.strftime("%Y-%m"), m.requests_shown, m.decisions_shown, ""])
    for d in stats.durations:
        rows.append([_("Dager (antall, median, 90-persentil)"), d.label, d.n_shown, d.median_shown, d.p90_shown])
    rows.append([_("Venter på koordinator"), _("Personer"), stats.waiting_shown, "", ""])
    rows += [[_("Forfalte frister"), r.label, r.shown, "", ""] for r in stats.overdue]
    rows += [[_("Planer etter status"), r.label, r.shown, "", ""] for r in stats.plans_by_status]
    rows += [[_("Planer etter hovedansvar"), r.label, r.shown, "", ""] for r in stats.plans_by_sector]
    rows += [[_("Koordinatorenes belastning"), r.label, r.shown, "", ""] for r in stats.load]
    rows.append([_("Koordinatorenes belastning"), _("Koordinatorer i alt"), stats.coordinators_shown, stats.load_median_shown, ""])
    return rows
