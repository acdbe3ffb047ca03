"""The coordination loop in the browser (issue 5): the coordinator convenes a meeting of the plan group, records
attendance, writes minutes with an action item and sends them; the action item appears as a measure in the plan.
axe-core (WCAG 2.1 AA) on every page."""

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
def plan_with_group(world):
    """Sigrid's plan with an appointed coordinator, consent to the plan work, and NAV in the plan group."""
    from helhet.cases.models import CoordinatorAppointment
    from helhet.consent.models import Consent
    from helhet.core.world import synthetic_national_id
    from helhet.people.models import Person
    from helhet.plans import services

    users = world.users
    person = Person(given_name="Sigrid", family_name="Nordvik", national_id=synthetic_national_id(dt.date(1990, 3, 4), 77),
                    home_municipality=world.orgs["fjordvik"], email="sigrid@example.invalid")
    person.full_clean()
    person.save()
    CoordinatorAppointment.objects.create(person=person, kind="coordinator", coordinator=users["coordinator"], unit=world.units["fjordvik_care"],
                                          appointed_by=users["ke"], start=timezone.localdate() - dt.timedelta(days=5))
    Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                           given_on=timezone.localdate() - dt.timedelta(days=3), recorded_by=users["ke"])
    plan = services.plan_create(actor=users["coordinator"], person_id=person.pk, main_sector="health_care",
                                main_unit_id=world.units["fjordvik_care"].pk)
    services.participant_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, kind="staff",
                             user_id=users["nav"].pk, unit_id=world.units["fjordvik_nav"].pk, role="NAV-veileder")
    return plan


def _convene_and_write_minutes(page, live_server, axe, plan):
    """From the plan page: convene, move the meeting into the past, attendance, minutes with one action item, send."""
    from helhet.meetings.models import Meeting

    page.goto(f"{live_server.url}/planer/{plan.pk}/")
    page.get_by_role("link", name="Møter", exact=True).click()
    page.get_by_role("heading", name="Møter i plangruppen").wait_for()
    axe()
    assert_reflows(page)
    page.get_by_role("link", name="Kall inn til møte").click()
    start = timezone.localtime() + dt.timedelta(days=2)
    page.get_by_label("Tittel").fill("Ansvarsgruppemøte")
    page.get_by_label("Starter").fill(start.strftime("%Y-%m-%dT10:00"))
    page.get_by_label("Slutter").fill(start.strftime("%Y-%m-%dT11:00"))
    page.get_by_label("Sted").fill("Fjordvik rådhus")
    page.get_by_label("Saksliste").fill("1. Status\n2. Arbeid og aktivitet")
    axe()
    assert_reflows(page)
    page.get_by_role("button", name="Send innkalling").click()
    page.get_by_role("heading", name="Ansvarsgruppemøte").wait_for()
    assert page.get_by_text("innkallingen er sendt").is_visible()
    axe()
    assert_reflows(page)

    meeting = Meeting.objects.get(plan=plan)
    past = timezone.now() - dt.timedelta(hours=2)
    Meeting.objects.filter(pk=meeting.pk).update(start=past, end=past + dt.timedelta(hours=1))
    page.reload()
    page.get_by_role("group", name=plan.person.full_name).get_by_label("Møtte", exact=True).check()
    page.get_by_role("button", name="Lagre oppmøte").click()
    page.get_by_text("Oppmøtet er registrert").wait_for()

    page.get_by_role("link", name="Skriv referat").click()
    page.get_by_label("Referat", exact=True).fill("Sigrid ønsker arbeidstrening. NAV undersøker muligheter.")
    page.locator("#id_items-0-text").fill("Søke om arbeidstrening")
    page.locator("#id_items-0-responsible_person").select_option(label="Lars Vik, NAV-veileder")
    page.locator("#id_items-0-deadline").fill("2030-06-01")
    axe()
    assert_reflows(page)
    page.get_by_role("button", name="Lagre referat").click()
    page.get_by_text("Oppfølgingspunktene er lagt inn som tiltak i planen").wait_for()
    axe()
    assert_reflows(page)
    page.get_by_role("button", name="Send referatet til deltakerne").click()
    page.get_by_text("Referatet ble sendt").wait_for()
    return meeting


def _measure_is_in_the_plan(page, live_server, axe, plan):
    page.goto(f"{live_server.url}/planer/{plan.pk}/")
    measures = page.locator("#sec-measures")
    measures.get_by_role("heading", name="Søke om arbeidstrening").wait_for()
    assert "Lars Vik" in measures.inner_text()
    axe()
    assert_reflows(page)


def test_coordinator_convenes_writes_minutes_and_the_action_item_becomes_a_measure(world, plan_with_group, login, page, axe, live_server):
    from helhet.plans.models import Measure

    login("koordinator")
    _convene_and_write_minutes(page, live_server, axe, plan_with_group)
    measure = Measure.objects.get(plan=plan_with_group)
    assert measure.title == "Søke om arbeidstrening" and measure.deadline == dt.date(2030, 6, 1)
    assert measure.responsible_person == world.users["nav"]
    _measure_is_in_the_plan(page, live_server, axe, plan_with_group)


