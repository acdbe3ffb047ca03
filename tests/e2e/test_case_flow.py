"""The case process in a real browser: request -> assessment -> decision -> consent -> coordinator, and an appeal.

axe-core (WCAG 2.1 AA) runs on every page visited.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parent))  # --import-mode=importlib: tests/e2e is not on sys.path
from reflow import assert_reflows  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The UI is Norwegian first; LocaleMiddleware would otherwise follow Chromium's default en-US.
    return {**browser_context_args, "locale": "nb-NO"}


@pytest.fixture
def rules(db):
    # Transactional tests flush the tables between tests, including the national rules loaded by migration.
    call_command("sync_rules", stdout=open("/dev/null", "w"))


def _submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_ke_officer_takes_an_oral_request_to_an_appointed_coordinator(world, rules, person, login, page, axe, live_server):
    today = timezone.localdate().isoformat()
    login("ke")
    page.goto(f"{live_server.url}/personer/{person.pk}/")
    axe()
    assert_reflows(page)

    page.get_by_role("link", name="Registrer henvendelse").click()
    axe()
    assert_reflows(page)
    page.get_by_label("Muntlig").check()
    page.get_by_label("Personen selv").check()
    page.get_by_label("Individuell plan").check()
    page.get_by_label("Koordinator", exact=True).check()
    page.get_by_label("Hva gjelder henvendelsen?").fill("Ringte og ba om hjelp til å samordne tjenestene.")
    _submit(page, "Registrer henvendelse")
    assert page.get_by_role("status").inner_text().startswith("Henvendelsen er registrert")
    axe()
    assert_reflows(page)

    page.get_by_role("link", name="Vurder henvendelsen").click()
    assert page.get_by_text("Kilde:").first.is_visible()
    axe()
    assert_reflows(page)
    page.get_by_label("Behov for langvarige tjenester").check()
    page.get_by_label("Antall tjenester som må ses i sammenheng").fill("3")
    page.get_by_label("Komplekse eller langvarige behov").check()
    page.get_by_label("Begrunnelse").fill("Hjemmetjeneste, NAV og fastlege må ses i sammenheng over tid.")
    _submit(page, "Lagre vurdering")
    assert page.locator(".criteria").inner_text().count("ikke oppfylt") == 1  # IP and coordinator met, child coordinator not
    assert page.get_by_text("Kilde:").first.is_visible()
    axe()
    assert_reflows(page)

    page.get_by_role("link", name="Treff avgjørelse").click()
    axe()
    assert_reflows(page)
    page.get_by_label("Innvilger individuell plan").check()
    page.get_by_label("Innvilger koordinator").check()
    page.get_by_label("Begrunnelse").fill("Vilkårene er oppfylt.")
    _submit(page, "Lagre avgjørelse")
    assert page.get_by_text("Innvilget", exact=True).first.is_visible()
    axe()
    assert_reflows(page)

    page.get_by_role("link", name=person.full_name).click()
    page.get_by_role("link", name="Registrer samtykke", exact=True).click()
    axe()
    assert_reflows(page)
    page.get_by_label("Samtykke til koordinator").check()
    page.get_by_label("Hvordan ble samtykket gitt?").select_option("oral")
    page.get_by_label("Dato", exact=True).fill(today)
    _submit(page, "Lagre")
    assert page.get_by_role("status").inner_text().startswith("Samtykket er registrert")
    axe()
    assert_reflows(page)

    page.get_by_role("link", name="Oppnevn koordinator").click()
    axe()
    assert_reflows(page)
    page.get_by_label("Enhet").select_option(label="Hjemmetjenesten Fjordvik (Fjordvik kommune)")
    # htmx narrows the coordinator list to the chosen unit's staff; wait for the swap before choosing.
    expect(page.get_by_label("Koordinator", exact=True)).not_to_contain_text("Siri Berg")
    page.get_by_label("Koordinator", exact=True).select_option(str(world.users["coordinator"].pk))
    page.get_by_label("Personens ønske").fill("Ønsker Ola, som kjenner henne fra hjemmetjenesten.")
    _submit(page, "Oppnevn")
    assert page.get_by_role("status").inner_text().startswith("Koordinatoren er oppnevnt")
    coordinators = page.locator("section[aria-labelledby=h-coordinators]")
    assert "Ola Strand" in coordinators.inner_text()
    assert "Hjemmetjenesten Fjordvik" in coordinators.inner_text()
    axe()
    assert_reflows(page)


def test_refused_request_is_appealed_and_sent_to_the_county_governor(world, rules, person, login, page, axe, live_server):
    from helhet.cases import services

    ke = world.users["ke"]
    day = timezone.localdate() - dt.timedelta(days=5)
    req = services.request_create(actor=ke, person=person, received_on=day, channel="written", requester_kind="relative", wants_coordinator=True)
    services.assessment_create(actor=ke, request_id=req.pk, assessed_on=day, long_term=False, services_involved=1, reasons="Ett tjenestetilbud.")
    services.decision_create(actor=ke, request_id=req.pk, decided_on=day, reasons="Vilkårene er ikke oppfylt.")

    login("ke")
    page.goto(f"{live_server.url}/henvendelser/{req.pk}/")
    assert page.get_by_text("Du kan klage på avgjørelsen").is_visible()
    axe()
    assert_reflows(page)
    page.get_by_role("link", name="Registrer klage").click()
    axe()
    assert_reflows(page)
    page.get_by_label("Hva klagen gjelder").fill("Jeg trenger koordinator fordi mange tjenester er involvert.")
    _submit(page, "Registrer klage")
    assert page.get_by_role("status").inner_text().startswith("Klagen er registrert")
    axe()
    assert_reflows(page)

    # Only the allowed transitions are offered: from "Mottatt" to review or withdrawn.
    options = page.get_by_label("Ny status").locator("option").all_inner_texts()
    assert options == ["Til behandling hos den som avgjorde", "Trukket"]
    page.get_by_label("Ny status").select_option(label="Til behandling hos den som avgjorde")
    _submit(page, "Oppdater status")
    axe()
    assert_reflows(page)
    page.get_by_label("Ny status").select_option(label="Sendt til Statsforvalteren")
    page.get_by_label("Merknad").fill("Opprettholdt etter ny vurdering.")
    _submit(page, "Oppdater status")
    assert page.get_by_role("status").inner_text().startswith("Klagen er oppdatert")
    assert page.locator("#appeal-1, article.card").filter(has_text="Klage mottatt").first.get_by_text("Sendt til Statsforvalteren").first.is_visible()
    axe()
    assert_reflows(page)
