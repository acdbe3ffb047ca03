"""Computed deadline: the receiving KE's response to a need notification.

Due = the day it was sent + the receiving organisation's local guideline `need_notification_response_days`
(in force on the day it was sent). Done when acknowledged. Responsible: the receiving tenant (KE overview);
no single user, so the coordinator's view (user_id only) gets nothing from here.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from helhet.rules.deadlines import Deadline

KEY = "need_notification_response_days"


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
