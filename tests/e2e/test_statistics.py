"""The KE's statistics page in headless Chromium: axe (WCAG 2.1 AA), reflow at 320 px, the strict CSP holds, and the
charts are drawn with their stylesheet from our origin."""

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
def figures(world, make_person):
    from helhet.cases.models import Decision, Request

    ke = world.users["ke"]
    today = timezone.localdate()
    for i in range(7):
        person = make_person(involve=())
        req = Request.objects.create(person=person, organization=world.orgs["fjordvik"], received_on=today - dt.timedelta(days=40 + i),
                                     channel="written", requester_kind="person", wants_coordinator=True, registered_by=ke)
        if i < 5:
            Decision.objects.create(request=req, decided_on=req.received_on + dt.timedelta(days=3 + i), decided_by=ke, grants_coordinator=True,
                                    outcome="granted", reasons="Innvilget.")


def test_statistics_page_passes_axe_reflow_and_csp(figures, login, page, axe, live_server):
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    login("ke")
    response = page.goto(live_server.url + "/ke/statistikk/")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert page.locator("svg.helhet-chart").count() == 5
    # pygal's colours come from /ke/statistikk/diagram.css, not from an inline style: the first series is blue.
    fill = page.locator("svg.helhet-chart .serie-0 rect.reactive").first.evaluate("el => getComputedStyle(el).fill")
    assert fill == "rgb(0, 98, 186)"
    assert page.get_by_role("table", name="Henvendelser mottatt og avgjørelser fattet per måned").count() == 1
    axe()
    assert_reflows(page, widths=(360, 320))
    assert not csp_errors, csp_errors
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned som CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
