"""Deadline providers for things that already exist: first contact, evaluations, measures, appeals, consent expiry.

Registered in NotificationsConfig.ready(). Each returns only OPEN deadlines
(helhet.rules.deadlines describes the contract) with a small, fixed number of
queries however many rows there are: guideline values come from
GuidelineTable (one query per key), never one query per row.

Titles never carry health details (a measure's own title stays in the plan);
pages show the person's name next to the deadline.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from helhet.rules.deadlines import Deadline, GuidelineTable, register_provider

# Consent expiry: warn this many days before valid_to (issue 5: "valid_to within 30 days").
CONSENT_WARNING_DAYS = 30


def _open_appointments(day: dt.date):
    from helhet.cases.models import CoordinatorAppointment

    return CoordinatorAppointment.objects.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))


def _coordinators_by_person(person_ids, day: dt.date) -> dict[int, int]:
    """person_id -> user id of the person's coordinator today (municipal kinds before the hospital coordinator)."""
    rank = {"coordinator": 0, "child_coordinator": 1, "hospital_coordinator": 2}
    best: dict[int, tuple[int, int]] = {}
    for pid, kind, uid in _open_appointments(day).filter(person_id__in=list(person_ids)).values_list("person_id", "kind", "coordinator_id"):
        r = rank.get(kind, 9)
        if pid not in best or r < best[pid][0]:
            best[pid] = (r, uid)
    return {pid: uid for pid, (_r, uid) in best.items()}


@register_provider
def first_contact_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Open appointment without a recorded FirstContact: due start + first_contact_days (in force on the start date) + extension."""
    from .models import DeadlineExtension, FirstContact

    qs = _open_appointments(today).annotate(contacted=Exists(FirstContact.objects.filter(appointment=OuterRef("pk")))).filter(contacted=False)
    if organization_ids is not None:
        qs = qs.filter(unit__organization_id__in=list(organization_ids))
    if user_id is not None:
        qs = qs.filter(coordinator_id=user_id)
    rows = list(qs.values_list("pk", "person_id", "coordinator_id", "unit__organization_id", "start"))
    if not rows:
        return []
    table = GuidelineTable("first_contact_days", {r[3] for r in rows})
    extra: dict[int, tuple[int, str]] = {}
    extensions = DeadlineExtension.objects.filter(appointment_id__in=[r[0] for r in rows]).order_by("created_at", "id")
    for appointment_id, days, reason in extensions.values_list("appointment_id", "days", "reason"):
        extra[appointment_id] = (days, reason)  # the latest extension is the one in force
    out = []
    for pk, person_id, coordinator_id, org_id, start in rows:
        extension_days, extension_reason = extra.get(pk, (0, ""))
        days = table.value(org_id, start) + extension_days
        out.append(Deadline(
            kind="first_contact", due=start + dt.timedelta(days=days), title="Første kontakt med personen etter oppnevning",
            rule_code="first_contact_days", organization_id=org_id, responsible_user_id=coordinator_id, person_id=person_id,
            object_type="appointment", object_id=pk, url=reverse("first_contact_record", args=[pk]),
            extension_days=extension_days, extension_reason=extension_reason,
        ))
    return out


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@register_provider
def evaluation_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Active plans: the earliest planned evaluation not yet held; else the last one's next_on, or last held / plan start + interval.

    The interval is the plan's own (months) when set, else the local guideline
    evaluation_interval_days of the plan's responsible unit's organisation.
    Responsible: the person's coordinator today.
    """
    from helhet.plans.models import Evaluation, IndividualPlan

    plans = IndividualPlan.objects.filter(status__in=[IndividualPlan.Status.ACTIVE, IndividualPlan.Status.UNDER_EVALUATION])
    if organization_ids is not None:
        plans = plans.filter(main_unit__organization_id__in=list(organization_ids))
    if user_id is not None:
        plans = plans.filter(person_id__in=_open_appointments(today).filter(coordinator_id=user_id).values("person_id"))
    plan_rows = list(plans.values_list("pk", "person_id", "main_unit__organization_id", "period_start", "evaluation_interval_months", "created_at"))
    if not plan_rows:
        return []
    plan_ids = [r[0] for r in plan_rows]
    pending: dict[int, tuple[dt.date, int]] = {}
    last_held: dict[int, tuple[dt.date, dt.date | None]] = {}
    for eid, plan_id, planned_on, held_on, next_on in (Evaluation.objects.filter(plan_id__in=plan_ids)
                                                       .order_by("planned_on", "id").values_list("pk", "plan_id", "planned_on", "held_on", "next_on")):
        if held_on is None:
            pending.setdefault(plan_id, (planned_on, eid))
        elif plan_id not in last_held or held_on >= last_held[plan_id][0]:
            last_held[plan_id] = (held_on, next_on)
    coordinators = _coordinators_by_person({r[1] for r in plan_rows}, today)
    table = GuidelineTable("evaluation_interval_days", {r[2] for r in plan_rows})
    out = []
    for plan_id, person_id, org_id, period_start, months, created_at in plan_rows:
        responsible = coordinators.get(person_id)
        if user_id is not None and responsible != user_id:
            continue
        if plan_id in pending:
            due, object_type, object_id = pending[plan_id][0], "evaluation", pending[plan_id][1]
        else:
            held = last_held.get(plan_id)
            base = held[0] if held else (period_start or created_at.date())
            if held and held[1]:
                due = held[1]
            elif months:
                due = _add_months(base, months)
            else:
                due = base + dt.timedelta(days=table.value(org_id, base))
            object_type, object_id = "plan", plan_id
        out.append(Deadline(
            kind="evaluation", due=due, title="Evaluering av individuell plan", rule_code="evaluation_interval_days",
            organization_id=org_id, responsible_user_id=responsible, person_id=person_id,
            object_type=object_type, object_id=object_id, url=reverse("plan_detail", args=[plan_id]),
        ))
    return out


