"""Criteria and appeal rules, judged by the rules in force on the request's or decision's own date.

Pure functions over Rule rows (helhet/rules): the rule texts and dates are
data; this module only says which rule codes matter for which question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from helhet.rules.selectors import rule_in_force, rules_in_force

STATSFORVALTEREN_FROM = dt.date(2019, 1, 1)


@dataclass
class CriteriaResult:
    meets_ip: bool
    meets_coordinator: bool
    meets_child_coordinator: bool
    ip_right_suspended: bool
    rules: list = field(default_factory=list)


def assess_criteria(*, day: dt.date, age: int, long_term: bool, services_involved: int, complex_needs: bool,
                    child_serious_condition: bool, child_needs_complex_services: bool, organization=None) -> CriteriaResult:
    """Whether the criteria are met on `day` (the request's date).

    IP: long-term AND coordinated (two or more services). No right to a NEW
    plan while the 2020 temporary rule is in force. Coordinator: complex or
    long-term coordinated needs (a duty before 2022-08-01, a right after).
    Child coordinator: under 18, serious condition, long-term complex needs,
    and only from the day that right is in force.
    """
    codes = ["ip.right", "covid-2020.no-new-ip", "coordinator.duty", "coordinator.right", "child-coordinator.right"]
    rules = {r.code: r for r in rules_in_force(day, organization=organization, codes=codes)}
    coordinated = services_involved >= 2
    suspended = "covid-2020.no-new-ip" in rules
    meets_ip = "ip.right" in rules and long_term and coordinated and not suspended
    meets_coordinator = ("coordinator.right" in rules or "coordinator.duty" in rules) and (complex_needs or (long_term and coordinated))
    meets_child = "child-coordinator.right" in rules and age < 18 and child_serious_condition and child_needs_complex_services
    return CriteriaResult(meets_ip, meets_coordinator, meets_child, suspended, list(rules.values()))


def appealable_refusals(decision, request) -> list[str]:
    """Which refused items the person may appeal, by the rules in force on the decision date."""
    day = decision.decided_on
    org = request.organization
    out = []
    if request.wants_ip and not decision.grants_ip and rule_in_force("ip.right", day, organization=org):
        if not rule_in_force("covid-2020.no-new-ip", day, organization=org):
            out.append("ip")
    if request.wants_coordinator and not decision.grants_coordinator and rule_in_force("coordinator.right", day, organization=org):
        out.append("coordinator")
    if request.wants_child_coordinator and not decision.grants_child_coordinator and rule_in_force("child-coordinator.right", day, organization=org):
        out.append("child_coordinator")
    return out


def appeal_route(day: dt.date, organization) -> str:
    """The appeal route a refusal names: first the deciding body, then the county governor."""
    governor = _("Statsforvalteren") if day >= STATSFORVALTEREN_FROM else _("Fylkesmannen")
    return _(
        "Du kan klage på avgjørelsen. Send klagen til %(org)s, som vurderer saken på nytt. "
        "Blir avgjørelsen ikke endret, sendes klagen videre til %(governor)s for endelig avgjørelse."
    ) % {"org": organization.name, "governor": governor}


# The appeal deadline rule for each law a decision can be made under (Decision.Law): the weeks are the rule's data.
APPEAL_DEADLINE_RULES = {"patients_rights": "appeal.deadline.patients-rights",
                         "public_administration": "appeal.deadline.public-administration"}


def appeal_deadline(decision, organization=None):
    """(last day to appeal, the rule) for a decision with an appealable refusal, by the rule in force on its date;
    None when nothing in it can be appealed or no rule is in force. Counted from the decision date (the earliest day
    the person can have received it; the law counts from when they received it)."""
    if not decision.appeal_route:
        return None
    rule = rule_in_force(APPEAL_DEADLINE_RULES.get(decision.law, APPEAL_DEADLINE_RULES["patients_rights"]), decision.decided_on,
                         organization=organization)
    if rule is None:
        return None
    return decision.decided_on + dt.timedelta(weeks=int((rule.parameters or {}).get("weeks", 0))), rule


def new_decision_due(on: dt.date, organization=None):
    """(due, rule) for the KE's new decision after an appeal decided on `on` (rule appeal.new-decision)."""
    rule = rule_in_force("appeal.new-decision", on, organization=organization)
    if rule is None:
        return on, None
    return on + dt.timedelta(days=int((rule.parameters or {}).get("days", 0))), rule


# --- Working days (the contact doctor's deadline) -------------------------------------------------------------------


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a Norwegian public holiday (the kept library `holidays`; Sundays are never working days)."""
    import holidays

    return day.weekday() < 5 and day not in holidays.Norway(years=day.year)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day after `day` (n >= 1): "no later than the working day after the need is found" is n=1."""
    found = 0
    while found < max(n, 1):
        day += dt.timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day


def contact_doctor_due(need_found_on: dt.date, rule) -> dt.date:
    """Due date for appointing a contact doctor under `rule` (contact-doctor.deadline; parameters["working_days"])."""
    return add_working_days(need_found_on, int((rule.parameters or {}).get("working_days", 1)))
