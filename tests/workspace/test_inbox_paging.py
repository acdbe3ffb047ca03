"""The cross-plan inbox is one keyset list of message threads and notifications, newest first, across pages."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone


def test_threads_and_notifications_page_as_one_list(shared_plan, users, client_for):
    from helhet.meetings import services
    from helhet.meetings.models import Thread
    from helhet.notifications.models import Notification
    from helhet.notifications.services import notify

    base = timezone.now() - dt.timedelta(days=1)
    for i in range(3):
        t = services.thread_create(actor=users["coordinator"], plan_id=shared_plan.pk, subject=f"Innboksemne{i}", text="Hei")
        Thread.objects.filter(pk=t.pk).update(last_post_at=base + dt.timedelta(minutes=10 * i + 5))
    for i in range(22):
        n = notify(user=users["coordinator"], title=f"Innboksvarsel{i:02d}")
        Notification.objects.filter(pk=n.pk).update(created_at=base + dt.timedelta(minutes=i))
    client = client_for("coordinator")
    first = client.get(reverse("workspace_inbox")).content.decode()
    assert "Viser 1–20 av 25" in first
    next_url = re.search(r'href="(\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(reverse("workspace_inbox") + next_url).content.decode()
    assert "Viser 21–25 av 25" in second
    titles = re.findall(r"Innboks(?:emne|varsel)\d+", first) + re.findall(r"Innboks(?:emne|varsel)\d+", second)
    assert len(titles) == len(set(titles)) == 25
    # Newest first across both kinds: thread 2 (25 min) before the newest notification (21 min); thread 1 and
    # notification 15 share their time, and the thread (the first source) comes first.
    order = re.findall(r"Innboks(?:emne|varsel)\d+", first)
    assert order[:3] == ["Innboksemne2", "Innboksvarsel21", "Innboksvarsel20"]
    at = order.index("Innboksemne1")
    assert order[at - 1:at + 2] == ["Innboksvarsel16", "Innboksemne1", "Innboksvarsel15"]
