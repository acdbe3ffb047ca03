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
    or partner is involved (nobody to inform). Due: the event's day + the rule partners.inform's days. The end of the
    arrangement is the third event (_partners_inform_ended, rule partners.inform-ended)."""
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
    # The third event (the arrangement ended) has its own rule and rows: _partners_inform_ended.
    ended = _partners_inform_ended(organization_ids=organization_ids, user_id=user_id, today=today, objected=objected, partners=partners)
    if not rows and not plan_rows:
        return ended
    rule = _in_force(_rules_by_code(["partners.inform"]).get("partners.inform", []), today)
    if rule is None:
        return ended
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
    return out + ended


def _partners_inform_ended(*, organization_ids, user_id, today: dt.date, objected, partners) -> list[Deadline]:
    """The arrangement ended: the person has neither an open plan nor an active municipal coordinator any more, and the
    later of the last plan's closing and the last coordinator's end lies within the rule partners.inform-ended's
    lookback_days. One task per person for the KE of the tenant whose coordinator ended last (or whose unit held the
    plan): once the appointment has ended the coordinator no longer acts for the person (access policy), so no single
    user is responsible and the coordinator's own list (user_id) gets nothing from here. Open until the information for
    'arrangement_ended' is recorded as sent on or after that day; none while the person objects or with nobody to inform.
    Due: the end + the rule's days. A fixed number of queries however many persons."""
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from helhet.coordination.models import PartnerInformation
    from helhet.plans.models import IndividualPlan

    from .models import CoordinatorAppointment

    if user_id is not None and organization_ids is None:
        return []
    rule = _in_force(_rules_by_code(["partners.inform-ended"]).get("partners.inform-ended", []), today)
    if rule is None:
        return []
    params = rule.parameters or {}
    since = today - dt.timedelta(days=int(params.get("lookback_days", 90)))
    municipal = CoordinatorAppointment.objects.exclude(kind=CoordinatorAppointment.Kind.HOSPITAL_COORDINATOR)
    still = {
        "active": Exists(municipal.filter(person=OuterRef("person_id"), start__lte=today).filter(Q(end__isnull=True) | Q(end__gt=today))),
        "open_plan": Exists(IndividualPlan.objects.filter(person=OuterRef("person_id")).exclude(status=IndividualPlan.Status.CLOSED)),
        "objected": Exists(objected), "has_partners": Exists(partners),
    }
    keep = {"active": False, "open_plan": False, "objected": False, "has_partners": True}
    ended: dict[int, list] = {}  # person -> [ended_on, coordinator_id, org_id]
    appointments = (municipal.filter(end__isnull=False, end__gte=since, end__lte=today).annotate(**still).filter(**keep)
                    .order_by("end", "pk").values_list("person_id", "coordinator_id", "unit__organization_id", "end"))
    for person_id, coordinator_id, org_id, end in appointments:
        ended[person_id] = [end, coordinator_id, org_id]
    plans = (IndividualPlan.objects.filter(status=IndividualPlan.Status.CLOSED, closed_on__gte=since, closed_on__lte=today)
             .annotate(**still).filter(**keep).values_list("person_id", "main_unit__organization_id", "closed_on"))
    for person_id, org_id, closed_on in plans:
        row = ended.get(person_id)
        if row is None:
            ended[person_id] = [closed_on, None, org_id]
        elif closed_on > row[0]:
            row[0] = closed_on
    if not ended:
        return []
    informed: dict[int, dt.date] = {}
    for person_id, sent_at in PartnerInformation.objects.filter(person_id__in=list(ended), event=PartnerInformation.Event.ARRANGEMENT_ENDED
                                                                ).values_list("person_id", "sent_at"):
        day = timezone.localdate(sent_at)
        informed[person_id] = max(day, informed.get(person_id, day))
    days = dt.timedelta(days=int(params.get("days", 0)))
    out = []
    for person_id, (ended_on, _coordinator_id, org_id) in sorted(ended.items()):
        if informed.get(person_id) and informed[person_id] >= ended_on:
            continue
        if organization_ids is not None and org_id not in set(organization_ids):
            continue
        out.append(Deadline(kind="partners_inform", due=ended_on + days, title="Informere fastlege og samarbeidspartnere om at ordningen er avsluttet",
                            rule_code=rule.code, organization_id=org_id, responsible_user_id=None, person_id=person_id,
                            object_type="person", object_id=person_id,
                            url=reverse("partners_inform", args=[person_id]) + "?event=arrangement_ended"))
    return out


def contact_doctor_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """A recorded need for a contact doctor (or psychologist) not yet appointed: due the working day after the need was
    found (rule contact-doctor.deadline, Norwegian public holidays: cases.rules.add_working_days). On the unit leader's list
    (user_id: the leaders of the unit) and the hospital's KE list (organization_ids: the unit's health trust)."""
    from helhet.organizations.models import Membership

    from .models import ContactDoctor
    from .rules import contact_doctor_due

    qs = ContactDoctor.objects.filter(appointed_on__isnull=True, ended_on__isnull=True)
    if organization_ids is not None:
        qs = qs.filter(unit__organization_id__in=list(organization_ids))
    if user_id is not None:
        led = Membership.objects.filter(user_id=user_id, role="unit_leader", active=True).values("unit_id")
        qs = qs.filter(unit_id__in=led)
    rows = list(qs.values_list("pk", "person_id", "unit__organization_id", "need_found_on", "recorded_by_id"))
    if not rows:
        return []
    rules = _rules_by_code(["contact-doctor.deadline"]).get("contact-doctor.deadline", [])
    out = []
    for pk, person_id, org_id, found_on, recorded_by in rows:
        rule = _in_force(rules, found_on)
        if rule is None:
            continue
        out.append(Deadline(kind="contact_doctor", due=contact_doctor_due(found_on, rule), title="Oppnevne kontaktlege",
                            rule_code=rule.code, organization_id=org_id, responsible_user_id=user_id or recorded_by, person_id=person_id,
                            object_type="contactdoctor", object_id=pk, url=reverse("contact_doctor_appoint", args=[pk])))
    return out
