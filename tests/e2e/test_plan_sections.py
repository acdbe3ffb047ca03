"""The plan page at 360 px with a long plan: the first screen is the frame, the section navigation and the person's goals;
the long measures section is collapsed. The coordinator navigates to it, loads it in place (htmx), changes a measure's
status, and focus moves to the "Lagret" status message. axe-core and the reflow check on the page and the loaded section."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: tests/e2e is not on sys.path
from reflow import assert_reflows  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (360, 320)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nb-NO", "viewport": {"width": 360, "height": 740}}


@pytest.fixture
def long_plan(world):
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent
    from helhet.core.world import synthetic_national_id
    from helhet.people.models import Person
    from helhet.plans import services
    from helhet.plans.views import COLLAPSE_AFTER

    users = world.users
    person = Person(given_name="Torill", family_name="Brekke", national_id=synthetic_national_id(dt.date(1985, 6, 7), 41),
                    home_municipality=world.orgs["fjordvik"])
    person.full_clean()
    person.save()
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))
    Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                           given_on=timezone.localdate() - dt.timedelta(days=3), recorded_by=users["ke"])
    c = users["coordinator"]
    plan = services.plan_create(actor=c, person_id=person.pk, main_sector="health_care", main_unit_id=world.units["fjordvik_care"].pk)
    goal = services.goal_add(actor=c, plan_id=plan.pk, based_on_version=plan.version, text="Jeg vil gå tur hver dag", written_by="person")
    version = goal.plan.version
    for i in range(COLLAPSE_AFTER + 3):
        m = services.measure_add(actor=c, plan_id=plan.pk, based_on_version=version, title=f"Tiltak nummer {i + 1}", goal_ids=[goal.pk],
                                 responsible_person_id=c.pk, deadline=dt.date(2031, 1, 1) + dt.timedelta(days=i))
        version = m.plan.version
    return plan


def test_coordinator_opens_a_collapsed_section_edits_in_it_and_hears_it_was_saved(world, long_plan, login, page, axe, live_server):
    from helhet.plans.views import COLLAPSE_AFTER

    n = COLLAPSE_AFTER + 3
    login("koordinator")
    page.goto(f"{live_server.url}/planer/{long_plan.pk}/")
    # The first screen: the frame, the navigation with counts (goals first) and the person's goals.
    nav = page.get_by_role("navigation", name="Innhold i planen")
    assert nav.get_by_role("link").first.inner_text() == "Hva er viktig for deg?"
    assert f"Tiltak ({n})" in nav.inner_text()
    assert page.locator("#sec-goals .goal-text").get_by_text("Jeg vil gå tur hver dag").is_visible()
    assert page.locator(".plan-facts").get_by_text("Ola Strand", exact=False).is_visible()
    assert page.get_by_text("Tiltak nummer 1", exact=True).count() == 0
    axe()
    assert_reflows(page, widths=WIDTHS)

    # Navigate to the collapsed section and load it in place.
    nav.get_by_role("link", name="Tiltak").click()
    assert page.url.endswith("#sec-measures")
    page.get_by_role("link", name=f"Vis tiltak ({n})").click()
    measures = page.locator("#sec-measures")
    measures.get_by_role("heading", name=f"Tiltak nummer {n}").wait_for()
    assert page.url.endswith("#sec-measures")  # fetched in place, not a new page
    page.wait_for_function("document.activeElement && document.activeElement.id === 'h-measures'")
    axe()
    assert_reflows(page, widths=WIDTHS)

    # Edit an item inside the loaded section: the status of the second measure.
    item = measures.locator("li.measure").nth(1)
    item.get_by_role("link", name="Endre status «Tiltak nummer 2»").click()
    form = item.locator("form")
    form.get_by_label("Ny status").select_option(label="Pågår")
    axe()
    assert_reflows(page, widths=WIDTHS)
    form.get_by_role("button", name="Lagre").click()
    status = page.locator("#sec-measures [data-saved]")
    status.wait_for()
    assert status.inner_text() == "Status er lagret."
    page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-saved')")
    assert "Pågår" in page.locator("#sec-measures li.measure").nth(1).inner_text()
    assert page.locator("#sec-measures li.measure").count() == n  # the section stays open
    axe()
    assert_reflows(page, widths=WIDTHS)

    # Arriving from a link to the section (a meeting's "tiltak i planen": #sec-measures) opens it.
    page.goto(f"{live_server.url}/planer/{long_plan.pk}/")
    assert page.locator("#sec-measures li.measure").count() == 0
    page.goto("about:blank")  # leave the page: the next visit is a full load, not a jump within it
    page.goto(f"{live_server.url}/planer/{long_plan.pk}/#sec-measures")
    page.locator("#sec-measures").get_by_role("heading", name=f"Tiltak nummer {n}").wait_for()


def test_without_js_the_link_opens_the_section_on_the_plan_page(world, long_plan, browser, live_server):
    from helhet.core.world import DEMO_PASSWORD
    from helhet.plans.views import COLLAPSE_AFTER

    context = browser.new_context(java_script_enabled=False, locale="nb-NO", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Brukernavn").fill("koordinator")
        page.get_by_label("Passord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.goto(f"{live_server.url}/planer/{long_plan.pk}/")
        page.get_by_role("link", name=f"Vis tiltak ({COLLAPSE_AFTER + 3})").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/planer/{long_plan.pk}/?vis=measures#sec-measures")
        assert page.locator("#sec-measures").get_by_role("heading", name=re.compile(r"^Tiltak nummer 1 ")).is_visible()
    finally:
        context.close()
