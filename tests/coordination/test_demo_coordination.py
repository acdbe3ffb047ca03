"""The demo shows the coordination loop and the other roles (issue 11): a first-time user meets them in `make run`."""

from __future__ import annotations

from helhet.cases.models import ContactDoctor, CoordinationLead, PathwayCoordinator
from helhet.coordination.models import NeedNotification, Transfer
from helhet.core.demo import seed_demo
from helhet.meetings.models import Minutes, Post


def test_the_demo_has_meetings_threads_notifications_a_transfer_and_the_roles(db):
    seed_demo()
    assert Minutes.objects.filter(sent_at__isnull=False).exists()
    assert Post.objects.values("thread").distinct().count() >= 1 and Post.objects.count() >= 2
    assert set(NeedNotification.objects.values_list("direction", flat=True)) == {"to_municipality", "to_hospital"}
    assert Transfer.objects.filter(kind="move", status="open").count() == 1
    assert ContactDoctor.objects.filter(appointed_on__isnull=False).exists() and ContactDoctor.objects.filter(appointed_on__isnull=True).exists()
    assert PathwayCoordinator.objects.filter(pathway="cancer").exists()
    assert CoordinationLead.objects.filter(ended_on__isnull=True).count() == 1
    counts = (Transfer.objects.count(), NeedNotification.objects.count(), ContactDoctor.objects.count())
    seed_demo()
    assert (Transfer.objects.count(), NeedNotification.objects.count(), ContactDoctor.objects.count()) == counts
