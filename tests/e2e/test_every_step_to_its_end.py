"""Every step carried to its end, in a real browser (issue "Every role the guidelines name"):

* NAV starts the individual plan for a person who has none (the 2022 cross-sector regulation gives NAV the duty);
* appointing a coordinator gives the coordinator the task "inform the GP and partners", which the coordinator
  sends as a letter, and the letter (PDF/A) opens;
* a refused request is appealed, Statsforvalteren gives the person right, and the KE is asked to decide again.

axe-core (WCAG 2.1 AA) runs on every page visited, and a reflow check at 320 px (no sideways scrolling, no text cut
off: tests/e2e/reflow.py) on every page of the flow.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from helhet.people.models import Involvement
from helhet.plans.models import IndividualPlan

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: tests/e2e is not on sys.path
from reflow import assert_reflows  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rules(db):
    # Transactional tests flush the tables between tests, including the national rules loaded by migration.
    call_command("sync_rules", stdout=open("/dev/null", "w"))


def _submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_nav_starts_the_plan_for_a_person_who_has_none(world, rules, make_person, consent_for, login, page, axe, live_server):
    person = make_person(given_name="Nils", family_name="Arbeid", involve=(("fjordvik_nav", "nav"),))
    consent_for(person, kind="plan_work")
    login("nav")
    page.goto(f"{live_server.url}/personer/{person.pk}/plan/")
    axe()
    assert_reflows(page)
    page.get_by_role("link", name="Start individuell plan").click()
    axe()
    assert_reflows(page)
    page.get_by_label("Tjenesten med hovedansvar").select_option("nav")
    page.get_by_label("Ansvarlig enhet").select_option(str(world.units["fjordvik_nav"].pk))
    _submit(page, "Start individuell plan")
    assert page.get_by_role("status").filter(has_text="Individuell plan er startet").is_visible()
    axe()
    assert_reflows(page)
    plan = IndividualPlan.objects.get(person=person)
    assert plan.main_sector == "nav" and plan.main_unit == world.units["fjordvik_nav"]
    assert page.url.endswith(f"/planer/{plan.pk}/")


def test_the_coordinator_appointment_gives_the_gp_task_and_the_letter_opens(world, rules, person, consent_for, login, page, axe,
                                                                             live_server):
    from helhet.cases import services as cases

    users = world.users
    today = timezone.localdate()
    Involvement.objects.create(person=person, unit=world.units["fjordvik_gp"], staff=users["gp"], start=today - dt.timedelta(days=5))
    consent_for(person, given_on=today - dt.timedelta(days=30))
    cases.coordinator_appoint(actor=users["ke"], person=person, kind="coordinator", coordinator_id=users["coordinator"].pk,
                              unit_id=world.units["fjordvik_care"].pk, start=today)

    login("koordinator")
    page.goto(f"{live_server.url}/frister/")
    axe()
    assert_reflows(page)
    task = page.locator("tr[data-kind=partners_inform]")
    assert "Informere fastlege og samarbeidspartnere" in task.inner_text()
    task.get_by_role("link", name="Åpne").click()
    page.wait_for_load_state()
    axe()
    assert_reflows(page)
    page.get_by_label("Brev til alle").check()
    _submit(page, "Send informasjon")
    assert page.get_by_role("status").filter(has_text="Informasjonen er sendt").is_visible()
    axe()
    assert_reflows(page)

    page.goto(f"{live_server.url}/personer/{person.pk}/samhandling/")
    letter = page.get_by_role("link", name="Åpne brevet for utskrift").first
    href = letter.get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Koordinator er oppnevnt" in text and users["coordinator"].get_full_name() in text
    assert 'pdfaid:part="3"' in pdf.xmp_metadata.stream.get_data().decode()  # PDF/A identification in the XMP metadata

    # Sent: the task is gone from the coordinator's list.
    page.goto(f"{live_server.url}/frister/")
    assert page.locator("tr[data-kind=partners_inform]").count() == 0


def test_the_county_governor_gives_the_person_right_and_the_ke_is_asked_to_decide_again(world, rules, person, login, page, axe,
                                                                                        live_server):
    from helhet.cases import services

    ke = world.users["ke"]
    day = timezone.localdate() - dt.timedelta(days=10)
    req = services.request_create(actor=ke, person=person, received_on=day, channel="written", requester_kind="person", wants_coordinator=True)
    services.assessment_create(actor=ke, request_id=req.pk, assessed_on=day, long_term=False, services_involved=1, reasons="Ett tjenestetilbud.")
    decision = services.decision_create(actor=ke, request_id=req.pk, decided_on=day, reasons="Vilkårene er ikke oppfylt.")
    appeal = services.appeal_create(actor=ke, decision_id=decision.pk, received_on=day + dt.timedelta(days=2),
                                    grounds="Flere tjenester er involvert enn vurdert.")
    services.appeal_advance(actor=ke, appeal_id=appeal.pk, status="under_review", on=day + dt.timedelta(days=3))
    services.appeal_advance(actor=ke, appeal_id=appeal.pk, status="forwarded", on=day + dt.timedelta(days=4))

    login("ke")
    page.goto(f"{live_server.url}/henvendelser/{req.pk}/")
    axe()
    assert_reflows(page)
    page.get_by_label("Ny status").select_option(label="Statsforvalteren ga klageren medhold")
    _submit(page, "Oppdater status")
    assert page.get_by_role("status").filter(has_text="Klagen er oppdatert").is_visible()
    assert page.get_by_text("Til ny avgjørelse etter klage").first.is_visible()
    assert page.get_by_text("omgjort etter klage").first.is_visible()
    axe()
    assert_reflows(page)

    page.goto(f"{live_server.url}/ke/frister/")
    assert page.get_by_text("Ny avgjørelse etter klage").first.is_visible()
    axe()
    assert_reflows(page)
