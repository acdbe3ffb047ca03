"""Issue 10: on "Min plan" the meetings and the message threads, and on the consents page the earlier consents, are
paged ("Viser 1–10 av 13"), each on its own, in a fixed order, with a query count that does not grow with the rows;
the plan's own goals are not paged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helhet.meetings.models import Meeting, Thread
from helhet.portal.views import LIST_PAGE_SIZE

pytestmark = pytest.mark.django_db


def _get(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def _more(plan, n: int, start: int):
    meeting = plan.meetings.filter(status="planned").first()
    author = plan.threads.first().created_by
    for i in range(start, start + n):
        copy = Meeting.objects.get(pk=meeting.pk)
        copy.pk, copy.uid, copy.title = None, f"paging-{i}", f"Møte nr {i:03d}"
        copy.start = timezone.now() + dt.timedelta(days=10 + i)
        copy.end = copy.start + dt.timedelta(hours=1)
        copy.save()
        Thread.objects.create(plan=plan, subject=f"Tråd nr {i:03d}", created_by=author, last_post_at=timezone.now() - dt.timedelta(hours=i))


def _section(body: str, anchor: str) -> str:
    return body.split(f'id="{anchor}"')[1].split("</section>")[0]


def test_min_plan_pages_meetings_and_threads_at_a_fixed_cost(portal, login):
    amalie = portal["persons"]["Amalie"]
    plan = amalie.plans.get()
    url = f"/min-plan/{amalie.pk}/"
    c = login(portal["users"]["ung"])
    c.get(url)
    _more(plan, 2, 0)
    body, few = _get(c, url)
    meetings_total = 1 + 2
    assert f"Viser 1–{meetings_total} av {meetings_total}" in _section(body, "moter")
    _more(plan, LIST_PAGE_SIZE + 3, 2)
    body, many = _get(c, url)
    assert many == few
    meetings_total += LIST_PAGE_SIZE + 3
    threads_total = plan.threads.count()
    assert f"Viser 1–{LIST_PAGE_SIZE} av {meetings_total}" in _section(body, "moter") and "?moter_side=2" in body
    assert f"Viser 1–{LIST_PAGE_SIZE} av {threads_total}" in _section(body, "meldinger") and "?meldinger_side=2" in body
    # Upcoming meetings soonest first; the second page continues the first and keeps the other list's page.
    first = re.findall(r"<strong>Møte nr (\d{3})</strong>", _section(body, "moter"))
    body2, _n = _get(c, url, moter_side="2", meldinger_side="2")
    second = re.findall(r"<strong>Møte nr (\d{3})</strong>", _section(body2, "moter"))
    assert len(first) == LIST_PAGE_SIZE - 1 and first + second == [f"{i:03d}" for i in range(LIST_PAGE_SIZE + 5)]
    assert f"Viser {LIST_PAGE_SIZE + 1}–{threads_total} av {threads_total}" in _section(body2, "meldinger")
    assert "?moter_side=2&amp;meldinger_side=1" in _section(body2, "meldinger")  # "Forrige" keeps the meetings' page
    # The plan's goals are all there on every page.
    assert "Hva er viktig for deg?" in body2
    # A stranger still gets 404.
    assert login(portal["users"]["verge"]).get(url, {"moter_side": "2"}).status_code == 404


def _ended(consent, n: int, start: int):
    """n earlier sharing consents like `consent`, withdrawn long ago (the portal's "Tidligere samtykker til deling")."""
    from helhet.consent.models import Consent

    for i in range(start, start + n):
        copy = Consent.objects.get(pk=consent.pk)
        copy.pk = None
        copy.given_on = dt.date(2015, 1, 1) + dt.timedelta(days=i)
        copy.valid_from, copy.valid_to, copy.withdrawn_on = None, None, copy.given_on + dt.timedelta(days=30)
        copy.save()


def test_earlier_consents_are_paged_at_a_fixed_cost(portal, login):
    from helhet.consent.models import Consent

    amalie = portal["persons"]["Amalie"]
    consent = Consent.objects.get(person=amalie, kind="sharing")
    url = f"/min-plan/{amalie.pk}/samtykker/"
    c = login(portal["users"]["ung"])
    c.get(url)
    _ended(consent, 3, 0)
    body, few = _get(c, url)
    assert "Viser 1–3 av 3" in _section(body, "tidligere")
    _ended(consent, LIST_PAGE_SIZE, 3)
    body, many = _get(c, url)
    assert many == few
    total = LIST_PAGE_SIZE + 3
    assert f"Viser 1–{LIST_PAGE_SIZE} av {total}" in _section(body, "tidligere") and "?tidligere_side=2" in body
    body2, _n = _get(c, url, tidligere_side="2")
    assert f"Viser {LIST_PAGE_SIZE + 1}–{total} av {total}" in _section(body2, "tidligere")
    # Newest first across the pages: the withdrawal dates fall page by page.
    dates = [dt.datetime.strptime(d, "%d.%m.%Y").date() for part in (body, body2)
             for d in re.findall(r"Trukket tilbake (\d+\.\d+\.\d{4})", _section(part, "tidligere"))]
    assert len(dates) == total and dates == sorted(dates, reverse=True)
    assert login(portal["users"]["verge"]).get(url, {"tidligere_side": "2"}).status_code == 404
