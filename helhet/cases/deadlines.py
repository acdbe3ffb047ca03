"""Deadline providers of the case process (helhet.rules.deadlines describes the contract), registered in
CasesConfig.ready():

* appeal_window: a decision with an appealable refusal, until the appeal deadline has run out (rules
  appeal.deadline.*, chosen by Decision.law) and while no appeal is registered. The KE sees when it becomes final.
* new_decision: the follow-up request opened when an appeal was decided for the person or sent back, until the KE
  has decided it again (rule appeal.new-decision). Overdue shows on the KE's worklist.

A fixed number of queries however many rows (the rules are read once).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helhet.rules.deadlines import Deadline

from .rules import APPEAL_DEADLINE_RULES


def _rules_by_code(codes) -> dict[str, list]:
    from helhet.rules.models import Rule

    out: dict[str, list] = {}
    for rule in Rule.objects.filter(code__in=list(codes), organization__isnull=True).order_by("valid_from"):
        out.setdefault(rule.code, []).append(rule)
    return out


def _in_force(rules: list, day: dt.date):
    found = None
    for rule in rules:
        if rule.in_force_on(day):
            found = rule
    return found


def appeal_window_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    from .models import Decision

    if user_id is not None and organization_ids is None:
        return []  # the KE's deadline, not one user's
    # No decision older than the longest deadline can still be open (a year is far beyond any appeal deadline).
    qs = Decision.objects.exclude(appeal_route="").filter(appeals__isnull=True, decided_on__gte=today - dt.timedelta(days=366))
    if organization_ids is not None:
        qs = qs.filter(request__organization_id__in=list(organization_ids))
    rows = list(qs.values_list("pk", "law", "decided_on", "request_id", "request__organization_id", "request__person_id"))
    if not rows:
        return []
    rules = _rules_by_code(APPEAL_DEADLINE_RULES.values())
    out = []
    for pk, law, decided_on, request_id, org_id, person_id in rows:
        rule = _in_force(rules.get(APPEAL_DEADLINE_RULES.get(law, ""), []), decided_on)
        if rule is None:
            continue
        due = decided_on + dt.timedelta(weeks=int((rule.parameters or {}).get("weeks", 0)))
        if due < today:
            continue  # the deadline has run out: the decision is final (a late appeal is registered by hand)
        out.append(Deadline(kind="appeal_window", due=due, title="Klagefrist for avgjørelse", rule_code=rule.code, organization_id=org_id,
                            responsible_user_id=None, person_id=person_id, object_type="decision", object_id=pk,
                            url=reverse("request_detail", args=[request_id])))
    return out


def new_decision_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    from .models import Request

    if user_id is not None and organization_ids is None:
        return []
    qs = Request.objects.filter(follows_appeal__isnull=False, decision__isnull=True)
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=list(organization_ids))
    rows = list(qs.values_list("pk", "received_on", "organization_id", "person_id"))
    if not rows:
        return []
    rules = _rules_by_code(["appeal.new-decision"]).get("appeal.new-decision", [])
    out = []
    for pk, on, org_id, person_id in rows:
        rule = _in_force(rules, on)
        days = int((rule.parameters or {}).get("days", 0)) if rule else 0
        out.append(Deadline(kind="new_decision", due=on + dt.timedelta(days=days), title="Ny avgjørelse etter klage",
                            rule_code="appeal.new-decision", organization_id=org_id, responsible_user_id=None, person_id=person_id,
                            object_type="request", object_id=pk, url=reverse("request_detail", args=[pk])))
    return out


def partners_inform_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Informing the GP and partners is a step, not a memory: an open municipal coordinator appointment, and an open
    plan, each give the coordinator a task until the information for that event is recorded as sent (e-mail or letter,
    helhet.coordination.services.partners_inform) after it happened. None while the person objects, and none when no GP
    or partner is involved (nobody to inform). Due: the event's day + the rule partners.inform's days."""
    from django.db.models import Exists, OuterRef, Q

    from helhet.coordination.models import PartnerInformation, PartnerInformationObjection
    from helhet.people.models import Involvement
    from helhet.plans.models import IndividualPlan

    from .models import CoordinatorAppointment

    objected = PartnerInformationObjection.objects.filter(person=OuterRef("person_id"), withdrawn_on__isnull=True, objected_on__lte=today)
    partners = Involvement.objects.filter(Q(end__isnull=True) | Q(end__gte=today), person=OuterRef("person_id"), start__lte=today,
                                          unit__is_coordinating_unit=False)
    municipal = CoordinatorAppointment.objects.filter(start__lte=today).filter(Q(end__isnull=True) | Q(end__gt=today)).exclude(
        kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR)
    appointed = municipal.annotate(
        informed=Exists(PartnerInformation.objects.filter(person=OuterRef("person_id"), event=PartnerInformation.Event.COORDINATOR_APPOINTED,
                                                          sent_at__date__gte=OuterRef("start"))),
        objected=Exists(objected), has_partners=Exists(partners)).filter(informed=False, objected=False, has_partners=True)
    if organization_ids is not None:
        appointed = appointed.filter(unit__organization_id__in=list(organization_ids))
    if user_id is not None:
        appointed = appointed.filter(coordinator_id=user_id)
    rows = list(appointed.values_list("pk", "person_id", "coordinator_id", "unit__organization_id", "start"))
    coordinator_of = {pid: (uid, org) for _pk, pid, uid, org, _s in rows}
    plans = IndividualPlan.objects.exclude(status=IndividualPlan.Status.CLOSED).annotate(
        informed=Exists(PartnerInformation.objects.filter(person=OuterRef("person_id"), event=PartnerInformation.Event.PLAN_STARTED,
                                                          sent_at__gte=OuterRef("created_at"))),
        objected=Exists(objected), has_partners=Exists(partners)).filter(informed=False, objected=False, has_partners=True)
    plan_rows = list(plans.values_list("pk", "person_id", "main_unit__organization_id", "created_at"))
    if plan_rows:
        # Who must act on a plan: the person's municipal coordinator today (one query for all plans).
        for pid, uid, org in municipal.filter(person_id__in=[r[1] for r in plan_rows]).values_list("person_id", "coordinator_id",
                                                                                                   "unit__organization_id"):
            coordinator_of.setdefault(pid, (uid, org))
    if not rows and not plan_rows:
        return []
    rule = _in_force(_rules_by_code(["partners.inform"]).get("partners.inform", []), today)
    if rule is None:
        return []
    days = dt.timedelta(days=int((rule.parameters or {}).get("days", 0)))
    out = []
    for pk, person_id, coordinator_id, org_id, start in rows:
        out.append(Deadline(kind="partners_inform", due=start + days, title="Informere fastlege og samarbeidspartnere om koordinator",
                            rule_code=rule.code, organization_id=org_id, responsible_user_id=coordinator_id, person_id=person_id,
                            object_type="appointment", object_id=pk,
                            url=reverse("partners_inform", args=[person_id]) + "?event=coordinator_appointed"))
    from django.utils import timezone

    for pk, person_id, org_id, created_at in plan_rows:
        coordinator_id, _org = coordinator_of.get(person_id, (None, None))
        if user_id is not None and coordinator_id != user_id:
            continue
        if organization_ids is not None and org_id not in set(organization_ids):
            continue
        out.append(Deadline(kind="partners_inform", due=timezone.localdate(created_at) + days,
                            title="Informere fastlege og samarbeidspartnere om individuell plan", rule_code=rule.code,
                            organization_id=org_id, responsible_user_id=coordinator_id, person_id=person_id, object_type="plan",
                            object_id=pk, url=reverse("partners_inform", args=[person_id]) + "?event=plan_started"))
    return out