@register_provider
def measure_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Measures with a deadline, not done or cancelled, in plans that are not closed. Responsible: the measure's person, else the coordinator."""
    from helhet.plans.models import IndividualPlan, Measure

    qs = (Measure.objects.filter(deadline__isnull=False).exclude(status__in=[Measure.Status.DONE, Measure.Status.CANCELLED])
          .exclude(plan__status=IndividualPlan.Status.CLOSED))
    if organization_ids is not None:
        ids = list(organization_ids)
        qs = qs.filter(Q(responsible_unit__organization_id__in=ids) | Q(responsible_unit__isnull=True, plan__main_unit__organization_id__in=ids))
    if user_id is not None:
        mine = _open_appointments(today).filter(coordinator_id=user_id).values("person_id")
        qs = qs.filter(Q(responsible_person_id=user_id) | Q(responsible_person__isnull=True, plan__person_id__in=mine))
    rows = list(qs.values_list("pk", "plan_id", "plan__person_id", "deadline", "responsible_person_id",
                               "responsible_unit__organization_id", "plan__main_unit__organization_id"))
    coordinators = _coordinators_by_person({r[2] for r in rows if r[4] is None}, today) if rows else {}
    return [
        Deadline(
            kind="measure", due=deadline, title="Frist for tiltak i individuell plan", rule_code="ip.right",
            organization_id=unit_org or plan_org, responsible_user_id=responsible or coordinators.get(person_id), person_id=person_id,
            object_type="measure", object_id=pk, url=reverse("plan_detail", args=[plan_id]),
        )
        for pk, plan_id, person_id, deadline, responsible, unit_org, plan_org in rows
    ]


@register_provider
def appeal_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Appeals received or under review by the deciding body: due received_on + appeal_handling_days. The KE acts (no single user)."""
    from helhet.cases.models import Appeal

    if user_id is not None:
        return []  # the KE's work, not one coordinator's
    qs = Appeal.objects.filter(status__in=[Appeal.Status.RECEIVED, Appeal.Status.UNDER_REVIEW])
    if organization_ids is not None:
        qs = qs.filter(decision__request__organization_id__in=list(organization_ids))
    rows = list(qs.values_list("pk", "received_on", "decision__request__organization_id", "decision__request__person_id", "decision__request_id"))
    table = GuidelineTable("appeal_handling_days", {r[2] for r in rows}) if rows else None
    return [
        Deadline(
            kind="appeal", due=received_on + dt.timedelta(days=table.value(org_id, received_on)), title="Behandling av klage",
            rule_code="appeal_handling_days", organization_id=org_id, responsible_user_id=None, person_id=person_id,
            object_type="appeal", object_id=pk, url=reverse("request_detail", args=[request_id]),
        )
        for pk, received_on, org_id, person_id, request_id in rows
    ]


@register_provider
def consent_expiry_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Consents (not withdrawn, not replaced by a later one of the same kind) whose valid_to is within CONSENT_WARNING_DAYS.

    Only for persons who still have a coordinator or a plan that is not closed
    (an old consent of someone who has left the services is not a duty).
    Tenant: the person's home municipality. Responsible: the person's coordinator.
    """
    from helhet.consent.models import Consent
    from helhet.plans.models import IndividualPlan

    later = Consent.objects.filter(person_id=OuterRef("person_id"), kind=OuterRef("kind"), given_on__gt=OuterRef("given_on"), withdrawn_on__isnull=True)
    followed = Q(person_id__in=_open_appointments(today).values("person_id")) | Q(
        person_id__in=IndividualPlan.objects.exclude(status=IndividualPlan.Status.CLOSED).values("person_id"))
    qs = (Consent.objects.filter(valid_to__isnull=False, valid_to__lte=today + dt.timedelta(days=CONSENT_WARNING_DAYS), withdrawn_on__isnull=True)
          .filter(followed).annotate(replaced=Exists(later)).filter(replaced=False))
    if organization_ids is not None:
        qs = qs.filter(person__home_municipality_id__in=list(organization_ids))
    if user_id is not None:
        qs = qs.filter(person_id__in=_open_appointments(today).filter(coordinator_id=user_id).values("person_id"))
    rows = list(qs.values_list("pk", "person_id", "valid_to", "person__home_municipality_id"))
    coordinators = _coordinators_by_person({r[1] for r in rows}, today) if rows else {}
    out = []
    for pk, person_id, valid_to, org_id in rows:
        responsible = coordinators.get(person_id)
        if user_id is not None and responsible != user_id:
            continue
        out.append(Deadline(
            kind="consent_expiry", due=valid_to, title="Samtykke må fornyes", rule_code="consent.required",
            organization_id=org_id, responsible_user_id=responsible, person_id=person_id,
            object_type="consent", object_id=pk, url=reverse("person_detail", args=[person_id]),
        ))
    return out
