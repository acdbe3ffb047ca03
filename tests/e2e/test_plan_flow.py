"""A coordinator works on a person's individual plan in the browser: goal in the person's words, a measure linked to
it with responsible and deadline, a published version, and the diff. axe-core on every page."""

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
def browser_context_args(browser_context_args):
    # The UI is in bokmål; a browser asking for English would get the English translation.
    return {**browser_context_args, "locale": "nb-NO"}


@pytest.fixture
def open_plan(world):
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent
    from helhet.core.world import synthetic_national_id
    from helhet.people.models import Person
    from helhet.plans import services

    users = world.users
    person = Person(given_name="Sigrid", family_name="Nordvik", national_id=synthetic_national_id(dt.date(1990, 3, 4), 77),
                    home_municipality=world.orgs["fjordvik"])
    person.full_clean()
    person.save()
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))
    Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                           given_on=timezone.localdate() - dt.timedelta(days=3), recorded_by=users["ke"])
    plan = services.plan_create(actor=users["coordinator"], person_id=person.pk, main_sector="health_care",
                                main_unit_id=world.units["fjordvik_care"].pk)
    services.plan_publish(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, reason="Første utkast")
    return plan


def test_coordinator_adds_goal_and_measure_publishes_and_sees_the_diff(world, open_plan, login, page, axe, live_server):
    login("koordinator")
    page.goto(f"{live_server.url}/personer/{open_plan.person_id}/plan/")
    assert page.get_by_role("heading", name="Hva er viktig for deg?").is_visible()
    axe()
    assert_reflows(page)

    # A goal in the person's own words, in place (htmx).
    page.locator("#add-goals").get_by_role("link", name="Legg til mål").click()
    page.get_by_label("Hva er viktig for deg? Målet med personens egne ord").fill("Jeg vil klare meg selv hjemme")
    axe()
    assert_reflows(page)
    page.locator("#form-goals-add").get_by_role("button", name="Lagre").click()
    page.locator("#sec-goals .goal-text").get_by_text("Jeg vil klare meg selv hjemme").wait_for()

    # A measure linked to the goal, with a responsible person and a deadline.
    page.locator("#add-measures").get_by_role("link", name="Legg til tiltak").click()
    form = page.locator("#form-measures-add")
    form.get_by_label("Tiltak", exact=True).fill("Hjemmetrening med ergoterapeut")
    form.get_by_label("Jeg vil klare meg selv hjemme").check()
    form.get_by_label("Ansvarlig person").select_option(index=1)
    form.get_by_label("Frist").fill("2031-05-01")
    axe()
    assert_reflows(page)
    form.get_by_role("button", name="Lagre").click()
    measure = page.locator("#sec-measures")
    measure.get_by_role("heading", name="Hjemmetrening med ergoterapeut").wait_for()
    assert "01.05.2031" in measure.inner_text()
    assert "Jeg vil klare meg selv hjemme" in measure.inner_text()
    axe()
    assert_reflows(page)

    # Publish a version.
    page.get_by_role("link", name="Publiser versjon").click()
    page.get_by_label("Hva er endret i denne versjonen?").fill("Mål og første tiltak")
    axe()
    assert_reflows(page)
    page.get_by_role("button", name="Publiser versjon").click()
    page.get_by_text("Versjonen er publisert.").wait_for()

    # The version list and the diff between version 1 and 2.
    page.get_by_role("link", name="Versjoner og endringer").click()
    assert page.get_by_role("cell", name="Mål og første tiltak").is_visible()
    axe()
    assert_reflows(page)
    page.get_by_role("link", name="Endringer fra versjon 1 til 2").click()
    assert page.get_by_role("heading", name="Mål", exact=True).is_visible()
    assert page.get_by_role("heading", name="Tiltak", exact=True).is_visible()
    assert page.get_by_text("Hjemmetrening med ergoterapeut").first.is_visible()
    axe()
    assert_reflows(page)