def test_messages_in_the_plan_group_with_unread_count(world, plan_with_group, login, page, axe, live_server):
    from helhet.meetings import services

    services.thread_create(actor=world.users["ke"], plan_id=plan_with_group.pk, subject="Arbeidstrening", text="Jeg har funnet en plass.")
    login("koordinator")
    page.goto(f"{live_server.url}/planer/{plan_with_group.pk}/")
    link = page.locator("#plan-messages-link")
    assert "1" in link.inner_text()
    link.click()
    page.get_by_role("heading", name="Meldinger i plangruppen").wait_for()
    axe()
    assert_reflows(page)
    page.get_by_role("link", name="Arbeidstrening").click()
    page.get_by_text("Jeg har funnet en plass.").wait_for()
    axe()
    assert_reflows(page)
    page.get_by_label("Svar", exact=True).fill("Flott, vi tar det på møtet.")
    page.get_by_role("button", name="Send svar").click()
    page.get_by_text("Flott, vi tar det på møtet.").wait_for()
    page.goto(f"{live_server.url}/planer/{plan_with_group.pk}/")
    assert page.locator("#plan-messages-link .ds-badge").count() == 0


def test_the_coordination_loop_from_need_notification_to_a_measure_in_the_plan(world, login, page, axe, live_server):
    """The issue's flow: a hospital clinician sends a need notification with consent; the municipal KE acknowledges it
    and appoints a coordinator; the coordinator convenes a meeting, writes minutes with an action item, and the item
    appears as a measure in the plan."""
    from helhet.consent.models import Consent
    from helhet.coordination.models import NeedNotification
    from helhet.core.world import synthetic_national_id
    from helhet.people.models import Involvement, Person
    from helhet.plans import services as plan_services
    from helhet.plans.models import IndividualPlan, Measure

    users = world.users
    today = timezone.localdate()
    person = Person(given_name="Ivar", family_name="Lunde", national_id=synthetic_national_id(dt.date(1975, 8, 9), 91),
                    home_municipality=world.orgs["fjordvik"])
    person.full_clean()
    person.save()
    # In hospital: the clinician treats him (the involvement that lets the clinician act for him).
    Involvement.objects.create(person=person, unit=world.units["trust_ward"], staff=users["clinician"], start=today - dt.timedelta(days=3))

    # 1. The hospital clinician notifies the home municipality's KE, with the person's consent.
    login("behandler")
    page.goto(f"{live_server.url}/personer/{person.pk}/melding-om-behov/ny/")
    axe()
    assert_reflows(page)
    page.get_by_label("Behov for individuell plan").check()
    page.get_by_label("Behov for koordinator", exact=True).check()
    page.get_by_label("Helsetilstand og funksjon").fill("Hjerneslag, trenger oppfølging fra flere tjenester etter utskrivning.")
    page.get_by_label("Kontaktperson i sykehuset").fill("Jonas Lie")
    page.get_by_label("Samtykke gitt av").select_option("person")  # Ivar himself: the name recorded is his
    page.get_by_label("Hvordan ble samtykket gitt?").select_option("oral")
    page.get_by_label("Samtykke gitt dato").fill(today.isoformat())
    page.get_by_role("button", name="Send melding").click()
    page.wait_for_load_state()
    notification = NeedNotification.objects.get(person=person)
    assert page.url.endswith(f"/meldinger/{notification.pk}/")
    axe()
    assert_reflows(page)

    # 2. The municipal KE sees it in the inbox, acknowledges it, and appoints a coordinator.
    page.context.clear_cookies()
    login("ke")
    page.goto(f"{live_server.url}/ke/meldinger/")
    assert "Ivar Lunde" in page.content()
    axe()
    assert_reflows(page)
    page.goto(f"{live_server.url}/meldinger/{notification.pk}/")
    page.get_by_role("link", name="Kvitter").click()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    notification.refresh_from_db()
    assert notification.status != "sent"
    Consent.objects.create(person=person, kind="coordinator", given_by="person", given_by_name=person.full_name, method="oral",
                           given_on=today, recorded_by=users["ke"])
    page.goto(f"{live_server.url}/personer/{person.pk}/koordinator/ny/")
    page.get_by_label("Enhet").select_option(label="Hjemmetjenesten Fjordvik (Fjordvik kommune)")
    page.wait_for_timeout(300)  # htmx narrows the coordinator list to the unit's staff
    page.get_by_label("Koordinator", exact=True).select_option(str(users["coordinator"].pk))
    page.get_by_role("button", name="Oppnevn").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Koordinatoren er oppnevnt")

    # The plan itself (its pages are tested in test_plan_flow.py): consent to the plan work, plan, NAV in the group.
    Consent.objects.create(person=person, kind="plan_work", given_by="person", given_by_name=person.full_name, method="oral",
                           given_on=today, recorded_by=users["ke"])
    plan = plan_services.plan_create(actor=users["coordinator"], person_id=person.pk, main_sector="health_care",
                                     main_unit_id=world.units["fjordvik_care"].pk)
    plan_services.participant_add(actor=users["coordinator"], plan_id=plan.pk, based_on_version=plan.version, kind="staff",
                                  user_id=users["nav"].pk, unit_id=world.units["fjordvik_nav"].pk, role="NAV-veileder")

    # 3. The coordinator convenes the plan group, writes minutes with an action item, and it becomes a measure.
    page.context.clear_cookies()
    login("koordinator")
    plan = IndividualPlan.objects.get(pk=plan.pk)
    _convene_and_write_minutes(page, live_server, axe, plan)
    assert Measure.objects.filter(plan=plan, title="Søke om arbeidstrening", responsible_person=users["nav"]).exists()
    _measure_is_in_the_plan(page, live_server, axe, plan)
