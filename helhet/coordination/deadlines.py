"""Computed deadlines of the coordination loop (helhet.rules.deadlines describes the contract):

* need_notification_response: the receiving KE's response to a need notification. Due = the day it was sent + the
  receiving organisation's local guideline `need_notification_response_days` (in force on the day it was sent). Done
  when acknowledged. Responsible: the receiving tenant (KE overview); no single user, so the coordinator's view
  (user_id only) gets nothing from here -- except for one sent outside Helhet (below).
* transfer_answer (issue 12): the answer to a transfer sent to a municipality outside Helhet. Due = the day it was
  sent + the rule `transfer.outside-answer`'s days (a local version of the sending organisation wins; in force on the
  day it was sent). Followed up by the sender and the sending tenant until the answer is recorded
  (directory.OutsideTransferAnswer), the transfer ends, or the municipality joins and its KE takes it in. A transfer to a
  tenant has no answer deadline: its KE acts in Helhet. Information to partners expects no answer, so has none.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from helhet.rules.deadlines import Deadline

KEY = "need_notification_response_days"
TRANSFER_RULE = "transfer.outside-answer"


def _days(org_id: int, on: dt.date, cache: dict) -> int:
    from helhet.rules.selectors import guideline_value

    k = (org_id, on)
    if k not in cache:
        cache[k] = guideline_value(KEY, org_id, on).value
    return cache[k]


def need_notification_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Open (unanswered) notifications. To a tenant: the receiving tenant is responsible. To a municipality outside
    Helhet (issue 12): nobody there can act in Helhet, so the SENDING tenant and the sender follow it up, by the
    sender's guideline, until the sender records the answer (directory.services.outside_answer_record)."""
    from django.db.models import Q

    from .models import NeedNotification

    rows = NeedNotification.objects.filter(status=NeedNotification.Status.SENT).select_related("person")
    if organization_ids is not None:
        ids = list(organization_ids)
        rows = rows.filter(Q(to_organization_id__in=ids) | Q(to_organization__isnull=True, from_organization_id__in=ids))
    elif user_id is not None:
        rows = rows.filter(to_organization__isnull=True, sent_by_id=user_id)
    cache: dict = {}
    out = []
    for n in rows:
        org_id = n.to_organization_id or n.from_organization_id
        due = n.sent_on + dt.timedelta(days=_days(org_id, n.sent_on, cache))
        out.append(Deadline(
            kind="need_notification_response", due=due,
            title=_("Svar på melding om behov for %(name)s") % {"name": n.person.full_name},
            rule_code=KEY, organization_id=org_id, responsible_user_id=n.sent_by_id if n.to_organization_id is None else None,
            person_id=n.person_id, object_type="neednotification", object_id=n.pk, url=reverse("need_notification_detail", args=[n.pk]),
        ))
    return out


def _transfer_rules(org_ids) -> list:
    """The national versions of TRANSFER_RULE and the local ones of `org_ids`, oldest first (one query)."""
    from django.db.models import Q

    from helhet.rules.models import Rule

    return list(Rule.objects.filter(Q(organization__isnull=True) | Q(organization_id__in=list(org_ids)), code=TRANSFER_RULE)
                .order_by("valid_from", "id"))


def _transfer_days(rules: list, org_id: int, day: dt.date) -> int | None:
    """The days of the version in force on `day`: the sending organisation's own, else the national one (as
    helhet.rules.selectors.rule_in_force decides); None when no version is in force."""
    local = [r for r in rules if r.organization_id == org_id and r.in_force_on(day)]
    national = [r for r in rules if r.organization_id is None and r.in_force_on(day)]
    found = (local or national or [None])[-1]
    return int((found.parameters or {}).get("days", 0)) if found is not None else None


def _sent_on(t) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(t.created_at)


def transfer_answer_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    """Open transfers sent outside Helhet and not answered: the sender's (user_id) and the sending tenant's deadline.
    Two queries however many rows."""
    from .models import Transfer

    rows = Transfer.objects.filter(status=Transfer.Status.OPEN, to_organization__isnull=True, to_municipality__isnull=False,
                                   outside_answer__isnull=True).select_related("person", "to_municipality")
    if organization_ids is not None:
        rows = rows.filter(from_organization_id__in=list(organization_ids))
    if user_id is not None:
        rows = rows.filter(created_by_id=user_id)
    rows = list(rows)
    if not rows:
        return []
    rules = _transfer_rules({t.from_organization_id for t in rows})
    out = []
    for t in rows:
        days = _transfer_days(rules, t.from_organization_id, _sent_on(t))
        if days is None:
            continue
        out.append(Deadline(
            kind="transfer_answer", due=_sent_on(t) + dt.timedelta(days=days),
            title=_("Svar fra %(municipality)s på overføring for %(name)s") % {"municipality": t.to_municipality.name, "name": t.person.full_name},
            rule_code=TRANSFER_RULE, organization_id=t.from_organization_id, responsible_user_id=t.created_by_id, person_id=t.person_id,
            object_type="transfer", object_id=t.pk, url=reverse("directory_outside_item", args=["transfer", t.pk]),
        ))
    return out


def outside_answer_due(item, *, today: dt.date, answered: bool = False, cache: dict | None = None) -> dict | None:
    """For the pages that show one item sent outside Helhet (directory.selectors.outside_item, the person's coordination
    page): {"due", "overdue", "rule_code", "organization_id"} while its answer deadline runs, else None. `answered`: a
    transfer's answer is recorded (directory.OutsideTransferAnswer). The same computation as the providers above; pass
    one `cache` for a list, so it reads each (organisation, rule) once, not once per row."""
    from .models import NeedNotification, Transfer

    if isinstance(item, NeedNotification):
        if not (item.is_outside and item.status == NeedNotification.Status.SENT):
            return None
        org_id, code = item.from_organization_id, KEY
        due = item.sent_on + dt.timedelta(days=_days(org_id, item.sent_on, cache if cache is not None else {}))
    elif isinstance(item, Transfer):
        if not (item.is_outside and item.is_open and item.to_municipality_id) or answered:
            return None
        org_id, code = item.from_organization_id, TRANSFER_RULE
        cache = cache if cache is not None else {}
        if ("rules", org_id) not in cache:
            cache["rules", org_id] = _transfer_rules([org_id])
        days = _transfer_days(cache["rules", org_id], org_id, _sent_on(item))
        if days is None:
            return None
        due = _sent_on(item) + dt.timedelta(days=days)
    else:
        return None
    return {"due": due, "overdue": due < today, "rule_code": code, "organization_id": org_id}
