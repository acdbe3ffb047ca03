"""Issue 14: the portal's earlier consents and upcoming meetings are paged in the database (the counts at 3 and 13
rows are in test_paging_lists.py). Here: the consents a reader sees come from the policy's query fragment
(person_consents_q), which agrees with PersonAccess.sees_consent for every reader; the meetings keep the order they
had (soonest first, the newest first on the same start); a page reads the recipients' workplaces in a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_person_consents_q_agrees_with_sees_consent(portal, users):
    from helhet.access.queries import person_access, person_consents_q
    from helhet.consent.models import Consent

    readers = list(portal["users"].values()) + [users[k] for k in ("ke", "coordinator", "nav", "teacher", "outsider")]
    checked = 0
    for person in portal["persons"].values():
        consents = list(Consent.objects.filter(person=person))
        for reader in readers:
            reader = type(reader).objects.get(pk=reader.pk)  # a fresh actor context
            access = person_access(reader, person)
            listed = set(Consent.objects.filter(person_consents_q(access), person=person).values_list("pk", flat=True))
            assert listed == {c.pk for c in consents if access.sees_consent(c)}, (person.given_name, reader.username)
            checked += bool(listed)
    assert checked  # some reader sees some consent


def _ended(consent, n: int, start: int):
    from helhet.consent.models import Consent

    for i in range(start, start + n):
        copy = Consent.objects.get(pk=consent.pk)
        copy.pk = None
        copy.given_on = dt.date(2015, 1, 1) + dt.timedelta(days=i)
        copy.valid_from, copy.valid_to, copy.withdrawn_on = None, None, copy.given_on + dt.timedelta(days=30)
        copy.save()
        copy.recipient_users.set(consent.recipient_users.all())
        copy.recipient_units.set(consent.recipient_units.all())


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_earlier_consents_with_recipients_cost_the_same_per_page(portal, login, users):
    """Every earlier consent names recipients (users and units): where each user works is read for the whole page at
    once, so a full page costs what a page of three does."""
    from helhet.consent.models import Consent

    amalie = portal["persons"]["Amalie"]
    consent = Consent.objects.get(person=amalie, kind="sharing")
    consent.recipient_users.add(users["nav"], users["teacher"])
    url = f"/min-plan/{amalie.pk}/samtykker/"
    c = login(portal["users"]["ung"])
    c.get(url)
    _ended(consent, 3, 0)
    _body, few = _queries(c, url)
    _ended(consent, 20, 3)
    body, many = _queries(c, url)
    assert many == few
    assert "Viser 1–10 av 23" in body.split('id="tidligere"')[1]


def test_min_plan_meetings_keep_their_order(portal, login):
    """Soonest first; two meetings at the same time: the newest first (as the list was before it was paged)."""
    from helhet.meetings.models import Meeting

    amalie = portal["persons"]["Amalie"]
    plan = amalie.plans.get()
    meeting = plan.meetings.filter(status="planned").first()
    start = timezone.now() + dt.timedelta(days=40)
    made = []
    for title in ("Samme tid A", "Samme tid B"):
        copy = Meeting.objects.get(pk=meeting.pk)
        copy.pk, copy.uid, copy.title, copy.start, copy.end = None, f"order-{title}", title, start, start + dt.timedelta(hours=1)
        copy.save()
        made.append(copy)
    past = Meeting.objects.get(pk=meeting.pk)
    past.pk, past.uid, past.title = None, "order-past", "Møtet som var"
    past.start, past.end = timezone.now() - dt.timedelta(days=2), timezone.now() - dt.timedelta(days=2, hours=-1)
    past.save()
    body = login(portal["users"]["ung"]).get(f"/min-plan/{amalie.pk}/").content.decode()
    section = body.split('id="moter"')[1].split("</section>")[0]
    titles = re.findall(r"<strong>([^<]+)</strong>", section)
    assert titles[-2:] == ["Samme tid B", "Samme tid A"] and "Møtet som var" not in titles
    assert f"av {len(titles)}" in section
