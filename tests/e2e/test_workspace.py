"""Landing pages in headless Chromium: NAV logs in to "Personer jeg er involvert i", reads the inbox and the calendar;
the KE overview loads its overdue counts. axe (WCAG 2.1 AA) and reflow at 320 px on each page."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: tests/e2e is not on sys.path
from reflow import assert_reflows  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def group(shared_plan, users, share):
    from helhet.meetings import services
    from helhet.notifications.services import notify

    share(shared_plan.person, ["general"], to_users=["nav"])
    services.thread_create(actor=users["coordinator"], plan_id=shared_plan.pk, subject="Planlegging av skoleåret", text="Hei alle")
    start = timezone.now() + dt.timedelta(days=1)
    services.meeting_create(actor=users["coordinator"], plan_id=shared_plan.pk, title="Ansvarsgruppemøte", agenda="Status", start=start,
                            end=start + dt.timedelta(hours=1), place="Rådhuset")
    notify(user=users["nav"], title="Ny oppgave i Helhet", url="/frister/")
    return shared_plan


def test_nav_lands_on_the_involved_page_and_reads_inbox_and_calendar(group, login, page, axe, live_server):
    login("nav")
    assert page.url.endswith("/arbeid/involvert/")
    assert page.get_by_role("link", name="1 ulest", exact=True).count() == 1
    axe()
    assert_reflows(page, widths=(360, 320))
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Innboks", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Planlegging av skoleåret").count() == 1
    assert page.get_by_role("link", name="Ny oppgave i Helhet").count() == 1
    axe()
    assert_reflows(page, widths=(360, 320))
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Kalender", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Ansvarsgruppemøte", exact=True).count() == 1
    axe()
    assert_reflows(page, widths=(360, 320))


def test_the_ke_overview_loads_the_overdue_counts(group, login, page, axe, live_server):
    login("ke")
    page.goto(live_server.url + "/ke/")
    page.wait_for_selector("#overdue-counts")
    assert page.get_by_role("heading", name="Forfalte frister").count() == 1
    axe()
