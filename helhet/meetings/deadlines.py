"""The "minutes" deadline (helhet.rules.deadlines registry): minutes sent within N days of a held meeting.

N is the local guideline `minutes_days` of the organisation of the plan's responsible unit (main_unit), in
force on the meeting's date (helhet.rules.selectors.guideline_value). A meeting counts as held once it has
started and is not cancelled; the deadline is open until Minutes.sent_at is set (minutes_send), and then
disappears. Who must act: the meeting's organiser. Registered in MeetingsConfig.ready().
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from helhet.rules.deadlines import Deadline


def minutes_deadlines(*, organization_ids=None, user_id=None, today: dt.date):
    from helhet.rules.selectors import guideline_value

    from .models import Meeting

    end_of_today = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    qs = (Meeting.objects.exclude(status=Meeting.Status.CANCELLED)
          .filter(start__lt=end_of_today)
          .filter(Q(minutes__isnull=True) | Q(minutes__sent_at__isnull=True))
          .select_related("plan__main_unit"))
    if organization_ids is not None:
        qs = qs.filter(plan__main_unit__organization_id__in=list(organization_ids))
    if user_id is not None:
        qs = qs.filter(organizer_id=user_id)
    days_for: dict[tuple, int] = {}
    out = []
    for m in qs.only("id", "start", "organizer_id", "plan__person_id", "plan__main_unit__organization_id"):
        held_on = timezone.localdate(m.start)
        org_id = m.plan.main_unit.organization_id
        key = (org_id, held_on)
        if key not in days_for:
            days_for[key] = guideline_value("minutes_days", org_id, held_on).value
        out.append(Deadline(kind="minutes", due=held_on + dt.timedelta(days=days_for[key]), title="Referat etter møte i plangruppen",
                            rule_code="minutes_days", organization_id=org_id, responsible_user_id=m.organizer_id,
                            person_id=m.plan.person_id, object_type="meeting", object_id=m.pk,
                            url=reverse("meeting_detail", args=[m.pk])))
    return out
